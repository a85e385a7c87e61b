package io.zoobench.jobs;

import io.zoobench.jobs.spark.SparkSupport;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Option;

/**
 * The options every Spark verb that writes a run shares (a picocli mixin): where the tables go,
 * the run id, the Spark master, the evaluation partitions and extra Spark settings.
 */
final class SparkRunOptions {
  @Option(names = "--warehouse", defaultValue = "warehouse", paramLabel = "PATH",
      description = "Warehouse root (default ./warehouse; any Hadoop path).")
  String warehouse = "warehouse";

  @Option(names = "--run-id", paramLabel = "ID",
      description = "Run id (default: model and UTC time); rerunning an id replaces its rows.")
  String runId;

  @Option(names = "--master", paramLabel = "URL",
      description = "Spark master: local[N], spark://host:7077, yarn, k8s://... (default local[*]).")
  String master;

  @Option(names = "--partitions", defaultValue = "0", paramLabel = "N",
      description = "Partitions for matching and accumulation (default: Spark's default parallelism).")
  int partitions;

  @Option(names = "--conf", paramLabel = "KEY=VALUE",
      description = "Extra Spark configuration, e.g. --conf spark.hadoop.fs.s3a.endpoint=...")
  Map<String, String> conf = new java.util.LinkedHashMap<>();

  /** The most partitions or shards a run takes: more is a typo, not a plan. */
  static final int MAX_TASKS = 100_000;

  /** Refuses options out of range (a usage error, exit 2). */
  void check(picocli.CommandLine cl) {
    if (partitions < 0 || partitions > MAX_TASKS) {
      throw new picocli.CommandLine.ParameterException(cl, "--partitions must be between 0"
          + " (Spark's default parallelism) and " + MAX_TASKS + ", got " + partitions);
    }
  }

  /**
   * Checks what a run needs before it reads anything: the Spark master answers, the warehouse
   * can be written. Returns the warehouse as an absolute URI (executors write to it too).
   */
  String checkSetUp(Configuration hadoop) {
    Settings.checkNumbers(conf);
    SparkSupport.checkMaster(master != null ? master : System.getProperty("spark.master"));
    warehouse = DriverPaths.warehouse(warehouse, hadoop, conf);
    return warehouse;
  }

  /**
   * The Hadoop configuration Spark will have (the active session's, or spark.hadoop.* settings
   * from system properties and {@code --conf}), for reading inputs while Spark starts.
   */
  Configuration hadoopBeforeSpark() {
    SparkSession active = SparkSession.getActiveSession().getOrElse(() -> null);
    Configuration hadoop = active != null && !active.sparkContext().isStopped()
        ? new Configuration(active.sparkContext().hadoopConfiguration()) : new Configuration();
    System.getProperties().forEach((k, v) -> hadoopSetting(hadoop, k.toString(), v.toString()));
    conf.forEach((k, v) -> hadoopSetting(hadoop, k, v));
    return hadoop;
  }

  private static void hadoopSetting(Configuration hadoop, String key, String value) {
    if (key.startsWith("spark.hadoop.")) {
      hadoop.set(key.substring("spark.hadoop.".length()), value);
    }
  }
}
