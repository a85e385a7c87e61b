package io.zoobench.mask;

/**
 * Box IoU exactly as pycocotools' {@code bbIou}: boxes are {@code [x, y, w, h]} doubles, never
 * clipped; a non-positive overlap width or height gives 0; the union of a crowd ground truth is
 * the detection's own area.
 */
public final class BoxIou {
  private BoxIou() {}

  /** IoU of detection box {@code dt[d*4..]} with ground-truth box {@code gt[g*4..]}. */
  public static double iou(double[] dt, int d, double[] gt, int g, boolean crowd) {
    int di = d * 4;
    int gi = g * 4;
    return iou(dt[di], dt[di + 1], dt[di + 2], dt[di + 3], gt[gi], gt[gi + 1], gt[gi + 2],
        gt[gi + 3], crowd);
  }

  /** IoU of one detection box and one ground-truth box. */
  public static double iou(
      double dx, double dy, double dw, double dh,
      double gx, double gy, double gw, double gh, boolean crowd) {
    double w = Math.min(dw + dx, gw + gx) - Math.max(dx, gx);
    if (w <= 0) {
      return 0.0;
    }
    double h = Math.min(dh + dy, gh + gy) - Math.max(dy, gy);
    if (h <= 0) {
      return 0.0;
    }
    double i = w * h;
    double da = dw * dh;
    double u = crowd ? da : da + gw * gh - i;
    return i / u;
  }

  /**
   * The full IoU matrix, {@code out[d * n + g]}, for {@code m} detections and {@code n} ground
   * truths ({@code maskUtils.iou(dt, gt, iscrowd)} on boxes).
   */
  public static void matrix(double[] dt, int m, double[] gt, int n, boolean[] crowd, double[] out) {
    for (int d = 0; d < m; d++) {
      for (int g = 0; g < n; g++) {
        out[d * n + g] = iou(dt, d, gt, g, crowd[g]);
      }
    }
  }
}
