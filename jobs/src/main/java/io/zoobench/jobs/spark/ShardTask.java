package io.zoobench.jobs.spark;

import ai.djl.Device;
import io.zoobench.detect.DetectorModel;
import io.zoobench.detect.Detections;
import io.zoobench.detect.Devices;
import io.zoobench.detect.ImagePrefetcher;
import io.zoobench.detect.InputPipeline;
import io.zoobench.detect.PreparedImage;
import io.zoobench.detect.ShardPlan;
import io.zoobench.detect.ShardTimings;
import io.zoobench.jobs.tables.FailureRow;
import io.zoobench.jobs.tables.PredictionRow;
import io.zoobench.jobs.tables.TimingRow;
import io.zoobench.mask.Rle;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.apache.spark.sql.Row;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One inference task on Spark: runs a {@link ShardPlan.Shard} through the executor's cached
 * model ({@link ModelCache}) on the device the task's GPU resource selects ({@link Devices}),
 * with the images prefetched ahead of the forward passes ({@link ImagePrefetcher}), and yields
 * the shard's prediction rows; its {@code timings} row and the images that failed go to
 * accumulators. The Spark parts only: everything else is the inference module's.
 *
 * <p>Rows reach the table through Spark's file commit protocol: only one attempt of each task
 * commits its file, so a retried or speculative task never duplicates predictions, and
 * accumulator updates (timings, failures) count for successful attempts only.
 */
