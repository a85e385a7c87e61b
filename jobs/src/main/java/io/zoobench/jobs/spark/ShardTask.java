package io.zoobench.jobs.spark;

import ai.djl.Device;
import io.zoobench.detect.DetectorModel;
import io.zoobench.detect.Detections;
import io.zoobench.detect.Devices;
import io.zoobench.detect.ImagePrefetcher;
import io.zoobench.detect.InputPipeline;
import io.zoobench.detect.NativeModelException;
import io.zoobench.detect.PreparedImage;
import io.zoobench.detect.ProposalBoxes;
import io.zoobench.detect.ShardPlan;
import io.zoobench.detect.ShardTimings;
import io.zoobench.jobs.TestFaults;
import io.zoobench.jobs.tables.FailureRow;
import io.zoobench.jobs.tables.TimingRow;
import io.zoobench.mask.Rle;
import io.zoobench.zoo.ModelSpec;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.resource.ResourceInformation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One inference task on Spark: runs a {@link ShardPlan.Shard} through the executor's cached
 * model ({@link ModelCache}) on the device the task's GPU resource selects ({@link Devices}),
 * with the images prefetched ahead of the forward passes ({@link ImagePrefetcher}), and leaves
 * the shard's predictions, timings and failed images in the run's checkpoints
 * ({@link ShardCheckpoints}) before it ends, so a finished shard survives the driver. Returns
 * the shard's summary. The Spark parts only: everything else is the inference module's.
 *
 * <p>A retried or speculative task writes the same shard again, by rename: never a duplicate,
 * never half a shard.
 */
