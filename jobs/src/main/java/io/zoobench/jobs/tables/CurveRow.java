package io.zoobench.jobs.tables;

import io.zoobench.eval.CategoryCurves;
import io.zoobench.eval.EvalParams;
import io.zoobench.eval.EvalResult;
import java.util.ArrayList;
import java.util.List;

/**
 * A row of {@code curves}: one cell of pycocotools' accumulated arrays for one IoU type of a
 * run, category × IoU threshold × area range × maxDets: the 101-point interpolated precision
 * ({@code eval['precision'][t, :, k, a, m]}) and the final recall ({@code eval['recall'][t, k,
 * a, m]}), −1 where pycocotools has −1. What precision/recall charts and per-threshold analyses
 * need without rerunning the evaluation. The category is null for class-agnostic proposals.
 */
public record CurveRow(String runId, String model, String iouType, Long categoryId,
    double iouThreshold, String area, int maxDets, double[] precision, double recall)
    implements java.io.Serializable {

  public static final TableSchema<CurveRow> TABLE = TableSchema.of("curves", CurveRow.class);

  /**
   * Every cell of an evaluation's curves: categories (ascending id) × IoU thresholds × area
   * ranges × maxDets, in that order (3 categories, 10 thresholds, 4 areas, 3 maxDets: 360 rows).
   */
  public static List<CurveRow> of(String runId, String model, EvalResult r) {
    EvalParams p = r.params();
    List<CategoryCurves> curves = r.summary().curves();
    List<CurveRow> rows = new ArrayList<>(curves.size() * p.iouThrCount() * p.areaCount()
        * p.maxDetCount());
    for (CategoryCurves c : curves) {
      Long category = p.useCats() ? c.categoryId() : null;
      for (int t = 0; t < p.iouThrCount(); t++) {
        double threshold = threshold(p.iouThr(t));
        for (int a = 0; a < p.areaCount(); a++) {
          for (int m = 0; m < p.maxDetCount(); m++) {
            double[] precision = new double[p.recThrCount()];
            for (int ri = 0; ri < precision.length; ri++) {
              precision[ri] = c.precision(t, ri, a, m);
            }
            rows.add(new CurveRow(runId, model, p.label(), category, threshold,
                EvalParams.AREA_LABELS[a], p.maxDet(m), precision, c.recall(t, a, m)));
          }
        }
      }
    }
    return rows;
  }

  /**
   * pycocotools' threshold to two decimals: its {@code np.linspace(.5, .95, 10)} holds
   * 0.6000000000000001 and 0.8999999999999999, which {@code WHERE iou_threshold = 0.9} would
   * never find.
   */
  static double threshold(double linspaceValue) {
    return Math.round(linspaceValue * 100) / 100.0;
  }
}
