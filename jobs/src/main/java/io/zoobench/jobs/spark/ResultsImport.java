package io.zoobench.jobs.spark;

import io.zoobench.coco.CocoDataset;
import io.zoobench.coco.InvalidInputException;
import io.zoobench.coco.ResultsStream;
import io.zoobench.coco.Segmentation;
import io.zoobench.eval.EvalInputs;
import io.zoobench.eval.EvalParams;
import io.zoobench.mask.Rle;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;
import scala.Tuple2;

/**
 * Turns a results file (any Hadoop path, plain or gzip) into prediction rows inside a Spark
 * task, streaming, so the driver never holds the detections. Every record is checked as the
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

    Context(String path, String name, CocoDataset gt, List<EvalParams> params,
        SparkSupport.HadoopConf conf, boolean firstHasBbox) {
      this.firstHasBbox = firstHasBbox;
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

  /** The first result's bbox decides pycocotools' detection-area rule; read only that. */
  public static boolean firstResultHasBbox(SparkSession spark, String path) {
    Path p = new Path(path);
    try (InputStream in = SparkSupport.fileSystem(p, spark.sparkContext().hadoopConfiguration())
            .open(p);
        ResultsStream s = ResultsStream.open(in, p.getName(), false)) {
      return !s.hasNext() || s.next().bbox() != null;
    } catch (IOException e) {
      throw new InvalidInputException(Redact.path(path) + ": cannot read: " + e.getMessage(), e);
    }
  }

  /** Smallest byte range worth a task of its own (default 16 MB). */
  public static final String MIN_SPLIT_BYTES = "spark.zoobench.import.minSplitBytes";

  /**
   * The prediction rows of a results file (the predictions table's columns). A plain file of
   * more than two {@link #MIN_SPLIT_BYTES} is read by several tasks (one per core), each from a
   * range of whole records; {@code det_index} and the record numbers in messages are positions
   * in the whole file either way.
   *
   * @param firstHasBbox what {@link #firstResultHasBbox} says of this file (loadRes' rule)
   * @param digest receives the file's sha256
   * @param records counts the results read
   */
  public static Dataset<Row> rows(SparkSession spark, String path, CocoDataset gt,
      List<EvalParams> params, boolean firstHasBbox, CollectionAccumulator<String> digest,
      LongAccumulator records) {
    Path p = new Path(path);
    org.apache.hadoop.conf.Configuration hconf = spark.sparkContext().hadoopConfiguration();
    Context ctx = new Context(path, p.getName(), gt, params, new SparkSupport.HadoopConf(hconf),
        firstHasBbox);
    List<ResultsSplits.Split> splits = plan(spark, p, ctx);
    long[] offsets = new long[splits.size()];
    if (splits.size() > 1) {
      try {
        CompletableFuture<String> sha = SparkSupport.async("zoobench-sha256", () -> sha256(p, ctx));
        List<Long> counts = JavaSparkContext.fromSparkContext(spark.sparkContext())
            .parallelize(splits, splits.size())
            .map(split -> {
              FileSystem fs = SparkSupport.fileSystem(new Path(ctx.path), ctx.conf.get());
              try (FSDataInputStream in = fs.open(new Path(ctx.path))) {
                in.seek(split.start());
                return ResultsSplits.count(in, split);
              }
            }).collect();
        for (int i = 1; i < offsets.length; i++) {
          offsets[i] = offsets[i - 1] + counts.get(i - 1);
        }
        digest.add(sha.join());
      } catch (RuntimeException e) {
        // a cut that is not a record boundary (or an odd file): read it with one task
        splits = List.of(new ResultsSplits.Split(0, 0, Long.MAX_VALUE, true, true));
        offsets = new long[1];
      }
    }
    List<Tuple2<ResultsSplits.Split, Long>> work = new ArrayList<>();
    for (int i = 0; i < splits.size(); i++) {
      work.add(new Tuple2<>(splits.get(i), offsets[i]));
    }
    boolean whole = splits.size() == 1;
    JavaRDD<Row> rdd = JavaSparkContext.fromSparkContext(spark.sparkContext())
        .parallelize(work, work.size())
        .mapPartitions(it -> {
          Tuple2<ResultsSplits.Split, Long> w = it.next();
          return new RowIterator(ctx, w._1(), w._2(), whole ? digest : null, records);
        });
    return spark.createDataFrame(rdd, Tables.schema(Tables.PREDICTIONS));
  }

  private static List<ResultsSplits.Split> plan(SparkSession spark, Path p, Context ctx) {
    FileSystem fs = SparkSupport.fileSystem(p, ctx.conf.get());
    try {
      return ResultsSplits.plan(fs, p, spark.sparkContext().defaultParallelism(),
          Long.parseLong(spark.conf().get(MIN_SPLIT_BYTES, Long.toString(16L << 20))));
    } catch (java.io.FileNotFoundException e) {
      throw new InvalidInputException(Redact.path(ctx.path) + ": no such file");
    } catch (IOException e) {
      throw new InvalidInputException(Redact.path(ctx.path) + ": cannot read: " + e.getMessage());
    }
  }

  private static String sha256(Path p, Context ctx) {
    try (InputStream in = SparkSupport.fileSystem(p, ctx.conf.get()).open(p)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      for (int r; (r = in.read(buf)) > 0; ) {
        md.update(buf, 0, r);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Streams and checks records, one row each. */
  private static final class RowIterator implements Iterator<Row> {
    private final Context ctx;
    private final long offset;
    private final CollectionAccumulator<String> digestOut;
    private final LongAccumulator records;
    private long count;
    private final MessageDigest digest;
    private final ResultsStream stream;
    private final boolean[] fromMask;
    private boolean finished;

    /** Reads {@code split}, whose first record is record {@code offset} of the file. */
    RowIterator(Context ctx, ResultsSplits.Split split, long offset,
        CollectionAccumulator<String> digestOut, LongAccumulator records) throws IOException {
      this.ctx = ctx;
      this.offset = offset;
      this.digestOut = digestOut;
      this.records = records;
      try {
        digest = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
      Path p = new Path(ctx.path);
      FileSystem fs = SparkSupport.fileSystem(p, ctx.conf.get());
      InputStream in;
      try {
        FSDataInputStream raw = fs.open(p);
        in = split.first() && split.last() ? raw : ResultsSplits.asList(raw, split);
      } catch (IOException e) {
        throw new InvalidInputException(Redact.path(ctx.path) + ": cannot read: "
            + e.getMessage());
      }
      stream = ResultsStream.open(digestOut == null ? in : new DigestInputStream(in, digest),
          ctx.name, true);
      fromMask = new boolean[ctx.params.size()];
      for (int i = 0; i < fromMask.length; i++) {
        fromMask[i] = EvalInputs.areaFromMask(ctx.params.get(i), ctx.firstHasBbox);
      }
    }

    @Override
    public boolean hasNext() {
      boolean more = stream.hasNext();
      if (!more && !finished) {
        finished = true;
        try {
          stream.close();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        if (digestOut != null) {
          digestOut.add(HexFormat.of().formatHex(digest.digest()));
        }
        records.add(count);
      }
      return more;
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      ResultsStream.Record r = stream.next();
      count++;
      int index = (int) (offset + r.index());
      int k = Arrays.binarySearch(ctx.imageIds, r.imageId());
      if (k < 0) {
        throw new InvalidInputException(EvalInputs.unknownImage(ctx.name, index, r.imageId(),
            r.categoryId(), ctx.gtName));
      }
      Segmentation seg = r.segmentation();
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
      if (Arrays.binarySearch(ctx.categoryIds, r.categoryId()) >= 0) {
        for (int i = 0; i < fromMask.length; i++) {
          String problem = EvalInputs.problem(ctx.params.get(i), fromMask[i], r.bbox() != null,
              c != null, c != null, c == null ? null : c.counts(), 0,
              c == null ? 0 : c.counts().length, c == null ? 0 : c.height(),
              c == null ? 0 : c.width());
          if (problem != null) {
            throw new InvalidInputException(
                EvalInputs.resultLabel(ctx.name, index, r.imageId()) + ": " + problem);
          }
        }
      }
      Double[] bbox = null;
      if (r.bbox() != null) {
        bbox = new Double[] {r.bbox()[0], r.bbox()[1], r.bbox()[2], r.bbox()[3]};
      }
      Row segRow = c == null ? null : RowFactory.create(new Integer[] {c.height(), c.width()},
          new String(c.counts(), StandardCharsets.ISO_8859_1));
      return RowFactory.create(r.imageId(), r.categoryId(), bbox, r.score(), segRow,
          offset + r.index());
    }
  }
}
