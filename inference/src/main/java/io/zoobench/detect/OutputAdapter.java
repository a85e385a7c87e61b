package io.zoobench.detect;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.zoobench.zoo.ModelSpec;
import java.util.List;
import java.util.Set;

/**
 * How one family of exported detectors takes its inputs and lays out its outputs: builds the
 * forward pass's inputs from a batch of prepared images and reads the outputs into
 * {@link RawDetections}, one per image. A manifest names its adapter ({@code output: tensors});
 * {@link OutputAdapters} finds it by that name, so a new family is a new class (registered there
 * or through {@link java.util.ServiceLoader}) plus a manifest value, never a branch in the jobs.
 *
 * <p>Implementations are stateless and shared by every task of an executor.
 *
 * <pre>{@code
 * OutputAdapter a = OutputAdapters.get("torchvision");
 * NDList in = a.inputs(manager, batch);
 * List<RawDetections> out = a.read(block.forward(store, in, false), batch, spec);
 * }</pre>
 */
public interface OutputAdapter {

  /** What an adapter's detections can hold. */
  enum Product {
    /** Boxes with model labels (mapped to COCO categories by the manifest's label map). */
    BOXES,
    /** Instance masks, when the model gives them. */
    MASKS,
    /** Class-agnostic proposals: evaluated as AR@100/300/1000, category 1. */
    PROPOSALS
  }

  /** The manifest's name for this adapter ({@code output:}). */
  String name();

  /** What the detections hold; decides the evaluations of a model's runs. */
  Set<Product> produces();

  /** Class-agnostic proposals (no labels to map, proposal evaluation). */
  default boolean proposals() {
    return produces().contains(Product.PROPOSALS);
  }

  /**
   * Whether the forward pass can take precomputed proposals with the images (Fast R-CNN):
   * the inputs then carry each image's {@link PreparedImage#proposals()} too.
   */
  default boolean takesProposals() {
    return false;
  }

  /** The score threshold of a manifest entry that gives none. */
  default double defaultScoreThreshold() {
    return proposals() ? 0.0 : 0.05;
  }

  /** The detections kept per image when a manifest entry gives no {@code max_detections}. */
  default int defaultMaxDetections() {
    return proposals() ? 1000 : 100;
  }

  /**
   * The IoU of the class-wise NMS this adapter runs on raw model outputs, when a manifest
   * entry gives no {@code nms_iou}; NaN for adapters whose models return final detections
   * (the manifest then may not set one).
   */
  default double defaultNmsIou() {
    return Double.NaN;
  }

  /**
   * Whether the model's labels are the class indices 0 to K−1 of its output (a manifest's
   * {@code labels} must then map exactly those), not ids the model chose.
   */
  default boolean classIndexLabels() {
    return false;
  }

  /** The forward pass's inputs for {@code batch}, allocated in {@code manager}. */
  NDList inputs(NDManager manager, List<PreparedImage> batch);

  /**
   * The detections of each image of {@code batch}, read with the model's {@code spec}: masks
   * thresholded at its mask threshold; for adapters that decode raw outputs, its score
   * threshold, NMS IoU and detection limit applied.
   *
   * @throws IllegalStateException when the outputs do not have this adapter's layout, or do
   *     not fit the spec (a label map of another length than the model's classes)
   */
  List<RawDetections> read(NDList outputs, List<PreparedImage> batch, ModelSpec spec);

  /**
   * The detections kept of one image's {@link #read} output, with the model's {@code spec}: an
   * adapter of raw outputs runs its NMS here (timed as post-processing, not as the forward
   * pass); the candidates themselves for models that return final detections.
   */
  default RawDetections select(RawDetections candidates, ModelSpec spec) {
    return candidates;
  }
}
