package io.zoobench.jobs.spark;

import io.zoobench.eval.ImageDetections;
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
final class DetectionBlock extends DetectionColumns {
  private static final long serialVersionUID = 1L;

  /** The predictions table's columns a block reads, in the order {@link #add(Row, boolean)} reads them. */
  static final String[] COLUMNS = {"image_id", "category_id", "bbox", "score", "segmentation",
      "det_index"};
  static final int IMAGE_ID = 0;
  private static final int CATEGORY_ID = 1;
  private static final int BBOX = 2;
  private static final int SCORE = 3;
  private static final int SEGMENTATION = 4;
  private static final int DET_INDEX = 5;

  final long imageId;
  long[] detIndex;

  DetectionBlock(long imageId) {
    super(8);
    this.imageId = imageId;
    detIndex = new long[8];
  }

  @Override
  void resize(int capacity) {
    detIndex = Arrays.copyOf(detIndex, capacity);
  }

  /**
   * Appends a row of the predictions' {@link #COLUMNS}; the segmentation may be left null
   * ({@code withMasks == false}).
   */
  void add(Row r, boolean withMasks) {
    double[] box = null;
    boolean empty = false;
    if (!r.isNullAt(BBOX)) {
      List<Object> bb = r.getList(BBOX);
      empty = bb.isEmpty();
      if (!empty) {
        box = new double[4];
        for (int c = 0; c < 4; c++) {
          box[c] = ((Number) bb.get(c)).doubleValue();
        }
      }
    }
    int i = append(r.getLong(CATEGORY_ID), box, 0,
        r.isNullAt(SCORE) ? Double.NaN : r.getDouble(SCORE));
    if (empty) {
      ImageDetections.markEmptyBox(boxes, i);
    }
    detIndex[i] = r.getLong(DET_INDEX);
    if (withMasks && !r.isNullAt(SEGMENTATION)) {
      Row seg = r.getStruct(SEGMENTATION);
      List<Object> size2 = seg.getList(0);
      byte[] counts = seg.getString(1).getBytes(StandardCharsets.ISO_8859_1);
      putMask(i, ((Number) size2.get(0)).intValue(), ((Number) size2.get(1)).intValue(), counts,
          0, counts.length);
    }
  }

  /** Appends record {@code i} of {@code chunk} (this block's image). */
  void add(PredictionChunk chunk, int i, boolean withMasks) {
    int k = appendFrom(chunk, i, withMasks); // may grow detIndex: index first
    detIndex[k] = chunk.firstRecord + i;
  }

  /** Appends {@code other}'s detections (same image); returns this. */
  DetectionBlock merge(DetectionBlock other) {
    ensure(size + other.size);
    for (int j = 0; j < other.size; j++) {
      int k = appendFrom(other, j, true);
      detIndex[k] = other.detIndex[j];
    }
    return this;
  }

  /** The {@code det_index} of the detection at {@code position} of {@link #toDetections}. */
  long detIndexAt(int position) {
    long[] sorted = Arrays.copyOf(detIndex, size);
    Arrays.sort(sorted);
    return sorted[position];
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
