package io.zoobench.jobs.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zoobench.coco.CocoDataset;
import io.zoobench.coco.InvalidInputException;
import io.zoobench.detect.ShardPlan;
import io.zoobench.eval.LoadRes;
import io.zoobench.eval.EvalParams;
import io.zoobench.eval.EvalResult;
import io.zoobench.zoo.ModelSpec;
import java.io.PrintWriter;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;

/**
 * {@code zoobench evaluate}: runs a detector over a COCO dataset's images on Spark and
 * evaluates it. Plan: read the annotations on the driver; shard the images by pixels
 * ({@link ShardPlan}); one task per shard runs inference ({@link ShardRunner}) and its rows are
 * staged as the predictions table through Spark's commit protocol; then the same distributed
 * evaluation as {@code import} ({@link SparkCocoEvaluation}); then metrics, per-category AP,
 * timings, failures and the runs row are staged and the run is committed. Unreadable images
 * are {@code failures} rows; the run fails when their share exceeds the limit.
 */
public final class EvaluateJob {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What to run; built by the CLI. */
  public record Options(String annotations, String images, String modelRef, ModelSpec spec,
      String warehouse, String runId, String master, int shards, double maxFailedShare,
      int partitions) {}

  /** What the run produced. */
  public record Outcome(String runId, List<EvalResult> results, long images, long failed,
      long predictions, Double fpsEndToEnd, Double fpsCompute, String devices,
      double inferenceSeconds, double evalSeconds, double totalSeconds) {}

  private final SparkSession spark;
  private final PrintWriter log;

  public EvaluateJob(SparkSession spark, PrintWriter log) {
    this.spark = spark;
    this.log = log;
  }

  public Outcome run(Options o, CompletableFuture<ImportJob.Annotations> annotations) {
    return ProgressListener.around(spark, log, () -> runQuietly(o, annotations));
  }

