package io.zoobench.eval;

import java.io.Serializable;

/**
 * The matching outcome of one image: for every evaluated category present in the image (one
 * group per category, or a single class-agnostic group with category −1), the kept detections'
 * scores in score order, a status per (detection, area range, IoU threshold), and the number of
 * non-ignored ground truths per area range. This is pycocotools' {@code evalImgs} entry, reduced
 * to what {@code accumulate} reads, in primitive arrays.
 *
 * <p>Status bytes are {@link #IGNORED}, {@link #TRUE_POSITIVE} or {@link #FALSE_POSITIVE},
 * laid out detection-major: {@code status[((start + d) * A + a) * T + t]}.
 */
public final class ImageEvaluation implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Neither TP nor FP: matched to an ignored GT, or unmatched and outside the area range. */
  public static final byte IGNORED = 0;
  public static final byte TRUE_POSITIVE = 1;
  public static final byte FALSE_POSITIVE = 2;

  final long imageId;
  final long[] groupCategory;
  final int[] groupStart;
  final double[] scores;
  final byte[] status;
  final int[] npig;
  final int areaCount;
  final int iouCount;

  ImageEvaluation(
      long imageId, long[] groupCategory, int[] groupStart, double[] scores, byte[] status,
      int[] npig, int areaCount, int iouCount) {
    this.imageId = imageId;
    this.groupCategory = groupCategory;
    this.groupStart = groupStart;
    this.scores = scores;
    this.status = status;
    this.npig = npig;
    this.areaCount = areaCount;
    this.iouCount = iouCount;
  }

  public long imageId() {
    return imageId;
  }

  /** Number of (image, category) groups: categories with GT or detections in this image. */
  public int groupCount() {
    return groupCategory.length;
  }

  /** The category of group {@code j}, −1 for the class-agnostic group. */
  public long groupCategory(int j) {
    return groupCategory[j];
  }

  /** Kept detections of group {@code j} (at most maxDets[-1]). */
  public int groupDetections(int j) {
    return groupStart[j + 1] - groupStart[j];
  }

  /** Non-ignored ground truths of group {@code j} in area range {@code a}. */
  public int groupNonIgnored(int j, int a) {
    return npig[j * areaCount + a];
  }

  /** Score of detection {@code d} (in score order) of group {@code j}. */
  public double score(int j, int d) {
    return scores[groupStart[j] + d];
  }

  /** Status of detection {@code d} of group {@code j} in area {@code a} at IoU threshold {@code t}. */
  public byte status(int j, int d, int a, int t) {
    return status[((groupStart[j] + d) * areaCount + a) * iouCount + t];
  }

  /** Total kept detections in this image. */
  public int detectionCount() {
    return scores.length;
  }
}
