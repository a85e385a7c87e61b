package io.zoobench.detect;

/**
 * The clock of one inference shard: batches as they run, the first one (warm-up: graph
 * compilation, caches, lazy allocation) counted apart. Compute time is forward +
 * post-processing; end-to-end time adds the waits for the prefetch queue, i.e. the loading
 * the pipeline failed to hide. fps are over measured (non-warm-up) images.
 */
public final class ShardTimings {
  private int batches;
  private long images;
  private long warmupImages;
  private long forwardNanos;
  private long postprocessNanos;
  private long waitNanos;
  private long measuredImages;
  private long measuredCompute;
  private long measuredEndToEnd;

  /** Records one batch of {@code n} images. */
  public void batch(int n, long waitNanos, long forwardNanos, long postprocessNanos) {
    images += n;
    this.forwardNanos += forwardNanos;
    this.postprocessNanos += postprocessNanos;
    if (batches++ == 0) {
      warmupImages += n;
    } else {
      this.waitNanos += waitNanos;
      measuredImages += n;
      measuredCompute += forwardNanos + postprocessNanos;
      measuredEndToEnd += waitNanos + forwardNanos + postprocessNanos;
    }
  }

  public long images() {
    return images;
  }

  public long warmupImages() {
    return warmupImages;
  }

  public double forwardSeconds() {
    return forwardNanos / 1e9;
  }

  public double postprocessSeconds() {
    return postprocessNanos / 1e9;
  }

  /** Waits for the prefetch queue, measured batches only. */
  public double waitSeconds() {
    return waitNanos / 1e9;
  }

  /** Measured images / (waits + forward + post-processing); null when nothing was measured. */
  public Double fpsEndToEnd() {
    return fps(measuredImages, measuredEndToEnd);
  }

  /** Measured images / (forward + post-processing); null when nothing was measured. */
  public Double fpsCompute() {
    return fps(measuredImages, measuredCompute);
  }

  private static Double fps(long n, long nanos) {
    return n == 0 || nanos == 0 ? null : n / (nanos / 1e9);
  }
}
