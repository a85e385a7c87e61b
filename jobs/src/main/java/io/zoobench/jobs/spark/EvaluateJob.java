package io.zoobench.jobs.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zoobench.coco.CocoDataset;
import io.zoobench.coco.InvalidInputException;
import io.zoobench.detect.Devices;
import io.zoobench.detect.OutputAdapters;
import io.zoobench.detect.ShardPlan;
import io.zoobench.eval.EvalParams;
import io.zoobench.eval.EvalResult;
import io.zoobench.eval.LoadRes;
import io.zoobench.jobs.Settings;
import io.zoobench.jobs.run.Annotations;
import io.zoobench.jobs.run.RunContext;
import io.zoobench.jobs.run.RunJob;
import io.zoobench.jobs.run.RunResult;
import io.zoobench.jobs.tables.FailureRow;
import io.zoobench.jobs.tables.PredictionRow;
import io.zoobench.jobs.tables.RunRow;
import io.zoobench.jobs.tables.TimingRow;
import io.zoobench.zoo.ModelSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;

/**
 * {@code zoobench evaluate}: runs a detector over a COCO dataset's images on Spark and
 * evaluates it. Plan: the annotations on the driver; the images sharded by pixels
 * ({@link ShardPlan}); one task per shard runs inference ({@link ShardTask}) and its rows are
 * staged as the predictions through Spark's commit protocol; then the same distributed
 * evaluation as {@code import} ({@link SparkCocoEvaluation}), with the IoU types the model's
 * output adapter produces. Unreadable images are {@code failures} rows; the run fails when
 * their share exceeds the limit. The lifecycle does the rest.
 */
public final class EvaluateJob implements RunJob {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What to run; built by the CLI. */
  public record Options(String annotations, String images, String modelRef, ModelSpec spec,
      String warehouse, String runId, int shards, double maxFailedShare, int partitions) {}

  private final Options o;
  private final CompletableFuture<Annotations> annotations;

  /** @param annotations the annotations being read already, or null to read them here */
  public EvaluateJob(Options o, CompletableFuture<Annotations> annotations) {
    this.o = o;
    this.annotations = annotations;
  }

  @Override
  public Spec spec() {
    Map<String, String> inputs = new LinkedHashMap<>();
    inputs.put("--annotations", o.annotations());
    inputs.put("--images", o.images());
    ModelSpec s = o.spec();
    return new Spec("evaluate", o.runId(), o.warehouse(), s.name(),
        new Path(o.annotations()).getName(), inputs, o.modelRef(), o.images(), null,
        new RunRow.ModelInfo(s.arch(), s.backbone(), s.style(), s.lrSchedule(),
            Redact.path(s.artifact())));
  }

  @Override
  public ObjectNode config() {
    ModelSpec s = o.spec();
    ObjectNode c = JSON.createObjectNode();
    c.put("verb", "evaluate");
    c.put("annotations", Redact.path(o.annotations()));
    c.put("images", Redact.path(o.images()));
    c.put("model_ref", Redact.path(o.modelRef()));
    c.put("shards", o.shards());
    c.put("max_failed_share", o.maxFailedShare());
    c.set("model", JSON.valueToTree(Map.of(
        "name", s.name(), "arch", s.arch(), "artifact", Redact.path(s.artifact()),
        "output", s.output(), "score_threshold", s.scoreThreshold(),
        "max_detections", s.maxDetections(), "mask_threshold", s.maskThreshold(),
        "batch_size", s.batchSize(), "input", JSON.valueToTree(s.input()))));
    return c;
  }

