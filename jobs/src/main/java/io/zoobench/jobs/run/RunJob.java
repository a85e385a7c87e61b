package io.zoobench.jobs.run;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zoobench.jobs.tables.RunRow;
import java.util.Map;

/**
 * One kind of run ({@code import}, {@code evaluate}, a model of a zoo run): what it is, known
 * before it starts, and its work. {@link RunLifecycle} runs it: checks, staging, progress, the
 * tables, the commit, or the record of its failure. A job never writes tables itself except
 * its predictions, into the staging the context gives it.
 */
public interface RunJob {
  /** The CLI verb, recorded in the run's configuration ({@code import}, {@code evaluate}). */
  String verb();

  /** The run id: a partition of every table. */
  String runId();

  /** The warehouse the run is written to. */
  String warehouse();

  /** The model name recorded with every row. */
  String model();

  /** The dataset's name for the runs row (the annotations file's name). */
  String dataset();

  /**
   * The paths the user gave, by flag ({@code --annotations} → path), checked for credentials
   * before anything reads them.
   */
  Map<String, String> inputs();

  /** The input a failed run's {@code failures} row names (the results file, the model). */
  String primaryInput();

  /** Where the results come from, for the runs row (the results file, the images root). */
  String resultsPath();

  /** The run's configuration, stored as json with its sha256 (no credentials in it). */
  ObjectNode config();

  /**
   * The IoU types the run will evaluate when they are known before its work (a failed run
   * records them), else null; a succeeded run records the types it evaluated.
   */
  default String plannedIouTypes() {
    return null;
  }

  /** The zoo manifest's description of the model, or {@link RunRow.ModelInfo#NONE}. */
  RunRow.ModelInfo modelInfo();

  /**
   * Plans, stages the predictions into {@link RunContext#staging()} and evaluates. Facts the
   * run learns on the way (sha256s, images, image failures) go to the context as they are
   * known, so a failed run records them too.
   */
  RunResult execute(RunContext ctx);
}
