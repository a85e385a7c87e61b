package io.zoobench.jobs.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zoobench.coco.CocoDataset;
import io.zoobench.eval.EvalInputs;
import io.zoobench.eval.EvalParams;
import io.zoobench.eval.EvalResult;
import io.zoobench.eval.LoadRes;
import io.zoobench.jobs.Settings;
import io.zoobench.jobs.run.Annotations;
import io.zoobench.jobs.run.RunContext;
import io.zoobench.jobs.run.RunJob;
import io.zoobench.jobs.run.RunResult;
import io.zoobench.jobs.tables.PredictionRow;
import io.zoobench.jobs.tables.RunRow;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.storage.StorageLevel;

/**
 * {@code zoobench import}: evaluates an existing results file on Spark. Plan: the ground truth
 * on the driver; the results read and checked in tasks, one columnar {@link PredictionChunk}
 * per byte range, kept by Spark; written as the run's predictions; every IoU type evaluated from
 * the same chunks with {@link SparkCocoEvaluation}. The lifecycle does the rest.
 */
public final class ImportJob implements RunJob {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What to import; built by the CLI. */
  public record Options(String annotations, String results, List<EvalParams> evaluations,
      String warehouse, String runId, String model, int partitions) {}

  private final Options o;
  private final CompletableFuture<Annotations> annotations;
  private final CompletableFuture<ResultsImport.Survey> survey;

  /**
   * @param annotations the annotations being read already (the CLI starts reading before
   *     Spark), or null to read them here
   * @param survey likewise for the results' survey ({@link ResultsImport#survey})
   */
  public ImportJob(Options o, CompletableFuture<Annotations> annotations,
      CompletableFuture<ResultsImport.Survey> survey) {
    this.o = o;
    this.annotations = annotations;
    this.survey = survey;
  }

  @Override
  public Spec spec() {
    Map<String, String> inputs = new LinkedHashMap<>();
    inputs.put("--annotations", o.annotations());
    inputs.put("--results", o.results());
    return new Spec("import", o.runId(), o.warehouse(), o.model(),
        new Path(o.annotations()).getName(), inputs, o.results(), o.results(),
        String.join(",", o.evaluations().stream().map(EvalParams::label).toList()),
        RunRow.ModelInfo.NONE, RunRow.ZooReference.NONE);
  }

  @Override
  public ObjectNode config() {
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
    return c;
  }

  @Override
  public RunResult execute(RunContext ctx) {
    var spark = ctx.spark();
    Annotations a = annotations != null ? SparkSupport.join(annotations)
        : Annotations.read(o.annotations(), spark.sparkContext().hadoopConfiguration());
    CocoDataset gt = a.dataset();
    ctx.annotationsSha256(a.sha256());
    ctx.images(gt.imageCount());
    ctx.log(String.format(Locale.ROOT, "annotations: %d images, %d categories, %d annotations"
        + " (read in %.1fs)", gt.imageCount(), gt.categories().size(), gt.annotationCount(),
        a.readSeconds()));

    ResultsImport.Survey s = survey != null ? SparkSupport.join(survey)
        : ResultsImport.survey(o.results(), spark.sparkContext().hadoopConfiguration(),
            Settings.IMPORT_MIN_SPLIT_BYTES.getLong(k -> spark.conf().get(k, null)));
    PredictionChunk.Counts counts = new PredictionChunk.Counts(spark.sparkContext());
    // read and checked once, kept (columnar) for the table and the evaluation; a large file is
    // kept on local disk only: unrolling its chunks into memory before spilling them held
    // gigabytes (80,000 images / 2.7 GB of results ran a 4 GB driver out of heap)
    boolean inMemory = s.jsonBytes()
        <= Settings.IMPORT_MEMORY_CACHE_MAX_BYTES.getLong(k -> spark.conf().get(k, null));
    int tasks = s.tasks(spark.sparkContext().defaultParallelism(),
        Settings.IMPORT_MAX_TASK_BYTES.getLong(k -> spark.conf().get(k, null)));
    JavaRDD<PredictionChunk> chunks = ResultsImport.chunks(spark, o.results(), gt,
        o.evaluations(), s, tasks)
        .persist(inMemory ? StorageLevel.MEMORY_AND_DISK() : StorageLevel.DISK_ONLY());
    long count;
    List<EvalResult> results;
    long te;
    try {
      long tr = System.nanoTime();
      ctx.jobGroup("IMPORT-RESULTS", "read and check " + Redact.path(o.results()), () -> {
        String runId = o.runId();
        ctx.attempt().append(PredictionRow.TABLE, chunks.flatMap(c -> c.rows(runId, counts)));
        return null;
      });
      count = counts.records.value();
      ctx.log(String.format(Locale.ROOT, "results: %d predictions read, checked and staged in"
          + " %.1fs", count, (System.nanoTime() - tr) / 1e9));
      warnings(ctx, gt, s.firstHasBbox(), count, counts);
      te = System.nanoTime();
      boolean[] fromMask = new boolean[o.evaluations().size()];
      for (int i = 0; i < fromMask.length; i++) {
        fromMask[i] = LoadRes.areaFromMask(o.evaluations().get(i), s.firstHasBbox());
      }
      // partitions: one per core, and one per 250k detections (a partition holds its images'
      // detections while they are matched)
      int parts = o.partitions() > 0 ? o.partitions() : (int) Math.max(
          spark.sparkContext().defaultParallelism(), Math.min(10_000, count / 250_000 + 1));
      results = ctx.jobGroup("EVALUATE", "COCO " + spec().plannedIouTypes() + " evaluation of "
          + o.model(), () -> SparkCocoEvaluation.evaluateChunks(spark, o.evaluations(), gt,
              chunks, fromMask, parts, new Path(o.results()).getName()));
    } finally {
      chunks.unpersist(false);
    }
    double evalSeconds = (System.nanoTime() - te) / 1e9;
    ctx.resultsSha256(s.sha256());
    return new RunResult(results, count, List.of(), null, evalSeconds);
  }

  /**
   * What {@code zoobench eval} would warn about these results, on the log; the share of
   * results on unknown categories also goes to the runs row (0 for an empty file).
   */
  private void warnings(RunContext ctx, CocoDataset gt, boolean firstHasBbox, long records,
      PredictionChunk.Counts counts) {
    long unknown = counts.unknownCategories.value();
    ctx.unknownCategoryShare(records == 0 ? 0.0 : (double) unknown / records);
    if (unknown > 0) {
      ctx.log("warning: " + EvalInputs.unknownCategoriesWarning(unknown, records, gt.source()));
    }
    for (EvalParams p : o.evaluations()) {
      if (p.iouType() == EvalParams.IouType.SEGM && !LoadRes.areaFromMask(p, firstHasBbox)) {
        String w = LoadRes.boxMasksWarning(counts.withoutMasks.value(), records,
            new Path(o.results()).getName());
        if (w != null) {
          ctx.log("warning: " + w);
        }
        break;
      }
    }
  }
}
