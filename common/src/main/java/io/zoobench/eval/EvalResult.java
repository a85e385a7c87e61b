package io.zoobench.eval;

import io.zoobench.coco.CocoDataset;
import java.util.ArrayList;
import java.util.List;

/**
 * The outcome of one COCO evaluation: the 12 stats in pycocotools' slot order with their
 * names, the printed summary lines, per-category AP (Detectron2's definition), the full curves
 * for diagnostics, and the warnings about input pycocotools silently ignores.
 */
public final class EvalResult {
  /** Per-category AP row; {@code ap} is NaN for a category without ground truth. */
  public record CategoryAp(long id, String name, double ap) {}

  private final EvalParams params;
  private final List<CocoDataset.Category> categories;
  private final CocoSummary summary;
  private final List<String> warnings;
  private final boolean areaFromMask;
  private final double matchSeconds;
  private final double accumulateSeconds;

  EvalResult(
      EvalParams params, List<CocoDataset.Category> categories, CocoSummary summary,
      List<String> warnings, boolean areaFromMask, double matchSeconds, double accumulateSeconds) {
    this.params = params;
    this.areaFromMask = areaFromMask;
    this.categories = List.copyOf(categories);
    this.summary = summary;
    this.warnings = List.copyOf(warnings);
    this.matchSeconds = matchSeconds;
    this.accumulateSeconds = accumulateSeconds;
  }

  /** Builds a result from curves accumulated elsewhere (e.g. on Spark executors). */
  public static EvalResult of(
      EvalParams params, List<CocoDataset.Category> categoriesById, List<CategoryCurves> curves,
      List<String> warnings, boolean areaFromMask) {
    return new EvalResult(params, categoriesById, new CocoSummary(params, curves), warnings,
        areaFromMask, 0, 0);
  }

  public EvalParams params() {
    return params;
  }

  /** The 12 stats in pycocotools' slot order. */
  public double[] stats() {
    return summary.stats();
  }

  public List<String> statNames() {
    return summary.statNames();
  }

  /** What pycocotools' {@code summarize()} prints. */
  public List<String> summaryLines() {
    return summary.lines();
  }

  public CocoSummary summary() {
    return summary;
  }

  /** Per-category AP in ascending category id order (empty for proposals). */
  public List<CategoryAp> perCategory() {
    List<CategoryAp> out = new ArrayList<>();
    if (!params.useCats()) {
      return out;
    }
    for (int k = 0; k < categories.size(); k++) {
      CocoDataset.Category c = categories.get(k);
      out.add(new CategoryAp(c.id(), c.name(), summary.categoryAp(k)));
    }
    return out;
  }

  /** "box" or "mask": where the detection areas (for the area ranges) came from. */
  public String detAreaLabel() {
    return areaFromMask ? "mask" : "box";
  }

  public List<String> warnings() {
    return warnings;
  }

  /** Wall time of per-image matching (seconds). */
  public double matchSeconds() {
    return matchSeconds;
  }

  /** Wall time of accumulation (seconds). */
  public double accumulateSeconds() {
    return accumulateSeconds;
  }
}
