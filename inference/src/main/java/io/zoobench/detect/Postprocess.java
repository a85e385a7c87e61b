package io.zoobench.detect;

import io.zoobench.eval.StableSort;
import io.zoobench.mask.Rle;
import io.zoobench.zoo.ModelSpec;

/**
 * Turns {@link RawDetections} into {@link Detections}: boxes clipped to the resized image (less
 * a letterbox's padding) and mapped back to original pixels (widths and heights computed in double from the float
 * corners), labels mapped to COCO ids (unmapped labels dropped), scores below the threshold
 * dropped, a stable sort by descending score, the first {@code max_detections} kept, and masks
 * RLE-encoded for the kept detections only.
 */
final class Postprocess {
  private Postprocess() {}

  /**
   * @param classAgnostic proposals: every detection is category 1, whatever its label
   */
  static Detections finish(RawDetections raw, PreparedImage image, ModelSpec spec,
      boolean classAgnostic) {
    int n = raw.size();
    int[] keep = new int[n];
    int kept = 0;
    for (int i = 0; i < n; i++) {
      float s = raw.scores()[i];
      if (s >= spec.scoreThreshold()
          && (classAgnostic || spec.categoryOf(raw.labels()[i]) >= 0)) {
        keep[kept++] = i;
      }
    }
    double[] keys = new double[n];
    for (int i = 0; i < n; i++) {
      keys[i] = raw.scores()[i];
    }
    // stable: equal scores keep the model's order
    int[] order = java.util.Arrays.copyOf(keep, kept);
    StableSort.byDescendingKey(order, 0, kept, keys);
    int m = Math.min(kept, spec.maxDetections());
    double sx = image.scaleX();
    double sy = image.scaleY();
    double[] boxes = new double[4 * m];
    double[] scores = new double[m];
    long[] categories = new long[m];
    Rle[] masks = raw.masks() == null ? null : new Rle[m];
    int plane = raw.maskHeight() * raw.maskWidth();
    for (int j = 0; j < m; j++) {
      int i = order[j];
      double x1 = clip(raw.boxes()[4 * i], image.padLeft(), image.resizedWidth()) / sx;
      double y1 = clip(raw.boxes()[4 * i + 1], image.padTop(), image.resizedHeight()) / sy;
      double x2 = clip(raw.boxes()[4 * i + 2], image.padLeft(), image.resizedWidth()) / sx;
      double y2 = clip(raw.boxes()[4 * i + 3], image.padTop(), image.resizedHeight()) / sy;
      boxes[4 * j] = x1;
      boxes[4 * j + 1] = y1;
      boxes[4 * j + 2] = x2 - x1;
      boxes[4 * j + 3] = y2 - y1;
      scores[j] = raw.scores()[i];
      categories[j] = classAgnostic ? 1 : spec.categoryOf(raw.labels()[i]);
      if (masks != null) {
        masks[j] = Rle.encode(raw.masks(), i * plane, raw.maskHeight(), raw.maskWidth());
      }
    }
    return new Detections(boxes, scores, categories, masks);
  }

  /** {@code v} relative to the resized image at {@code offset}, clipped to {@code [0, max]}. */
  private static double clip(float v, int offset, int max) {
    double d = (double) v - offset;
    return d < 0 ? 0 : Math.min(d, max);
  }
}
