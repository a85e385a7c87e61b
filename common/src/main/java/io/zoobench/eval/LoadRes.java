package io.zoobench.eval;

import io.zoobench.coco.InvalidInputException;
import io.zoobench.coco.MaskFormat;

/**
 * pycocotools' {@code COCO.loadRes}: how a results file is completed before it is evaluated,
 * and which results it cannot complete. Every path that reads results (single-process
 * {@code eval}, Spark {@code import}, the predictions of {@code evaluate}) asks these rules, so
 * they agree with each other and with pycocotools.
 *
 * <p>The first result decides, as in pycocotools. A non-empty {@code bbox} there (the "bbox
 * branch"): every detection's area is {@code w·h}, and a detection without a segmentation gets
 * the rectangle polygon of its box, which mask evaluation rasterises at the image size.
 * Otherwise (the "segm branch"): every detection's area is its mask's pixel area, which
 * pycocotools computes from compressed RLE only, and a detection without a box gets
 * {@code toBbox} of its mask. Detectron2 removes every {@code bbox} before {@code loadRes} for
 * mask AP ({@link EvalParams.DetArea#MASK}), which always takes the segm branch.
 *
 * <pre>{@code
 * boolean fromMask = LoadRes.areaFromMask(params, dt.hasBbox(0));
 * String problem = LoadRes.problem(params, fromMask, evaluated, hasBbox, emptyBbox, maskFormat,
 *     score);
 * }</pre>
 */
public final class LoadRes {
  private LoadRes() {}

  /**
   * Whether detection areas come from masks: {@code --det-area}, or the first result's bbox for
   * {@link EvalParams.DetArea#AUTO} (an empty results list counts as having one).
   */
  public static boolean areaFromMask(EvalParams params, boolean firstResultHasBbox) {
    return switch (params.detArea()) {
      case BOX -> false;
      case MASK -> true;
      case AUTO -> !firstResultHasBbox;
    };
  }

  /**
   * Why one result cannot be evaluated as pycocotools would, or {@code null}. Where pycocotools
   * raises, zoobench refuses, naming the field: loadRes completes every result (a missing box
   * in the bbox branch, a missing or non-compressed mask in the segm branch), while the
   * evaluation reads only results of evaluated categories (their score, and in box evaluation
   * a box kept as {@code []}).
   *
   * @param fromMask what {@link #areaFromMask} said for this file
   * @param evaluated the result's category is a category of the ground truth
   * @param hasBbox the result has a box of 4 numbers
   * @param emptyBbox the result has {@code "bbox": []}
   * @param mask how the result's segmentation was written
   * @param score the result's score, NaN when it has none
   */
  public static String problem(EvalParams params, boolean fromMask, boolean evaluated,
      boolean hasBbox, boolean emptyBbox, MaskFormat mask, double score) {
    if (evaluated && Double.isNaN(score)) {
      return "has no score";
    }
    boolean auto = params.detArea() == EvalParams.DetArea.AUTO;
    if (!fromMask) {
      if (hasBbox) {
        return null;
      }
      return (emptyBbox ? "bbox is empty" : "has no bbox") + "; detection areas come from boxes"
          + (auto ? " because results[0] has one" : "") + ", so every result needs one";
    }
    String why = auto ? " because results[0] has no bbox"
        : params.detArea() == EvalParams.DetArea.MASK ? " (--det-area mask)" : "";
    if (mask == MaskFormat.NONE) {
      return "has no segmentation; detection areas come from masks" + why
          + ", so every result needs one";
    }
    if (mask != MaskFormat.COMPRESSED_RLE) {
      return "segmentation is " + mask.describe() + "; detection areas come from masks" + why
          + ", and pycocotools' loadRes computes them from compressed RLE only (counts as a"
          + " string, e.g. from pycocotools.mask.encode)";
    }
    return null;
  }

  /**
   * Whether {@code "bbox": []} of a result that box IoU reaches stops the evaluation: in the segm
   * branch pycocotools keeps the empty list as the box (it makes one from the mask only when the
   * field is absent) and its box IoU raises — for a detection among the first maxDets of its
   * (image, category) by score, the only ones it computes IoU for.
   */
  public static boolean emptyBoxFails(EvalParams params, boolean fromMask) {
    return params.iouType() == EvalParams.IouType.BBOX && fromMask
        && params.detArea() == EvalParams.DetArea.AUTO;
  }

  /**
   * Thrown by the matcher for a detection that {@link #emptyBoxFails}: its image and its position
   * among the image's detections (results-file order), so the caller can name the record.
   */
  public static final class EmptyBoxInIou extends InvalidInputException {
    private static final long serialVersionUID = 1L;
    private final long imageId;
    private final int position;

    public EmptyBoxInIou(long imageId, int position) {
      super("a result of image_id " + imageId + ": " + emptyBoxProblem());
      this.imageId = imageId;
      this.position = position;
    }

    public long imageId() {
      return imageId;
    }

    /** The detection's position among its image's detections, in results-file order. */
    public int position() {
      return position;
    }
  }

  /** What is wrong with a result whose {@link EmptyBoxInIou} reached box IoU. */
  public static String emptyBoxProblem() {
    return "bbox is empty; results[0] has no bbox, so pycocotools keeps [] as this detection's"
        + " box (it makes one from the mask only when the field is absent), and box IoU cannot"
        + " use it: drop the field or give 4 numbers";
  }

  /**
   * Whether an evaluation reads every result's mask whatever the first result holds (mask IoU,
   * or areas forced from masks); a reader may skip masks otherwise, unless {@code results[0]}
   * turns out to have no bbox.
   */
  public static boolean masksNeeded(EvalParams params) {
    return params.iouType() == EvalParams.IouType.SEGM
        || params.detArea() == EvalParams.DetArea.MASK;
  }

  /**
   * Whether a result's mask is read by the evaluation (so a corrupt one must be refused): mask
   * IoU, or mask areas. Box evaluation of a bbox-branch file never looks at masks.
   */
  public static boolean usesMask(EvalParams params, boolean fromMask) {
    return params.iouType() == EvalParams.IouType.SEGM || fromMask;
  }

  /**
   * The warning for mask evaluation of results whose masks are rectangles made from boxes, or
   * {@code null} when there are none.
   */
  public static String boxMasksWarning(long boxMasks, long results, String resultsName) {
    if (boxMasks == 0) {
      return null;
    }
    return boxMasks + " of " + results + " results of " + resultsName + " have no segmentation:"
        + " as pycocotools' loadRes does, their masks are the rectangles of their boxes (a mask"
        + " AP of rectangles is rarely what was meant)";
  }
}
