package io.zoobench.eval;

import io.zoobench.coco.Segmentation;
import java.io.Serializable;
import java.util.Arrays;

/**
 * The detections of one image, column-wise and in results-file order, with the information
 * pycocotools' {@code loadRes} attaches: whether the detection {@code area} comes from the box
 * or from the mask. Serializable for Spark.
 *
 * <p>Compressed mask strings are slices of a byte arena: in a single process the arena is the
 * whole results file's, shared by all images (no copy); on Spark each image's block has an arena
 * of its own.
 */
public final class ImageDetections implements Serializable {
  private static final long serialVersionUID = 1L;

  final long imageId;
  final int size;
  final long[] categoryIds;
  /** 4 per detection; NaN where the result has no box ({@link #markEmptyBox} for {@code []}). */
  final double[] bboxes;
  final double[] scores;
  /** Mask height, −1 when the detection has no compressed mask. */
  final int[] maskHeights;
  final int[] maskWidths;
  final int[] maskStarts;
  final int[] maskLengths;
  final byte[] maskArena;
  /** Polygon masks by detection index; {@code null} when there are none. */
  final Segmentation.Polygons[] polygonMasks;
  final boolean areaFromMask;

  /** Takes ownership of the arrays, all of length {@code size} (bboxes 4 per detection). */
  public ImageDetections(
      long imageId, long[] categoryIds, double[] bboxes, double[] scores,
      int[] maskHeights, int[] maskWidths, int[] maskStarts, int[] maskLengths, byte[] maskArena,
      Segmentation.Polygons[] polygonMasks, boolean areaFromMask) {
    this.imageId = imageId;
    this.size = categoryIds.length;
    this.categoryIds = categoryIds;
    this.bboxes = bboxes;
    this.scores = scores;
    this.maskHeights = maskHeights;
    this.maskWidths = maskWidths;
    this.maskStarts = maskStarts;
    this.maskLengths = maskLengths;
    this.maskArena = maskArena;
    this.polygonMasks = polygonMasks;
    this.areaFromMask = areaFromMask;
  }

  /**
   * Marks detection {@code k}'s box as given {@code "bbox": []}: no box (NaN x), and a width of
   * −1, which no real box has (negative sizes are refused when read).
   */
  public static void markEmptyBox(double[] boxes, int k) {
    java.util.Arrays.fill(boxes, k * 4, k * 4 + 4, Double.NaN);
    boxes[k * 4 + 2] = -1;
  }

  /** Whether detection {@code k}'s box was marked by {@link #markEmptyBox}. */
  public static boolean isEmptyBox(double[] boxes, int k) {
    return Double.isNaN(boxes[k * 4]) && boxes[k * 4 + 2] == -1;
  }

  /** An image without detections. */
  public static ImageDetections empty(long imageId, boolean areaFromMask) {
    return new ImageDetections(imageId, new long[0], new double[0], new double[0], new int[0],
        new int[0], new int[0], new int[0], new byte[0], null, areaFromMask);
  }

  public long imageId() {
    return imageId;
  }

  public int size() {
    return size;
  }

  @Override
  public String toString() {
    return "ImageDetections[image " + imageId + ", " + size + " detections, areaFromMask="
        + areaFromMask + ", categories " + Arrays.toString(Arrays.stream(categoryIds).distinct()
        .limit(8).toArray()) + "]";
  }
}
