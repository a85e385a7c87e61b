package io.zoobench.jobs.spark;

import io.zoobench.coco.CocoDataset;
import io.zoobench.coco.InvalidInputException;
import io.zoobench.coco.ResultsStream;
import io.zoobench.coco.Segmentation;
import io.zoobench.eval.EvalInputs;
import io.zoobench.eval.EvalParams;
import io.zoobench.eval.LoadRes;
import io.zoobench.mask.Rle;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * Turns a results file (any Hadoop path, plain or gzip) into prediction rows inside Spark
 * tasks (one {@link PredictionChunk} per byte range), so the driver never holds the
 * detections. Every record is checked as the
 * single-process evaluator checks it (same rules, same messages); polygon masks are rasterised
 * at the image size and uncompressed ones re-encoded, so the predictions table only holds
 * compressed RLE. {@code det_index} keeps the file order, which breaks score ties.
 */
public final class ResultsImport {
  private ResultsImport() {}

  /** What a task needs to check results against the ground truth; small and serializable. */
  static final class Context implements Serializable {
    private static final long serialVersionUID = 1L;
    final String path;
    final String name;
    final String gtName;
    final long[] imageIds;
    final int[] heights;
    final int[] widths;
    final long[] categoryIds;
    final List<EvalParams> params;
    final SparkSupport.HadoopConf conf;
    final boolean firstHasBbox;
    final int chunkRecords;

    Context(String path, String name, CocoDataset gt, List<EvalParams> params,
        SparkSupport.HadoopConf conf, boolean firstHasBbox, int chunkRecords) {
      this.firstHasBbox = firstHasBbox;
      this.chunkRecords = chunkRecords;
      this.path = path;
      this.name = name;
      this.gtName = gt.source();
      int n = gt.imageCount();
      long[][] byId = new long[n][];
      for (int i = 0; i < n; i++) {
        byId[i] = new long[] {gt.imageId(i), gt.imageHeight(i), gt.imageWidth(i)};
      }
      Arrays.sort(byId, (a, b) -> Long.compare(a[0], b[0]));
      imageIds = new long[n];
      heights = new int[n];
      widths = new int[n];
      for (int i = 0; i < n; i++) {
        imageIds[i] = byId[i][0];
        heights[i] = (int) byId[i][1];
        widths[i] = (int) byId[i][2];
      }
      categoryIds = gt.categories().stream().mapToLong(CocoDataset.Category::id).sorted()
          .toArray();
      this.params = List.copyOf(params);
      this.conf = conf;
    }
  }

  /**
   * What the driver knows of a results file before reading it in tasks: whether the first
   * result has a bbox (pycocotools' loadRes decides detection areas on it), its chunks of whole
   * records, and its sha256. The CLI surveys while Spark starts; the digest is computed by a
   * thread of its own (a second sequential read), so tasks need not wait for it.
   */
  public static final class Survey {
    private final CompletableFuture<String> sha256;
    private final boolean firstHasBbox;
    private final boolean gzip;
    final ResultsSplits.Survey chunks;

    Survey(CompletableFuture<String> sha256, boolean firstHasBbox, boolean gzip,
        ResultsSplits.Survey chunks) {
      this.sha256 = sha256;
      this.firstHasBbox = firstHasBbox;
      this.gzip = gzip;
      this.chunks = chunks;
    }

    /** About how many bytes of json the file holds (a gzip file: five times its size). */
    long jsonBytes() {
      return chunks.bytes() * (gzip ? 5 : 1);
    }

    /** Read tasks: one per core, more when a task would read more than {@code maxTaskBytes}. */
    int tasks(int cores, long maxTaskBytes) {
      return (int) Math.max(cores, Math.min(10_000, (chunks.bytes() + maxTaskBytes - 1)
          / Math.max(1, maxTaskBytes)));
    }

    /** The file's sha256 (waits for the digest). */
    public String sha256() {
      return SparkSupport.join(sha256);
    }

