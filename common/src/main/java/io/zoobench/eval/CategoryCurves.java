package io.zoobench.eval;

import java.io.Serializable;

/**
 * One category's slice of pycocotools' {@code eval['precision']} and {@code eval['recall']}:
 * interpolated precision at the 101 recall thresholds and the final recall, per IoU threshold,
 * area range and maxDets, with −1 where the category has no non-ignored ground truth.
 * Produced by {@link CategoryAccumulator#finish()}, combined by {@link CocoSummary}.
 */
public final class CategoryCurves implements Serializable {
  private static final long serialVersionUID = 1L;

  private final long categoryId;
  private final int iouCount;
  private final int recCount;
  private final int areaCount;
  private final int maxCount;
  private final double[] precision;
  private final double[] recall;
  private final long[] nonIgnored;

  CategoryCurves(
      long categoryId, int iouCount, int recCount, int areaCount, int maxCount,
      double[] precision, double[] recall, long[] nonIgnored) {
    this.categoryId = categoryId;
    this.iouCount = iouCount;
    this.recCount = recCount;
    this.areaCount = areaCount;
    this.maxCount = maxCount;
    this.precision = precision;
    this.recall = recall;
    this.nonIgnored = nonIgnored;
  }

  /** The curves of a category that appears nowhere: all −1. */
  public static CategoryCurves absent(EvalParams p, long categoryId) {
    return new CategoryAccumulator(p, categoryId).finish();
  }

  public long categoryId() {
    return categoryId;
  }

  /** {@code precision[t, r, k, a, m]} for this k. */
  public double precision(int t, int r, int a, int m) {
    return precision[((t * recCount + r) * areaCount + a) * maxCount + m];
  }

  /** {@code recall[t, k, a, m]} for this k. */
  public double recall(int t, int a, int m) {
    return recall[(t * areaCount + a) * maxCount + m];
  }

  /** Ground truths of this category that are not ignored in area range {@code a}. */
  public long nonIgnored(int a) {
    return nonIgnored[a];
  }

  public int iouCount() {
    return iouCount;
  }

  public int recCount() {
    return recCount;
  }

  public int areaCount() {
    return areaCount;
  }

  public int maxCount() {
    return maxCount;
  }
}
