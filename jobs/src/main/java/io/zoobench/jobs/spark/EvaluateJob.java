package io.zoobench.jobs.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zoobench.coco.CocoDataset;
import io.zoobench.coco.InvalidInputException;
import io.zoobench.detect.DetectorModel;
import io.zoobench.detect.Devices;
import io.zoobench.detect.OutputAdapters;
import io.zoobench.detect.ProposalBoxes;
import io.zoobench.detect.ShardPlan;
import io.zoobench.eval.EvalParams;
import io.zoobench.eval.EvalResult;
import io.zoobench.eval.LoadRes;
import io.zoobench.jobs.Settings;
import io.zoobench.jobs.TestFaults;
import io.zoobench.jobs.run.Annotations;
import io.zoobench.jobs.run.RunContext;
import io.zoobench.jobs.run.RunLifecycle;
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
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

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

  /**
   * What to run; built by the CLI.
   *
   * @param verb the CLI verb recorded with the attempt ({@code evaluate}, {@code zoo run})
   * @param proposals the proposal run of a model that takes proposals ({@link
   *     ProposalRuns#resolve}); null for one that does not
   */
  public record Options(String verb, String annotations, String images, String modelRef,
      ModelSpec spec, String warehouse, String runId, int shards, double maxFailedShare,
      int partitions, ProposalRuns.Source proposals) {}

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
    return new Spec(o.verb(), o.runId(), o.warehouse(), s.name(),
        new Path(o.annotations()).getName(), inputs, o.modelRef(), o.images(), null,
        new RunRow.ModelInfo(s.arch(), s.backbone(), s.style(), s.lrSchedule(),
            Redact.path(s.artifact())), zooReference(s));
  }

  /** The manifest's family and published figures of {@code s}, as the runs row keeps them. */
  static RunRow.ZooReference zooReference(ModelSpec s) {
    Map<String, Double> r = s.reference();
    return new RunRow.ZooReference(s.family(), r.get("fps"), r.get("train_mem_gb"),
        r.get("box_ap"), r.get("mask_ap"), r.get("ar1000"));
  }

  @Override
  public ObjectNode config() {
    ModelSpec s = o.spec();
    ObjectNode c = JSON.createObjectNode();
    // the job, not the CLI verb: evaluate and zoo run compute the same rows from the same inputs
    c.put("verb", "evaluate");
    c.put("annotations", Redact.path(o.annotations()));
    c.put("images", Redact.path(o.images()));
    c.put("model_ref", Redact.path(o.modelRef()));
    c.put("shards", o.shards());
    c.put("max_failed_share", o.maxFailedShare());
    // a fixed key order: the json's sha256 identifies the configuration across processes
    ObjectNode m = c.putObject("model");
    m.put("name", s.name());
    m.put("arch", s.arch());
    m.put("artifact", Redact.path(s.artifact()));
    m.put("output", s.output());
    m.put("score_threshold", s.scoreThreshold());
    m.put("max_detections", s.maxDetections());
    m.put("mask_threshold", s.maskThreshold());
    if (!Double.isNaN(s.nmsIou())) {
      m.put("nms_iou", s.nmsIou());
    }
    m.put("batch_size", s.batchSize());
    m.set("input", JSON.valueToTree(s.input()));
    ProposalRuns.Source p = o.proposals();
    if (p != null && p.problem() == null) {
      ObjectNode pj = c.putObject("proposals");
      pj.put("run_id", p.runId());
      pj.put("attempt_id", p.attemptId());
      pj.put("top_k", p.topK());
    }
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
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<ProposalBoxes> proposals = proposals(ctx, jsc);
    ShardPlan plan = ShardPlan.of(gt, shardCount(o.shards(), gt.imageCount(),
        spark.sparkContext().defaultParallelism()));
    ctx.log(String.format(Locale.ROOT, "annotations: %d images in %d shards; model %s (%s, %s)",
        gt.imageCount(), plan.shards().size(), o.spec().name(), o.spec().arch(),
        o.spec().output()));

    Devices.Mode mode;
    try {
      mode = Devices.Mode.parse(Settings.INFERENCE_DEVICE.get(k -> spark.conf().get(k, null)));
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(Settings.INFERENCE_DEVICE.key() + " is " + e.getMessage());
    }
    RunRow.ModelFile model = modelFile(spark, o.spec());
    ctx.modelFile(model.modelSha256(), model.modelBytes());
    // finished shards of an interrupted attempt with the same inputs are reused
    String digest = RunLifecycle.sha256(String.join("|", model.modelSha256(),
        a.sha256(), Redact.path(o.images()), String.valueOf(plan.shards().size()),
        config().toString(), RunLifecycle.codeVersion()));
    ShardCheckpoints checkpoints = ShardCheckpoints.of(o.warehouse(), o.runId(), digest,
        spark.sparkContext().hadoopConfiguration());
    Set<Integer> finished = checkpoints.finished();
    List<ShardPlan.Shard> todo = plan.shards().stream()
        .filter(sh -> !finished.contains(sh.id())).toList();
    if (!finished.isEmpty()) {
      ctx.log(String.format(Locale.ROOT, "inference: reusing %d of %d shards an interrupted"
          + " attempt finished; running %d", finished.size(), plan.shards().size(),
          todo.size()));
    }
    ShardTask task = new ShardTask(o.runId(), o.spec(), o.images(),
        new SparkSupport.HadoopConf(spark.sparkContext().hadoopConfiguration()), mode,
        (int) Settings.TEST_FAIL_SHARD_ONCE.getLong(k -> spark.conf().get(k, null)),
        TestFaults.haltsExecutorAt(spark, TestFaults.INFERENCE), checkpoints, proposals);
    if (TestFaults.AFTER_FIRST_SHARD.equals(TestFaults.at(spark))) {
      spark.sparkContext().addSparkListener(new org.apache.spark.scheduler.SparkListener() {
        @Override
        public void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd e) {
          if (e.taskInfo().successful()) {
            TestFaults.killIf(spark, TestFaults.AFTER_FIRST_SHARD);
          }
        }
      });
    }
    long ti = System.nanoTime();
    List<ShardOutput> shards = new ArrayList<>(ctx.jobGroup("INFERENCE", o.spec().name()
        + " on " + Redact.path(o.images()), () -> todo.isEmpty() ? List.<ShardOutput>of()
            : jsc.parallelize(todo, todo.size()).map(task::run).collect()));
    for (int id : finished) {
      shards.add(checkpoints.summary(id));
    }
    shards.sort(Comparator.comparingInt(sh -> sh.shardId));
    double inferenceSeconds = (System.nanoTime() - ti) / 1e9;
    String runId = o.runId();
    List<Integer> ids = shards.stream().map(sh -> sh.shardId).toList();
    ctx.jobGroup("PREDICTIONS", "store the predictions of " + o.spec().name(), () -> {
      ctx.attempt().append(PredictionRow.TABLE, jsc.parallelize(ids, Math.max(1, ids.size()))
          .flatMap(id -> checkpoints.rows(id, runId)));
      return null;
    });
    List<FailureRow> failed = new ArrayList<>();
    List<TimingRow> shardTimings = new ArrayList<>();
    long masks = 0;
    long predictionCount = 0;
    for (ShardOutput sh : shards) {
      failed.addAll(sh.failures);
      shardTimings.add(sh.timing);
      masks += sh.masks;
      predictionCount += sh.predictions;
    }
    failed.sort(Comparator.comparingLong((FailureRow r) -> r.imageId() == null ? Long.MIN_VALUE
        : r.imageId()).thenComparing(r -> String.valueOf(r.stage())));
    ctx.addFailures(failed);
    double[] fps = fps(shardTimings);
    ctx.log(String.format(Locale.ROOT, "inference: %d images, %d failed, %d predictions in %.1fs;"
        + " fps per task: %s end-to-end, %s compute", gt.imageCount(), failed.size(),
        predictionCount, inferenceSeconds, fmt(fps[0]), fmt(fps[1])));
    checkFailures(failed.size(), gt.imageCount(), o.maxFailedShare());

    Dataset<Row> predictions = ctx.attempt().read(PredictionRow.TABLE);
    List<EvalParams> evals = evaluations(o.spec(), masks > 0);
    boolean[] fromMask = new boolean[evals.size()];
    for (int i = 0; i < fromMask.length; i++) {
      fromMask[i] = LoadRes.areaFromMask(evals.get(i), true);
    }
    long te = System.nanoTime();
    int parts = o.partitions() > 0 ? o.partitions() : spark.sparkContext().defaultParallelism();
    List<EvalResult> results = ctx.jobGroup("EVALUATE", "COCO evaluation of "
        + o.spec().name(), () -> SparkCocoEvaluation.evaluate(spark, evals, gt, predictions,
            fromMask, parts));
    String devices = Devices.joinLabels(shardTimings.stream().map(TimingRow::device).toList());
    return new RunResult(results, predictionCount, shardTimings, devices,
        (System.nanoTime() - te) / 1e9);
  }

  /**
   * The proposals of a model that takes them, read from their run and shipped once to each
   * executor; null for a model that takes none. A model without a usable proposal run fails
   * here, before any inference.
   */
  private Broadcast<ProposalBoxes> proposals(RunContext ctx, JavaSparkContext jsc) {
    if (o.spec().proposals() == null) {
      return null;
    }
    ProposalRuns.Source p = o.proposals();
    if (p == null || p.problem() != null) {
      throw new InvalidInputException(p == null ? "model " + o.spec().name() + " takes"
          + " precomputed proposals and this command names no proposal run" : p.problem());
    }
    ProposalBoxes boxes = ctx.jobGroup("PROPOSALS", "proposals of " + o.spec().name()
        + " from run " + p.runId(), () -> ProposalRuns.load(ctx.attempt().warehouse(), p));
    ctx.log(String.format(Locale.ROOT, "proposals: %d boxes on %d images from run %s (at most"
        + " %d per image)", boxes.count(), boxes.images(), p.runId(), p.topK()));
    return jsc.broadcast(boxes);
  }

  @Override
  public void afterPublish(RunContext ctx) {
    ShardCheckpoints.deleteRun(o.warehouse(), o.runId(),
        ctx.spark().sparkContext().hadoopConfiguration());
  }

  /** Images per shard by default: finished shards are what an interrupted run keeps. */
  static final int IMAGES_PER_SHARD = 250;

  /**
   * The shards of a run: {@code --shards} when given, else at least one per core and one per
   * {@link #IMAGES_PER_SHARD} images (COCO val2017: 20), so a resumed run redoes little.
   */
  static int shardCount(int requested, long images, int parallelism) {
    if (requested > 0) {
      return requested;
    }
    return (int) Math.max(parallelism, Math.min(100_000, (images + IMAGES_PER_SHARD - 1)
        / IMAGES_PER_SHARD));
  }

  /**
   * The model file's lower-case hex sha256 and size, of the bytes as read (once, on the
   * driver): what the runs row records and the checkpoints' digest covers.
   */
  public static RunRow.ModelFile modelFile(SparkSession spark, ModelSpec spec) {
    Path p = new Path(spec.artifact());
    try (java.io.InputStream in = SparkSupport.fileSystem(p,
        spark.sparkContext().hadoopConfiguration()).open(p)) {
      java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      long bytes = 0;
      for (int r; (r = in.read(buf)) > 0; ) {
        md.update(buf, 0, r);
        bytes += r;
      }
      return new RunRow.ModelFile(java.util.HexFormat.of().formatHex(md.digest()), bytes);
    } catch (java.io.IOException e) {
      throw new InvalidInputException(spec.source() + ": model " + spec.name()
          + ": cannot read artifact " + Redact.path(spec.artifact()) + ": " + e.getMessage());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
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

  /**
   * Refuses, on record (a failed run), a model whose file cannot be run: an artifact with an
   * unset {@code ${VAR}}, a file that is absent or not a TorchScript archive (a zip). The CLI of
   * {@code evaluate} checks the same before Spark starts; a zoo run relies on this check, so
   * that one bad model is a failed run while the others go on.
   */
  private static void checkModelFile(SparkSession spark, ModelSpec spec) {
    Path p = new Path(spec.artifactFile());
    try {
      FileSystem fs = SparkSupport.fileSystem(p, spark.sparkContext().hadoopConfiguration());
      if (!fs.getFileStatus(p).isFile()) {
        throw new java.io.FileNotFoundException(p.toString());
      }
      boolean torchScript;
      try (java.io.InputStream in = fs.open(p)) {
        torchScript = DetectorModel.startsLikeTorchScript(in);
      }
      if (!torchScript) {
        throw new InvalidInputException(spec.source() + ": model " + spec.name()
            + ": artifact " + Redact.path(spec.artifact()) + " is not a TorchScript file"
            + " (those are zip archives; docs/models.md says how to export one)");
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
