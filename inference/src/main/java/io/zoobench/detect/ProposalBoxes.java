package io.zoobench.detect;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The precomputed proposals of a Fast R-CNN run, per image: {@code K × 4} floats x1, y1, x2,
 * y2 in original-image pixels, at most the run's top-k of each image in the proposal run's
 * order. Held as a sorted id array and one box array per image (no boxing; a COCO val set at
 * 1000 proposals per image is 80 MB) and shipped once per executor. An image the proposal run
 * has nothing for gets no proposals, and so no detections, as in MMDetection.
 */
public final class ProposalBoxes implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final float[] NONE = new float[0];

  private final long[] imageIds;
  private final float[][] boxes;

  /**
   * @param imageIds image ids in ascending order, each once
   * @param boxes each image's boxes, {@code 4 × K} floats
   */
  public ProposalBoxes(long[] imageIds, float[][] boxes) {
    if (imageIds.length != boxes.length) {
      throw new IllegalArgumentException(imageIds.length + " ids for " + boxes.length
          + " box arrays");
    }
    for (int i = 1; i < imageIds.length; i++) {
      if (imageIds[i] <= imageIds[i - 1]) {
        throw new IllegalArgumentException("image ids not ascending at " + i);
      }
    }
    this.imageIds = imageIds;
    this.boxes = boxes;
  }

  /** The boxes of image {@code id} ({@code 4 × K} floats; empty when it has none). */
  public float[] of(long id) {
    int i = Arrays.binarySearch(imageIds, id);
    return i < 0 ? NONE : boxes[i];
  }

  /** Images with at least one proposal. */
  public int images() {
    return imageIds.length;
  }

  /** Proposals over all images. */
  public long count() {
    long n = 0;
    for (float[] b : boxes) {
      n += b.length / 4;
    }
    return n;
  }
}
