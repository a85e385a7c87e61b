package io.zoobench.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The registry: built-in families by name, what each produces, unknown names listed. */
class OutputAdaptersTest {
  @Test
  void builtInFamiliesByName() {
    assertThat(OutputAdapters.names()).startsWith("torchvision", "proposals", "tensors");
    for (String name : OutputAdapters.names()) {
      assertThat(OutputAdapters.get(name).name()).isEqualTo(name);
      assertThat(OutputAdapters.get(name).produces()).contains(OutputAdapter.Product.BOXES);
    }
    assertThat(OutputAdapters.get("proposals").proposals()).isTrue();
    assertThat(OutputAdapters.get("torchvision").proposals()).isFalse();
    assertThat(OutputAdapters.get("tensors").produces()).contains(OutputAdapter.Product.MASKS);
  }

  @Test
  void anUnknownNameListsTheKnownOnes() {
    assertThatThrownBy(() -> OutputAdapters.get("ssd-lite"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("no output adapter 'ssd-lite' (known: torchvision, proposals, tensors, yolo");
  }
}
