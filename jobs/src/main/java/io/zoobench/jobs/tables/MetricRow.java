package io.zoobench.jobs.tables;

import io.zoobench.eval.EvalResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A row of {@code metrics}: one of the 12 stats of one IoU type of a run, in pycocotools' slot
 * order, named as pycocotools prints it (−1 where undefined).
 */
public record MetricRow(String runId, String model, String iouType, String metric, double value,
    int slot, String mode, String detArea) implements java.io.Serializable {

  public static final TableSchema<MetricRow> TABLE = TableSchema.of("metrics", MetricRow.class);

  /** The 12 rows of an evaluation. */
  public static List<MetricRow> of(String runId, String model, EvalResult r) {
    List<MetricRow> rows = new ArrayList<>();
    double[] stats = r.stats();
    List<String> names = r.statNames();
    String mode = r.params().mode().name().toLowerCase(Locale.ROOT);
    for (int i = 0; i < 12; i++) {
      rows.add(new MetricRow(runId, model, r.params().label(), names.get(i), stats[i], i, mode,
          r.detAreaLabel()));
    }
    return rows;
  }
}
