package io.zoobench.eval;

import io.zoobench.mask.BoxIou;
import io.zoobench.mask.MaskIou;
import io.zoobench.mask.Rle;
import io.zoobench.mask.RleCodec;
import io.zoobench.mask.RleOps;

/**
 * pycocotools' {@code computeIoU} for one (image, category) group, by IoU type: the
 * {@code d × g} overlaps of the group's kept detections (in score order) with its ground
 * truth, row-major by detection. Kept apart from matching ({@link ImageMatcher}), as
 * faster-coco-eval keeps them: matching is the same for every IoU type.
 */
final class GroupIous {
  private GroupIous() {}

  /** Box IoU ({@code maskUtils.iou} on boxes): never clipped; crowd divides by the det's area. */
  static void boxes(ImageGroundTruth gt, int[] gts, double[] dBoxes, int d, double[] ious) {
    int g = gts.length;
    for (int j = 0; j < g; j++) {
      int ann = gts[j];
      int o = ann * 4;
      double gx = gt.bboxes[o];
      double gy = gt.bboxes[o + 1];
      double gw = gt.bboxes[o + 2];
      double gh = gt.bboxes[o + 3];
      boolean crowd = gt.crowd[ann];
      for (int i = 0; i < d; i++) {
        int q = i * 4;
        ious[i * g + j] = BoxIou.iou(dBoxes[q], dBoxes[q + 1], dBoxes[q + 2], dBoxes[q + 3],
            gx, gy, gw, gh, crowd);
      }
    }
  }

  /**
   * Mask IoU ({@code maskUtils.iou} on RLEs): ground-truth masks as {@code annToRLE} makes
   * them, detection masks decoded into one arena per group.
   */
  static void masks(
      ImageGroundTruth gt, int[] gts, ImageDetections dt, int[] dts, int d, double[] ious) {
    int g = gts.length;
    // GT masks: rasterised at the image size (polygons) or taken as they are (RLE).
    int[][] gCounts = new int[g][];
    int[] gH = new int[g];
    int[] gW = new int[g];
    double[] gBox = new double[g * 4];
    for (int j = 0; j < g; j++) {
      Rle rle = DetectionGeometry.groundTruthMask(gt, gts[j]);
      gCounts[j] = rle.counts();
      gH[j] = rle.height();
      gW[j] = rle.width();
      RleOps.toBbox(gH[j], gW[j], gCounts[j], 0, gCounts[j].length, gBox, j * 4);
    }
    // Detection masks: decoded into one arena per group.
    int total = 0;
    for (int i = 0; i < d; i++) {
      int k = dts[i];
      total += dt.maskHeights[k] >= 0 ? dt.maskLengths[k] : 0;
    }
    int[] arena = new int[total];
    int[] off = new int[d];
    int[] len = new int[d];
    int[] dH = new int[d];
    int[] dW = new int[d];
    int[][] other = new int[d][];
    double[] dBox = new double[d * 4];
    int p = 0;
    for (int i = 0; i < d; i++) {
      int k = dts[i];
      if (dt.maskHeights[k] >= 0) {
        int n = RleCodec.decodeInto(dt.maskArena, dt.maskStarts[k], dt.maskLengths[k], arena, p);
        off[i] = p;
        len[i] = n;
        dH[i] = dt.maskHeights[k];
        dW[i] = dt.maskWidths[k];
        p += n;
      } else {
        Rle rle = DetectionGeometry.mask(gt, dt, k);
        other[i] = rle.counts();
        len[i] = other[i].length;
        dH[i] = rle.height();
        dW[i] = rle.width();
      }
      int[] src = other[i] != null ? other[i] : arena;
      RleOps.toBbox(dH[i], dW[i], src, off[i], len[i], dBox, i * 4);
    }
    for (int i = 0; i < d; i++) {
      int[] src = other[i] != null ? other[i] : arena;
      for (int j = 0; j < g; j++) {
        ious[i * g + j] = MaskIou.iou(dH[i], dW[i], src, off[i], len[i], dBox, i * 4,
            gH[j], gW[j], gCounts[j], 0, gCounts[j].length, gBox, j * 4, gt.crowd[gts[j]]);
      }
    }
  }
}
