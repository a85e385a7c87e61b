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
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.CollectionAccumulator;
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

    Context(String path, String name, CocoDataset gt, List<EvalParams> params,
        SparkSupport.HadoopConf conf) {
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

  /**
   * The prediction rows of a results file (the predictions table's columns), read by one task.
   *
   * @param digest receives the file's sha256 once the task has read it all
   * @param records counts the results read
   */
  public static Dataset<Row> rows(SparkSession spark, String path, CocoDataset gt,
      List<EvalParams> params, CollectionAccumulator<String> digest, LongAccumulator records) {
    Path p = new Path(path);
    Context ctx = new Context(path, p.getName(), gt, params,
        new SparkSupport.HadoopConf(spark.sparkContext().hadoopConfiguration()));
    return spark.range(0, 1, 1, 1).mapPartitions(
        (MapPartitionsFunction<Long, Row>) ignored -> new RowIterator(ctx, digest, records),
        Encoders.row(Tables.schema(Tables.PREDICTIONS)));
  }

  /** Streams and checks records, one row each. */
  private static final class RowIterator implements Iterator<Row> {
    private final Context ctx;
    private final CollectionAccumulator<String> digestOut;
    private final LongAccumulator records;
    private long count;
    private final MessageDigest digest;
    private final ResultsStream stream;
    private final boolean[] fromMask;
    private boolean finished;

    RowIterator(Context ctx, CollectionAccumulator<String> digestOut, LongAccumulator records)
        throws IOException {
      this.ctx = ctx;
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
        in = fs.open(p);
      } catch (IOException e) {
        throw new InvalidInputException(Redact.path(ctx.path) + ": cannot read: "
            + e.getMessage());
      }
      stream = ResultsStream.open(new DigestInputStream(in, digest), ctx.name, true);
      fromMask = new boolean[ctx.params.size()];
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
        digestOut.add(HexFormat.of().formatHex(digest.digest()));
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
      int k = Arrays.binarySearch(ctx.imageIds, r.imageId());
      if (k < 0) {
        throw new InvalidInputException(EvalInputs.unknownImage(ctx.name, r.index(), r.imageId(),
            r.categoryId(), ctx.gtName));
      }
      Segmentation seg = r.segmentation();
      if (seg instanceof Segmentation.Polygons poly) {
        Rle rle;
        try {
          rle = poly.toRle(ctx.heights[k], ctx.widths[k]);
        } catch (IllegalArgumentException e) {
          throw new InvalidInputException(EvalInputs.resultLabel(ctx.name, r.index(), r.imageId())
              + ": segmentation: " + e.getMessage());
        }
        seg = new Segmentation.CompressedRle(rle.height(), rle.width(),
            rle.toCompressedString().getBytes(StandardCharsets.ISO_8859_1));
      }
      Segmentation.CompressedRle c = (Segmentation.CompressedRle) seg;
      if (Arrays.binarySearch(ctx.categoryIds, r.categoryId()) >= 0) {
        for (int i = 0; i < fromMask.length; i++) {
          EvalParams params = ctx.params.get(i);
          if (r.index() == 0) {
            fromMask[i] = EvalInputs.areaFromMask(params, r.bbox() != null);
          }
          String problem = EvalInputs.problem(params, fromMask[i], r.bbox() != null, c != null,
              c != null, c == null ? null : c.counts(), 0, c == null ? 0 : c.counts().length,
              c == null ? 0 : c.height(), c == null ? 0 : c.width());
          if (problem != null) {
            throw new InvalidInputException(
                EvalInputs.resultLabel(ctx.name, r.index(), r.imageId()) + ": " + problem);
          }
        }
      } else if (r.index() == 0) {
        for (int i = 0; i < fromMask.length; i++) {
          fromMask[i] = EvalInputs.areaFromMask(ctx.params.get(i), r.bbox() != null);
        }
      }
      Double[] bbox = null;
      if (r.bbox() != null) {
        bbox = new Double[] {r.bbox()[0], r.bbox()[1], r.bbox()[2], r.bbox()[3]};
      }
      Row segRow = c == null ? null : RowFactory.create(new Integer[] {c.height(), c.width()},
          new String(c.counts(), StandardCharsets.ISO_8859_1));
      return RowFactory.create(r.imageId(), r.categoryId(), bbox, r.score(), segRow,
          (long) r.index());
    }
  }
}
