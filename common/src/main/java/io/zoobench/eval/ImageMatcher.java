package io.zoobench.eval;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Per-image evaluation: pycocotools' {@code computeIoU} + {@code evaluateImg} for every area
 * range of one image, as a pure function of the image's ground truth and detections.
 *
 * <p>It is the unit that runs in parallel: threads of one process, or Spark executors grouped
 * by image. Given the same inputs it returns the same {@link ImageEvaluation}, wherever it runs.
 *
 * <p>Semantics reproduced exactly: detections and GT of an (image, category) in file order
 * (class-agnostic: concatenated in category-id order); a stable sort by score and a cut at
 * maxDets[-1]; greedy matching per threshold where ties go to the later GT, crowds match any
 * number of times, and the scan stops at the first ignored GT once a regular one is held; a GT
 * with id 0 is consumed but its detection counts as a false positive.
 *
 * <pre>{@code
 * ImageMatcher matcher = new ImageMatcher(params, sortedCategoryIds);
 * ImageEvaluation e = matcher.evaluate(imageGroundTruth, imageDetections);
 * }</pre>
 */
public final class ImageMatcher implements Serializable {
  private static final long serialVersionUID = 1L;

  private final EvalParams params;
  private final long[] catIds;
  private final double minThreshold;
  private final double[] thresholds;

  /** @param sortedCategoryIds the evaluated category ids (GT categories), ascending */
  public ImageMatcher(EvalParams params, long[] sortedCategoryIds) {
    this.params = params;
    this.catIds = sortedCategoryIds.clone();
    for (int i = 1; i < catIds.length; i++) {
      if (catIds[i] <= catIds[i - 1]) {
        throw new IllegalArgumentException("category ids must be sorted and distinct");
      }
    }
    int t = params.iouThrCount();
    this.thresholds = new double[t];
    double min = Double.POSITIVE_INFINITY;
    for (int i = 0; i < t; i++) {
      thresholds[i] = Math.min(params.iouThr(i), 1 - 1e-10);
      min = Math.min(min, thresholds[i]);
    }
    this.minThreshold = min;
  }

  public EvalParams params() {
    return params;
  }

  /** Evaluates one image; {@code gt} and {@code dt} must be of the same image. */
  public ImageEvaluation evaluate(ImageGroundTruth gt, ImageDetections dt) {
    if (gt.imageId != dt.imageId) {
      throw new IllegalArgumentException(
          "ground truth of image " + gt.imageId + " paired with detections of image " + dt.imageId);
    }
    int[] gOrder = orderByCategory(gt.categoryIds, gt.size);
    int[] dOrder = orderByCategory(dt.categoryIds, dt.size);
    int gn = gOrder.length;
    int dn = dOrder.length;
    int areaCount = params.areaCount();
    int iouCount = params.iouThrCount();

    GroupBuffers out = new GroupBuffers(areaCount, iouCount);
    if (!params.useCats()) {
      if (gn + dn > 0) {
        evaluateGroup(-1, gt, gOrder, 0, gn, dt, dOrder, 0, dn, out);
      }
    } else {
      int gi = 0;
      int di = 0;
      while (gi < gn || di < dn) {
        long gc = gi < gn ? gt.categoryIds[gOrder[gi]] : Long.MAX_VALUE;
        long dc = di < dn ? dt.categoryIds[dOrder[di]] : Long.MAX_VALUE;
        long cat = Math.min(gc, dc);
        int gEnd = gi;
        while (gEnd < gn && gt.categoryIds[gOrder[gEnd]] == cat) {
          gEnd++;
        }
        int dEnd = di;
        while (dEnd < dn && dt.categoryIds[dOrder[dEnd]] == cat) {
          dEnd++;
        }
        evaluateGroup(cat, gt, gOrder, gi, gEnd, dt, dOrder, di, dEnd, out);
        gi = gEnd;
        di = dEnd;
      }
    }
    return out.build(gt.imageId);
  }

  /** Indices whose category is evaluated, ordered by (category, file position). */
  private int[] orderByCategory(long[] categories, int n) {
    long[] keys = new long[n];
    int k = 0;
    for (int i = 0; i < n; i++) {
      int c = Arrays.binarySearch(catIds, categories[i]);
      if (c >= 0) {
        keys[k++] = ((long) c << 32) | i;
      }
    }
    Arrays.sort(keys, 0, k);
    int[] order = new int[k];
    for (int i = 0; i < k; i++) {
      order[i] = (int) keys[i];
    }
    return order;
  }