  private Outcome runQuietly(Options o, CompletableFuture<ImportJob.Annotations> prefetched) {
    Warehouse.checkRunId(o.runId());
    Redact.checkNoCredentials("--warehouse", o.warehouse());
    long t0 = System.nanoTime();
    Timestamp started = Timestamp.from(Instant.now());
    Warehouse warehouse = new Warehouse(spark, o.warehouse());
    Warehouse.Staging staging = warehouse.stage(o.runId());
    String config = config(o);
    String[] gtSha = new String[1];
    CollectionAccumulator<Row> failures = spark.sparkContext().collectionAccumulator();
    long[] images = new long[1];
    try {
      Redact.checkNoCredentials("--annotations", o.annotations());
      Redact.checkNoCredentials("--images", o.images());
      ImportJob.Annotations a = prefetched != null ? ImportJob.join(prefetched)
          : ImportJob.readAnnotations(o.annotations(), spark.sparkContext().hadoopConfiguration());
      CocoDataset gt = a.dataset();
      gtSha[0] = a.sha256();
      images[0] = gt.imageCount();
      checkModelFile(o.spec());
      int shards = o.shards() > 0 ? o.shards() : spark.sparkContext().defaultParallelism();
      ShardPlan plan = ShardPlan.of(gt, shards);
      log(String.format(Locale.ROOT, "annotations: %d images in %d shards; model %s (%s, %s)",
          gt.imageCount(), plan.shards().size(), o.spec().name(), o.spec().arch(),
          o.spec().output().name().toLowerCase(Locale.ROOT)));

      CollectionAccumulator<Row> timings = spark.sparkContext().collectionAccumulator();
      LongAccumulator masks = spark.sparkContext().longAccumulator();
      LongAccumulator predictionCount = spark.sparkContext().longAccumulator();
      String deviceMode = spark.conf().get(ShardRunner.DEVICE, "auto").trim();
      if (!List.of("auto", "cpu", "gpu").contains(deviceMode)) {
        throw new InvalidInputException(ShardRunner.DEVICE + " is '" + deviceMode
            + "', expected auto, cpu or gpu");
      }
      ShardRunner runner = new ShardRunner(o.spec(), o.images(),
          new SparkSupport.HadoopConf(spark.sparkContext().hadoopConfiguration()), deviceMode,
          Integer.parseInt(spark.conf().get(ShardRunner.FAIL_SHARD_ONCE, "-1")), timings,
          failures, masks, predictionCount);
      JavaRDD<Row> rows = JavaSparkContext.fromSparkContext(spark.sparkContext())
          .parallelize(plan.shards(), plan.shards().size())
          .mapPartitions(it -> runner.run(it.next()));
      long ti = System.nanoTime();
      SparkSupport.withJobGroup(spark, "INFERENCE", o.spec().name() + " on "
          + Redact.path(o.images()), () -> {
            staging.write(Tables.PREDICTIONS,
                spark.createDataFrame(rows, Tables.schema(Tables.PREDICTIONS)));
            return null;
          });
      double inferenceSeconds = (System.nanoTime() - ti) / 1e9;
      List<Row> failed = sortedFailures(failures);
      List<Row> shardTimings = new ArrayList<>(timings.value());
      shardTimings.sort(Comparator.comparingInt(r -> r.getInt(0)));
      double[] fps = runFps(shardTimings);
      log(String.format(Locale.ROOT, "inference: %d images, %d failed, %d predictions in %.1fs;"
          + " fps per task: %s end-to-end, %s compute", gt.imageCount(), failed.size(),
          predictionCount.value(), inferenceSeconds, fmt(fps[0]), fmt(fps[1])));
      checkFailures(failed.size(), gt.imageCount(), o.maxFailedShare());

      Dataset<Row> predictions = spark.read().parquet(staging.path(Tables.PREDICTIONS)
          .toString());
      List<EvalParams> evals = evaluations(o.spec(), masks.value() > 0);
      boolean[] fromMask = new boolean[evals.size()];
      for (int i = 0; i < fromMask.length; i++) {
        fromMask[i] = LoadRes.areaFromMask(evals.get(i), true);
      }
      long te = System.nanoTime();
      int parts = o.partitions() > 0 ? o.partitions() : spark.sparkContext().defaultParallelism();
      List<EvalResult> results = SparkSupport.withJobGroup(spark, "EVALUATE",
          "COCO evaluation of " + o.spec().name(),
          () -> SparkCocoEvaluation.evaluate(spark, evals, gt, predictions, fromMask, parts));
      double evalSeconds = (System.nanoTime() - te) / 1e9;
      List<Row> metrics = new ArrayList<>();
      List<Row> perCategory = new ArrayList<>();
      for (EvalResult r : results) {
        log(String.format(Locale.ROOT, "%s: AP %.4f", r.params().label(), r.stats()[0]));
        for (String line : r.summaryLines()) {
          log(line);
        }
        metrics.addAll(ImportJob.metricRows(o.spec().name(), r));
        perCategory.addAll(ImportJob.perCategoryRows(o.spec().name(), r));
      }
      String devices = String.join(",", new TreeSet<>(shardTimings.stream()
          .map(r -> r.getString(12)).toList()));
      double total = (System.nanoTime() - t0) / 1e9;
      staging.writeRunTables(metrics, perCategory, shardTimings, failed, runRow(o, config,
          gtSha[0], "succeeded", null, started, gt.imageCount(), failed.size(),
          predictionCount.value(), devices, evalSeconds, total, evals));
      staging.commit();
      return new Outcome(o.runId(), results, gt.imageCount(), failed.size(),
          predictionCount.value(), fps[0] > 0 ? fps[0] : null, fps[1] > 0 ? fps[1] : null,
          devices, inferenceSeconds, evalSeconds, (System.nanoTime() - t0) / 1e9);
    } catch (Exception e) {
      RuntimeException cause = SparkSupport.unwrap(
          e instanceof RuntimeException re ? re : new IllegalStateException(e.getMessage(), e));
      staging.abort();
      recordFailure(warehouse, o, config, gtSha[0], started, images[0], failures, cause);
      throw cause;
    }
  }

  /** The IoU types a model's predictions are evaluated with. */
  static List<EvalParams> evaluations(ModelSpec spec, boolean hasMasks) {
    if (spec.output() == ModelSpec.OutputKind.PROPOSALS) {
      return List.of(EvalParams.proposals());
    }
    List<EvalParams> e = new ArrayList<>();
    e.add(EvalParams.of(EvalParams.IouType.BBOX));
    if (hasMasks) {
      e.add(EvalParams.of(EvalParams.IouType.SEGM));
    }
    return e;
  }

  /**
   * Per-task fps over all shards: measured images over measured seconds (warm-up batches
   * excluded), for end-to-end and compute; 0 when nothing was measured.
   */
  static double[] runFps(List<Row> timings) {
    double images = 0;
    double endToEnd = 0;
    double compute = 0;
    for (Row r : timings) {
      long measured = r.getLong(2) - r.getLong(3);
      if (measured > 0 && !r.isNullAt(9) && !r.isNullAt(10)) {
        images += measured;
        endToEnd += measured / r.getDouble(9);
        compute += measured / r.getDouble(10);
      }
    }
    return new double[] {endToEnd > 0 ? images / endToEnd : 0, compute > 0 ? images / compute
        : 0};
  }