  @Override
  public RunResult execute(RunContext ctx) {
    SparkSession spark = ctx.spark();
    Annotations a = annotations != null ? SparkSupport.join(annotations)
        : Annotations.read(o.annotations(), spark.sparkContext().hadoopConfiguration());
    CocoDataset gt = a.dataset();
    ctx.annotationsSha256(a.sha256());
    ctx.images(gt.imageCount());
    checkModelFile(spark, o.spec());
    int shards = o.shards() > 0 ? o.shards() : spark.sparkContext().defaultParallelism();
    ShardPlan plan = ShardPlan.of(gt, shards);
    ctx.log(String.format(Locale.ROOT, "annotations: %d images in %d shards; model %s (%s, %s)",
        gt.imageCount(), plan.shards().size(), o.spec().name(), o.spec().arch(),
        o.spec().output()));

    Devices.Mode mode;
    try {
      mode = Devices.Mode.parse(Settings.INFERENCE_DEVICE.get(k -> spark.conf().get(k, null)));
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(Settings.INFERENCE_DEVICE.key() + " is " + e.getMessage());
    }
    CollectionAccumulator<TimingRow> timings = spark.sparkContext().collectionAccumulator();
    CollectionAccumulator<FailureRow> failures = spark.sparkContext().collectionAccumulator();
    LongAccumulator masks = spark.sparkContext().longAccumulator();
    LongAccumulator predictionCount = spark.sparkContext().longAccumulator();
    ShardTask task = new ShardTask(o.runId(), o.spec(), o.images(),
        new SparkSupport.HadoopConf(spark.sparkContext().hadoopConfiguration()), mode,
        Integer.parseInt(Settings.TEST_FAIL_SHARD_ONCE.get(k -> spark.conf().get(k, null))),
        timings, failures, masks, predictionCount);
    JavaRDD<Row> rows = JavaSparkContext.fromSparkContext(spark.sparkContext())
        .parallelize(plan.shards(), plan.shards().size())
        .mapPartitions(it -> task.run(it.next()));
    long ti = System.nanoTime();
    ctx.jobGroup("INFERENCE", o.spec().name() + " on " + Redact.path(o.images()), () -> {
      ctx.attempt().append(PredictionRow.TABLE, rows);
      return null;
    });
    double inferenceSeconds = (System.nanoTime() - ti) / 1e9;
    List<FailureRow> failed = new ArrayList<>(failures.value());
    failed.sort(Comparator.comparingLong((FailureRow r) -> r.imageId() == null ? Long.MIN_VALUE
        : r.imageId()).thenComparing(r -> String.valueOf(r.stage())));
    ctx.addFailures(failed);
    List<TimingRow> shardTimings = new ArrayList<>(timings.value());
    shardTimings.sort(Comparator.comparingInt(TimingRow::shardId));
    double[] fps = fps(shardTimings);
    ctx.log(String.format(Locale.ROOT, "inference: %d images, %d failed, %d predictions in %.1fs;"
        + " fps per task: %s end-to-end, %s compute", gt.imageCount(), failed.size(),
        predictionCount.value(), inferenceSeconds, fmt(fps[0]), fmt(fps[1])));
    checkFailures(failed.size(), gt.imageCount(), o.maxFailedShare());

    Dataset<Row> predictions = ctx.attempt().read(PredictionRow.TABLE);
    List<EvalParams> evals = evaluations(o.spec(), masks.value() > 0);
    boolean[] fromMask = new boolean[evals.size()];
    for (int i = 0; i < fromMask.length; i++) {
      fromMask[i] = LoadRes.areaFromMask(evals.get(i), true);
    }
    long te = System.nanoTime();
    int parts = o.partitions() > 0 ? o.partitions() : spark.sparkContext().defaultParallelism();
    List<EvalResult> results = ctx.jobGroup("EVALUATE", "COCO evaluation of "
        + o.spec().name(), () -> SparkCocoEvaluation.evaluate(spark, evals, gt, predictions,
            fromMask, parts));
    String devices = String.join(",", new TreeSet<>(shardTimings.stream()
        .map(TimingRow::device).toList()));
    return new RunResult(results, predictionCount.value(), shardTimings, devices,
        (System.nanoTime() - te) / 1e9);
  }

  /** The IoU types a model's predictions are evaluated with, from what its adapter produces. */
  static List<EvalParams> evaluations(ModelSpec spec, boolean hasMasks) {
    if (OutputAdapters.get(spec.output()).proposals()) {
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
   * excluded), end-to-end and compute; 0 when nothing was measured.
   */
  public static double[] fps(List<TimingRow> timings) {
    double images = 0;
    double endToEnd = 0;
    double compute = 0;
    for (TimingRow r : timings) {
      long measured = r.images() - r.warmupImages();
      if (measured > 0 && r.fpsEndToEnd() != null && r.fpsCompute() != null) {
        images += measured;
        endToEnd += measured / r.fpsEndToEnd();
        compute += measured / r.fpsCompute();
      }
    }
    return new double[] {endToEnd > 0 ? images / endToEnd : 0,
        compute > 0 ? images / compute : 0};
  }

  private static String fmt(double fps) {
    return fps > 0 ? String.format(Locale.ROOT, "%.1f", fps) : "n/a";
  }

  static void checkFailures(long failed, long images, double maxShare) {
    if (failed > 0 && failed > maxShare * images) {
      throw new InvalidInputException(String.format(Locale.ROOT,
          "%d of %d images failed (%.1f%%), more than --max-failed-share %s allows; "
              + "see the failures table", failed, images, 100.0 * failed / images,
          java.math.BigDecimal.valueOf(maxShare).stripTrailingZeros().toPlainString()));
    }
  }

  private static void checkModelFile(SparkSession spark, ModelSpec spec) {
    Path p = new Path(spec.artifact());
    try {
      FileSystem fs = SparkSupport.fileSystem(p, spark.sparkContext().hadoopConfiguration());
      if (!fs.getFileStatus(p).isFile()) {
        throw new java.io.FileNotFoundException(p.toString());
      }
    } catch (java.io.FileNotFoundException e) {
      throw new InvalidInputException(spec.source() + ": model " + spec.name()
          + ": artifact " + Redact.path(spec.artifact()) + " not found");
    } catch (java.io.IOException e) {
      throw new InvalidInputException(spec.source() + ": model " + spec.name()
          + ": cannot read artifact " + Redact.path(spec.artifact()) + ": " + e.getMessage());
    }
  }
}
