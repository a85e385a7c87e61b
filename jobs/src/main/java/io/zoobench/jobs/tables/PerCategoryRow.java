package io.zoobench.jobs.tables;

import io.zoobench.eval.CocoSummary;
import io.zoobench.eval.EvalResult;
import java.util.ArrayList;
import java.util.List;

/**
 * A row of {@code per_category}: one category of one IoU type of a run, with Detectron2's
 * per-category means at the last maxDets (null where the category has no ground truth).
 */
public record PerCategoryRow(String runId, String model, String iouType, long categoryId,
    String name, @Column("AP") Double ap, @Column("AP50") Double ap50,
    @Column("AP75") Double ap75, @Column("APs") Double aps, @Column("APm") Double apm,
    @Column("APl") Double apl) implements java.io.Serializable {

  public static final TableSchema<PerCategoryRow> TABLE =
      TableSchema.of("per_category", PerCategoryRow.class);

  /** The rows of an evaluation (none for class-agnostic proposals). */
  public static List<PerCategoryRow> of(String runId, String model, EvalResult r) {
    List<PerCategoryRow> rows = new ArrayList<>();
    if (!r.params().useCats()) {
      return rows;
    }
    CocoSummary s = r.summary();
    List<EvalResult.CategoryAp> aps = r.perCategory();
    for (int k = 0; k < aps.size(); k++) {
      EvalResult.CategoryAp c = aps.get(k);
      rows.add(new PerCategoryRow(runId, model, r.params().label(), c.id(), c.name(),
          orNull(c.ap()), orNull(s.categoryMean(k, 0, 0)), orNull(s.categoryMean(k, 5, 0)),
          orNull(s.categoryMean(k, -1, 1)), orNull(s.categoryMean(k, -1, 2)),
          orNull(s.categoryMean(k, -1, 3))));
    }
    return rows;
  }

  private static Double orNull(double v) {
    return Double.isNaN(v) ? null : v;
  }
}
