package io.zoobench.jobs.spark;

import io.zoobench.eval.ImageDetections;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import scala.Tuple2;

/**
 * The checked predictions of one byte range of a results file, column-wise and in file order:
 * what an import task parses once and keeps (cached by Spark) for both of its uses, the
 * predictions table ({@link PredictionsParquet}) and the evaluation's per-image blocks
 * ({@link #blocks}).
 * Primitive arrays ({@link DetectionColumns}) and one byte arena for the masks' compressed
 * counts: ~72 bytes per detection plus its counts, no object per detection.
 */
final class PredictionChunk extends DetectionColumns {
  private static final long serialVersionUID = 1L;

  /** {@code det_index} of the first record: its position in the whole file. */
  final long firstRecord;
  long[] imageIds = new long[16];
  /** Records of categories the ground truth does not have (never evaluated). */
  int unknownCategories;
  /** Records without a segmentation (mask evaluation uses the rectangles of their boxes). */
  int withoutMasks;

  /**
   * What the chunks of a written table hold, counted as the write reads them (an action, so a
   * retried task counts once).
   */
  static final class Counts implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    final org.apache.spark.util.LongAccumulator records;
    final org.apache.spark.util.LongAccumulator unknownCategories;
    final org.apache.spark.util.LongAccumulator withoutMasks;

    Counts(org.apache.spark.SparkContext sc) {
      records = sc.longAccumulator("records");
      unknownCategories = sc.longAccumulator("records of unknown categories");
      withoutMasks = sc.longAccumulator("records without masks");
    }

    void add(PredictionChunk c) {
      records.add(c.size);
      unknownCategories.add(c.unknownCategories);
      withoutMasks.add(c.withoutMasks);
    }
  }

  PredictionChunk(long firstRecord) {
    super(16);
    this.firstRecord = firstRecord;
  }

  @Override
  void resize(int capacity) {
    imageIds = Arrays.copyOf(imageIds, capacity);
  }

  /**
   * Appends a record; {@code box} may be null ({@code emptyBox}: the file had {@code []}),
   * {@code counts} null for no mask.
   */
  void add(long imageId, long categoryId, double[] box, boolean emptyBox, double score,
      int maskHeight, int maskWidth, byte[] counts) {
    int i = append(categoryId, box, 0, score);
    if (emptyBox) {
      io.zoobench.eval.ImageDetections.markEmptyBox(boxes, i);
    }
    imageIds[i] = imageId;
    if (counts != null) {
      putMask(i, maskHeight, maskWidth, counts, 0, counts.length);
    }
  }

  /**
   * The records as rows of the predictions table of run {@code runId} (a box given as
   * {@code []} stays an empty list, a missing score null), counted into {@code counts} (the
   * write that consumes them is an action: a retried task counts once).
   */
  Iterator<Row> rows(String runId, Counts counts) {
    counts.add(this);
    return new Iterator<>() {
      private int i;

      @Override
      public boolean hasNext() {
        return i < size;
      }

      @Override
      public Row next() {
        if (i >= size) {
          throw new java.util.NoSuchElementException();
        }
        int k = i++;
        return predictionRow(runId, imageIds[k], k, firstRecord + k);
      }
    };
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
