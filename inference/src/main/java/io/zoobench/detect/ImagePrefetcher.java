package io.zoobench.detect;

import io.zoobench.coco.InvalidInputException;
import io.zoobench.coco.Redaction;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads, decodes and preprocesses a shard's images in order on a thread of its own, ahead of
 * the forward pass, into a bounded queue, so the device does not wait on JPEG decoding. An
 * image that cannot be read, decoded or named safely becomes an {@link Item} with a stage and a
 * problem (the shard goes on); a crash of the thread itself reaches the consumer as an
 * exception. Read, decode and preprocess times are summed for the shard's timings.
 *
 * <pre>{@code
 * try (ImagePrefetcher p = new ImagePrefetcher(shard.images(), source, pipeline, 4).start()) {
 *   for (ImagePrefetcher.Item it; (it = p.next()) != null; ) { ... }
 * }
 * }</pre>
 */
public final class ImagePrefetcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ImagePrefetcher.class);

  /** One image of the shard: prepared, or why not ({@code stage}: path, read or decode). */
  public record Item(ShardPlan.ImageRef ref, PreparedImage image, String stage, String problem) {
    public boolean failed() {
      return image == null;
    }
  }

  private static final Item END = new Item(null, null, null, null);

  private final List<ShardPlan.ImageRef> images;
  private final ImageSource source;
  private final InputPipeline pipeline;
  private final BlockingQueue<Item> queue;
  private final Thread thread;
  private volatile long readNanos;
  private volatile long decodeNanos;
  private volatile long preprocessNanos;
  private volatile Throwable crashed;

  /**
   * @param capacity prepared images held at most (bounds the memory ahead of the model)
   * @param name the thread's name
   */
  public ImagePrefetcher(List<ShardPlan.ImageRef> images, ImageSource source,
      InputPipeline pipeline, int capacity, String name) {
    this.images = List.copyOf(images);
    this.source = source;
    this.pipeline = pipeline;
    this.queue = new ArrayBlockingQueue<>(Math.max(1, capacity));
    this.thread = new Thread(this::run, name);
    this.thread.setDaemon(true);
  }

  /** Starts the thread; returns this. */
  public ImagePrefetcher start() {
    thread.start();
    return this;
  }

  /**
   * The next image in shard order, or {@code null} after the last.
   *
   * @throws IllegalStateException when the prefetch thread itself failed
   */
  public Item next() throws InterruptedException {
    Item it = queue.take();
    if (it == END) {
      if (crashed != null) {
        throw new IllegalStateException("image prefetch failed: " + crashed, crashed);
      }
      queue.put(END); // later calls see the end too
      return null;
    }
    return it;
  }

  private void run() {
    try {
      for (ShardPlan.ImageRef ref : images) {
        queue.put(load(ref));
      }
    } catch (InterruptedException e) {
      return; // the consumer is gone
    } catch (Throwable e) {
      LOG.error("image prefetch of {} failed", thread.getName(), e);
      crashed = e;
    }
    try {
      queue.put(END);
    } catch (InterruptedException e) {
      // the consumer is gone
    }
  }

  private Item load(ShardPlan.ImageRef ref) {
    String unsafe = ImageNames.problem(ref.file());
    if (unsafe != null) {
      return failed(ref, "path", unsafe);
    }
    long t0 = System.nanoTime();
    byte[] bytes;
    try {
      bytes = source.read(ref.file());
    } catch (FileNotFoundException e) {
      return failed(ref, "read", "no such file");
    } catch (ImageSource.Outside e) {
      return failed(ref, "path", e.getMessage());
    } catch (IOException e) {
      return failed(ref, "read", "cannot read: " + e.getMessage());
    }
    long t1 = System.nanoTime();
    InputPipeline.Decoded img;
    try {
      img = pipeline.read(bytes, ref.file());
    } catch (InvalidInputException e) {
      return failed(ref, "decode", e.getMessage());
    }
    if (img.width() != ref.width() || img.height() != ref.height()) {
      return failed(ref, "decode", ref.file() + ": image is " + img.width() + "x"
          + img.height() + (img.orientation() == 1 ? "" : " after its EXIF orientation "
          + img.orientation()) + ", the annotations say " + ref.width() + "x" + ref.height());
    }
    long t2 = System.nanoTime();
    PreparedImage p = pipeline.prepare(img);
    long t3 = System.nanoTime();
    readNanos += t1 - t0;
    decodeNanos += t2 - t1;
    preprocessNanos += t3 - t2;
    return new Item(ref, p, null, null);
  }

  private static Item failed(ShardPlan.ImageRef ref, String stage, String problem) {
    // a file_name is the annotations file's text: it may be a URI with credentials
    String said = Redaction.text(problem);
    LOG.info("image {} ({}) failed at {}: {}", ref.id(), Redaction.path(ref.file()), stage, said);
    return new Item(ref, null, stage, said);
  }

  /** Time spent reading image bytes, over the images read so far. */
  public long readNanos() {
    return readNanos;
  }

  public long decodeNanos() {
    return decodeNanos;
  }

  public long preprocessNanos() {
    return preprocessNanos;
  }

  /** Stops the thread (the task ended, or failed). */
  @Override
  public void close() {
    thread.interrupt();
  }
}
