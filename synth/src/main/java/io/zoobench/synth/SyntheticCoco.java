package io.zoobench.synth;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.io.SerializedString;
import io.zoobench.coco.CocoDataset;
import io.zoobench.coco.Redaction;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Deterministic generator of COCO-like evaluation data: a ground-truth instances file, a
 * detector's results and optionally class-agnostic proposals, with val2017-like statistics.
 *
 * <p>It exists to benchmark and cross-check COCO evaluators at realistic scale without the real
 * data set: 80 real categories, COCO image sizes and sparse ids, about 7.3 objects per image
 * (41% small, 34% medium, 25% large, 1% crowd regions as uncompressed RLE, 10% multi-polygon
 * objects), and exactly {@code detectionsPerImage} detections per image mixing jittered true
 * positives, duplicates, near misses and random false positives, with score ties. The same
 * {@link SynthSpec} always gives byte-identical files, whatever the thread count: each image is
 * drawn from its own random stream and images are written in order.
 *
 * <pre>{@code
 * SynthSummary s = SyntheticCoco.generate(
 *     new SynthSpec(5000, 1, true, 1000), Path.of("/tmp/synth"));
 * // /tmp/synth/gt.json, /tmp/synth/dt.json, /tmp/synth/proposals.json
 * }</pre>
 *
 * <p>Files are streamed: images are generated in small batches on worker threads, each batch
 * rendered to JSON bytes there, and the bytes spliced into the output files in image order, so
 * memory stays flat however many images are asked for.
 */
public final class SyntheticCoco {
  /** Ground-truth file name inside the output directory. */
  public static final String GT_FILE = "gt.json";
  /** Results file name inside the output directory. */
  public static final String DT_FILE = "dt.json";
  /** Proposals file name inside the output directory. */
  public static final String PROPOSALS_FILE = "proposals.json";

  private static final int IMAGES_PER_BATCH = 8;
  /** Batches in flight per worker: enough to keep workers busy while the writer catches up. */
  private static final int BATCHES_AHEAD_PER_THREAD = 4;

  private static final JsonFactory JSON = JsonFactory.builder()
      .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
      .disable(StreamWriteFeature.FLUSH_PASSED_TO_STREAM)
      .build();

  private SyntheticCoco() {}

  /** Generates into {@code outDir} (created if missing) using every available core. */
  public static SynthSummary generate(SynthSpec spec, Path outDir) {
    return generate(spec, outDir, Runtime.getRuntime().availableProcessors());
  }

