package io.zoobench.eval;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * pycocotools' {@code summarize()}: the 12 stats from the per-category curves, in pycocotools'
 * slot order, plus per-category AP as Detectron2 reports it and the text lines
 * {@code summarize()} prints. Means are numpy's (pairwise summation over the (t, r, k) C-order
 * flattening), so the stats match to the last bit.
 */
public final class CocoSummary {
  private static final String[] DET_NAMES = {
      "AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl"};

  private final EvalParams params;
  private final List<CategoryCurves> curves;
  private final double[] stats = new double[12];
  private final String[] lines = new String[12];

  /** @param curves one per evaluated category in ascending id order (one for proposals) */
  public CocoSummary(EvalParams params, List<CategoryCurves> curves) {
    this.params = params;
    this.curves = List.copyOf(curves);
    int[] md = params.maxDets();
    int last = md.length - 1;
    stats[0] = summarize(0, true, -1, 0, 100);
    stats[1] = summarize(1, true, .5, 0, md[Math.min(2, last)]);
    stats[2] = summarize(2, true, .75, 0, md[Math.min(2, last)]);
    stats[3] = summarize(3, true, -1, 1, md[Math.min(2, last)]);
    stats[4] = summarize(4, true, -1, 2, md[Math.min(2, last)]);
    stats[5] = summarize(5, true, -1, 3, md[Math.min(2, last)]);
    stats[6] = summarize(6, false, -1, 0, md[0]);
    stats[7] = summarize(7, false, -1, 0, md[Math.min(1, last)]);
    stats[8] = summarize(8, false, -1, 0, md[Math.min(2, last)]);
    stats[9] = summarize(9, false, -1, 1, md[Math.min(2, last)]);
    stats[10] = summarize(10, false, -1, 2, md[Math.min(2, last)]);
    stats[11] = summarize(11, false, -1, 3, md[Math.min(2, last)]);
  }

  private double summarize(int slot, boolean ap, double iouThr, int a, int maxDets) {
    int m = -1;
    for (int i = 0; i < params.maxDetCount(); i++) {
      if (params.maxDet(i) == maxDets) {
        m = i;
      }
    }
    int tFrom = 0;
    int tTo = params.iouThrCount();
    if (iouThr >= 0) {
      tFrom = -1;
      for (int t = 0; t < params.iouThrCount(); t++) {
        if (params.iouThr(t) == iouThr) {
          tFrom = t;
        }
      }
      tTo = tFrom + 1;
    }
    double mean = -1.0;
    if (m >= 0 && tFrom >= 0) {
      int k = curves.size();
      int r = params.recThrCount();
      double[] buf = new double[(tTo - tFrom) * (ap ? r : 1) * k];
      int n = 0;
      for (int t = tFrom; t < tTo; t++) {
        if (ap) {
          for (int ri = 0; ri < r; ri++) {
            for (CategoryCurves c : curves) {
              double v = c.precision(t, ri, a, m);
              if (v > -1) {
                buf[n++] = v;
              }
            }
          }
        } else {
          for (CategoryCurves c : curves) {
            double v = c.recall(t, a, m);
            if (v > -1) {
              buf[n++] = v;
            }
          }
        }
      }
      mean = NumpyMean.meanOrMinusOne(buf, n);
    }
    lines[slot] = line(ap, iouThr, a, maxDets, mean);
    return mean;
  }

  private String line(boolean ap, double iouThr, int a, int maxDets, double value) {
    String title = ap ? "Average Precision" : "Average Recall";
    String type = ap ? "(AP)" : "(AR)";
    String iou = iouThr < 0
        ? fixed(params.iouThr(0), 2) + ":" + fixed(params.iouThr(params.iouThrCount() - 1), 2)
        : fixed(iouThr, 2);
    return String.format(Locale.ROOT, " %-18s %s @[ IoU=%-9s | area=%6s | maxDets=%3d ] = %s",
        title, type, iou, EvalParams.AREA_LABELS[a], maxDets, fixed(value, 3));
  }

  /** Python's {@code '{:0.Nf}'.format(v)}: round half to even on the exact binary value. */
  static String fixed(double v, int digits) {
    return new BigDecimal(v).setScale(digits, RoundingMode.HALF_EVEN).toPlainString();
  }

  /** The 12 stats in pycocotools' slot order (−1 where undefined). */
  public double[] stats() {
    return stats.clone();
  }

  /** Names of the 12 slots for this evaluation (proposal and mmdet modes name their maxDets). */
  public List<String> statNames() {
    return statNames(params);
  }

  /** Names of the 12 stats slots under {@code p}. */
  public static List<String> statNames(EvalParams p) {
    if (p.useCats() && p.mode() == EvalParams.Mode.PYCOCOTOOLS) {
      return List.of(DET_NAMES);
    }
    int[] md = p.maxDets();
    int last = md.length - 1;
    int m2 = md[Math.min(2, last)];
    List<String> names = new ArrayList<>();
    names.add(p.useCats() ? "AP" : "AP@100");
    String suffix = "@" + m2;
    String apSuffix = p.useCats() ? "" : suffix;
    for (String s : new String[] {"AP50", "AP75", "APs", "APm", "APl"}) {
      names.add(s + apSuffix);
    }
    names.add("AR@" + md[0]);
    names.add("AR@" + md[Math.min(1, last)]);
    names.add("AR@" + m2);
    names.add("ARs" + suffix);
    names.add("ARm" + suffix);
    names.add("ARl" + suffix);
    return names;
  }

  /** The lines {@code summarize()} prints, in slot order. */
  public List<String> lines() {
    return List.of(lines);
  }

  /**
   * Per-category AP as Detectron2 reports it: mean of {@code precision[:, :, k, all, -1]} over
   * entries > −1; NaN when the category has no ground truth.
   */
  public double categoryAp(int k) {
    return categoryMean(k, -1, 0);
  }

  /**
   * Mean of {@code precision[t, :, k, a, -1]} over entries > −1 (all thresholds when
   * {@code t < 0}): per-category AP, AP50 ({@code t = 0}), AP75 ({@code t = 5}) and APs/m/l
   * ({@code a = 1..3}) in Detectron2's way; NaN when the category has no ground truth there.
   */
  public double categoryMean(int k, int t, int a) {
    CategoryCurves c = curves.get(k);
    int tFrom = t < 0 ? 0 : t;
    int tTo = t < 0 ? params.iouThrCount() : t + 1;
    int r = params.recThrCount();
    int m = params.maxDetCount() - 1;
    double[] buf = new double[(tTo - tFrom) * r];
    int n = 0;
    for (int ti = tFrom; ti < tTo; ti++) {
      for (int ri = 0; ri < r; ri++) {
        double v = c.precision(ti, ri, a, m);
        if (v > -1) {
          buf[n++] = v;
        }
      }
    }
    return n == 0 ? Double.NaN : NumpyMean.pairwiseSum(buf, 0, n) / n;
  }

  /**
   * AP of category {@code k} at IoU threshold {@code t}, area {@code a}, maxDets {@code m}: mean
   * over the 101 recall thresholds of {@code precision[t, :, k, a, m]} (−1 when undefined).
   */
  public double categoryApAt(int k, int t, int a, int m) {
    CategoryCurves c = curves.get(k);
    int r = params.recThrCount();
    double[] buf = new double[r];
    for (int ri = 0; ri < r; ri++) {
      buf[ri] = c.precision(t, ri, a, m);
    }
    return NumpyMean.pairwiseSum(buf, 0, r) / r;
  }

  public List<CategoryCurves> curves() {
    return curves;
  }

  public EvalParams params() {
    return params;
  }
}