    public boolean firstHasBbox() {
      return firstHasBbox;
    }
  }

  /** Surveys {@code path} with {@code conf}; usable before the Spark session exists. */
  public static Survey survey(String path, org.apache.hadoop.conf.Configuration conf,
      long minSplitBytes) {
    Redact.checkNoCredentials("--results", path);
    Path p = new Path(path);
    FileSystem fs = SparkSupport.fileSystem(p, conf);
    try {
      boolean firstHasBbox;
      try (InputStream in = fs.open(p); ResultsStream s = ResultsStream.open(in, p.getName(),
          false)) {
        firstHasBbox = !s.hasNext() || s.next().bbox() != null;
      }
      CompletableFuture<String> sha = SparkSupport.async("zoobench-results-sha256",
          () -> sha256(fs, p, path));
      long len = fs.getFileStatus(p).getLen();
      try (InputStream in = fs.open(p)) {
        return new Survey(sha, firstHasBbox, p.getName().endsWith(".gz"),
            ResultsSplits.survey(in, len, minSplitBytes));
      }
    } catch (java.io.FileNotFoundException e) {
      throw new InvalidInputException(Redact.path(path) + ": no such file");
    } catch (IOException e) {
      throw new InvalidInputException(Redact.path(path) + ": cannot read: " + e.getMessage(), e);
    }
  }

