package io.zoobench.mask;

/**
 * Mask IoU exactly as pycocotools' {@code rleIou}: the boxes of both masks are compared first
 * and pixels are only counted where the boxes overlap; masks of different sizes whose boxes
 * overlap give −1 (they can never match); a crowd ground truth divides by the detection's area.
 */
public final class MaskIou {
  private MaskIou() {}

  /** IoU of a detection mask with a ground-truth mask. */
  public static double iou(Rle dt, Rle gt, boolean crowd) {
    double[] db = dt.toBbox();
    double[] gb = gt.toBbox();
    return iou(dt.height(), dt.width(), dt.countsArray(), 0, dt.size(), db, 0,
        gt.height(), gt.width(), gt.countsArray(), 0, gt.size(), gb, 0, crowd);
  }

  /**
   * IoU of two masks held as slices of primitive arenas, with their boxes (from
   * {@link RleOps#toBbox}) precomputed by the caller.
   */
  public static double iou(
      int dh, int dw, int[] dCounts, int dOff, int dLen, double[] dBox, int dBoxOff,
      int gh, int gw, int[] gCounts, int gOff, int gLen, double[] gBox, int gBoxOff,
      boolean crowd) {
    double o = BoxIou.iou(dBox[dBoxOff], dBox[dBoxOff + 1], dBox[dBoxOff + 2], dBox[dBoxOff + 3],
        gBox[gBoxOff], gBox[gBoxOff + 1], gBox[gBoxOff + 2], gBox[gBoxOff + 3], crowd);
    if (!(o > 0)) {
      return o;
    }
    if (dh != gh || dw != gw) {
      return -1.0;
    }
    return RleOps.iou(dCounts, dOff, dLen, gCounts, gOff, gLen, crowd);
  }
}
