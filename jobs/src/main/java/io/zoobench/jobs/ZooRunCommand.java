package io.zoobench.jobs;

import io.zoobench.coco.InvalidInputException;
import io.zoobench.jobs.run.Annotations;
import io.zoobench.jobs.run.RunLifecycle;
import io.zoobench.jobs.spark.EvaluateJob;
import io.zoobench.jobs.spark.ProposalRuns;
import io.zoobench.jobs.spark.Redact;
import io.zoobench.jobs.spark.SparkSupport;
import io.zoobench.jobs.tables.Warehouse;
import io.zoobench.zoo.ModelSpec;
import io.zoobench.zoo.ZooManifest;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code zoobench zoo run}: evaluates the models of a zoo manifest (all, or those a glob
 * selects) over one COCO dataset in one Spark application, each model its own run through the
 * same {@link RunLifecycle} and {@link EvaluateJob} as {@code evaluate}. RPN models go first:
 * a Fast R-CNN model reads its proposals from the run its proposal network just made (or, when
 * that one was skipped or not selected, from its latest succeeded run; when it failed, the Fast
 * R-CNN model fails too, naming it). A model whose latest succeeded run had the
 * same model file, annotations, images, configuration and code is skipped ({@code --force}
 * runs it again); a model that fails is a failed run and the others go on. Ends with one
 * summary line per model; the exit status is 0 only when every model ran or was skipped.
 *
 * <pre>
 * zoobench zoo run --manifest conf/zoo/mmdet-v1.yaml --annotations instances_val2017.json \
 *     --images val2017 --models 'mask_rcnn_*' --zoo-root /models
 * </pre>
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {"Evaluates a zoo manifest's models over a COCO dataset in one Spark"
        + " application, one run per model; skips models whose inputs did not change.",
        "Paths may be local, file:, hdfs: or s3a:."})
public final class ZooRunCommand implements Callable<Integer> {
  /** What became of one model. */
  enum Status { ran, skipped, failed }

  /** One model's line of the summary: what became of it and its run (null: none). */
  record Outcome(ModelSpec model, Status status, String runId) {}

  @Option(names = "--manifest", required = true, paramLabel = "M.yaml",
      description = "The zoo manifest, e.g. conf/zoo/mmdet-v1.yaml.")
  String manifest;

  @Option(names = "--annotations", required = true, paramLabel = "A.json",
      description = "COCO instances file (ground truth, image sizes and file names).")
  String annotations;

  @Option(names = "--images", required = true, paramLabel = "ROOT",
      description = "Folder the images' file_name values are relative to.")
  String images;

  @Option(names = "--models", defaultValue = "*", paramLabel = "GLOB",
      description = "Models to run, a glob over their names ('mask_rcnn_*', '{a,b}';"
          + " default all).")
  String models;

  @Option(names = "--force",
      description = "Run models whose latest succeeded run had the same inputs too.")
  boolean force;

  @Option(names = "--run-prefix", paramLabel = "PREFIX",
      description = "Run ids PREFIX-<model> instead of <model>-<UTC time>, e.g. --run-prefix"
          + " nightly-2026-11-30 for one run id per model and night (rerunning one replaces it).")
  String runPrefix;

  @Option(names = "--zoo-root", paramLabel = "DIR",
      // $$ : picocli would put the ZOO_ROOT property's value in place of ${ZOO_ROOT}
      description = "Value of $${ZOO_ROOT} in the manifest's artifacts (default: the ZOO_ROOT"
          + " system property, then environment variable).")
  String zooRoot;

