package io.zoobench.jobs.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import scala.Tuple2;

/**
 * The checked predictions of one byte range of a results file, column-wise and in file order:
 * what an import task parses once and keeps (cached by Spark) for both of its uses, the
 * predictions table ({@link PredictionsParquet}) and the evaluation's per-image blocks
 * ({@link #blocks}).
 * Primitive arrays and one byte arena for the masks' compressed counts: ~72 bytes per
 * detection plus its counts, no object per detection.
 */
final class PredictionChunk implements Serializable {
  private static final long serialVersionUID = 1L;

  /** {@code det_index} of the first record: its position in the whole file. */
  final long firstRecord;
  int size;
  long[] imageIds = new long[16];
  long[] categoryIds = new long[16];
  /** Four numbers per record; NaN for a record without a bbox (JSON has no NaN). */
  double[] boxes = new double[64];
  double[] scores = new double[16];
  /** −1 for a record without a mask. */
  int[] maskHeights = new int[16];
  int[] maskWidths = new int[16];
  int[] maskStarts = new int[16];
  int[] maskLengths = new int[16];
  byte[] arena = new byte[0];
  int arenaSize;

  PredictionChunk(long firstRecord) {
    this.firstRecord = firstRecord;
  }

  /** Appends a record; {@code box} may be null, {@code counts} null for no mask. */
  void add(long imageId, long categoryId, double[] box, double score, int maskHeight,
      int maskWidth, byte[] counts) {
    if (size == imageIds.length) {
      int n = size * 2;
      imageIds = Arrays.copyOf(imageIds, n);
      categoryIds = Arrays.copyOf(categoryIds, n);
      boxes = Arrays.copyOf(boxes, n * 4);
      scores = Arrays.copyOf(scores, n);
      maskHeights = Arrays.copyOf(maskHeights, n);
      maskWidths = Arrays.copyOf(maskWidths, n);
      maskStarts = Arrays.copyOf(maskStarts, n);
      maskLengths = Arrays.copyOf(maskLengths, n);
    }
    int i = size++;
    imageIds[i] = imageId;
    categoryIds[i] = categoryId;
    if (box == null) {
      Arrays.fill(boxes, i * 4, i * 4 + 4, Double.NaN);
    } else {
      System.arraycopy(box, 0, boxes, i * 4, 4);
    }
    scores[i] = score;
    maskHeights[i] = -1;
    if (counts != null) {
      if (arenaSize + counts.length > arena.length) {
        arena = Arrays.copyOf(arena, Math.max(arenaSize + counts.length, arena.length * 2 + 4096));
      }
      System.arraycopy(counts, 0, arena, arenaSize, counts.length);
      maskHeights[i] = maskHeight;
      maskWidths[i] = maskWidth;
      maskStarts[i] = arenaSize;
      maskLengths[i] = counts.length;
      arenaSize += counts.length;
    }
  }

  boolean hasBox(int i) {
    return !Double.isNaN(boxes[i * 4]);
  }

  /**
   * The records grouped by image as the evaluation's map-side blocks, images in first-seen
   * order; masks are copied only when {@code withMasks}.
   */
  Iterator<Tuple2<Long, DetectionBlock>> blocks(boolean withMasks) {
    Map<Long, DetectionBlock> byId = new HashMap<>();
    List<Tuple2<Long, DetectionBlock>> out = new ArrayList<>();
    DetectionBlock b = null;
    for (int i = 0; i < size; i++) {
      long id = imageIds[i];
      // results files are mostly grouped by image: look up only when the image changes
      if (b == null || b.imageId != id) {
        b = byId.get(id);
        if (b == null) {
          b = new DetectionBlock(id);
          byId.put(id, b);
          out.add(new Tuple2<>(id, b));
        }
      }
      b.add(this, i, withMasks);
    }
    return out.iterator();
  }
}
