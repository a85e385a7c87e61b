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
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;

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

  /** Smallest byte range worth a task of its own (default 16 MB). */
  public static final String MIN_SPLIT_BYTES = "spark.zoobench.import.minSplitBytes";

  /** {@link #MIN_SPLIT_BYTES} as set in {@code conf} (Spark or system-property keys). */
  public static long minSplitBytes(java.util.function.Function<String, String> conf) {
    String v = conf.apply(MIN_SPLIT_BYTES);
    return v == null ? 16L << 20 : Long.parseLong(v.trim());
  }

  /**
   * What the driver knows of a results file before reading it in tasks: its sha256, whether
   * the first result has a bbox (pycocotools' loadRes decides detection areas on it), and its
   * chunks of whole records. One sequential pass; the CLI runs it while Spark starts.
   */
  public static final class Survey implements Serializable {
    private static final long serialVersionUID = 1L;
    private final String sha256;
    private final boolean firstHasBbox;
    final ResultsSplits.Survey chunks;

    Survey(String sha256, boolean firstHasBbox, ResultsSplits.Survey chunks) {
      this.sha256 = sha256;
      this.firstHasBbox = firstHasBbox;
      this.chunks = chunks;
    }

    public String sha256() {
      return sha256;
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
      long len = fs.getFileStatus(p).getLen();
      try (InputStream in = fs.open(p)) {
        ResultsSplits.Survey chunks = ResultsSplits.survey(in, len, minSplitBytes);
        return new Survey(chunks.sha256(), firstHasBbox, chunks);
      }
    } catch (java.io.FileNotFoundException e) {
      throw new InvalidInputException(Redact.path(path) + ": no such file");
    } catch (IOException e) {
      throw new InvalidInputException(Redact.path(path) + ": cannot read: " + e.getMessage(), e);
    }
  }

  /**
   * The prediction rows of a results file (the predictions table's columns). A plain file of
   * more than two {@link #MIN_SPLIT_BYTES} is read by several tasks (up to one per core), each
   * from a range of whole records; {@code det_index} and the record numbers in messages are
   * positions in the whole file either way.
   *
   * @param survey what {@link #survey} says of this file
   * @param records counts the results read
   */
  public static Dataset<Row> rows(SparkSession spark, String path, CocoDataset gt,
      List<EvalParams> params, Survey survey, LongAccumulator records) {
    return rows(spark, path, gt, params, survey, records,
        spark.sparkContext().defaultParallelism());
  }

  /** As the public {@code rows}, read by up to {@code tasks} tasks. */
  static Dataset<Row> rows(SparkSession spark, String path, CocoDataset gt,
      List<EvalParams> params, Survey survey, LongAccumulator records, int tasks) {
    Path p = new Path(path);
    Context ctx = new Context(path, p.getName(), gt, params,
        new SparkSupport.HadoopConf(spark.sparkContext().hadoopConfiguration()),
        survey.firstHasBbox());
    List<ResultsSplits.Split> splits = survey.chunks.group(tasks);
    JavaRDD<Row> rdd = JavaSparkContext.fromSparkContext(spark.sparkContext())
        .parallelize(splits, splits.size())
        .mapPartitions(it -> new RowIterator(ctx, it.next(), records));
    return spark.createDataFrame(rdd, Tables.schema(Tables.PREDICTIONS));
  }

  /** Streams and checks records, one row each. */
  private static final class RowIterator implements Iterator<Row> {
    private final Context ctx;
    private final long offset;
    private final LongAccumulator records;
    private long count;
    private final ResultsStream stream;
    private final boolean[] fromMask;
    private boolean finished;

    RowIterator(Context ctx, ResultsSplits.Split split, LongAccumulator records) {
      this.ctx = ctx;
      this.offset = split.firstRecord();
      this.records = records;
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
      stream = ResultsStream.open(in, ctx.name, true);
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
