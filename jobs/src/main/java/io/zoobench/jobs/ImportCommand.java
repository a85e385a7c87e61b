package io.zoobench.jobs;

import io.zoobench.eval.EvalParams;
import io.zoobench.jobs.spark.ImportJob;
import io.zoobench.jobs.spark.ResultsImport;
import io.zoobench.jobs.spark.SparkSupport;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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

  @Option(names = "--warehouse", defaultValue = "warehouse", paramLabel = "PATH",
      description = "Warehouse root (default ./warehouse; any Hadoop path).")
  String warehouse;

  @Option(names = "--run-id", paramLabel = "ID",
      description = "Run id (default: model and UTC time); rerunning an id replaces its rows.")
  String runId;

  @Option(names = "--model", paramLabel = "NAME",
      description = "Model name recorded with the run (default: the results file's name).")
  String model;

  @Option(names = "--master", paramLabel = "URL",
      description = "Spark master: local[N], spark://host:7077, yarn, k8s://... (default local[*]).")
  String master;

  @Option(names = "--partitions", defaultValue = "0", paramLabel = "N",
      description = "Partitions for matching and accumulation (default: Spark's default parallelism).")
  int partitions;

  @Option(names = "--conf", paramLabel = "KEY=VALUE",
      description = "Extra Spark configuration, e.g. --conf spark.hadoop.fs.s3a.endpoint=...")
  Map<String, String> conf = new java.util.LinkedHashMap<>();

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  private static void hadoopSetting(Configuration hadoop, String key, String value) {
    if (key.startsWith("spark.hadoop.")) {
      hadoop.set(key.substring("spark.hadoop.".length()), value);
    }
  }

  /**
   * The Hadoop configuration Spark will have (the active session's, or spark.hadoop.* settings
   * from system properties and {@code --conf}), for reading inputs while Spark starts.
   */
  static Configuration hadoopBeforeSpark(Map<String, String> conf) {
    SparkSession active = SparkSession.getActiveSession().getOrElse(() -> null);
    Configuration hadoop = active != null && !active.sparkContext().isStopped()
        ? new Configuration(active.sparkContext().hadoopConfiguration()) : new Configuration();
    System.getProperties().forEach((k, v) -> hadoopSetting(hadoop, k.toString(), v.toString()));
    conf.forEach((k, v) -> hadoopSetting(hadoop, k, v));
    return hadoop;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<EvalParams> evals = new ArrayList<>();
    for (EvalCommand.Iou iou : ious) {
      evals.add(EvalCommand.params(iou, mode, detArea));
    }
    String name = model != null ? model : new Path(results).getName()
        .replaceFirst("\\.json(\\.gz)?$", "");
    String id = runId != null ? runId : ImportJob.defaultRunId(name);
    // read the annotations while Spark starts: they only need Hadoop's file systems
    Configuration hadoop = hadoopBeforeSpark(conf);
    CompletableFuture<ImportJob.Annotations> gt = SparkSupport.async("zoobench-annotations",
        () -> ImportJob.readAnnotations(annotations, hadoop));
    long chunk = ResultsImport.minSplitBytes(k -> conf.getOrDefault(k, System.getProperty(k)));
    CompletableFuture<ResultsImport.Survey> survey = SparkSupport.async("zoobench-results",
        () -> ResultsImport.survey(results, hadoop, chunk));
    SparkSession spark = SparkSupport.session("zoobench import " + name, master, conf);
    int parts = partitions > 0 ? partitions : spark.sparkContext().defaultParallelism();
    ImportJob.Outcome o = new ImportJob(spark, err).run(new ImportJob.Options(annotations,
        results, evals, warehouse, id, name, master, parts), gt, survey);
    out.println(String.format(Locale.ROOT,
        "run %s: %d predictions, evaluation %.1fs, total %.1fs, tables in %s", o.runId(),
        o.predictions(), o.evalSeconds(), o.totalSeconds(), warehouse));
    return 0;
  }
}
