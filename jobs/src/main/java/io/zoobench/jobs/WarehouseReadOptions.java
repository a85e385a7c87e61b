package io.zoobench.jobs;

import io.zoobench.jobs.spark.Redact;
import io.zoobench.jobs.spark.SparkSupport;
import io.zoobench.jobs.tables.Warehouse;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Option;

/**
 * The options of the verbs that work on an existing warehouse ({@code sql}, {@code export},
 * {@code maintenance}, {@code report}, {@code gate}; a picocli mixin): where it is, the Spark
 * master, extra Spark settings, and how such a verb opens it (never creating one: a typo'd path is an error).
 */
final class WarehouseReadOptions {
  @Option(names = "--warehouse", defaultValue = "warehouse", paramLabel = "PATH",
      description = "Warehouse root (default ./warehouse).")
  String warehouse = "warehouse";

  @Option(names = "--master", paramLabel = "URL", description = "Spark master (default local[*]).")
  String master;

  @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "Extra Spark configuration.")
  Map<String, String> conf = new java.util.LinkedHashMap<>();

  /**
   * Starts (or joins) Spark as application {@code zoobench <verb>} and opens the warehouse,
   * which must exist.
   *
   * @throws io.zoobench.coco.InvalidInputException when the path holds credentials or no
   *     warehouse
   */
  Warehouse openExisting(String verb) {
    return Warehouse.openExisting(session(verb), warehouse);
  }

  /** Starts (or joins) Spark as application {@code zoobench <verb>}. */
  SparkSession session(String verb) {
    Redact.checkNoCredentials("--warehouse", warehouse);
    return SparkSupport.session("zoobench " + verb, master, conf);
  }
}
