package io.zoobench.detect;

import java.util.Set;

/**
 * {@code output: torchvision}: scripted torchvision detectors (Faster / Mask R-CNN, RetinaNet,
 * SSD, FCOS ...), {@code List[Dict]} with {@code boxes}, {@code labels}, {@code scores} and,
 * for mask heads, {@code masks}. A Fast R-CNN takes a second argument, {@code List[Tensor]} of
 * each image's proposals {@code [K, 4]} (x1, y1, x2, y2 in the input tensor's pixels), when its
 * manifest entry has {@code proposals:}.
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
  public boolean takesProposals() {
    return true;
  }

  @Override
  public Set<Product> produces() {
    return Set.of(Product.BOXES, Product.MASKS);
  }
}