  private void evaluateGroup(
      long category,
      ImageGroundTruth gt, int[] gOrder, int gFrom, int gTo,
      ImageDetections dt, int[] dOrder, int dFrom, int dTo,
      GroupBuffers out) {
    int g = gTo - gFrom;
    int[] gts = Arrays.copyOfRange(gOrder, gFrom, gTo);
    int[] dts = Arrays.copyOfRange(dOrder, dFrom, dTo);
    StableSort.byDescendingKey(dts, 0, dts.length, dt.scores);
    int d = Math.min(dts.length, params.maxDetLast());

    double[] dArea = new double[d];
    double[] dBoxes = DetectionGeometry.boxesAndAreas(params, gt, dt, dts, d, dArea);
    double[] ious = new double[d * g];
    if (d > 0 && g > 0) {
      if (params.iouType() == EvalParams.IouType.BBOX) {
        GroupIous.boxes(gt, gts, dBoxes, d, ious);
      } else {
        GroupIous.masks(gt, gts, dt, dts, d, ious);
      }
    }

    int areaCount = params.areaCount();
    int iouCount = params.iouThrCount();
    int base = out.begin(category, d);
    for (int i = 0; i < d; i++) {
      out.scores[base + i] = dt.scores[dts[i]];
    }
    int[] order = new int[g];
    boolean[] ignored = new boolean[g];
    boolean[] matched = new boolean[g];
    int[] candStart = new int[d + 1];
    int[] cand = new int[Math.max(1, d * g)];
    for (int a = 0; a < areaCount; a++) {
      double lo = params.areaLo(a);
      double hi = params.areaHi(a);
      // GT order for this area: non-ignored first, file order otherwise (stable argsort)
      int k = 0;
      for (int j = 0; j < g; j++) {
        int ann = gts[j];
        if (!isIgnored(gt, ann, lo, hi)) {
          order[k++] = j;
        }
      }
      int nonIgnored = k;
      for (int j = 0; j < g; j++) {
        if (isIgnored(gt, gts[j], lo, hi)) {
          order[k++] = j;
        }
      }
      for (int p = 0; p < g; p++) {
        ignored[p] = p >= nonIgnored;
      }
      out.npig[out.groupIndex() * areaCount + a] = nonIgnored;

      // A GT whose IoU is under every threshold never changes a match: skip it up front.
      int c = 0;
      for (int i = 0; i < d; i++) {
        candStart[i] = c;
        int row = i * g;
        for (int p = 0; p < g; p++) {
          if (ious[row + order[p]] >= minThreshold) {
            cand[c++] = p;
          }
        }
      }
      candStart[d] = c;

      for (int t = 0; t < iouCount; t++) {
        Arrays.fill(matched, false);
        double thr = thresholds[t];
        for (int i = 0; i < d; i++) {
          double best = thr;
          int m = -1;
          int row = i * g;
          for (int ci = candStart[i]; ci < candStart[i + 1]; ci++) {
            int p = cand[ci];
            int j = order[p];
            if (matched[p] && !gt.crowd[gts[j]]) {
              continue;
            }
            if (m > -1 && !ignored[m] && ignored[p]) {
              break;
            }
            double v = ious[row + j];
            if (v < best) {
              continue;
            }
            best = v;
            m = p;
          }
          byte s;
          boolean outside = dArea[i] < lo || dArea[i] > hi;
          if (m == -1) {
            s = outside ? ImageEvaluation.IGNORED : ImageEvaluation.FALSE_POSITIVE;
          } else {
            matched[m] = true;
            if (ignored[m]) {
              s = ImageEvaluation.IGNORED;
            } else if (gt.annIds[gts[order[m]]] == 0) {
              // pycocotools stores the GT id and tests it for truth: id 0 reads as unmatched
              s = outside ? ImageEvaluation.IGNORED : ImageEvaluation.FALSE_POSITIVE;
            } else {
              s = ImageEvaluation.TRUE_POSITIVE;
            }
          }
          out.status[((base + i) * areaCount + a) * iouCount + t] = s;
        }
      }
    }
  }

  private static boolean isIgnored(ImageGroundTruth gt, int ann, double lo, double hi) {
    double area = gt.areas[ann];
    return gt.crowd[ann] || area < lo || area > hi;
  }

  /** Growable output of one image. */
  private static final class GroupBuffers {
    final int areaCount;
    final int iouCount;
    long[] categories = new long[8];
    int[] starts = new int[9];
    double[] scores = new double[64];
    byte[] status;
    int[] npig;
    int groups;
    int total;

    GroupBuffers(int areaCount, int iouCount) {
      this.areaCount = areaCount;
      this.iouCount = iouCount;
      this.status = new byte[64 * areaCount * iouCount];
      this.npig = new int[8 * areaCount];
    }

    int groupIndex() {
      return groups - 1;
    }

    /** Opens a group of {@code d} detections; returns its first detection slot. */
    int begin(long category, int d) {
      if (groups == categories.length) {
        categories = Arrays.copyOf(categories, groups * 2);
        starts = Arrays.copyOf(starts, groups * 2 + 1);
        npig = Arrays.copyOf(npig, groups * 2 * areaCount);
      }
      int base = total;
      int need = total + d;
      if (need > scores.length) {
        int cap = Math.max(need, scores.length * 2);
        scores = Arrays.copyOf(scores, cap);
        status = Arrays.copyOf(status, cap * areaCount * iouCount);
      }
      categories[groups] = category;
      starts[groups] = base;
      groups++;
      total = need;
      starts[groups] = total;
      return base;
    }

    ImageEvaluation build(long imageId) {
      return new ImageEvaluation(imageId, Arrays.copyOf(categories, groups),
          Arrays.copyOf(starts, groups + 1), Arrays.copyOf(scores, total),
          Arrays.copyOf(status, total * areaCount * iouCount), Arrays.copyOf(npig, groups * areaCount),
          areaCount, iouCount);
    }
  }
}
