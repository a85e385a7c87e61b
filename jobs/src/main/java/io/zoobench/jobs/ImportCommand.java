package io.zoobench.jobs;

import io.zoobench.eval.EvalParams;
import io.zoobench.jobs.run.Annotations;
import io.zoobench.jobs.run.RunLifecycle;
import io.zoobench.jobs.spark.ImportJob;
import io.zoobench.jobs.spark.Redact;
import io.zoobench.jobs.spark.ResultsImport;
import io.zoobench.jobs.spark.SparkSupport;
import io.zoobench.jobs.tables.Warehouse;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code zoobench import}: evaluates an existing results file on Spark (embedded
 * {@code local[*]} by default) and appends predictions, metrics and per-category AP to the
 * warehouse as one run.
 */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description = {"Evaluates existing predictions on Spark and writes the run's tables.",
        "Paths may be local, file:, hdfs: or s3a:."})
public final class ImportCommand implements Callable<Integer> {
  @Option(names = "--annotations", required = true, paramLabel = "A.json",
      description = "COCO instances file (ground truth).")
  String annotations;

  @Option(names = "--results", required = true, paramLabel = "R.json",
      description = "Results file (.json or .json.gz).")
  String results;

  @Option(names = "--iou", required = true, split = ",", paramLabel = "bbox,segm|proposal",
      description = "IoU types to evaluate, comma-separated: bbox, segm, proposal.")
  List<EvalCommand.Iou> ious;

  @Option(names = "--det-area", paramLabel = "box|mask",
      description = "Detection areas from boxes or masks (default: as pycocotools' loadRes).")
  EvalCommand.DetAreaOption detArea;

  @Option(names = "--mode", defaultValue = "pycocotools", paramLabel = "pycocotools|mmdet")
  EvalCommand.ModeOption mode;



  @Option(names = "--model", paramLabel = "NAME",
      description = "Model name recorded with the run (default: the results file's name).")
  String model;

  @CommandLine.Mixin
  SparkRunOptions run = new SparkRunOptions();

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /**
   * A model name is stored, printed and grouped by: refused when empty, blank, over 200
   * characters or holding a control character (a newline would split every line it is in).
   */
  private void checkModelName(String name) {
    if (name == null) {
      return;
    }
    String problem = name.isBlank() ? "is empty" : name.length() > 200 ? "is over 200 characters"
        : name.chars().anyMatch(Character::isISOControl) ? "holds a control character"
        : null;
    if (problem != null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--model " + problem
          + " (a name such as mask_rcnn_r50_fpn_1x)");
    }
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    run.check(spec.commandLine());
    checkModelName(model);
    if (ious.contains(EvalCommand.Iou.proposal) && ious.size() > 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--iou proposal is"
          + " evaluated alone (class-agnostic AR@100/300/1000); give bbox,segm or proposal");
    }
    List<EvalParams> evals = new ArrayList<>();
    for (EvalCommand.Iou iou : ious) {
      evals.add(EvalCommand.params(iou, mode, detArea));
    }
    String name = model != null ? model : new Path(results).getName()
        .replaceFirst("\\.json(\\.gz)?$", "");
    String id = run.runId != null ? run.runId : RunLifecycle.defaultRunId(name);
    Warehouse.checkRunId(id);
    // set-up first, then inputs (absolute, so executors read what the driver means), all
    // before Spark starts
    Configuration hadoop = run.hadoopBeforeSpark();
    run.checkSetUp(hadoop);
    String annotations = DriverPaths.file("--annotations", this.annotations, hadoop);
    String results = DriverPaths.file("--results", this.results, hadoop);
    // read the annotations while Spark starts: they only need Hadoop's file systems
    CompletableFuture<Annotations> gt = SparkSupport.async("zoobench-annotations",
        () -> Annotations.read(annotations, hadoop));
    long chunk = Settings.IMPORT_MIN_SPLIT_BYTES.getLong(
        k -> run.conf.getOrDefault(k, System.getProperty(k)));
    CompletableFuture<ResultsImport.Survey> survey = SparkSupport.async("zoobench-results",
        () -> ResultsImport.survey(results, hadoop, chunk));
    SparkSession spark = SparkSupport.session("zoobench import " + name, run.master, run.conf);
    RunLifecycle.Completed c = new RunLifecycle(spark, err).run(new ImportJob(
        new ImportJob.Options(annotations, results, evals, run.warehouse, id, name,
            run.partitions), gt, survey));
    out.println(String.format(Locale.ROOT,
        "run %s: %d predictions, evaluation %.1fs, total %.1fs, tables in %s", c.runId(),
        c.result().predictions(), c.result().evalSeconds(), c.totalSeconds(),
        Redact.path(run.warehouse)));
    return 0;
  }
}
