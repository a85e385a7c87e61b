package io.zoobench.jobs.report;

import io.zoobench.jobs.tables.TableSchema;
import java.sql.Timestamp;

/**
 * A row of the {@code zoo} or {@code zoo_history} view (docs/tables.md, "Views"): a model's run
 * with its measured figures, the figures its zoo manifest published ({@code _ref}) and their
 * differences ({@code _delta}); null where not measured or not published.
 */
public record ZooRow(String runId, String model, String family, String arch, String backbone,
    String style, String lrSchedule, Timestamp finishedAt, Double fps, Double fpsRef,
    Double fpsDelta, Double memory, Double memoryRef, Double memoryDelta, Double boxAp,
    Double boxApRef, Double boxApDelta, Double maskAp, Double maskApRef, Double maskApDelta,
    Double ar1000, Double ar1000Ref, Double ar1000Delta, Double fpsEndToEnd, Double fpsCompute,
    Double peakDeviceMemoryMb, Long imagesTotal, Long imagesFailed, String devices) {

  /** Reads rows of either view by column name. */
  public static final TableSchema<ZooRow> VIEW = TableSchema.of("zoo", ZooRow.class);

  /** The family the model-zoo table groups the row under (its arch, else "other"). */
  public String familyOrArch() {
    if (family != null && !family.isBlank()) {
      return family;
    }
    return arch != null && !arch.isBlank() ? arch : "other";
  }
}
