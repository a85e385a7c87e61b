package io.zoobench.parity;

import io.zoobench.eval.EvalParams;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * One small random COCO evaluation case for the differential test against pycocotools: a
 * ground-truth file, a results file and the evaluations to run on them, made by
 * {@link ParityCaseGenerator} from a seed (the same seed gives the same bytes).
 *
 * @param seed the case's own seed
 * @param kind what its results file looks like (see {@link ParityCaseGenerator.Kind})
 * @param gtJson the COCO instances file
 * @param dtJson the results file
 * @param evaluations the evaluations to compare, in order
 */
public record ParityCase(long seed, String kind, String gtJson, String dtJson,
    List<Evaluation> evaluations) {

  /** File names inside a case's folder. */
  public static final String GT_FILE = "gt.json";
  public static final String DT_FILE = "dt.json";

  /**
   * One evaluation as the CLI names it: {@code --iou bbox|segm|proposal},
   * {@code --det-area auto|mask} (auto: pycocotools' loadRes rule) and
   * {@code --mode pycocotools|mmdet}; the oracle script takes the same three words.
   */
  public record Evaluation(String iou, String detArea, String mode) {
    /** The zoobench parameters of this evaluation. */
    public EvalParams params() {
      EvalParams p = iou.equals("proposal") ? EvalParams.proposals()
          : EvalParams.of(iou.equals("segm") ? EvalParams.IouType.SEGM : EvalParams.IouType.BBOX);
      if (mode.equals("mmdet")) {
        p = p.withMode(EvalParams.Mode.MMDET);
      }
      if (detArea.equals("mask")) {
        p = p.withDetArea(EvalParams.DetArea.MASK);
      }
      return p;
    }

    /** e.g. {@code segm/mask/pycocotools}. */
    public String label() {
      return iou + "/" + detArea + "/" + mode;
    }

    /** The {@code zoobench eval} flags of this evaluation. */
    public String flags() {
      return "--iou " + iou + (detArea.equals("mask") ? " --det-area mask" : "")
          + (mode.equals("mmdet") ? " --mode mmdet" : "");
    }
  }

  /** Writes {@link #GT_FILE} and {@link #DT_FILE} into {@code dir} (created if needed). */
  public void write(Path dir) {
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(GT_FILE), gtJson, StandardCharsets.UTF_8);
      Files.writeString(dir.resolve(DT_FILE), dtJson, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** e.g. {@code case 17 (seed 0x1a2b, mixed-mask-first)}. */
  public String describe(long index) {
    return String.format(Locale.ROOT, "case %d (seed %d, %s)", index, seed, kind);
  }
}
