package io.zoobench.jobs.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zoobench.coco.CocoDataset;
import io.zoobench.coco.CocoJsonReader;
import io.zoobench.coco.InvalidInputException;
import io.zoobench.eval.CocoSummary;
import io.zoobench.eval.EvalInputs;
import io.zoobench.eval.LoadRes;
import io.zoobench.eval.EvalParams;
import io.zoobench.eval.EvalResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * {@code zoobench import}: evaluates an existing results file on Spark and appends the run to
 * the warehouse. Plan: read the ground truth on the driver; read and check the results in
 * tasks, one columnar {@link PredictionChunk} per byte range, kept by Spark; write them as the
 * run's predictions table; evaluate every IoU type from the same chunks with
 * {@link SparkCocoEvaluation}; stage metrics, per-category AP and the runs row; commit. A run
 * that fails on bad input is recorded ({@code runs.status = failed} and a {@code failures} row)
 * and publishes nothing else.
 */
public final class ImportJob {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What to import; built by the CLI. */
  public record Options(
      String annotations, String results, List<EvalParams> evaluations, String warehouse,
      String runId, String model, String master, int partitions) {}

  /** What the run produced. */
  public record Outcome(String runId, List<EvalResult> results, double evalSeconds,
      double totalSeconds, long predictions) {}

  private final SparkSession spark;
  private final PrintWriter log;

  public ImportJob(SparkSession spark, PrintWriter log) {
    this.spark = spark;
    this.log = log;
  }

