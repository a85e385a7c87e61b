package io.zoobench.detect;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * The registry of {@link OutputAdapter}s by name: the built-in families ({@code torchvision},
 * {@code proposals}, {@code tensors}, {@code yolo}) and any adapter a jar on the classpath declares in
 * {@code META-INF/services/io.zoobench.detect.OutputAdapter}. Zoo manifests are checked
 * against it, so an unknown {@code output:} is a one-line error listing the known names.
 */
public final class OutputAdapters {
  private static final Map<String, OutputAdapter> ADAPTERS = load();

  private OutputAdapters() {}

  private static Map<String, OutputAdapter> load() {
    Map<String, OutputAdapter> m = new LinkedHashMap<>();
    for (OutputAdapter a : new OutputAdapter[] {
        new TorchvisionOutputs(), new ProposalOutputs(), new TensorOutputs(),
        new YoloOutputs()}) {
      m.put(a.name(), a);
    }
    for (OutputAdapter a : ServiceLoader.load(OutputAdapter.class)) {
      if (m.putIfAbsent(a.name(), a) != null) {
        throw new IllegalStateException("two output adapters are called '" + a.name() + "'");
      }
    }
    return java.util.Collections.unmodifiableMap(m);
  }

  /** The adapter called {@code name}; {@link IllegalArgumentException} listing the names. */
  public static OutputAdapter get(String name) {
    OutputAdapter a = ADAPTERS.get(name);
    if (a == null) {
      throw new IllegalArgumentException("no output adapter '" + name + "' (known: "
          + String.join(", ", names()) + ")");
    }
    return a;
  }

  /** Every registered name, built-in ones first. */
  public static Set<String> names() {
    return ADAPTERS.keySet();
  }
}
