package io.zoobench.eval;

import java.io.Serializable;
import java.util.Arrays;

/**
 * pycocotools' {@code accumulate} for one category (or the class-agnostic group): collects the
 * category's per-image outcomes and turns them into precision/recall curves.
 *
 * <p>It is mergeable and order-independent, which is what lets Spark accumulate categories on
 * executors: pycocotools concatenates per-image lists in ascending image id order and
 * stable-sorts them by score, so the final order is fixed by (score desc, image id, rank in the
 * image) however the parts arrive. {@link #add} and {@link #merge} only append; {@link #finish}
 * restores that order.
 *
 * <pre>{@code
 * CategoryAccumulator acc = new CategoryAccumulator(params, categoryId);
 * for (ImageEvaluation e : images) acc.add(e);
 * CategoryCurves curves = acc.finish();
 * }</pre>
 */
public final class CategoryAccumulator implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final double EPS = Math.ulp(1.0); // np.spacing(1)

  private final EvalParams params;
  private final long categoryId;
  private final int stride;
  private long[] chunkImage = new long[16];
  private int[] chunkStart = new int[17];
  private int chunks;
  private double[] scores = new double[16];
  private byte[] status;
  private int entries;
  private final long[] nonIgnored;

  public CategoryAccumulator(EvalParams params, long categoryId) {
    this.params = params;
    this.categoryId = categoryId;
    this.stride = params.areaCount() * params.iouThrCount();
    this.status = new byte[16 * stride];
    this.nonIgnored = new long[params.areaCount()];
  }

  public long categoryId() {
    return categoryId;
  }

  /** Adds this category's group of {@code e}, if the image has one. */
  public CategoryAccumulator add(ImageEvaluation e) {
    for (int j = 0; j < e.groupCount(); j++) {
      if (e.groupCategory[j] == categoryId) {
        addGroup(e, j);
        return this;
      }
    }
    return this;
  }

  /** Adds group {@code j} of {@code e}, which must be of this accumulator's category. */
  public CategoryAccumulator addGroup(ImageEvaluation e, int j) {
    if (e.groupCategory[j] != categoryId) {
      throw new IllegalArgumentException(
          "group of category " + e.groupCategory[j] + " added to accumulator of " + categoryId);
    }
    if (e.areaCount * e.iouCount != stride) {
      throw new IllegalArgumentException("image evaluation made with other parameters");
    }
    int from = e.groupStart[j];
    int d = e.groupStart[j + 1] - from;
    appendChunk(e.imageId, e.scores, from, d, e.status, from * stride);
    for (int a = 0; a < nonIgnored.length; a++) {
      nonIgnored[a] += e.npig[j * e.areaCount + a];
    }
    return this;
  }

  /** Appends everything {@code other} collected (of the same category). */
  public CategoryAccumulator merge(CategoryAccumulator other) {
    if (other.categoryId != categoryId || other.stride != stride) {
      throw new IllegalArgumentException("cannot merge accumulators of different categories");
    }
    for (int c = 0; c < other.chunks; c++) {
      int from = other.chunkStart[c];
      int d = other.chunkStart[c + 1] - from;
      appendChunk(other.chunkImage[c], other.scores, from, d, other.status, from * stride);
    }
    for (int a = 0; a < nonIgnored.length; a++) {
      nonIgnored[a] += other.nonIgnored[a];
    }
    return this;
  }

  private void appendChunk(long imageId, double[] src, int from, int d, byte[] st, int stFrom) {
    if (chunks == chunkImage.length) {
      chunkImage = Arrays.copyOf(chunkImage, chunks * 2);
      chunkStart = Arrays.copyOf(chunkStart, chunks * 2 + 1);
    }
    if (entries + d > scores.length) {
      int cap = Math.max(entries + d, scores.length * 2);
      scores = Arrays.copyOf(scores, cap);
      status = Arrays.copyOf(status, cap * stride);
    }
    System.arraycopy(src, from, scores, entries, d);
    System.arraycopy(st, stFrom, status, entries * stride, d * stride);
    chunkImage[chunks] = imageId;
    chunkStart[chunks] = entries;
    entries += d;
    chunks++;
    chunkStart[chunks] = entries;
  }

  /** Number of detections collected. */
  public int size() {
    return entries;
  }

  /** Precision and recall curves of this category, as {@code accumulate} fills them. */
  public CategoryCurves finish() {
    int areaCount = params.areaCount();
    int iouCount = params.iouThrCount();
    int recCount = params.recThrCount();
    int maxCount = params.maxDetCount();
    double[] precision = new double[iouCount * recCount * areaCount * maxCount];
    double[] recall = new double[iouCount * areaCount * maxCount];
    Arrays.fill(precision, -1.0);
    Arrays.fill(recall, -1.0);

    // canonical order: chunks by image id, then stable by descending score
    int[] chunkOrder = chunkOrderByImage();
    int[] pos = new int[entries];
    int[] rank = new int[entries];
    int n = 0;
    for (int c : chunkOrder) {
      for (int e = chunkStart[c]; e < chunkStart[c + 1]; e++) {
        pos[n] = e;
        rank[e] = e - chunkStart[c];
        n++;
      }
    }
    StableSort.byDescendingKey(pos, 0, n, scores);

    int[] kept = new int[n];
    double[] rc = new double[n];
    double[] pr = new double[n];
    for (int m = 0; m < maxCount; m++) {
      int maxDet = params.maxDet(m);
      int nk = 0;
      for (int i = 0; i < n; i++) {
        if (rank[pos[i]] < maxDet) {
          kept[nk++] = pos[i];
        }
      }
      for (int a = 0; a < areaCount; a++) {
        long npig = nonIgnored[a];
        if (npig == 0) {
          continue;
        }
        for (int t = 0; t < iouCount; t++) {
          int col = a * iouCount + t;
          double tp = 0;
          double fp = 0;
          int nd = 0;
          for (int i = 0; i < nk; i++) {
            byte s = status[kept[i] * stride + col];
            if (s == ImageEvaluation.IGNORED) {
              continue; // repeats the previous point of the curve; changes nothing
            }
            if (s == ImageEvaluation.TRUE_POSITIVE) {
              tp++;
            } else {
              fp++;
            }
            rc[nd] = tp / npig;
            pr[nd] = tp / (fp + tp + EPS);
            nd++;
          }
          recall[(t * areaCount + a) * maxCount + m] = nd > 0 ? rc[nd - 1] : 0.0;
          for (int i = nd - 1; i > 0; i--) {
            if (pr[i] > pr[i - 1]) {
              pr[i - 1] = pr[i];
            }
          }
          // np.searchsorted(rc, recThrs, side='left'); thresholds past the last recall get 0
          int i = 0;
          for (int r = 0; r < recCount; r++) {
            double thr = params.recThr(r);
            while (i < nd && rc[i] < thr) {
              i++;
            }
            precision[((t * recCount + r) * areaCount + a) * maxCount + m] = i < nd ? pr[i] : 0.0;
          }
        }
      }
    }
    return new CategoryCurves(categoryId, iouCount, recCount, areaCount, maxCount, precision,
        recall, nonIgnored.clone());
  }

  private int[] chunkOrderByImage() {
    long[] keys = Arrays.copyOf(chunkImage, chunks);
    int[] order = new int[chunks];
    boolean sorted = true;
    for (int c = 1; c < chunks; c++) {
      if (keys[c] <= keys[c - 1]) {
        sorted = false;
        break;
      }
    }
    for (int c = 0; c < chunks; c++) {
      order[c] = c;
    }
    if (!sorted) {
      Integer[] boxed = new Integer[chunks];
      for (int c = 0; c < chunks; c++) {
        boxed[c] = c;
      }
      Arrays.sort(boxed, (x, y) -> Long.compare(keys[x], keys[y]));
      for (int c = 0; c < chunks; c++) {
        order[c] = boxed[c];
        if (c > 0 && keys[order[c]] == keys[order[c - 1]]) {
          throw new IllegalStateException(
              "image " + keys[order[c]] + " was added twice to category " + categoryId);
        }
      }
    }
    return order;
  }
}