final class ShardTask implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(ShardTask.class);

  private final String runId;
  private final ModelSpec spec;
  private final String imagesRoot;
  private final SparkSupport.HadoopConf conf;
  private final Devices.Mode deviceMode;
  /** Test-only fault hook ({@code Settings.TEST_FAIL_SHARD_ONCE}): -1 in real runs. */
  private final int testFailShardOnce;
  /** Test-only fault hook ({@code Settings.TEST_HALT_EXECUTOR}): false in real runs. */
  private final boolean testHaltExecutor;
  private final ShardCheckpoints checkpoints;
  /** A Fast R-CNN's proposals per image, or null for a model that takes none. */
  private final Broadcast<ProposalBoxes> proposals;

  ShardTask(String runId, ModelSpec spec, String imagesRoot, SparkSupport.HadoopConf conf,
      Devices.Mode deviceMode, int testFailShardOnce, boolean testHaltExecutor,
      ShardCheckpoints checkpoints, Broadcast<ProposalBoxes> proposals) {
    this.runId = runId;
    this.spec = spec;
    this.imagesRoot = imagesRoot;
    this.conf = conf;
    this.deviceMode = deviceMode;
    this.testFailShardOnce = testFailShardOnce;
    this.testHaltExecutor = testHaltExecutor;
    this.checkpoints = checkpoints;
    this.proposals = proposals;
  }

  /** Runs the shard to its checkpoint; returns its summary (no predictions). */
  ShardOutput run(ShardPlan.Shard shard) throws InterruptedException {
    TaskContext task = TaskContext.get();
    String gpu = gpuAddress(task);
    if (task != null && task.attemptNumber() > 0) {
      LOG.info("shard {}: attempt {} (a retry)", shard.id(), task.attemptNumber() + 1);
    }
    Device device = Devices.choose(deviceMode, gpu);
    // images load while the first task of the executor loads the model
    try (ImagePrefetcher prefetch = new ImagePrefetcher(shard.images(),
        new HadoopImageSource(imagesRoot, conf.get()), new InputPipeline(spec.input()),
        2 * spec.batchSize() + 2, "zoobench-prefetch-" + shard.id()).start()) {
      ShardOutput out;
      try (ModelCache.Lease model = ModelCache.borrow(spec, device, conf.get())) {
        boolean failOnce = shard.id() == testFailShardOnce && task != null
            && task.attemptNumber() == 0;
        out = infer(shard, model, device, prefetch, gpu, failOnce);
      }
      checkpoints.write(out);
      return out.summary();
    }
  }

  /**
   * One batch on the leased instance; after a native runtime error, once more on a fresh
   * instance (the failed one is closed). A second failure fails the task, which Spark retries
   * ({@code spark.task.maxFailures}); it is no bad input.
   */
  private DetectorModel.Batch forward(ModelCache.Lease model, Device device,
      List<PreparedImage> inputs, int shard) {
    try {
      return model.model().run(inputs);
    } catch (NativeModelException e) {
      LOG.warn("shard {}: {}; retrying the batch on a fresh instance of the model", shard,
          e.getMessage());
      return model.replace(spec, device, conf.get()).run(inputs);
    }
  }

  private ShardOutput infer(ShardPlan.Shard shard, ModelCache.Lease lease, Device device,
      ImagePrefetcher prefetch, String gpu, boolean failOnce) throws InterruptedException {
    ShardOutput out = new ShardOutput(shard.id());
    ShardTimings clock = new ShardTimings();
    List<FailureRow> failed = new ArrayList<>();
    boolean ended = false;
    while (!ended) {
      long t0 = System.nanoTime();
      List<ImagePrefetcher.Item> batch = new ArrayList<>();
      while (batch.size() < spec.batchSize()) {
        ImagePrefetcher.Item it = prefetch.next();
        if (it == null) {
          ended = true;
          break;
        }
        if (it.failed()) {
          failed.add(new FailureRow(runId, it.ref().id(), Redact.path(it.ref().file()),
              it.stage(), it.problem()));
          continue;
        }
        batch.add(it);
      }
      long wait = System.nanoTime() - t0;
      if (batch.isEmpty()) {
        continue;
      }
      List<PreparedImage> inputs = new ArrayList<>(batch.size());
      for (ImagePrefetcher.Item it : batch) {
        inputs.add(proposals == null ? it.image()
            : it.image().withProposals(proposals.value().of(it.ref().id())));
      }
      DetectorModel.Batch result = forward(lease, device, inputs, shard.id());
      long t1 = System.nanoTime();
      for (int i = 0; i < batch.size(); i++) {
        add(out, batch.get(i).ref(), result.detections().get(i));
      }
      clock.batch(batch.size(), wait, result.forwardNanos(),
          result.postprocessNanos() + (System.nanoTime() - t1));
      if (clock.images() * 2 >= shard.images().size()) {
        TestFaults.haltExecutorIf(testHaltExecutor);
      }
      if (failOnce && clock.images() * 2 >= shard.images().size()) {
        throw new IllegalStateException("test fault: first attempt of shard " + shard.id()
            + " fails half-way (spark.zoobench.faults.failShardOnce)");
      }
    }
    out.failures = List.copyOf(failed);
    DetectorModel model = lease.model();
    out.timing = new TimingRow(runId, shard.id(), spec.name(), clock.images(),
        clock.warmupImages(), prefetch.readNanos() / 1e9, prefetch.decodeNanos() / 1e9,
        prefetch.preprocessNanos() / 1e9, clock.forwardSeconds(), clock.postprocessSeconds(),
        clock.fpsEndToEnd(), clock.fpsCompute(),
        model.peakDeviceBytes() < 0 ? null : model.peakDeviceBytes(),
        Devices.label(model.device()), host(), gpu, failed.size(), clock.waitSeconds());
    return out;
  }

  private void add(ShardOutput out, ShardPlan.ImageRef ref, Detections d) {
    for (int i = 0; i < d.size(); i++) {
      Rle m = d.mask(i);
      out.add(ref.id(), (long) ref.ordinal() * spec.maxDetections() + i, d.category(i),
          new double[] {d.box(i, 0), d.box(i, 1), d.box(i, 2), d.box(i, 3)}, d.score(i),
          m == null ? -1 : m.height(), m == null ? -1 : m.width(),
          m == null ? null : m.toCompressedString().getBytes(StandardCharsets.ISO_8859_1));
    }
  }

  private static String gpuAddress(TaskContext task) {
    if (task == null) {
      return null;
    }
    scala.Option<ResourceInformation> r = task.resources().get("gpu");
    return r.isDefined() && r.get().addresses().length > 0 ? r.get().addresses()[0] : null;
  }

  private static String host() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
