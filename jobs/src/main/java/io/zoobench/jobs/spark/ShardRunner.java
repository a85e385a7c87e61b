package io.zoobench.jobs.spark;

import ai.djl.Device;
import io.zoobench.coco.InvalidInputException;
import io.zoobench.detect.DetectorModel;
import io.zoobench.detect.DjlRuntime;
import io.zoobench.detect.Detections;
import io.zoobench.detect.InputPipeline;
import io.zoobench.detect.PreparedImage;
import io.zoobench.detect.ShardPlan;
import io.zoobench.mask.Rle;
import io.zoobench.zoo.ModelSpec;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;

/**
 * One inference task: runs a {@link ShardPlan.Shard} through the executor's cached model and
 * yields its prediction rows. A prefetch thread reads, decodes and preprocesses images into a
 * bounded queue while the task thread runs the forward passes, so the device does not wait on
 * decoding. Images that cannot be read or decoded become {@code failures} rows and the shard
 * goes on. Timings (one {@code timings} row per shard) exclude the first batch (warm-up):
 * compute time is forward + post-processing; end-to-end time adds the waits for the prefetch
 * queue, i.e. the loading the pipeline failed to hide.
 *
 * <p>Rows reach the table through Spark's file commit protocol: only one attempt of each task
 * commits its file, so a retried or speculative task never duplicates predictions, and
 * accumulator updates (timings, failures) count for successful attempts only.
 */