  private static String sha256(FileSystem fs, Path p, String path) {
    try (InputStream in = fs.open(p)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      for (int r; (r = in.read(buf)) > 0; ) {
        md.update(buf, 0, r);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (IOException e) {
      throw new InvalidInputException(Redact.path(path) + ": cannot read: " + e.getMessage(), e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The results file read and checked by up to {@code tasks} tasks, into
   * {@link PredictionChunk}s (lazy: nothing is read until a job needs it).
   */
  static JavaRDD<PredictionChunk> chunks(SparkSession spark, String path, CocoDataset gt,
      List<EvalParams> params, Survey survey, int tasks) {
    return chunks(spark, path, gt, params, survey, tasks, CHUNK_RECORDS);
  }

  /** As above, with chunks of at most {@code chunkRecords} records. */
  static JavaRDD<PredictionChunk> chunks(SparkSession spark, String path, CocoDataset gt,
      List<EvalParams> params, Survey survey, int tasks, int chunkRecords) {
    Path p = new Path(path);
    Context ctx = new Context(path, p.getName(), gt, params,
        new SparkSupport.HadoopConf(spark.sparkContext().hadoopConfiguration()),
        survey.firstHasBbox(), chunkRecords);
    List<ResultsSplits.Split> splits = survey.chunks.group(tasks);
    return JavaSparkContext.fromSparkContext(spark.sparkContext())
        .parallelize(splits, splits.size())
        .flatMap(split -> read(ctx, split));
  }

  /**
   * Mask counts and records one chunk holds at most before the next begins: its columns are
   * single arrays, and a chunk is the unit Spark keeps or spills, so a task's memory is a few
   * chunks, however large the file (~40 MB of columns and up to 64 MB of masks each).
   */
  static final int CHUNK_ARENA_BYTES = 64 << 20;
  static final int CHUNK_RECORDS = 1 << 19;

  /**
   * Reads and checks one range of whole records, as the single-process evaluator would, into
   * chunks of at most {@link #CHUNK_RECORDS} records and about {@link #CHUNK_ARENA_BYTES} of
   * mask counts each, one chunk at a time as Spark asks for them (never the whole range in
   * memory: Spark stores or spills each chunk before the next is read).
   */
  static Iterator<PredictionChunk> read(Context ctx, ResultsSplits.Split split) {
    Path p = new Path(ctx.path);
    FileSystem fs = SparkSupport.fileSystem(p, ctx.conf.get());
    InputStream in;
    try {
      FSDataInputStream raw = fs.open(p);
      in = split.whole() ? raw : ResultsSplits.asList(raw, split);
    } catch (IOException e) {
      throw new InvalidInputException(Redact.path(ctx.path) + ": cannot read: "
          + e.getMessage());
    }
    boolean[] fromMask = new boolean[ctx.params.size()];
    for (int i = 0; i < fromMask.length; i++) {
      fromMask[i] = LoadRes.areaFromMask(ctx.params.get(i), ctx.firstHasBbox);
    }
    ResultsStream stream = ResultsStream.open(in, ctx.name, true);
    org.apache.spark.TaskContext task = org.apache.spark.TaskContext.get();
    if (task != null) {
      task.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) t -> {
        try {
          stream.close();
        } catch (IOException e) {
          // the task is over
        }
      });
    }
    return new Iterator<>() {
      private long next = split.firstRecord();
      private boolean first = true;

      @Override
      public boolean hasNext() {
        // an empty range still yields one (empty) chunk: its record numbers start there
        return first || stream.hasNext();
      }

      @Override
      public PredictionChunk next() {
        if (!hasNext()) {
          throw new java.util.NoSuchElementException();
        }
        first = false;
        PredictionChunk chunk = new PredictionChunk(next);
        while (stream.hasNext() && chunk.arenaSize < CHUNK_ARENA_BYTES
            && chunk.size < ctx.chunkRecords) {
          add(ctx, chunk, split.firstRecord(), stream.next(), fromMask);
        }
        next += chunk.size;
        if (!stream.hasNext()) {
          try {
            stream.close();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
        return chunk;
      }
    };
  }

  private static void add(Context ctx, PredictionChunk chunk, long splitFirstRecord,
      ResultsStream.Record r, boolean[] fromMask) {
    int index = (int) (splitFirstRecord + r.index());
    int k = Arrays.binarySearch(ctx.imageIds, r.imageId());
    if (k < 0) {
      throw new InvalidInputException(EvalInputs.unknownImage(ctx.name, index, r.imageId(),
          r.categoryId(), ctx.gtName));
    }
    Segmentation seg = r.segmentation();
    boolean evaluated = Arrays.binarySearch(ctx.categoryIds, r.categoryId()) >= 0;
    for (int i = 0; i < fromMask.length; i++) {
      EvalParams params = ctx.params.get(i);
      String problem = LoadRes.problem(params, fromMask[i], evaluated, r.bbox() != null,
          r.emptyBbox(), r.maskFormat(), r.score());
      if (problem == null && evaluated && LoadRes.usesMask(params, fromMask[i])
          && seg instanceof Segmentation.CompressedRle c) {
        problem = EvalInputs.maskProblem(c.counts(), 0, c.counts().length, c.height(),
            c.width());
      }
      if (problem != null) {
        throw new InvalidInputException(
            EvalInputs.resultLabel(ctx.name, index, r.imageId()) + ": " + problem);
      }
    }
    if (!evaluated) {
      chunk.unknownCategories++;
    }
    if (seg == null) {
      chunk.withoutMasks++;
    }
    // the table holds compressed RLE only: polygons are rasterised at the image size
    if (seg instanceof Segmentation.Polygons poly) {
      Rle rle;
      try {
        rle = poly.toRle(ctx.heights[k], ctx.widths[k]);
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException(EvalInputs.resultLabel(ctx.name, index, r.imageId())
            + ": segmentation: " + e.getMessage());
      }
      seg = new Segmentation.CompressedRle(rle.height(), rle.width(),
          rle.toCompressedString().getBytes(StandardCharsets.ISO_8859_1));
    }
    Segmentation.CompressedRle c = (Segmentation.CompressedRle) seg;
    chunk.add(r.imageId(), r.categoryId(), r.bbox(), r.emptyBbox(), r.score(), c == null ? -1 : c.height(),
        c == null ? -1 : c.width(), c == null ? null : c.counts());
  }
}
