package io.zoobench.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import io.zoobench.coco.InvalidInputException;
import org.junit.jupiter.api.Test;

/**
 * Device choice from the mode and the task's GPU address, with a fake CUDA check; the labels
 * tables record.
 */
class DevicesTest {
  @Test
  void autoUsesTheTasksGpuWhenTheEngineHasIt() {
    assertThat(Devices.choose(Devices.Mode.AUTO, null, i -> true)).isEqualTo(Device.cpu());
    assertThat(Devices.choose(Devices.Mode.AUTO, "1", i -> i < 2)).isEqualTo(Device.gpu(1));
    assertThat(Devices.choose(Devices.Mode.AUTO, "3", i -> i < 2)).isEqualTo(Device.cpu());
    assertThat(Devices.choose(Devices.Mode.CPU, "0", i -> true)).isEqualTo(Device.cpu());
  }

  @Test
  void gpuModeNeedsTheDevice() {
    assertThat(Devices.choose(Devices.Mode.GPU, null, i -> i == 0)).isEqualTo(Device.gpu(0));
    assertThatThrownBy(() -> Devices.choose(Devices.Mode.GPU, "0", i -> false))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("no CUDA device 0");
  }

  @Test
  void addressesMustBeIndices() {
    assertThatThrownBy(() -> Devices.choose(Devices.Mode.AUTO, "GPU-8a1b", i -> true))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("'GPU-8a1b'");
    assertThat(Devices.Mode.parse(" GPU ")).isEqualTo(Devices.Mode.GPU);
    assertThatThrownBy(() -> Devices.Mode.parse("tpu"))
        .hasMessage("'tpu', expected auto, cpu or gpu");
  }

  @Test
  void labelsAreOneVocabulary() {
    assertThat(Devices.label(Device.cpu())).isEqualTo("cpu");
    assertThat(Devices.label(Device.gpu(0))).isEqualTo("gpu:0");
    assertThat(Devices.label(Device.gpu(12))).isEqualTo("gpu:12");
    assertThat(Devices.label(Devices.choose(Devices.Mode.AUTO, "1", i -> true)))
        .isEqualTo("gpu:1");
  }

  @Test
  void joinedLabelsAreDistinctCpuFirstGpusByIndex() {
    assertThat(Devices.joinLabels(java.util.List.of("gpu:10", "gpu:2", "cpu", "gpu:2")))
        .isEqualTo("cpu,gpu:2,gpu:10");
    assertThat(Devices.joinLabels(java.util.List.of("cpu", "cpu"))).isEqualTo("cpu");
    assertThat(Devices.joinLabels(java.util.List.of())).isNull();
  }
}
