package io.zoobench.detect;

import io.zoobench.mask.Rle;

/**
 * One image's detections after post-processing, column by column: boxes as COCO
 * {@code [x, y, w, h]} doubles in original-image pixels, scores, COCO category ids, and masks
 * as RLE (null when the model has none). Ordered by descending score (ties keep the model's
 * order), at most the spec's {@code max_detections}.
 */
public final class Detections {
  private final double[] boxes;
  private final double[] scores;
  private final long[] categories;
  private final Rle[] masks;

  Detections(double[] boxes, double[] scores, long[] categories, Rle[] masks) {
    this.boxes = boxes;
    this.scores = scores;
    this.categories = categories;
    this.masks = masks;
  }

  public int size() {
    return scores.length;
  }

  /** Coordinate {@code k} (0 x, 1 y, 2 w, 3 h) of detection {@code i}. */
  public double box(int i, int k) {
    return boxes[4 * i + k];
  }

  public double score(int i) {
    return scores[i];
  }

  public long category(int i) {
    return categories[i];
  }

  public boolean hasMasks() {
    return masks != null;
  }

  /** The mask of detection {@code i}, at the original image size; null without masks. */
  public Rle mask(int i) {
    return masks == null ? null : masks[i];
  }
}
