package io.zoobench.eval;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Locale;

/**
 * What to evaluate and how: pycocotools' {@code Params} plus the two choices that tools around
 * it make differently (MMDetection's maxDets, Detectron2's detection areas).
 *
 * <p>The threshold vectors are numpy's {@code linspace} values bit for bit (so
 * {@code iouThrs[8]} is 0.8999999999999999 and {@code recThrs[35]} is 0.35000000000000003).
 *
 * <pre>{@code
 * EvalParams p = EvalParams.of(IouType.SEGM).withDetArea(DetArea.MASK);   // Detectron2
 * EvalParams q = EvalParams.of(IouType.BBOX).withMode(Mode.MMDET);         // MMDetection
 * EvalParams r = EvalParams.proposals();                                   // AR@100/300/1000
 * }</pre>
 */
public final class EvalParams implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Which overlap decides a match. */
  public enum IouType {
    BBOX,
    SEGM;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Whose conventions fix maxDets. */
  public enum Mode {
    /** pycocotools' defaults: maxDets (1, 10, 100). */
    PYCOCOTOOLS,
    /** MMDetection's CocoMetric: maxDets (100, 300, 1000) for every metric. */
    MMDET
  }

  /**
   * Where a detection's {@code area} (used for the area ranges) comes from. pycocotools'
   * {@code loadRes} decides on the first result only: box when it has a non-empty bbox.
   */
  public enum DetArea {
    /** As pycocotools' loadRes: {@link #BOX} if the first result has a bbox, else {@link #MASK}. */
    AUTO,
    /** {@code w*h} of the detection's box (pycocotools with results that carry a bbox). */
    BOX,
    /** Pixel area of the detection's mask; box from the mask when absent (Detectron2). */
    MASK
  }

  /** Area range labels, in pycocotools' order. */
  public static final String[] AREA_LABELS = {"all", "small", "medium", "large"};

  private final IouType iouType;
  private final boolean useCats;
  private final int[] maxDets;
  private final double[] iouThrs;
  private final double[] recThrs;
  private final double[][] areaRanges;
  private final DetArea detArea;
  private final Mode mode;

  private EvalParams(
      IouType iouType, boolean useCats, int[] maxDets, DetArea detArea, Mode mode) {
    this.iouType = iouType;
    this.useCats = useCats;
    this.maxDets = maxDets.clone();
    Arrays.sort(this.maxDets);
    this.iouThrs = linspace(.5, .95, 10);
    this.recThrs = linspace(0.0, 1.00, 101);
    this.areaRanges = new double[][] {
        {0, 1e5 * 1e5}, {0, 32 * 32}, {32 * 32, 96 * 96}, {96 * 96, 1e5 * 1e5}};
    this.detArea = detArea;
    this.mode = mode;
  }

  /** Per-category detection evaluation with pycocotools' defaults. */
  public static EvalParams of(IouType iouType) {
    return new EvalParams(iouType, true, new int[] {1, 10, 100}, DetArea.AUTO, Mode.PYCOCOTOOLS);
  }

  /** Class-agnostic proposal recall: box IoU, useCats = 0, maxDets (100, 300, 1000). */
  public static EvalParams proposals() {
    return new EvalParams(IouType.BBOX, false, new int[] {100, 300, 1000}, DetArea.AUTO,
        Mode.PYCOCOTOOLS);
  }

  /** Same evaluation under another tool's maxDets convention. */
  public EvalParams withMode(Mode newMode) {
    int[] md = newMode == Mode.MMDET ? new int[] {100, 300, 1000}
        : useCats ? new int[] {1, 10, 100} : maxDets;
    return new EvalParams(iouType, useCats, md, detArea, newMode);
  }

  /** Same evaluation with detection areas taken from {@code source}. */
  public EvalParams withDetArea(DetArea source) {
    return new EvalParams(iouType, useCats, maxDets, source, mode);
  }

  /** numpy.linspace(start, stop, num): {@code i*step + start}, the last element exactly stop. */
  static double[] linspace(double start, double stop, int num) {
    double[] y = new double[num];
    double step = (stop - start) / (num - 1);
    for (int i = 0; i < num; i++) {
      y[i] = i * step + start;
    }
    y[num - 1] = stop;
    return y;
  }

  public IouType iouType() {
    return iouType;
  }

  /** False for class-agnostic (proposal) evaluation. */
  public boolean useCats() {
    return useCats;
  }

  public int[] maxDets() {
    return maxDets.clone();
  }

  public int maxDet(int m) {
    return maxDets[m];
  }

  /** The largest maxDets: the per-image (and category) cut. */
  public int maxDetLast() {
    return maxDets[maxDets.length - 1];
  }

  public int maxDetCount() {
    return maxDets.length;
  }

  public double[] iouThrs() {
    return iouThrs.clone();
  }

  public double iouThr(int t) {
    return iouThrs[t];
  }

  public int iouThrCount() {
    return iouThrs.length;
  }

  public double[] recThrs() {
    return recThrs.clone();
  }

  public double recThr(int r) {
    return recThrs[r];
  }

  public int recThrCount() {
    return recThrs.length;
  }

  public int areaCount() {
    return areaRanges.length;
  }

  public double areaLo(int a) {
    return areaRanges[a][0];
  }

  public double areaHi(int a) {
    return areaRanges[a][1];
  }

  public DetArea detArea() {
    return detArea;
  }

  public Mode mode() {
    return mode;
  }

  /** "bbox", "segm" or "proposal": the iou_type of the tables and the CLI. */
  public String label() {
    return useCats ? iouType.label() : "proposal";
  }

  @Override
  public String toString() {
    return "EvalParams[" + label() + ", maxDets=" + Arrays.toString(maxDets) + ", detArea="
        + detArea + ", mode=" + mode + "]";
  }
}
