package io.zoobench.detect;

/**
 * Process-wide settings of DJL's PyTorch engine, applied once before the engine starts:
 * offline (the natives come from the {@code pytorch-native-cpu} jar on the classpath, or from
 * {@code PYTORCH_LIBRARY_PATH} on GPU clusters; nothing is downloaded), one intra-op and one
 * inter-op thread by default (Spark runs one task per core; more threads per task only
 * contend), and no graph-executor optimisation (it re-profiles every new input shape, which
 * makes the first calls with varying image sizes several times slower).
 *
 * <p>Users override with the usual system properties ({@code ai.djl.pytorch.num_threads},
 * {@code ai.djl.pytorch.num_interop_threads}, {@code ai.djl.pytorch.graph_optimizer}); they win
 * when set before the first model is loaded.
 */
public final class DjlRuntime {
  /** Threads per forward pass; the default 1 matches one Spark task per core. */
  public static final String THREADS = "ai.djl.pytorch.num_threads";

  private static volatile boolean configured;

  private DjlRuntime() {}

  /** Applies the settings; call before anything starts the engine. Idempotent. */
  public static synchronized void configure() {
    if (configured) {
      return;
    }
    setDefault("ai.djl.offline", "true");
    setDefault(THREADS, "1");
    setDefault("ai.djl.pytorch.num_interop_threads", "1");
    setDefault("ai.djl.pytorch.graph_optimizer", "false");
    configured = true;
  }

  /**
   * Whether the engine can run on GPU {@code index}: it was built with CUDA (not the CPU
   * natives) and sees that many devices.
   */
  public static boolean hasGpu(int index) {
    configure();
    ai.djl.engine.Engine e = ai.djl.engine.Engine.getEngine("PyTorch");
    return e.hasCapability(ai.djl.engine.StandardCapabilities.CUDA) && index < e.getGpuCount();
  }

  private static void setDefault(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
