package io.zoobench.eval;

import io.zoobench.coco.Segmentation;
import io.zoobench.mask.Rle;

/**
 * What a detection's box, area and mask are once pycocotools' {@code loadRes} has completed
 * its record ({@link LoadRes}): the box for box IoU (the result's, or {@code toBbox} of its
 * mask), the area for the area ranges (w·h or the mask's pixel count), and the mask for mask
 * IoU (its RLE, its polygons rasterised at the image size, or its box's rectangle). Also the
 * ground truth's masks, as {@code annToRLE} makes them. Per group, for the matcher.
 */
final class DetectionGeometry {
  private DetectionGeometry() {}

  /**
   * Fills the kept detections' areas as loadRes defines them and returns their boxes for box
   * IoU: the result's bbox, or the mask's box when the result has none.
   */
  static double[] boxesAndAreas(EvalParams params,
      ImageGroundTruth gt, ImageDetections dt, int[] dts, int d, double[] dArea) {
    double[] boxes = new double[d * 4];
    boolean emptyFails = LoadRes.emptyBoxFails(params, dt.areaFromMask);
    for (int i = 0; i < d; i++) {
      int k = dts[i];
      if (emptyFails && ImageDetections.isEmptyBox(dt.bboxes, k)) {
        throw new LoadRes.EmptyBoxInIou(dt.imageId, k);
      }
      boolean hasBox = !Double.isNaN(dt.bboxes[k * 4]);
      if (hasBox) {
        System.arraycopy(dt.bboxes, k * 4, boxes, i * 4, 4);
      }
      if (dt.areaFromMask || !hasBox) {
        Rle rle = mask(gt, dt, k);
        if (dt.areaFromMask) {
          dArea[i] = rle.area();
        }
        if (!hasBox) {
          double[] bb = rle.toBbox();
          System.arraycopy(bb, 0, boxes, i * 4, 4);
        }
      }
      if (!dt.areaFromMask) {
        dArea[i] = dt.bboxes[k * 4 + 2] * dt.bboxes[k * 4 + 3];
      }
    }
    return boxes;
  }

  static Rle groundTruthMask(ImageGroundTruth gt, int ann) {
    Segmentation s = gt.segmentations == null ? null : gt.segmentations[ann];
    if (s == null) {
      throw new IllegalStateException(
          "annotation " + gt.annIds[ann] + " of image " + gt.imageId + " has no segmentation");
    }
    return s.toRle(gt.height, gt.width);
  }

  /**
   * A detection's mask: its compressed RLE, its polygons, or (pycocotools' loadRes for results
   * without a segmentation) its box's rectangle polygon {@code [x1,y1, x1,y2, x2,y2, x2,y1]},
   * which is what {@link Rle#fromBbox} rasterises.
   */
  static Rle mask(ImageGroundTruth gt, ImageDetections dt, int k) {
    if (dt.maskHeights[k] >= 0) {
      return Rle.fromCompressed(dt.maskArena, dt.maskStarts[k], dt.maskLengths[k],
          dt.maskHeights[k], dt.maskWidths[k]);
    }
    if (dt.polygonMasks != null && dt.polygonMasks[k] != null) {
      return dt.polygonMasks[k].toRle(gt.height, gt.width);
    }
    double x1 = dt.bboxes[k * 4];
    double y1 = dt.bboxes[k * 4 + 1];
    if (Double.isNaN(x1)) {
      throw new IllegalStateException(
          "a detection of image " + dt.imageId + " has neither a box nor a mask");
    }
    return Rle.fromBbox(x1, y1, dt.bboxes[k * 4 + 2], dt.bboxes[k * 4 + 3], gt.height, gt.width);
  }
}