  @CommandLine.Mixin
  SparkRunOptions run = new SparkRunOptions();

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    run.check(spec.commandLine());
    if (run.runId != null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--run-id does not apply:"
          + " each model gets its own run id (the model and the UTC start time, or"
          + " --run-prefix P: P-<model>)");
    }
    Configuration hadoop = run.hadoopBeforeSpark();
    run.checkSetUp(hadoop);
    String annotations = DriverPaths.file("--annotations", this.annotations, hadoop);
    String images = DriverPaths.folder("--images", this.images, hadoop);
    ZooManifest zoo = ZooManifest.read(Path.of(manifest),
        zooRoot == null ? Map.of() : Map.of("ZOO_ROOT", zooRoot));
    List<ModelSpec> selected = sourcesFirst(select(zoo, models));
    // a prefix that makes a bad run id is refused before Spark starts
    if (runPrefix != null) {
      selected.forEach(m -> Warehouse.checkRunId(runId(m)));
    }
    CompletableFuture<Annotations> gt = SparkSupport.async("zoobench-annotations",
        () -> Annotations.read(annotations, hadoop));
    SparkSession spark = SparkSupport.session("zoobench zoo run "
        + Path.of(manifest).getFileName(), run.master, run.conf);
    // read once, for every model and the skip check; unreadable annotations stop the command
    CompletableFuture<Annotations> read = CompletableFuture.completedFuture(SparkSupport.join(gt));
    Warehouse warehouse = Warehouse.open(spark, run.warehouse);
    Map<String, Row> latest = warehouse.latestSucceededRuns();
    List<Outcome> outcomes = new ArrayList<>();
    for (int i = 0; i < selected.size(); i++) {
      ModelSpec m = selected.get(i);
      // the shard plan is made again per model: a cheap computation over the annotations
      EvaluateJob job = new EvaluateJob(new EvaluateJob.Options("zoo run", annotations, images,
          manifest + "#" + m.name(), m, run.warehouse, runId(m), 0,
          0.01, run.partitions, proposals(warehouse, m, outcomes)), read);
      String step = String.format(Locale.ROOT, "[%d/%d] %s", i + 1, selected.size(), m.name());
      Row previous = latest.get(m.name());
      if (!force && previous != null && sameInputs(previous, job, read.join(), spark, m)) {
        String runId = previous.getAs("run_id");
        out.println(step + ": skipped, unchanged since run " + runId + " (same model file,"
            + " annotations, images, configuration and code; --force runs it again)");
        out.flush();
        outcomes.add(new Outcome(m, Status.skipped, runId));
        continue;
      }
      err.println("zoobench zoo run: " + step + ": evaluating as run " + job.spec().runId());
      err.flush();
      try {
        RunLifecycle.Completed c = new RunLifecycle(spark, err).run(job);
        outcomes.add(new Outcome(m, Status.ran, c.runId()));
      } catch (RuntimeException e) {
        // recorded as a failed run by the lifecycle; the other models go on
        String why = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
        out.println(step + ": failed (run " + job.spec().runId() + "): " + Redact.text(why));
        out.flush();
        outcomes.add(new Outcome(m, Status.failed, job.spec().runId()));
      }
    }
    printSummary(out, warehouse, outcomes);
    return outcomes.stream().allMatch(o -> o.status() != Status.failed) ? 0
        : Zoobench.EXIT_BAD_INPUT;
  }

  /** The models whose names {@code glob} matches, in manifest order; none is bad input. */
  static List<ModelSpec> select(ZooManifest zoo, String glob) {
    ModelGlob selected = ModelGlob.of(glob);
    List<ModelSpec> out = zoo.models().stream().filter(m -> selected.test(m.name())).toList();
    if (out.isEmpty()) {
      throw new InvalidInputException("--models " + glob + ": matches no model of "
          + zoo.file().getFileName() + " (" + zoo.models().size() + " models, e.g. "
          + zoo.models().get(0).name() + ")");
    }
    return out;
  }

  /**
   * Proposal networks first (RPN models, and any model another selected one reads proposals
   * from), else manifest order.
   */
  static List<ModelSpec> sourcesFirst(List<ModelSpec> models) {
    java.util.Set<String> sources = new java.util.HashSet<>();
    for (ModelSpec m : models) {
      if (m.proposals() != null && m.proposals().fromModel() != null) {
        sources.add(m.proposals().fromModel());
      }
    }
    return models.stream().sorted(Comparator.comparingInt((ModelSpec m) ->
        "RPN".equalsIgnoreCase(m.family()) || sources.contains(m.name()) ? 0 : 1)).toList();
  }

  /**
   * The proposal run of {@code m} (null: it takes none): its source's run in this zoo run when
   * it ran or was skipped here, a problem naming the source when it failed here, else the
   * warehouse's latest succeeded run of the source (or the manifest's run id).
   */
  private static ProposalRuns.Source proposals(Warehouse w, ModelSpec m,
      List<Outcome> outcomes) {
    if (m.proposals() == null) {
      return null;
    }
    String source = m.proposals().fromModel();
    for (Outcome o : outcomes) {
      if (source != null && o.model().name().equals(source)) {
        if (o.status() == Status.failed) {
          return ProposalRuns.Source.missing("model " + m.name() + " takes the"
              + " proposals of " + source + ", whose run " + o.runId() + " failed in this zoo"
              + " run");
        }
        return ProposalRuns.resolve(w, m, o.runId(), null);
      }
    }
    return ProposalRuns.resolve(w, m, null, null);
  }

  /** {@code <model>-<UTC time>}, or {@code <prefix>-<model>} with {@code --run-prefix}. */
  private String runId(ModelSpec m) {
    return runPrefix == null ? RunLifecycle.defaultRunId(m.name())
        : runPrefix + "-" + m.name().replaceAll("[^A-Za-z0-9._-]", "_");
  }

  /**
   * Whether {@code previous} (a succeeded runs row) computed what {@code job} would: the same
   * annotations, image root and count, configuration and code, and the same model file bytes
   * (hashed last, only when the rest matches; an unreadable file is a run that will fail).
   */
  private static boolean sameInputs(Row previous, EvaluateJob job, Annotations a,
      SparkSession spark, ModelSpec m) {
    boolean same = Objects.equals(previous.getAs("annotations_sha256"), a.sha256())
        && Objects.equals(previous.getAs("results_path"), Redact.path(job.spec().resultsPath()))
        && Objects.equals(previous.getAs("images_total"), (long) a.dataset().imageCount())
        && Objects.equals(previous.getAs("config_hash"),
            RunLifecycle.sha256(job.config().toString()))
        && Objects.equals(previous.getAs("code_version"), RunLifecycle.codeVersion());
    if (!same) {
      return false;
    }
    try {
      m.artifactFile();
      return Objects.equals(previous.getAs("model_sha256"),
          EvaluateJob.modelFile(spark, m).modelSha256());
    } catch (InvalidInputException e) {
      return false;
    }
  }

  /** One line per model: what became of it and its figures (from the zoo_history view). */
  private static void printSummary(PrintWriter out, Warehouse w, List<Outcome> outcomes) {
    w.registerViews(null);
    Map<String, Row> figures = new HashMap<>();
    for (Row r : w.session().sql("SELECT run_id, box_ap, mask_ap, ar1000, fps FROM zoo_history")
        .collectAsList()) {
      figures.put(r.getAs("run_id"), r);
    }
    int width = Math.max(24, outcomes.stream().mapToInt(o -> o.model().name().length()).max()
        .orElse(0));
    String fmt = "%-" + width + "s %-8s %8s %8s %8s %8s  %s%n";
    out.printf(Locale.ROOT, fmt, "model", "status", "box AP", "mask AP", "AR1000", "fps",
        "run");
    for (Outcome o : outcomes) {
      Row f = o.status() == Status.failed ? null : figures.get(o.runId());
      out.printf(Locale.ROOT, fmt, o.model().name(), o.status(), figure(f, "box_ap", "%.3f"),
          figure(f, "mask_ap", "%.3f"), figure(f, "ar1000", "%.3f"), figure(f, "fps", "%.1f"),
          o.runId());
    }
    long failed = outcomes.stream().filter(o -> o.status() == Status.failed).count();
    out.printf(Locale.ROOT, "%d models: %d ran, %d skipped, %d failed%n", outcomes.size(),
        outcomes.stream().filter(o -> o.status() == Status.ran).count(),
        outcomes.stream().filter(o -> o.status() == Status.skipped).count(), failed);
    out.flush();
  }

  private static String figure(Row r, String column, String format) {
    if (r == null || r.isNullAt(r.fieldIndex(column))) {
      return "-";
    }
    return String.format(Locale.ROOT, format, r.<Double>getAs(column));
  }
}
