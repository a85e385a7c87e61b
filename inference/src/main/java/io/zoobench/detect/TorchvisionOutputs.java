package io.zoobench.detect;

import java.util.Set;

/**
 * {@code output: torchvision}: scripted torchvision detectors (Faster / Mask R-CNN, RetinaNet,
 * SSD, FCOS ...), {@code List[Dict]} with {@code boxes}, {@code labels}, {@code scores} and,
 * for mask heads, {@code masks}.
 */
final class TorchvisionOutputs extends DictOutputs {
  TorchvisionOutputs() {
    super(true);
  }

  @Override
  public String name() {
    return "torchvision";
  }

  @Override
  public Set<Product> produces() {
    return Set.of(Product.BOXES, Product.MASKS);
  }
}
