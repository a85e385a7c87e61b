package io.zoobench.zoo;

import java.io.Serializable;
import java.util.Map;

/**
 * One model of a zoo manifest: what it is (name, architecture, backbone, style, lr schedule),
 * where its TorchScript file lives, how to feed it ({@link InputSpec}), how to read its outputs
 * ({@link OutputKind}), the label → COCO category id map and the post-processing limits. Read
 * with {@link ZooManifest}; immutable and serializable, so Spark ships it to executors as is.
 *
 * @param artifact the model file: an absolute path or URI (any Hadoop file system), resolved
 *     against the manifest's folder when the manifest gives a relative one
 * @param labels model label → COCO category id (empty for proposals)
 * @param reference published numbers to compare with (e.g. {@code box_ap}), may be empty
 */
public record ModelSpec(
    String name,
    String arch,
    String backbone,
    String style,
    String lrSchedule,
    String artifact,
    InputSpec input,
    OutputKind output,
    Map<Long, Long> labels,
    double scoreThreshold,
    int maxDetections,
    double maskThreshold,
    int batchSize,
    Map<String, Double> reference,
    String source) implements Serializable {

  /** How a model's outputs are laid out. */
  public enum OutputKind {
    /**
     * Scripted torchvision detectors: input {@code List[Tensor]} (CHW, RGB), output
     * {@code (losses, List[Dict])} with {@code boxes} x1y1x2y2, {@code labels}, {@code scores}
     * and optionally {@code masks} [N,1,H,W] probabilities, in original-image pixels.
     */
    TORCHVISION,
    /** RPN-style: {@code List[Dict]} with {@code boxes} and objectness {@code scores}. */
    PROPOSALS,
    /**
     * MMDeploy-style tensors: input one [B,3,H,W] batch; output {@code dets} [B,K,5]
     * (x1, y1, x2, y2, score), {@code labels} [B,K] (−1 pads) and optionally {@code masks}
     * [B,K,H,W] probabilities, in input pixels.
     */
    TENSORS
  }

  /** How images are resized before the forward pass. */
  public enum Resize {
    /** Original size. */
    NONE,
    /** Largest scale keeping the aspect ratio with long edge ≤ scale[0], short ≤ scale[1]. */
    KEEP_RATIO,
    /** Exactly scale[0] × scale[1] (width × height). */
    FIXED
  }

  /**
   * The input pipeline.
   *
   * @param scale (long edge, short edge) for keep-ratio, (width, height) for fixed
   * @param sizeDivisor pad width and height up to a multiple of this (0: no padding)
   * @param pixelScale pixel values before normalisation: 1 (values in [0,1]) or 255
   * @param normalizedByModel the model applies mean/std itself (torchvision); mean/std unused
   */
  public record InputSpec(
      Resize resize,
      int[] scale,
      int sizeDivisor,
      double[] mean,
      double[] std,
      boolean bgr,
      double pixelScale,
      boolean normalizedByModel) implements Serializable {}

  /** The category id for a model label, or −1 when the label is not mapped. */
  public long categoryOf(long label) {
    if (output == OutputKind.PROPOSALS) {
      return 1;
    }
    Long c = labels.get(label);
    return c == null ? -1 : c;
  }
}