  /** A run id from the model name and the current UTC time. */
  public static String defaultRunId(String model) {
    String safe = model.replaceAll("[^A-Za-z0-9._-]", "_");
    return safe + "-" + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT)
        .withZone(ZoneOffset.UTC).format(Instant.now());
  }

  public Outcome run(Options o) {
    return run(o, null, null);
  }

  /**
   * Runs the import; {@code annotations} and {@code survey} (either may be null) are the
   * annotations and the results' survey being read already (see {@link #readAnnotations} and
   * {@link ResultsImport#survey}), whose failures are recorded like any other.
   */
  public Outcome run(Options o, CompletableFuture<Annotations> annotations,
      CompletableFuture<ResultsImport.Survey> survey) {
    return ProgressListener.around(spark, log, () -> runQuietly(o, annotations, survey));
  }

  static <T> T join(CompletableFuture<T> f) {
    try {
      return f.join();
    } catch (java.util.concurrent.CompletionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : e;
    }
  }

  private Outcome runQuietly(Options o, CompletableFuture<Annotations> prefetched,
      CompletableFuture<ResultsImport.Survey> surveyed) {
    Warehouse.checkRunId(o.runId());
    Redact.checkNoCredentials("--warehouse", o.warehouse());
    long t0 = System.nanoTime();
    Timestamp started = Timestamp.from(Instant.now());
    Warehouse warehouse = new Warehouse(spark, o.warehouse());
    Warehouse.Staging staging = warehouse.stage(o.runId());
    String config = config(o);
    String[] gtSha = new String[1];
    CompletableFuture<Void> emptyTables = null;
    try {
      Redact.checkNoCredentials("--annotations", o.annotations());
      Redact.checkNoCredentials("--results", o.results());
      Annotations annotations = prefetched != null ? join(prefetched)
          : readAnnotations(o.annotations(), spark.sparkContext().hadoopConfiguration());
      CocoDataset gt = annotations.dataset();
      gtSha[0] = annotations.sha256();
      log(String.format(Locale.ROOT, "annotations: %d images, %d categories, %d annotations (%.1fs)",
          gt.imageCount(), gt.categories().size(), gt.annotationCount(),
          (System.nanoTime() - t0) / 1e9));

      long count;
      long te;
      List<EvalResult> results;
      ResultsImport.Survey survey = surveyed != null ? join(surveyed)
          : ResultsImport.survey(o.results(), spark.sparkContext().hadoopConfiguration(),
              ResultsImport.minSplitBytes(k -> spark.conf().get(k, null)));
      PredictionChunk.Counts counts = new PredictionChunk.Counts(spark.sparkContext());
      boolean firstHasBbox = survey.firstHasBbox();
      // read and checked once, kept (columnar) for the table and the evaluation
      JavaRDD<PredictionChunk> chunks = ResultsImport.chunks(spark, o.results(), gt,
          o.evaluations(), survey, spark.sparkContext().defaultParallelism())
          .persist(StorageLevel.MEMORY_AND_DISK());
      try {
        long tr = System.nanoTime();
        SparkSupport.withJobGroup(spark, "IMPORT-RESULTS", "read and check "
            + Redact.path(o.results()), () -> {
              staging.writePredictions(chunks, counts);
              return null;
            });
        count = counts.records.value();
        log(String.format(Locale.ROOT, "results: %d predictions read, checked and staged in %.1fs",
            count, (System.nanoTime() - tr) / 1e9));
        warnings(o, gt, firstHasBbox, count, counts);
        // an import has no timings and no failures: those empty tables are written while the
        // evaluation runs (their writes are mostly driver work: planning, commit)
        emptyTables = SparkSupport.async("zoobench-write-empty", () -> {
          staging.write(Tables.TIMINGS, List.of());
          staging.write(Tables.FAILURES, List.of());
          return null;
        });

        te = System.nanoTime();
        boolean[] fromMask = new boolean[o.evaluations().size()];
        for (int i = 0; i < fromMask.length; i++) {
          fromMask[i] = LoadRes.areaFromMask(o.evaluations().get(i), firstHasBbox);
        }
        String labels = String.join(",",
            o.evaluations().stream().map(EvalParams::label).toList());
        results = SparkSupport.withJobGroup(spark, "EVALUATE",
            "COCO " + labels + " evaluation of " + o.model(),
            () -> SparkCocoEvaluation.evaluateChunks(spark, o.evaluations(), gt, chunks,
                fromMask, o.partitions(), new Path(o.results()).getName()));
      } finally {
        chunks.unpersist(false);
      }
      List<Row> metrics = new ArrayList<>();
      List<Row> perCategory = new ArrayList<>();
      for (EvalResult r : results) {
        log(String.format(Locale.ROOT, "%s: AP %.4f", r.params().label(), r.stats()[0]));
        for (String line : r.summaryLines()) {
          log(line);
        }
        metrics.addAll(metricRows(o.model(), r));
        perCategory.addAll(perCategoryRows(o.model(), r));
      }
      double evalSeconds = (System.nanoTime() - te) / 1e9;
      long tw = System.nanoTime();
      double total = (System.nanoTime() - t0) / 1e9;
      Row run = runRow(o, config, gtSha[0], survey.sha256(), "succeeded", null,
          started, gt.imageCount(), count, evalSeconds, total);
      java.util.Map<String, List<Row>> tables = new java.util.LinkedHashMap<>();
      tables.put(Tables.METRICS, metrics);
      tables.put(Tables.PER_CATEGORY, perCategory);
      tables.put(Tables.RUNS, List.of(run));
      staging.writeSideBySide(tables);
      join(emptyTables);
      long tc = System.nanoTime();
      staging.commit();
      log(String.format(Locale.ROOT, "tables written in %.1fs, committed in %.1fs",
          (tc - tw) / 1e9, (System.nanoTime() - tc) / 1e9));
      return new Outcome(o.runId(), results, evalSeconds, (System.nanoTime() - t0) / 1e9, count);
    } catch (Exception e) {
      // Spark 4's SparkException is checked, yet Scala code throws it undeclared
      RuntimeException cause = SparkSupport.unwrap(
          e instanceof RuntimeException re ? re : new IllegalStateException(e.getMessage(), e));
      if (emptyTables != null) {
        // let it finish before the staging folder goes, or it could write into it again
        emptyTables.handle((v, t) -> null).join();
      }
      staging.abort();
      recordFailure(warehouse, o, config, gtSha[0], started, cause);
      throw cause;
    }
  }

  /** What {@code zoobench eval} would warn about these results, on the log. */
  private void warnings(Options o, CocoDataset gt, boolean firstHasBbox, long records,
      PredictionChunk.Counts counts) {
    long unknown = counts.unknownCategories.value();
    if (unknown > 0) {
      log("warning: " + EvalInputs.unknownCategoriesWarning(unknown, records, gt.source()));
    }
    for (EvalParams p : o.evaluations()) {
      if (p.iouType() == EvalParams.IouType.SEGM && !LoadRes.areaFromMask(p, firstHasBbox)) {
        String w = LoadRes.boxMasksWarning(counts.withoutMasks.value(), records,
            new Path(o.results()).getName());
        if (w != null) {
          log("warning: " + w);
        }
        break;
      }
    }
  }

  private void recordFailure(Warehouse warehouse, Options o, String config, String gtSha,
      Timestamp started, RuntimeException cause) {
    try {
      Warehouse.Staging failed = warehouse.stage(o.runId());
      String message = Redact.path(String.valueOf(cause.getMessage()));
      failed.commitFailedRun(List.of(RowFactory.create(null, Redact.path(o.results()),
          cause instanceof InvalidInputException ? "input" : "job", message)),
          runRow(o, config, gtSha, null, "failed", message, started, 0, 0, 0, 0));
    } catch (RuntimeException e) {
      log("could not record the failed run: " + Redact.path(String.valueOf(e.getMessage())));
    }
  }

  /** The ground truth and the sha256 of its file. */
  public record Annotations(CocoDataset dataset, String sha256) {}

  /**
   * Reads the annotations with {@code conf}; callers may start this before the Spark session
   * exists (the CLI does, to overlap it with Spark's start-up).
   */
  public static Annotations readAnnotations(String path, Configuration conf) {
    Redact.checkNoCredentials("--annotations", path);
    Path p = new Path(path);
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      try (InputStream in = new DigestInputStream(SparkSupport.fileSystem(p, conf).open(p), md)) {
        // the parser closes what it reads; the digest needs the bytes after the json too
        InputStream shielded = new java.io.FilterInputStream(in) {
          @Override
          public void close() {}
        };
        CocoDataset d = CocoJsonReader.readDataset(CocoJsonReader.maybeGunzip(shielded),
            p.getName());
        in.transferTo(java.io.OutputStream.nullOutputStream());
        return new Annotations(d, HexFormat.of().formatHex(md.digest()));
      }
    } catch (java.io.FileNotFoundException e) {
      throw new InvalidInputException(Redact.path(path) + ": no such file");
    } catch (IOException e) {
      throw new InvalidInputException(Redact.path(path) + ": cannot read: " + e.getMessage(), e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }


  private String config(Options o) {
    ObjectNode c = JSON.createObjectNode();
    c.put("verb", "import");
    c.put("annotations", Redact.path(o.annotations()));
    c.put("results", Redact.path(o.results()));
    c.put("model", o.model());
    c.put("partitions", o.partitions());
    var evals = c.putArray("evaluations");
    for (EvalParams p : o.evaluations()) {
      ObjectNode e = evals.addObject();
      e.put("iou", p.label());
      e.put("mode", p.mode().name().toLowerCase(Locale.ROOT));
      e.put("det_area", p.detArea().name().toLowerCase(Locale.ROOT));
    }
    return c.toString();
  }

  private Row runRow(Options o, String config, String gtSha, String resultsSha, String status,
      String message, Timestamp started, long images, long predictions, double evalSeconds,
      double total) {
    String iouTypes = String.join(",", o.evaluations().stream().map(EvalParams::label).toList());
    return RowFactory.create(o.model(), new Path(o.annotations()).getName(),
        Redact.path(o.annotations()), gtSha, Redact.path(o.results()), resultsSha, iouTypes,
        config, sha256(config), status, message, started, Timestamp.from(Instant.now()),
        Redact.path(spark.sparkContext().master()), spark.version(),
        spark.sparkContext().statusTracker().getExecutorInfos().length, "cpu", images, 0L,
        predictions, evalSeconds, total, codeVersion(), null, null, null, null, null);
  }

  static String codeVersion() {
    String v = ImportJob.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<Row> metricRows(String model, EvalResult r) {
    List<Row> rows = new ArrayList<>();
    double[] stats = r.stats();
    List<String> names = r.statNames();
    String mode = r.params().mode().name().toLowerCase(Locale.ROOT);
    for (int i = 0; i < 12; i++) {
      rows.add(RowFactory.create(model, r.params().label(), names.get(i), stats[i], i, mode,
          r.detAreaLabel()));
    }
    return rows;
  }

  static List<Row> perCategoryRows(String model, EvalResult r) {
    List<Row> rows = new ArrayList<>();
    if (!r.params().useCats()) {
      return rows;
    }
    CocoSummary s = r.summary();
    List<EvalResult.CategoryAp> aps = r.perCategory();
    for (int k = 0; k < aps.size(); k++) {
      EvalResult.CategoryAp c = aps.get(k);
      rows.add(RowFactory.create(model, r.params().label(), c.id(), c.name(), nan(c.ap()),
          nan(s.categoryMean(k, 0, 0)), nan(s.categoryMean(k, 5, 0)), nan(s.categoryMean(k, -1, 1)),
          nan(s.categoryMean(k, -1, 2)), nan(s.categoryMean(k, -1, 3))));
    }
    return rows;
  }

  private static Double nan(double v) {
    return Double.isNaN(v) ? null : v;
  }

  private void log(String line) {
    if (log != null) {
      log.println(line);
      log.flush();
    }
  }
}
