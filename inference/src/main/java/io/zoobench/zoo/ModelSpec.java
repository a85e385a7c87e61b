package io.zoobench.zoo;

import java.io.Serializable;
import java.util.Map;

/**
 * One model of a zoo manifest: what it is (name, architecture, backbone, style, lr schedule),
 * where its TorchScript file lives, how to feed it ({@link InputSpec}), how to read its outputs
 * (the name of an {@link io.zoobench.detect.OutputAdapter}), the label → COCO category id map and the post-processing limits. Read
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
    String output,
    Map<Long, Long> labels,
    double scoreThreshold,
    int maxDetections,
    double maskThreshold,
    int batchSize,
    Map<String, Double> reference,
    String source) implements Serializable {

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
    Long c = labels.get(label);
    return c == null ? -1 : c;
  }
}
