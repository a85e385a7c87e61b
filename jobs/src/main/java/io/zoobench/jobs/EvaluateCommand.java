package io.zoobench.jobs;

import io.zoobench.eval.EvalResult;
import io.zoobench.jobs.run.Annotations;
import io.zoobench.jobs.run.RunLifecycle;
import io.zoobench.jobs.run.RunResult;
import io.zoobench.jobs.spark.EvaluateJob;
import io.zoobench.jobs.spark.ProposalRuns;
import io.zoobench.jobs.spark.Redact;
import io.zoobench.jobs.spark.SparkSupport;
import io.zoobench.jobs.tables.Warehouse;
import io.zoobench.zoo.ModelSpec;
import io.zoobench.zoo.ZooManifest;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code zoobench evaluate}: runs a zoo model over a COCO dataset's images on Spark (embedded
 * {@code local[*]} by default), evaluates its predictions and writes the run's tables; prints
 * the model-zoo row (fps end-to-end and compute, box AP, mask AP or AR@1000).
 */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description = {"Runs a detector over a COCO dataset on Spark, evaluates it and writes the"
        + " run's tables.", "Paths may be local, file:, hdfs: or s3a:."})
public final class EvaluateCommand implements Callable<Integer> {
  @Option(names = "--annotations", required = true, paramLabel = "A.json",
      description = "COCO instances file (ground truth, image sizes and file names).")
  String annotations;

  @Option(names = "--images", required = true, paramLabel = "ROOT",
      description = "Folder the images' file_name values are relative to.")
  String images;

  @Option(names = "--model", required = true, paramLabel = "SPEC.yaml[#name]",
      description = "Zoo manifest and model name (the name may be left out when the manifest"
          + " holds one model).")
  String model;

  @Option(names = "--proposals-run", paramLabel = "RUN_ID",
      description = "Fast R-CNN: take each image's proposals from this run's predictions"
          + " (instead of the manifest's proposals: source).")
  String proposalsRun;

  @Option(names = "--proposals-model", paramLabel = "NAME",
      description = "Fast R-CNN: take the proposals from the latest succeeded run of this"
          + " model (e.g. an RPN).")
  String proposalsModel;

  @Option(names = "--shards", defaultValue = "0", paramLabel = "N",
      description = "Inference tasks (default: Spark's default parallelism).")
  int shards;

  @Option(names = "--max-failed-share", defaultValue = "0.01", paramLabel = "F",
      description = "The run fails when more than this share of images cannot be read or"
          + " decoded (default 0.01).")
  double maxFailedShare;

  @CommandLine.Mixin
  SparkRunOptions run = new SparkRunOptions();

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    return run(spec.commandLine().getOut(), spec.commandLine().getErr());
  }

  Integer run(PrintWriter out, PrintWriter err) {
    run.check(spec.commandLine());
    if (shards < 0 || shards > SparkRunOptions.MAX_TASKS) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--shards must be between 0"
          + " (one per 250 images and at least one per core) and " + SparkRunOptions.MAX_TASKS
          + ", got " + shards);
    }
    if (!(maxFailedShare >= 0 && maxFailedShare <= 1)) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--max-failed-share must be between 0 and 1, got " + maxFailedShare);
    }
    Configuration hadoop = run.hadoopBeforeSpark();
    run.checkSetUp(hadoop);
    String annotations = DriverPaths.file("--annotations", this.annotations, hadoop);
    String images = DriverPaths.folder("--images", this.images, hadoop);
    Redact.checkNoCredentials("--model", model);
    ModelSpec modelSpec = ZooManifest.resolve(model);
    DriverPaths.modelFile(model, modelSpec.artifact(), hadoop);
    if (proposalsRun != null && proposalsModel != null) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--proposals-run and --proposals-model: name one proposal source");
    }
    if ((proposalsRun != null || proposalsModel != null) && modelSpec.proposals() == null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "model " + modelSpec.name()
          + " takes no proposals (its manifest entry has no proposals: block)");
    }
    String id = run.runId != null ? run.runId : RunLifecycle.defaultRunId(modelSpec.name());
    Warehouse.checkRunId(id);
    CompletableFuture<Annotations> gt = SparkSupport.async("zoobench-annotations",
        () -> Annotations.read(annotations, hadoop));
    SparkSession spark = SparkSupport.session("zoobench evaluate " + modelSpec.name(),
        run.master, run.conf);
    ProposalRuns.Source proposals = modelSpec.proposals() == null ? null
        : ProposalRuns.resolve(Warehouse.open(spark, run.warehouse), modelSpec, proposalsRun,
            proposalsModel);
    RunLifecycle.Completed c = new RunLifecycle(spark, err).run(new EvaluateJob(
        new EvaluateJob.Options("evaluate", annotations, images, model, modelSpec,
            run.warehouse, id, shards, maxFailedShare, run.partitions, proposals), gt));
    printZooRow(out, modelSpec, c.result());
    out.println(String.format(Locale.ROOT,
        "run %s: %d images (%d failed), %d predictions, evaluation %.1fs, total %.1fs,"
            + " tables in %s", c.runId(), c.images(), c.imagesFailed(),
        c.result().predictions(), c.result().evalSeconds(), c.totalSeconds(),
        Redact.path(run.warehouse)));
    return 0;
  }

  /** The model-zoo table row people know from MMDetection's and Detectron2's pages. */
  static void printZooRow(PrintWriter out, ModelSpec s, RunResult o) {
    String box = "-";
    String mask = "-";
    String ar = "-";
    double[] fps = EvaluateJob.fps(o.timings());
    for (EvalResult r : o.evaluations()) {
      String v = String.format(Locale.ROOT, "%.3f", r.stats()[0]);
      switch (r.params().label()) {
        case "bbox" -> box = v;
        case "segm" -> mask = v;
        default -> {
          int k = r.statNames().indexOf("AR@1000");
          ar = k < 0 ? "-" : String.format(Locale.ROOT, "%.3f", r.stats()[k]);
        }
      }
    }
    String fmt = "%-24s %-12s %-12s %10s %10s %8s %8s %8s%n";
    out.printf(Locale.ROOT, fmt, "model", "arch", "backbone", "fps e2e", "fps comp", "box AP",
        "mask AP", "AR1000");
    out.printf(Locale.ROOT, fmt, s.name(), s.arch(), s.backbone(), fps(fps[0]), fps(fps[1]),
        box, mask, ar);
    out.flush();
  }

  private static String fps(double v) {
    return v <= 0 ? "-" : String.format(Locale.ROOT, "%.1f", v);
  }
}
