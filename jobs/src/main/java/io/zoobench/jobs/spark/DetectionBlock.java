package io.zoobench.jobs.spark;

import io.zoobench.eval.ImageDetections;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;

/**
 * The prediction rows of one image that one partition holds, column-wise: what travels through
 * the shuffle by image id instead of one serialized row object per detection (primitive arrays
 * serialize in bulk). Blocks of the same image merge; {@link #toDetections} restores the
 * results-file order ({@code det_index}) that breaks score ties.
 */
final class DetectionBlock implements Serializable {
  private static final long serialVersionUID = 1L;

  final long imageId;
  int size;
  long[] detIndex;
  long[] categories;
  double[] boxes;
  double[] scores;
  int[] maskHeights;
  int[] maskWidths;
  int[] maskStarts;
  int[] maskLengths;
  byte[] arena;
  int arenaSize;

  DetectionBlock(long imageId) {
    this.imageId = imageId;
    int cap = 8;
    detIndex = new long[cap];
    categories = new long[cap];
    boxes = new double[cap * 4];
    scores = new double[cap];
    maskHeights = new int[cap];
    maskWidths = new int[cap];
    maskStarts = new int[cap];
    maskLengths = new int[cap];
    arena = new byte[0];
  }

  /**
   * Appends a row {@code (image_id, category_id, bbox, score, segmentation, det_index)}; the
   * segmentation column may be absent ({@code withMasks == false}).
   */
  void add(Row r, boolean withMasks) {
    ensure(size + 1);
    int i = size++;
    categories[i] = r.getLong(1);
    if (r.isNullAt(2)) {
      Arrays.fill(boxes, i * 4, i * 4 + 4, Double.NaN);
    } else {
      List<Object> bb = r.getList(2);
      for (int c = 0; c < 4; c++) {
        boxes[i * 4 + c] = ((Number) bb.get(c)).doubleValue();
      }
    }
    scores[i] = r.getDouble(3);
    detIndex[i] = r.getLong(5);
    maskHeights[i] = -1;
    if (withMasks && !r.isNullAt(4)) {
      Row seg = r.getStruct(4);
      List<Object> size2 = seg.getList(0);
      byte[] counts = seg.getString(1).getBytes(StandardCharsets.ISO_8859_1);
      putMask(i, ((Number) size2.get(0)).intValue(), ((Number) size2.get(1)).intValue(), counts,
          0, counts.length);
    }
  }

  /** Appends record {@code i} of {@code chunk} (this block's image). */
  void add(PredictionChunk chunk, int i, boolean withMasks) {
    ensure(size + 1);
    int k = size++;
    categories[k] = chunk.categoryIds[i];
    System.arraycopy(chunk.boxes, i * 4, boxes, k * 4, 4);
    scores[k] = chunk.scores[i];
    detIndex[k] = chunk.firstRecord + i;
    maskHeights[k] = -1;
    if (withMasks && chunk.maskHeights[i] >= 0) {
      putMask(k, chunk.maskHeights[i], chunk.maskWidths[i], chunk.arena, chunk.maskStarts[i],
          chunk.maskLengths[i]);
    }
  }

  private void putMask(int i, int h, int w, byte[] src, int off, int len) {
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

  private void ensure(int cap) {
    if (cap <= detIndex.length) {
      return;
    }
    int n = Math.max(cap, detIndex.length * 2);
    detIndex = Arrays.copyOf(detIndex, n);
    categories = Arrays.copyOf(categories, n);
    boxes = Arrays.copyOf(boxes, n * 4);
    scores = Arrays.copyOf(scores, n);
    maskHeights = Arrays.copyOf(maskHeights, n);
    maskWidths = Arrays.copyOf(maskWidths, n);
    maskStarts = Arrays.copyOf(maskStarts, n);
    maskLengths = Arrays.copyOf(maskLengths, n);
  }

  /** Appends {@code other}'s detections (same image); returns this. */
  DetectionBlock merge(DetectionBlock other) {
    ensure(size + other.size);
    for (int j = 0; j < other.size; j++) {
      int i = size++;
      detIndex[i] = other.detIndex[j];
      categories[i] = other.categories[j];
      System.arraycopy(other.boxes, j * 4, boxes, i * 4, 4);
      scores[i] = other.scores[j];
      maskHeights[i] = -1;
      if (other.maskHeights[j] >= 0) {
        putMask(i, other.maskHeights[j], other.maskWidths[j], other.arena, other.maskStarts[j],
            other.maskLengths[j]);
      }
    }
    return this;
  }

  /** The image's detections in results-file order. */
  ImageDetections toDetections(boolean areaFromMask) {
    // det_index < 2^40 (file positions), slot < 2^23 (one image's detections): one long key
    long[] keys = new long[size];
    for (int i = 0; i < size; i++) {
      keys[i] = (detIndex[i] << 23) | i;
    }
    Arrays.sort(keys);
    int[] order = new int[size];
    for (int i = 0; i < size; i++) {
      order[i] = (int) (keys[i] & ((1 << 23) - 1));
    }
    long[] cats = new long[size];
    double[] bx = new double[size * 4];
    double[] sc = new double[size];
    int[] mh = new int[size];
    int[] mw = new int[size];
    int[] ms = new int[size];
    int[] ml = new int[size];
    for (int k = 0; k < size; k++) {
      int i = order[k];
      cats[k] = categories[i];
      System.arraycopy(boxes, i * 4, bx, k * 4, 4);
      sc[k] = scores[i];
      mh[k] = maskHeights[i];
      mw[k] = maskWidths[i];
      ms[k] = maskStarts[i];
      ml[k] = maskLengths[i];
    }
    return new ImageDetections(imageId, cats, bx, sc, mh, mw, ms, ml, arena, null, areaFromMask);
  }
}
