package io.zoobench.jobs.tables;

import java.sql.Timestamp;

/**
 * A row of {@code runs}: one per run id, published last by the run lifecycle; it names the
 * attempt ({@link RunAttemptRow}) whose rows the views show. A rerun replaces it when it
 * succeeds; a failed rerun leaves a succeeded run's row as it was. Its columns come in groups
 * filled by different parties: what the run evaluates (the job), how it ended (the lifecycle),
 * where it ran (Spark), its counts, the code, the model's zoo metadata and the model file that
 * ran ({@code evaluate} and zoo runs), and the model's family and published figures (last, so a
 * table of an older zoobench, which gets them appended, has the same column order).
 */
public record RunRow(
    String runId,
    String attemptId,
    @Inline Subject subject,
    @Inline Outcome outcome,
    @Inline Environment environment,
    @Inline Counts counts,
    String codeVersion,
    @Inline ModelInfo modelInfo,
    @Inline ModelFile modelFile,
    @Inline ZooReference zooReference) implements java.io.Serializable {

  public static final TableSchema<RunRow> TABLE = TableSchema.of("runs", RunRow.class);

  /** Status of a run that published its results. */
  public static final String SUCCEEDED = "succeeded";
  /** Status of a run that stopped; its message says why. */
  public static final String FAILED = "failed";

  /**
   * What the run evaluates: the model name, the dataset and its annotations, the results file
   * (or the images root for {@code evaluate}), the IoU types, and the run's configuration as
   * json with its sha256.
   */
  public record Subject(String model, String dataset, String annotationsPath,
      String annotationsSha256, String resultsPath, String resultsSha256, String iouTypes,
      String configJson, String configHash) implements java.io.Serializable {}

  /** How the run ended: status ({@link #SUCCEEDED} or {@link #FAILED}), message, times. */
  public record Outcome(String status, String message, Timestamp startedAt,
      Timestamp finishedAt) implements java.io.Serializable {}

  /** Where it ran: the Spark master (without credentials), version, executors, devices. */
  public record Environment(String sparkMaster, String sparkVersion, Integer executors,
      String devices) implements java.io.Serializable {}

  /**
   * Images evaluated and failed, predictions, evaluation and total seconds, and the share of
   * the results whose category the annotations do not have (never evaluated; {@code import}).
   */
  public record Counts(Long imagesTotal, Long imagesFailed, Long predictions,
      Double evalSeconds, Double totalSeconds, Double unknownCategoryShare)
      implements java.io.Serializable {}

  /** The zoo manifest's description of the model, and its file. */
  public record ModelInfo(String arch, String backbone, String style, String lrSchedule,
      String modelPath) implements java.io.Serializable {
    public static final ModelInfo NONE = new ModelInfo(null, null, null, null, null);
  }

  /**
   * The model file the run read, as read: its sha256 and size in bytes ({@code evaluate};
   * nulls for {@code import}, which runs no model), so a run names its weights even when the
   * file at {@code model_path} is later replaced.
   */
  public record ModelFile(String modelSha256, Long modelBytes) implements java.io.Serializable {
    public static final ModelFile NONE = new ModelFile(null, null);
  }

  /**
   * The zoo manifest's family of the model and the figures its model-zoo page publishes
   * ({@code reference:} in the manifest), recorded with the run so the {@code zoo} view can set
   * measured against published without the manifest; nulls for {@code import} and for figures
   * not published. AP and AR are fractions; memory is training memory in GB, as published.
   */
  public record ZooReference(String family, Double refFps, Double refTrainMemGb,
      Double refBoxAp, Double refMaskAp, Double refAr1000) implements java.io.Serializable {
    public static final ZooReference NONE = new ZooReference(null, null, null, null, null, null);
  }
}
