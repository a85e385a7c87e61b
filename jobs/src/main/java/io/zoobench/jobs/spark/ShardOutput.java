package io.zoobench.jobs.spark;

import io.zoobench.jobs.tables.FailureRow;
import io.zoobench.jobs.tables.TimingRow;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.sql.Row;

/**
 * What one inference shard produced, as its task leaves it in the run's checkpoint folder
 * ({@link ShardCheckpoints}): the predictions column-wise (image, {@code det_index}, and the
 * shared detection columns), the shard's {@code timings} row, the images that failed, and the
 * number of masks. Serializable in bulk (primitive arrays); its {@link #summary()} (no
 * predictions) is what the driver reads to plan and report.
 */
final class ShardOutput extends DetectionColumns {
  private static final long serialVersionUID = 1L;

  final int shardId;
  long[] imageIds = new long[64];
  long[] detIndex = new long[64];
  TimingRow timing;
  List<FailureRow> failures = List.of();
  long masks;
  /** Predictions of the shard (kept by the summary, which holds none of them). */
  long predictions;

  ShardOutput(int shardId) {
    super(64);
    this.shardId = shardId;
  }

  @Override
  void resize(int capacity) {
    imageIds = Arrays.copyOf(imageIds, capacity);
    detIndex = Arrays.copyOf(detIndex, capacity);
  }

  /** Appends a detection; {@code counts} null for no mask. */
  void add(long imageId, long detIndex, long categoryId, double[] box, double score, int h,
      int w, byte[] counts) {
    int i = append(categoryId, box, 0, score);
    imageIds[i] = imageId;
    this.detIndex[i] = detIndex;
    predictions++;
    if (counts != null) {
      putMask(i, h, w, counts, 0, counts.length);
      masks++;
    }
  }

  /** The predictions as rows of the predictions table of run {@code runId}. */
  Iterator<Row> rows(String runId) {
    return new Iterator<>() {
      private int i;

      @Override
      public boolean hasNext() {
        return i < size;
      }

      @Override
      public Row next() {
        if (i >= size) {
          throw new NoSuchElementException();
        }
        int k = i++;
        return predictionRow(runId, imageIds[k], k, detIndex[k]);
      }
    };
  }

  /** The shard without its predictions: what the driver needs to plan and report. */
  ShardOutput summary() {
    ShardOutput s = new ShardOutput(shardId);
    s.timing = timing;
    s.failures = failures;
    s.masks = masks;
    s.predictions = predictions;
    return s;
  }

  @Override
  public String toString() {
    return "ShardOutput[shard " + shardId + ", " + predictions + " predictions]";
  }
}
