package io.zoobench.detect;

import ai.djl.Device;
import io.zoobench.coco.InvalidInputException;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.IntPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which device a task runs its model on, from the device mode and the GPU address Spark gave
 * the task: {@code auto} uses the task's GPU when it has one and the engine has CUDA, else the
 * CPU; {@code cpu} always the CPU; {@code gpu} the task's GPU (GPU 0 when Spark assigned none,
 * as in local mode on a GPU workstation), an error when the engine has no such CUDA device.
 */
public final class Devices {
  private static final Logger LOG = LoggerFactory.getLogger(Devices.class);

  /** The device mode setting's values. */
  public enum Mode {
    AUTO, CPU, GPU;

    /** {@code auto|cpu|gpu}; {@link IllegalArgumentException} for anything else. */
    public static Mode parse(String s) {
      try {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("'" + s + "', expected auto, cpu or gpu");
      }
    }
  }

  private Devices() {}

  /**
   * The name tables record for a device: {@code cpu}, {@code gpu:0}, {@code gpu:1}, ... (DJL's
   * own {@code cpu()} / {@code gpu(0)} read like calls, and sort badly past {@code gpu(9)}).
   */
  public static String label(Device d) {
    return d.getDeviceId() < 0 ? d.getDeviceType() : d.getDeviceType() + ":" + d.getDeviceId();
  }

  /**
   * Distinct device labels ({@link #label}) joined with commas, CPU first, then GPUs by
   * index ({@code cpu,gpu:2,gpu:10}); null when there are none.
   */
  public static String joinLabels(Collection<String> labels) {
    List<String> distinct = labels.stream().filter(Objects::nonNull).distinct()
        .sorted(Comparator.comparing((String l) -> l.split(":", 2)[0])
            .thenComparingLong(Devices::index).thenComparing(Comparator.naturalOrder()))
        .toList();
    return distinct.isEmpty() ? null : String.join(",", distinct);
  }

  /** The index of a label {@code type:index}: -1 without one, last when it is not a number. */
  private static long index(String label) {
    int colon = label.indexOf(':');
    if (colon < 0) {
      return -1;
    }
    try {
      return Integer.parseInt(label.substring(colon + 1));
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  /** The device for a task with GPU address {@code gpuAddress} (null without one). */
  public static Device choose(Mode mode, String gpuAddress) {
    return choose(mode, gpuAddress, DjlRuntime::hasGpu);
  }

  /**
   * As {@link #choose(Mode, String)}, asking {@code hasGpu} whether the engine can run on a
   * CUDA device index.
   *
   * @throws InvalidInputException for an address that is not a device index, or {@code gpu}
   *     mode without that device
   */
  public static Device choose(Mode mode, String gpuAddress, IntPredicate hasGpu) {
    Device d = pick(mode, gpuAddress, hasGpu);
    LOG.info("device {} (mode {}, task gpu address {})", d, mode.name().toLowerCase(Locale.ROOT),
        gpuAddress);
    return d;
  }

  private static Device pick(Mode mode, String gpuAddress, IntPredicate hasGpu) {
    if (mode == Mode.CPU || mode == Mode.AUTO && gpuAddress == null) {
      return Device.cpu();
    }
    int index;
    try {
      index = gpuAddress == null ? 0 : Integer.parseInt(gpuAddress.trim());
    } catch (NumberFormatException e) {
      throw new InvalidInputException("the task's gpu address '" + gpuAddress + "' is not a"
          + " CUDA device index: make the discovery script print indices (conf/gpu-discovery.sh)");
    }
    if (hasGpu.test(index)) {
      return Device.gpu(index);
    }
    if (mode == Mode.GPU) {
      throw new InvalidInputException("device mode gpu, but the PyTorch engine has no CUDA"
          + " device " + index + " (CPU natives, or no CUDA runtime): see docs/gpu.md");
    }
    return Device.cpu();
  }
}
