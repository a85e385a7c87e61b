package io.zoobench.eval;

import io.zoobench.coco.Segmentation;
import java.io.Serializable;

/**
 * The ground truth of one image, column-wise and in file order: what {@link ImageMatcher}
 * needs to evaluate that image, and nothing else. Serializable so that Spark can ship it to the
 * executor that matches the image.
 *
 * <p>{@code crowd} is pycocotools' {@code iscrowd} (and therefore {@code ignore});
 * {@code area} is the file's {@code area} field, never recomputed. {@code segmentations} may be
 * {@code null} for box evaluation.
 */
public final class ImageGroundTruth implements Serializable {
  private static final long serialVersionUID = 1L;

  final long imageId;
  final int height;
  final int width;
  final int size;
  final long[] annIds;
  final long[] categoryIds;
  final double[] bboxes;
  final double[] areas;
  final boolean[] crowd;
  final Segmentation[] segmentations;

  /** Takes ownership of the arrays (length {@code size}; {@code bboxes} 4 per annotation). */
  public ImageGroundTruth(
      long imageId, int height, int width, long[] annIds, long[] categoryIds, double[] bboxes,
      double[] areas, boolean[] crowd, Segmentation[] segmentations) {
    this.imageId = imageId;
    this.height = height;
    this.width = width;
    this.size = annIds.length;
    this.annIds = annIds;
    this.categoryIds = categoryIds;
    this.bboxes = bboxes;
    this.areas = areas;
    this.crowd = crowd;
    this.segmentations = segmentations;
  }

  /** An image without annotations. */
  public static ImageGroundTruth empty(long imageId, int height, int width) {
    return new ImageGroundTruth(imageId, height, width, new long[0], new long[0], new double[0],
        new double[0], new boolean[0], new Segmentation[0]);
  }

  public long imageId() {
    return imageId;
  }

  public int height() {
    return height;
  }

  public int width() {
    return width;
  }

  public int size() {
    return size;
  }
}