final class ShardRunner implements Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * {@code auto} (default: the task's {@code gpu} resource when it has one and the engine has
   * CUDA, else the CPU), {@code cpu}, or {@code gpu} (the task's GPU, or GPU 0 when Spark assigns
   * none, as in local mode on a GPU workstation; an error when the engine has no CUDA).
   */
  static final String DEVICE = "spark.zoobench.inference.device";
  /** Fault injection for tests: the first attempt of this shard fails half-way. */
  static final String FAIL_SHARD_ONCE = "spark.zoobench.faults.failShardOnce";

  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");

  private final ModelSpec spec;
  private final String imagesRoot;
  private final SparkSupport.HadoopConf conf;
  private final String deviceMode;
  private final int failShardOnce;
  private final CollectionAccumulator<Row> timings;
  private final CollectionAccumulator<Row> failures;
  private final LongAccumulator masks;
  private final LongAccumulator predictions;

  ShardRunner(ModelSpec spec, String imagesRoot, SparkSupport.HadoopConf conf, String deviceMode,
      int failShardOnce, CollectionAccumulator<Row> timings, CollectionAccumulator<Row> failures,
      LongAccumulator masks, LongAccumulator predictions) {
    this.spec = spec;
    this.imagesRoot = imagesRoot;
    this.conf = conf;
    this.deviceMode = deviceMode;
    this.failShardOnce = failShardOnce;
    this.timings = timings;
    this.failures = failures;
    this.masks = masks;
    this.predictions = predictions;
  }

  /**
   * Why an image's {@code file_name} is refused (missing, absolute, a URI, or leaving the image
   * root), or null when it is a plain relative path.
   */
  static String unsafeName(String file) {
    if (file == null || file.isBlank()) {
      return "no file_name";
    }
    if (file.startsWith("/") || file.startsWith("\\") || SCHEME.matcher(file).find()) {
      return "file_name '" + file + "' is not relative to the image root";
    }
    for (String part : file.split("[/\\\\]")) {
      if (part.equals("..")) {
        return "file_name '" + file + "' leaves the image root";
      }
    }
    return null;
  }

  Iterator<Row> run(ShardPlan.Shard shard) {
    TaskContext task = TaskContext.get();
    String gpu = gpuAddress(task);
    Device device = device(deviceMode, gpu);
    // images load while the first task of the executor loads the model
    Prefetcher prefetch = new Prefetcher(shard);
    Thread t = new Thread(prefetch, "zoobench-prefetch-" + shard.id());
    t.setDaemon(true);
    if (task != null) {
      task.addTaskCompletionListener(
          (org.apache.spark.util.TaskCompletionListener) ctx -> t.interrupt());
    }
    t.start();
    DetectorModel model = ModelCache.get(spec, device, conf.get());
    boolean failOnce = shard.id() == failShardOnce && task != null && task.attemptNumber() == 0;
    return new Rows(shard, model, prefetch, gpu, failOnce);
  }

  /** The DJL device for a task given the device mode and its Spark {@code gpu} address. */
  static Device device(String mode, String gpuAddress) {
    if (mode.equals("cpu") || mode.equals("auto") && gpuAddress == null) {
      return Device.cpu();
    }
    int index;
    try {
      index = gpuAddress == null ? 0 : Integer.parseInt(gpuAddress.trim());
    } catch (NumberFormatException e) {
      throw new InvalidInputException("the task's gpu address '" + gpuAddress + "' is not a"
          + " CUDA device index: make the discovery script print indices (conf/gpu-discovery.sh)");
    }
    if (DjlRuntime.hasGpu(index)) {
      return Device.gpu(index);
    }
    if (mode.equals("gpu")) {
      throw new InvalidInputException(DEVICE + "=gpu but the PyTorch engine has no CUDA device "
          + index + " (CPU natives, or no CUDA runtime): see docs/gpu.md");
    }
    return Device.cpu();
  }

  private static String gpuAddress(TaskContext task) {
    if (task == null) {
      return null;
    }
    scala.Option<ResourceInformation> r = task.resources().get("gpu");
    return r.isDefined() && r.get().addresses().length > 0 ? r.get().addresses()[0] : null;
  }

  /** What the prefetch thread hands over: a prepared image, or why there is none. */
  private record Item(ShardPlan.ImageRef ref, PreparedImage image, String stage,
      String problem) {}

  private static final Item END = new Item(null, null, null, null);

  /** Reads, decodes and preprocesses the shard's images in order, ahead of the model. */
  private final class Prefetcher implements Runnable {
    private final ShardPlan.Shard shard;
    final BlockingQueue<Item> queue;
    volatile long readNanos;
    volatile long decodeNanos;
    volatile long preprocessNanos;
    volatile Throwable crashed;

    Prefetcher(ShardPlan.Shard shard) {
      this.shard = shard;
      this.queue = new ArrayBlockingQueue<>(2 * spec.batchSize() + 2);
    }

    @Override
    public void run() {
      try {
        InputPipeline pipeline = new InputPipeline(spec.input());
        Path root = new Path(imagesRoot);
        FileSystem fs = SparkSupport.fileSystem(root, conf.get());
        for (ShardPlan.ImageRef ref : shard.images()) {
          queue.put(load(ref, pipeline, fs, root));
        }
      } catch (InterruptedException e) {
        return;
      } catch (Throwable e) {
        crashed = e;
      }
      try {
        queue.put(END);
      } catch (InterruptedException e) {
        // the task ended first
      }
    }

    private Item load(ShardPlan.ImageRef ref, InputPipeline pipeline, FileSystem fs,
        Path root) {
      String unsafe = unsafeName(ref.file());
      if (unsafe != null) {
        return new Item(ref, null, "path", unsafe);
      }
      long t0 = System.nanoTime();
      byte[] bytes;
      try (InputStream in = fs.open(new Path(root, ref.file()))) {
        bytes = in.readAllBytes();
      } catch (java.io.FileNotFoundException e) {
        return new Item(ref, null, "read", "no such file");
      } catch (IOException e) {
        return new Item(ref, null, "read", "cannot read: " + e.getMessage());
      }
      long t1 = System.nanoTime();
      BufferedImage img;
      try {
        img = InputPipeline.decode(bytes, ref.file());
      } catch (InvalidInputException e) {
        return new Item(ref, null, "decode", e.getMessage());
      }
      if (img.getWidth() != ref.width() || img.getHeight() != ref.height()) {
        return new Item(ref, null, "decode", ref.file() + ": image is " + img.getWidth() + "x"
            + img.getHeight() + ", the annotations say " + ref.width() + "x" + ref.height());
      }
      long t2 = System.nanoTime();
      PreparedImage p = pipeline.prepare(img);
      long t3 = System.nanoTime();
      readNanos += t1 - t0;
      decodeNanos += t2 - t1;
      preprocessNanos += t3 - t2;
      return new Item(ref, p, null, null);
    }
  }

  /** Pulls batches through the model as the writer asks for rows. */
  private final class Rows implements Iterator<Row> {
    private final ShardPlan.Shard shard;
    private final DetectorModel model;
    private final Prefetcher prefetch;
    private final String gpu;
    private final boolean failOnce;
    private final List<Row> pending = new ArrayList<>();
    private int next;
    private boolean ended;
    private int batches;
    private long images;
    private long warmup;
    private long failed;
    private long forwardNanos;
    private long postNanos;
    private long waitNanos;
    private long measuredImages;
    private long measuredCompute;
    private long measuredEndToEnd;

    Rows(ShardPlan.Shard shard, DetectorModel model, Prefetcher prefetch, String gpu,
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
      if (failOnce && images * 2 >= shard.images().size()) {
        throw new IllegalStateException("injected failure of shard " + shard.id()
            + " (" + FAIL_SHARD_ONCE + "), first attempt");
      }
      return pending.get(next++);
    }

    private void nextBatch() {
      long t0 = System.nanoTime();
      List<Item> batch = new ArrayList<>();
      try {
        while (batch.size() < spec.batchSize()) {
          Item it = prefetch.queue.take();
          if (it == END) {
            ended = true;
            break;
          }
          if (it.image() == null) {
            failed++;
            failures.add(RowFactory.create(it.ref().id(), it.ref().file(), it.stage(),
                it.problem()));
            continue;
          }
          batch.add(it);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for images", e);
      }
      if (prefetch.crashed != null) {
        throw new IllegalStateException("image prefetch failed: " + prefetch.crashed,
            prefetch.crashed);
      }
      long wait = System.nanoTime() - t0;
      if (!batch.isEmpty()) {
        List<PreparedImage> inputs = new ArrayList<>(batch.size());
        for (Item it : batch) {
          inputs.add(it.image());
        }
        DetectorModel.Batch out = model.run(inputs);
        long t1 = System.nanoTime();
        for (int i = 0; i < batch.size(); i++) {
          addRows(batch.get(i).ref(), out.detections().get(i));
        }
        long post = out.postprocessNanos() + (System.nanoTime() - t1);
        images += batch.size();
        forwardNanos += out.forwardNanos();
        postNanos += post;
        if (batches++ == 0) {
          warmup += batch.size();
        } else {
          waitNanos += wait;
          measuredImages += batch.size();
          measuredCompute += out.forwardNanos() + post;
          measuredEndToEnd += wait + out.forwardNanos() + post;
        }
      }
      if (ended) {
        timings.add(RowFactory.create(shard.id(), spec.name(), images, warmup,
            prefetch.readNanos / 1e9, prefetch.decodeNanos / 1e9, prefetch.preprocessNanos / 1e9,
            forwardNanos / 1e9, postNanos / 1e9, fps(measuredImages, measuredEndToEnd),
            fps(measuredImages, measuredCompute), model.peakDeviceBytes() < 0 ? null
                : model.peakDeviceBytes(), model.device().toString(), host(), gpu, failed,
            waitNanos / 1e9));
      }
    }

    private void addRows(ShardPlan.ImageRef ref, Detections d) {
      predictions.add(d.size());
      for (int i = 0; i < d.size(); i++) {
        Row seg = null;
        Rle m = d.mask(i);
        if (m != null) {
          seg = RowFactory.create(new Integer[] {m.height(), m.width()}, m.toCompressedString());
          masks.add(1);
        }
        pending.add(RowFactory.create(ref.id(), d.category(i),
            new Double[] {d.box(i, 0), d.box(i, 1), d.box(i, 2), d.box(i, 3)}, d.score(i), seg,
            (long) ref.ordinal() * spec.maxDetections() + i));
      }
    }
  }

  private static Double fps(long images, long nanos) {
    return images == 0 || nanos == 0 ? null : images / (nanos / 1e9);
  }

  private static String host() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
