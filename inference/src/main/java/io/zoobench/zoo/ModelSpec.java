package io.zoobench.zoo;

import io.zoobench.coco.InvalidInputException;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One model of a zoo manifest: what it is (name, family, architecture, backbone, style, lr
 * schedule), where its TorchScript file lives, how to feed it ({@link InputSpec}), how to read
 * its outputs (the name of an {@link io.zoobench.detect.OutputAdapter}), the label → COCO
 * category id map and the post-processing limits. Read with {@link ZooManifest}; immutable and
 * serializable, so Spark ships it to executors as is.
 *
 * @param family the model-zoo family (e.g. {@code Fast R-CNN}); the architecture when the
 *     manifest gives none
 * @param artifact the model file: an absolute path or URI (any Hadoop file system), resolved
 *     against the manifest's folder when the manifest gives a relative one; it still holds a
 *     {@code ${VAR}} that was not set when the manifest was read ({@link #artifactFile()})
 * @param labels model label → COCO category id (empty for proposals)
 * @param nmsIou the IoU above which the output adapter's class-wise NMS suppresses a box, for
 *     adapters that do their own NMS (YOLO); NaN for models that return final detections
 * @param proposals the precomputed proposals the model takes with each image (Fast R-CNN), or
 *     null for a model that takes only images
 * @param reference published numbers to compare with, keys from {@link #REFERENCE_KEYS}; a
 *     figure that was not published is absent
 */
public record ModelSpec(
    String name,
    String family,
    String arch,
    String backbone,
    String style,
    String lrSchedule,
    String artifact,
    InputSpec input,
    String output,
    Map<Long, Long> labels,
    double scoreThreshold,
    int maxDetections,
    double maskThreshold,
    double nmsIou,
    int batchSize,
    ProposalInput proposals,
    Map<String, Double> reference,
    String source) implements Serializable {

  /**
   * The reference figures a manifest may give, in the model-zoo table's order: training memory
   * (GB) and speed (s/iter), inference fps at batch 1 and 8, box AP, mask AP, proposal AR@1000
   * (AP and AR as fractions, as zoobench reports them).
   */
  public static final List<String> REFERENCE_KEYS = List.of("train_mem_gb", "train_s_iter",
      "fps", "fps_batch8", "box_ap", "mask_ap", "ar1000");

  /** The reference figures that are fractions (AP, AR), not memory, seconds or fps. */
  public static final Set<String> FRACTION_KEYS = Set.of("box_ap", "mask_ap", "ar1000");

  /** {@code ${NAME}} in an artifact: replaced when the manifest is read, if NAME is set. */
  static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

  /** How images are resized before the forward pass. */
  public enum Resize {
    /** Original size. */
    NONE,
    /** Largest scale keeping the aspect ratio with long edge ≤ scale[0], short ≤ scale[1]. */
    KEEP_RATIO,
    /** Exactly scale[0] × scale[1] (width × height). */
    FIXED,
    /**
     * YOLO's letterbox: the largest size keeping the aspect ratio within scale[0] × scale[1]
     * (width × height), centred on a canvas of exactly that size filled with the pad value.
     */
    LETTERBOX
  }

  /**
   * Where a Fast R-CNN's proposals come from: the latest succeeded run of the model called
   * {@code fromModel} in the warehouse, or the run {@code runId} (neither: the command must
   * name one); of each image the first {@code topK} boxes in that run's order (the proposal
   * network's rank order; a results file's order for an imported run), as MMDetection's
   * {@code LoadProposals} takes {@code proposals[:k]}.
   */
  public record ProposalInput(String fromModel, String runId, int topK) implements Serializable {
    /** Proposals per image when a manifest gives no {@code top_k}: an RPN run's maximum. */
    public static final int DEFAULT_TOP_K = 1000;
  }

  /**
   * The input pipeline.
   *
   * @param scale (long edge, short edge) for keep-ratio, (width, height) for fixed
   * @param sizeDivisor pad width and height up to a multiple of this (0: no padding)
   * @param pixelScale pixel values before normalisation: 1 (values in [0,1]) or 255
   * @param normalizedByModel the model applies mean/std itself (torchvision), or takes the
   *     scaled pixels as they are (YOLO); mean/std unused
   * @param padValue the letterbox canvas's colour, a pixel value 0 to 255 (grey 114 for YOLO),
   *     scaled and normalised like the image; other resizes pad with 0 after normalisation
   * @param exifOrientation apply a JPEG's EXIF orientation (rotate or mirror as a viewer
   *     shows it); false reads pixels as stored, as PIL's {@code Image.open} and pycocotools'
   *     annotations do
   */
  public record InputSpec(
      Resize resize,
      int[] scale,
      int sizeDivisor,
      double[] mean,
      double[] std,
      boolean bgr,
      double pixelScale,
      boolean normalizedByModel,
      double padValue,
      boolean exifOrientation) implements Serializable {

    /** An input without a letterbox canvas, EXIF orientation ignored. */
    public InputSpec(Resize resize, int[] scale, int sizeDivisor, double[] mean, double[] std,
        boolean bgr, double pixelScale, boolean normalizedByModel) {
      this(resize, scale, sizeDivisor, mean, std, bgr, pixelScale, normalizedByModel, 0, false);
    }
  }

  /**
   * The model file, for code that is about to read it. Refuses (one line naming the manifest,
   * the model and the variable) an artifact whose {@code ${VAR}} was not set when the manifest
   * was read: listing a manifest needs no model files, so that is no error before now.
   */
  public String artifactFile() {
    Matcher m = VARIABLE.matcher(artifact);
    if (m.find()) {
      throw new InvalidInputException(source + ": model '" + name + "': artifact " + artifact
          + ": " + m.group(1) + " is not set (an environment variable or a -D" + m.group(1)
          + "=... system property)");
    }
    return artifact;
  }

  /** The category id for a model label, or −1 when the label is not mapped. */
  public long categoryOf(long label) {
    Long c = labels.get(label);
    return c == null ? -1 : c;
  }
}