final class ShardTask implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(ShardTask.class);

  private final String runId;
  private final io.zoobench.zoo.ModelSpec spec;
  private final String imagesRoot;
  private final SparkSupport.HadoopConf conf;
  private final Devices.Mode deviceMode;
  /** Test-only fault hook ({@code Settings.TEST_FAIL_SHARD_ONCE}): -1 in real runs. */
  private final int testFailShardOnce;
  private final CollectionAccumulator<TimingRow> timings;
  private final CollectionAccumulator<FailureRow> failures;
  private final LongAccumulator masks;
  private final LongAccumulator predictions;

  ShardTask(String runId, io.zoobench.zoo.ModelSpec spec, String imagesRoot,
      SparkSupport.HadoopConf conf, Devices.Mode deviceMode, int testFailShardOnce,
      CollectionAccumulator<TimingRow> timings, CollectionAccumulator<FailureRow> failures,
      LongAccumulator masks, LongAccumulator predictions) {
    this.runId = runId;
    this.spec = spec;
    this.imagesRoot = imagesRoot;
    this.conf = conf;
    this.deviceMode = deviceMode;
    this.testFailShardOnce = testFailShardOnce;
    this.timings = timings;
    this.failures = failures;
    this.masks = masks;
    this.predictions = predictions;
  }

  /** The shard's prediction rows, computed as the writer asks for them. */
  Iterator<Row> run(ShardPlan.Shard shard) {
    TaskContext task = TaskContext.get();
    String gpu = gpuAddress(task);
    if (task != null && task.attemptNumber() > 0) {
      LOG.info("shard {}: attempt {} (a retry)", shard.id(), task.attemptNumber() + 1);
    }
    Device device = Devices.choose(deviceMode, gpu);
    // images load while the first task of the executor loads the model
    ImagePrefetcher prefetch = new ImagePrefetcher(shard.images(),
        new HadoopImageSource(imagesRoot, conf.get()), new InputPipeline(spec.input()),
        2 * spec.batchSize() + 2, "zoobench-prefetch-" + shard.id()).start();
    if (task != null) {
      task.addTaskCompletionListener(
          (org.apache.spark.util.TaskCompletionListener) ctx -> prefetch.close());
    }
    DetectorModel model = ModelCache.get(spec, device, conf.get());
    boolean failOnce = shard.id() == testFailShardOnce && task != null
        && task.attemptNumber() == 0;
    return new Rows(shard, model, prefetch, gpu, failOnce);
  }

  private static String gpuAddress(TaskContext task) {
    if (task == null) {
      return null;
    }
    scala.Option<ResourceInformation> r = task.resources().get("gpu");
    return r.isDefined() && r.get().addresses().length > 0 ? r.get().addresses()[0] : null;
  }

  /** Pulls batches through the model as the writer asks for rows. */
  private final class Rows implements Iterator<Row> {
    private final ShardPlan.Shard shard;
    private final DetectorModel model;
    private final ImagePrefetcher prefetch;
    private final String gpu;
    private final boolean failOnce;
    private final ShardTimings clock = new ShardTimings();
    private final List<Row> pending = new ArrayList<>();
    private int next;
    private boolean ended;
    private long failed;

    Rows(ShardPlan.Shard shard, DetectorModel model, ImagePrefetcher prefetch, String gpu,
        boolean failOnce) {
      this.shard = shard;
      this.model = model;
      this.prefetch = prefetch;
      this.gpu = gpu;
      this.failOnce = failOnce;
    }

    @Override
    public boolean hasNext() {
      while (next == pending.size() && !ended) {
        pending.clear();
        next = 0;
        nextBatch();
      }
      return next < pending.size();
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      if (failOnce && clock.images() * 2 >= shard.images().size()) {
        throw new IllegalStateException("test fault: first attempt of shard " + shard.id()
            + " fails half-way (spark.zoobench.faults.failShardOnce)");
      }
      return pending.get(next++);
    }

    private void nextBatch() {
      long t0 = System.nanoTime();
      List<ImagePrefetcher.Item> batch = new ArrayList<>();
      try {
        while (batch.size() < spec.batchSize()) {
          ImagePrefetcher.Item it = prefetch.next();
          if (it == null) {
            ended = true;
            break;
          }
          if (it.failed()) {
            failed++;
            failures.add(new FailureRow(runId, it.ref().id(), it.ref().file(), it.stage(),
                it.problem()));
            continue;
          }
          batch.add(it);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for images", e);
      }
      long wait = System.nanoTime() - t0;
      if (!batch.isEmpty()) {
        List<PreparedImage> inputs = new ArrayList<>(batch.size());
        for (ImagePrefetcher.Item it : batch) {
          inputs.add(it.image());
        }
        DetectorModel.Batch out = model.run(inputs);
        long t1 = System.nanoTime();
        for (int i = 0; i < batch.size(); i++) {
          addRows(batch.get(i).ref(), out.detections().get(i));
        }
        clock.batch(batch.size(), wait, out.forwardNanos(),
            out.postprocessNanos() + (System.nanoTime() - t1));
      }
      if (ended) {
        timings.add(new TimingRow(runId, shard.id(), spec.name(), clock.images(),
            clock.warmupImages(), prefetch.readNanos() / 1e9, prefetch.decodeNanos() / 1e9,
            prefetch.preprocessNanos() / 1e9, clock.forwardSeconds(),
            clock.postprocessSeconds(), clock.fpsEndToEnd(), clock.fpsCompute(),
            model.peakDeviceBytes() < 0 ? null : model.peakDeviceBytes(),
            model.device().toString(), host(), gpu, failed, clock.waitSeconds()));
      }
    }

    private void addRows(ShardPlan.ImageRef ref, Detections d) {
      predictions.add(d.size());
      for (int i = 0; i < d.size(); i++) {
        PredictionRow.Mask mask = null;
        Rle m = d.mask(i);
        if (m != null) {
          mask = new PredictionRow.Mask(new int[] {m.height(), m.width()},
              m.toCompressedString());
          masks.add(1);
        }
        pending.add(PredictionRow.TABLE.toRow(new PredictionRow(runId, ref.id(), d.category(i),
            new double[] {d.box(i, 0), d.box(i, 1), d.box(i, 2), d.box(i, 3)}, d.score(i), mask,
            (long) ref.ordinal() * spec.maxDetections() + i)));
      }
    }
  }

  private static String host() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