  private static String fmt(double fps) {
    return fps > 0 ? String.format(Locale.ROOT, "%.1f", fps) : "n/a";
  }

  private static List<Row> sortedFailures(CollectionAccumulator<Row> failures) {
    List<Row> rows = new ArrayList<>(failures.value());
    rows.sort(Comparator.comparingLong((Row r) -> r.isNullAt(0) ? Long.MIN_VALUE : r.getLong(0))
        .thenComparing(r -> String.valueOf(r.getString(2))));
    return rows;
  }

  static void checkFailures(long failed, long images, double maxShare) {
    if (failed > 0 && failed > maxShare * images) {
      throw new InvalidInputException(String.format(Locale.ROOT,
          "%d of %d images failed (%.1f%%), more than --max-failed-share %s allows; "
              + "see the failures table", failed, images, 100.0 * failed / images,
          java.math.BigDecimal.valueOf(maxShare).stripTrailingZeros().toPlainString()));
    }
  }

  private void checkModelFile(ModelSpec spec) {
    Path p = new Path(spec.artifact());
    try {
      FileSystem fs = SparkSupport.fileSystem(p, spark.sparkContext().hadoopConfiguration());
      if (!fs.isFile(p)) {
        throw new InvalidInputException(spec.source() + ": model " + spec.name()
            + ": artifact " + Redact.path(spec.artifact()) + " not found");
      }
    } catch (java.io.IOException e) {
      throw new InvalidInputException(spec.source() + ": model " + spec.name()
          + ": cannot read artifact " + Redact.path(spec.artifact()) + ": " + e.getMessage());
    }
  }

  private void recordFailure(Warehouse warehouse, Options o, String config, String gtSha,
      Timestamp started, long images, CollectionAccumulator<Row> failures,
      RuntimeException cause) {
    try {
      Warehouse.Staging failed = warehouse.stage(o.runId());
      String message = Redact.path(String.valueOf(cause.getMessage()));
      List<Row> rows = new ArrayList<>(sortedFailures(failures));
      long imageFailures = rows.size();
      rows.add(RowFactory.create(null, Redact.path(o.modelRef()),
          cause instanceof InvalidInputException ? "input" : "job", message));
      failed.commitFailedRun(rows, runRow(o, config, gtSha, "failed", message, started, images,
          imageFailures, 0, null, 0, 0, null));
    } catch (RuntimeException e) {
      log("could not record the failed run: " + Redact.path(String.valueOf(e.getMessage())));
    }
  }

  private String config(Options o) {
    ModelSpec s = o.spec();
    ObjectNode c = JSON.createObjectNode();
    c.put("verb", "evaluate");
    c.put("annotations", Redact.path(o.annotations()));
    c.put("images", Redact.path(o.images()));
    c.put("model_ref", Redact.path(o.modelRef()));
    c.put("shards", o.shards());
    c.put("max_failed_share", o.maxFailedShare());
    c.set("model", JSON.valueToTree(java.util.Map.of(
        "name", s.name(), "arch", s.arch(), "artifact", Redact.path(s.artifact()),
        "output", s.output().name().toLowerCase(Locale.ROOT),
        "score_threshold", s.scoreThreshold(), "max_detections", s.maxDetections(),
        "mask_threshold", s.maskThreshold(), "batch_size", s.batchSize(),
        "input", JSON.valueToTree(s.input()))));
    return c.toString();
  }

  private Row runRow(Options o, String config, String gtSha, String status, String message,
      Timestamp started, long images, long failed, long predictions, String devices,
      double evalSeconds, double total, List<EvalParams> evals) {
    ModelSpec s = o.spec();
    String iouTypes = evals == null ? null
        : String.join(",", evals.stream().map(EvalParams::label).toList());
    return RowFactory.create(s.name(), new Path(o.annotations()).getName(),
        Redact.path(o.annotations()), gtSha, Redact.path(o.images()), null, iouTypes, config,
        ImportJob.sha256(config), status, message, started, Timestamp.from(Instant.now()),
        Redact.path(spark.sparkContext().master()), spark.version(),
        spark.sparkContext().statusTracker().getExecutorInfos().length, devices, images, failed,
        predictions, evalSeconds, total, ImportJob.codeVersion(), s.arch(), s.backbone(),
        s.style(), s.lrSchedule(), Redact.path(s.artifact()));
  }

  private void log(String line) {
    if (log != null) {
      log.println(line);
      log.flush();
    }
  }
}