  /**
   * Generates into {@code outDir} (created if missing) on {@code threads} threads; the files
   * do not depend on {@code threads}. Existing files of the same names are replaced; a
   * {@code proposals.json} of an earlier run stays when this spec asks for no proposals.
   */
  public static SynthSummary generate(SynthSpec spec, Path outDir, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    try {
      Files.createDirectories(outDir);
      return write(spec, outDir, threads);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write synthetic data to "
          + Redaction.path(outDir.toString()), e);
    }
  }

  private static SynthSummary write(SynthSpec spec, Path outDir, int threads) throws IOException {
    ImagePlan[] plans = ImagePlan.catalog(spec);
    Path gtPath = outDir.resolve(GT_FILE);
    Path dtPath = outDir.resolve(DT_FILE);
    Path proposalPath = spec.proposalsPerImage() > 0 ? outDir.resolve(PROPOSALS_FILE) : null;
    SynthCounts total = new SynthCounts();
    ExecutorService pool = threads > 1 ? Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "synthetic-coco");
      t.setDaemon(true);
      return t;
    }) : null;
    try (SplicedJsonFile gt = new SplicedJsonFile(gtPath);
        SplicedJsonFile dt = new SplicedJsonFile(dtPath);
        SplicedJsonFile proposals = proposalPath == null ? null
            : new SplicedJsonFile(proposalPath)) {
      writeGroundTruthHead(gt.gen, spec, plans);
      gt.gen.writeFieldName("annotations");
      gt.openSplicedArray();
      dt.openSplicedArray();
      if (proposals != null) {
        proposals.openSplicedArray();
      }
      int batchCount = (plans.length + IMAGES_PER_BATCH - 1) / IMAGES_PER_BATCH;
      ArrayDeque<Future<Batch>> inFlight = new ArrayDeque<>();
      int submitted = 0;
      for (int written = 0; written < batchCount; written++) {
        Batch batch;
        if (pool == null) {
          batch = renderBatch(spec, plans, written);
        } else {
          while (submitted < batchCount && inFlight.size() < threads * BATCHES_AHEAD_PER_THREAD) {
            int b = submitted++;
            inFlight.add(pool.submit(() -> renderBatch(spec, plans, b)));
          }
          batch = await(inFlight.poll());
        }
        gt.splice(batch.gt);
        dt.splice(batch.dt);
        if (proposals != null) {
          proposals.splice(batch.proposals);
        }
        total.add(batch.counts);
      }
      gt.closeSplicedArray();
      writeCategories(gt.gen);
      gt.gen.writeEndObject();
      dt.closeSplicedArray();
      if (proposals != null) {
        proposals.closeSplicedArray();
      }
    } finally {
      if (pool != null) {
        pool.shutdownNow();
      }
    }
    return new SynthSummary(total.images, total.imagesWithoutAnnotations, total.annotations,
        total.crowd, total.multiPart, total.small, total.medium, total.large,
        total.categoriesWithAnnotations(), total.detections, total.proposals,
        gtPath, dtPath, proposalPath);
  }

  /** JSON bytes of one batch of images: comma-separated records, ready to splice. */
  private record Batch(
      ByteArrayOutputStream gt, ByteArrayOutputStream dt, ByteArrayOutputStream proposals,
      SynthCounts counts) {}

  private static Batch renderBatch(SynthSpec spec, ImagePlan[] plans, int batch)
      throws IOException {
    ByteArrayOutputStream gtBytes = new ByteArrayOutputStream(1 << 14);
    ByteArrayOutputStream dtBytes = new ByteArrayOutputStream(1 << 16);
    ByteArrayOutputStream proposalBytes = new ByteArrayOutputStream(
        spec.proposalsPerImage() > 0 ? 1 << 16 : 0);
    SynthCounts counts = new SynthCounts();
    ImageSynthesizer synthesizer = new ImageSynthesizer(spec);
    try (JsonGenerator gt = recordWriter(gtBytes);
        JsonGenerator dt = recordWriter(dtBytes);
        JsonGenerator proposals = recordWriter(proposalBytes)) {
      int end = Math.min(plans.length, (batch + 1) * IMAGES_PER_BATCH);
      for (int i = batch * IMAGES_PER_BATCH; i < end; i++) {
        synthesizer.synthesize(plans[i], gt, dt, proposals, counts);
      }
    }
    return new Batch(gtBytes, dtBytes, proposalBytes, counts);
  }

  /** A generator that separates root-level records with commas: array elements without "[]". */
  private static JsonGenerator recordWriter(OutputStream out) throws IOException {
    JsonGenerator g = JSON.createGenerator(out);
    g.setRootValueSeparator(new SerializedString(","));
    return g;
  }

  private static Batch await(Future<Batch> future) throws IOException {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while generating synthetic data", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(cause);
    }
  }

  private static void writeGroundTruthHead(JsonGenerator g, SynthSpec spec, ImagePlan[] plans)
      throws IOException {
    g.writeStartObject();
    g.writeObjectFieldStart("info");
    g.writeStringField("description", "zoobench synthetic COCO-like data (SyntheticCoco)");
    g.writeStringField("version", "1.0");
    g.writeNumberField("year", 2017);
    g.writeStringField("contributor", "zoobench");
    g.writeNumberField("images", spec.images());
    g.writeNumberField("seed", spec.seed());
    g.writeEndObject();
    g.writeArrayFieldStart("licenses");
    for (int id = 1; id <= 8; id++) {
      g.writeStartObject();
      g.writeStringField("url", "");
      g.writeNumberField("id", id);
      g.writeStringField("name", "synthetic license " + id);
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeArrayFieldStart("images");
    for (ImagePlan p : plans) {
      g.writeStartObject();
      g.writeNumberField("id", p.id());
      g.writeNumberField("width", p.width());
      g.writeNumberField("height", p.height());
      g.writeStringField("file_name", p.fileName());
      g.writeNumberField("license", p.license());
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private static void writeCategories(JsonGenerator g) throws IOException {
    g.writeArrayFieldStart("categories");
    for (CocoDataset.Category c : CocoCategories.all()) {
      g.writeStartObject();
      g.writeStringField("supercategory", c.supercategory());
      g.writeNumberField("id", c.id());
      g.writeStringField("name", c.name());
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  /**
   * A JSON file written by one generator, except for one big array whose elements are spliced
   * in as pre-rendered bytes. The generator sees that array as empty, so it writes only its
   * brackets; commas between spliced chunks are written here.
   */
  private static final class SplicedJsonFile implements Closeable {
    private final OutputStream out;
    final JsonGenerator gen;
    private boolean arrayEmpty;

    SplicedJsonFile(Path file) throws IOException {
      out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
      gen = JSON.createGenerator(out);
    }

    void openSplicedArray() throws IOException {
      gen.writeStartArray();
      gen.flush(); // "[" must reach the stream before the spliced bytes
      arrayEmpty = true;
    }

    void splice(ByteArrayOutputStream records) throws IOException {
      if (records.size() == 0) {
        return;
      }
      if (!arrayEmpty) {
        out.write(',');
      }
      records.writeTo(out);
      arrayEmpty = false;
    }

    void closeSplicedArray() throws IOException {
      gen.writeEndArray();
    }

    @Override
    public void close() throws IOException {
      try (out) {
        gen.close();
      }
    }
  }
}
