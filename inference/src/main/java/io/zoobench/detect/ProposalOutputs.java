package io.zoobench.detect;

import java.util.Set;

/**
 * {@code output: proposals}: region proposal networks, {@code List[Dict]} with {@code boxes}
 * and objectness {@code scores}; class-agnostic (category 1), evaluated as AR@100/300/1000.
 */
final class ProposalOutputs extends DictOutputs {
  ProposalOutputs() {
    super(false);
  }

  @Override
  public String name() {
    return "proposals";
  }

  @Override
  public Set<Product> produces() {
    return Set.of(Product.BOXES, Product.PROPOSALS);
  }
}
