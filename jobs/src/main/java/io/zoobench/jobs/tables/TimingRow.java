package io.zoobench.jobs.tables;

/**
 * A row of {@code timings}: one inference shard of an {@code evaluate} run. Read, decode and
 * preprocess seconds are the prefetch thread's over all images; forward and post-processing over
 * all batches; the fps exclude the warm-up batch ({@link io.zoobench.detect.ShardTimings}).
 */
public record TimingRow(String runId, int shardId, String model, long images, long warmupImages,
    double readS, double decodeS, double preprocessS, double forwardS, double postprocessS,
    Double fpsEndToEnd, Double fpsCompute, Long peakDeviceMemoryBytes, String device,
    String host, String taskGpu, long imagesFailed, double waitS) implements java.io.Serializable {

  public static final TableSchema<TimingRow> TABLE = TableSchema.of("timings", TimingRow.class);
}
