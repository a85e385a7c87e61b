package io.zoobench.jobs.run;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zoobench.jobs.tables.RunRow;
import java.util.Map;

/**
 * One kind of run ({@code import}, {@code evaluate}, a model of a zoo run): what it is, known
 * before it starts ({@link Spec}), its configuration, and its work. {@link RunLifecycle} runs
 * it: checks, staging, progress, the tables, the commit, or the record of its failure. A job
 * never writes tables itself except its predictions, into the staging the context gives it.
 */
public interface RunJob {

  /**
   * What a run is before it starts.
   *
   * @param verb the CLI verb ({@code import}, {@code evaluate}, {@code zoo run})
   * @param runId the run id: a partition of every table
   * @param warehouse where the run is written
   * @param model the model name recorded with every row
   * @param dataset the dataset's name for the runs row (the annotations file's name)
   * @param inputs the paths the user gave, by flag ({@code --annotations} → path), checked for
   *     credentials before anything reads them
   * @param primaryInput the input a failed run's {@code failures} row names
   * @param resultsPath where the results come from (the results file, the images root)
   * @param plannedIouTypes the IoU types when known before the work (a failed run records
   *     them), else null
   * @param modelInfo the zoo manifest's description of the model, or
   *     {@link RunRow.ModelInfo#NONE}
   * @param zooReference the model's family and published figures from its zoo manifest, or
   *     {@link RunRow.ZooReference#NONE}
   */
  record Spec(String verb, String runId, String warehouse, String model, String dataset,
      Map<String, String> inputs, String primaryInput, String resultsPath,
      String plannedIouTypes, RunRow.ModelInfo modelInfo, RunRow.ZooReference zooReference) {}

  /** What the run is. */
  Spec spec();

  /** The run's configuration, stored as json with its sha256 (no credentials in it). */
  ObjectNode config();

  /**
   * Plans, stages the predictions into {@link RunContext#staging()} and evaluates. Facts the
   * run learns on the way (sha256s, images, image failures) go to the context as they are
   * known, so a failed run records them too.
   */
  RunResult execute(RunContext ctx);

  /** After the run is published: drop what only an unfinished run needed (checkpoints). */
  default void afterPublish(RunContext ctx) {}
}
