package io.zoobench.jobs.tables;

/**
 * A row of {@code failures}: one bad input of a run (an image that could not be read, decoded
 * or named safely; or the input that stopped a failed run), with the stage and a one-line
 * message.
 */
public record FailureRow(String runId, Long imageId, String file, String stage,
    String message) implements java.io.Serializable {

  public static final TableSchema<FailureRow> TABLE =
      TableSchema.of("failures", FailureRow.class);
}
