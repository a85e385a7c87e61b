package io.zoobench.jobs.spark;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Detections column-wise, growing as records are appended: category, box (four numbers, NaN
 * for none), score and an optional mask (size and compressed counts in one byte arena). The
 * shared layout of an import's {@link PredictionChunk} (file order) and the evaluation's
 * per-image {@link DetectionBlock}; each adds its own key column ({@link #resize}).
 */
abstract class DetectionColumns implements Serializable {
  private static final long serialVersionUID = 1L;

  int size;
  long[] categories;
  double[] boxes;
  double[] scores;
  /** −1 for a record without a mask. */
  int[] maskHeights;
  int[] maskWidths;
  int[] maskStarts;
  int[] maskLengths;
  byte[] arena = new byte[0];
  int arenaSize;

  DetectionColumns(int capacity) {
    categories = new long[capacity];
    boxes = new double[capacity * 4];
    scores = new double[capacity];
    maskHeights = new int[capacity];
    maskWidths = new int[capacity];
    maskStarts = new int[capacity];
    maskLengths = new int[capacity];
  }

  /** Grows the subclass's own columns to {@code capacity} records. */
  abstract void resize(int capacity);

  /**
   * Appends a record without a mask and returns its position; {@code box} holds four numbers
   * from {@code boxOffset}, or is null.
   */
  final int append(long category, double[] box, int boxOffset, double score) {
    ensure(size + 1);
    int i = size++;
    categories[i] = category;
    if (box == null) {
      Arrays.fill(boxes, i * 4, i * 4 + 4, Double.NaN);
    } else {
      System.arraycopy(box, boxOffset, boxes, i * 4, 4);
    }
    scores[i] = score;
    maskHeights[i] = -1;
    return i;
  }

  /** Gives record {@code i} the mask {@code h×w} whose counts are {@code src[off, off+len)}. */
  final void putMask(int i, int h, int w, byte[] src, int off, int len) {
    if (arenaSize + len > arena.length) {
      arena = Arrays.copyOf(arena, Math.max(arenaSize + len, arena.length * 2 + 256));
    }
    System.arraycopy(src, off, arena, arenaSize, len);
    maskHeights[i] = h;
    maskWidths[i] = w;
    maskStarts[i] = arenaSize;
    maskLengths[i] = len;
    arenaSize += len;
  }

  /** Appends record {@code j} of {@code other} (and its mask when {@code withMask}). */
  final int appendFrom(DetectionColumns other, int j, boolean withMask) {
    int i = append(other.categories[j], other.boxes, j * 4, other.scores[j]);
    if (withMask && other.maskHeights[j] >= 0) {
      putMask(i, other.maskHeights[j], other.maskWidths[j], other.arena, other.maskStarts[j],
          other.maskLengths[j]);
    }
    return i;
  }

  /**
   * Record {@code k} as a row of the predictions table (a box given as {@code []} stays an
   * empty list, a missing score null).
   */
  final org.apache.spark.sql.Row predictionRow(String runId, long imageId, int k,
      long detIndex) {
    double[] box = io.zoobench.eval.ImageDetections.isEmptyBox(boxes, k) ? new double[0]
        : hasBox(k) ? Arrays.copyOfRange(boxes, k * 4, k * 4 + 4) : null;
    org.apache.spark.sql.Row mask = maskHeights[k] < 0 ? null
        : org.apache.spark.sql.RowFactory.create(new int[] {maskHeights[k], maskWidths[k]},
            new String(arena, maskStarts[k], maskLengths[k],
                java.nio.charset.StandardCharsets.ISO_8859_1));
    return org.apache.spark.sql.RowFactory.create(runId, imageId, categories[k], box,
        Double.isNaN(scores[k]) ? null : scores[k], mask, detIndex);
  }

  final boolean hasBox(int i) {
    return !Double.isNaN(boxes[i * 4]);
  }

  final void ensure(int capacity) {
    if (capacity <= scores.length) {
      return;
    }
    int n = Math.max(capacity, scores.length * 2);
    categories = Arrays.copyOf(categories, n);
    boxes = Arrays.copyOf(boxes, n * 4);
    scores = Arrays.copyOf(scores, n);
    maskHeights = Arrays.copyOf(maskHeights, n);
    maskWidths = Arrays.copyOf(maskWidths, n);
    maskStarts = Arrays.copyOf(maskStarts, n);
    maskLengths = Arrays.copyOf(maskLengths, n);
    resize(n);
  }
}
