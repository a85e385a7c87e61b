package io.zoobench.jobs.tables;

import java.sql.Timestamp;

/**
 * A row of {@code run_attempts}: one per attempt to write a run, whatever became of it. The
 * {@code runs} row of a run names the attempt whose rows every view shows; other attempts
 * (a failed rerun of a good run, a run whose driver was killed) stay here with their status.
 * An attempt holds its run id's lock while it is {@code running}.
 */
public record RunAttemptRow(String runId, String attemptId, String verb, String status,
    String message, Timestamp startedAt, Timestamp finishedAt, String host)
    implements java.io.Serializable {

  public static final TableSchema<RunAttemptRow> TABLE =
      TableSchema.of("run_attempts", RunAttemptRow.class);

  /** Writing; holds the run id's lock. */
  public static final String RUNNING = "running";
  /** Published: the runs row names it. */
  public static final String SUCCEEDED = "succeeded";
  /** Failed; the runs row names it only when the run never succeeded. */
  public static final String FAILED = "failed";
  /** Stopped without a word (its process died); its rows are invisible and cleaned. */
  public static final String ABANDONED = "abandoned";
}
