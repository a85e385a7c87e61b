package io.zoobench.detect;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
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
 * List<RawDetections> out = a.read(block.forward(store, in, false), batch, 0.5);
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

  /** The forward pass's inputs for {@code batch}, allocated in {@code manager}. */
  NDList inputs(NDManager manager, List<PreparedImage> batch);

  /**
   * The detections of each image of {@code batch}; masks thresholded at {@code maskThreshold}.
   *
   * @throws IllegalStateException when the outputs do not have this adapter's layout
   */
  List<RawDetections> read(NDList outputs, List<PreparedImage> batch, double maskThreshold);
}
