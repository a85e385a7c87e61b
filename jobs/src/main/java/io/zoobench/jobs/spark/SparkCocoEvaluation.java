package io.zoobench.jobs.spark;

import io.zoobench.coco.CocoDataset;
import io.zoobench.coco.CocoResults;
import io.zoobench.eval.CategoryAccumulator;
import io.zoobench.eval.CategoryCurves;
import io.zoobench.eval.EvalInputs;
import io.zoobench.eval.EvalParams;
import io.zoobench.eval.EvalResult;
import io.zoobench.eval.ImageDetections;
import io.zoobench.eval.ImageEvaluation;
import io.zoobench.eval.ImageGroundTruth;
import io.zoobench.eval.ImageMatcher;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

/**
 * COCO evaluation on Spark, through the {@code common} code and nothing else: prediction rows
 * are partitioned by image id, the ground truth (one block per image) is broadcast, each image
 * is matched by {@link ImageMatcher} in the partition its id hashes to, the per-category
 * outcomes are merged by {@link CategoryAccumulator} on executors ({@code reduceByKey}), and
 * only the curves (one small object per category) come back to the driver for the summary.
 *
 * <p>The numbers equal the single-process evaluator's for any number of partitions: matching
 * depends only on an image's own rows (ordered by {@code det_index}, the results-file order),
 * and accumulation is order-independent.
 */
public final class SparkCocoEvaluation {
  private SparkCocoEvaluation() {}

  /**
   * Evaluates {@code predictions} (columns {@code image_id, category_id, bbox, score,
   * segmentation, det_index} as in the predictions table) against {@code gt}.
   *
   * @param areaFromMask whether detection areas come from masks (see
   *     {@link EvalInputs#areaFromMask})
   * @param partitions partitions for matching and accumulation
   */
  public static EvalResult evaluate(
      SparkSession spark, EvalParams params, CocoDataset gt, Dataset<Row> predictions,
      boolean areaFromMask, int partitions) {
    EvalInputs gtOnly = EvalInputs.prepare(params, gt, CocoResults.empty("(no results)"));
    Map<Long, ImageGroundTruth> blocks = new HashMap<>();
    for (int k = 0; k < gtOnly.imageCount(); k++) {
      blocks.put(gtOnly.groundTruth(k).imageId(), gtOnly.groundTruth(k));
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<Map<Long, ImageGroundTruth>> gtBlocks = jsc.broadcast(blocks);
    HashPartitioner byImage = new HashPartitioner(partitions);
    ImageMatcher matcher = new ImageMatcher(params, gtOnly.categoryIds());

    JavaPairRDD<Long, Row> rows = predictions
        .select("image_id", "category_id", "bbox", "score", "segmentation", "det_index")
        .javaRDD()
        .mapToPair(r -> new Tuple2<>(r.getLong(0), r))
        .partitionBy(byImage);

    // every GT image is matched in the partition its id hashes to, with or without detections
    JavaPairRDD<Long, CategoryAccumulator> chunks = rows.mapPartitionsWithIndex(
        (part, it) -> {
          Map<Long, List<Row>> byId = new HashMap<>();
          it.forEachRemaining(t -> byId.computeIfAbsent(t._1(), x -> new ArrayList<>()).add(t._2()));
          List<Tuple2<Long, CategoryAccumulator>> out = new ArrayList<>();
          long[] ids = gtBlocks.value().keySet().stream().mapToLong(Long::longValue)
              .filter(id -> byImage.getPartition(id) == part).sorted().toArray();
          for (long id : ids) {
            List<Row> dts = byId.remove(id);
            ImageDetections dt = dts == null ? ImageDetections.empty(id, areaFromMask)
                : detections(id, dts.iterator(), areaFromMask);
            ImageEvaluation e = matcher.evaluate(gtBlocks.value().get(id), dt);
            for (int j = 0; j < e.groupCount(); j++) {
              out.add(new Tuple2<>(e.groupCategory(j),
                  new CategoryAccumulator(params, e.groupCategory(j)).addGroup(e, j)));
            }
          }
          if (!byId.isEmpty()) {
            // results on images outside the ground truth are refused when they are imported
            throw new IllegalStateException("predictions of image " + byId.keySet().iterator()
                .next() + " without ground truth");
          }
          return out.iterator();
        }, true).mapToPair(t -> t);

    List<Tuple2<Long, CategoryCurves>> curves = chunks
        .reduceByKey(CategoryAccumulator::merge, partitions)
        .mapValues(CategoryAccumulator::finish)
        .collect();
    gtBlocks.unpersist();

    Map<Long, CategoryCurves> byCategory = new HashMap<>();
    for (Tuple2<Long, CategoryCurves> t : curves) {
      byCategory.put(t._1(), t._2());
    }
    long[] keys = params.useCats() ? gtOnly.categoryIds() : new long[] {-1};
    List<CategoryCurves> ordered = new ArrayList<>();
    for (long k : keys) {
      CategoryCurves c = byCategory.get(k);
      ordered.add(c != null ? c : CategoryCurves.absent(params, k));
    }
    return EvalResult.of(params, gtOnly.categories(), ordered, gtOnly.warnings(), areaFromMask);
  }

  /** The image's prediction rows, in results-file order, as a detections block. */
  static ImageDetections detections(long imageId, Iterator<Row> rows, boolean areaFromMask) {
    List<Row> list = new ArrayList<>();
    rows.forEachRemaining(list::add);
    list.sort((a, b) -> Long.compare(a.getLong(5), b.getLong(5)));
    int n = list.size();
    long[] cats = new long[n];
    double[] boxes = new double[n * 4];
    double[] scores = new double[n];
    int[] mh = new int[n];
    int[] mw = new int[n];
    int[] ms = new int[n];
    int[] ml = new int[n];
    byte[][] counts = new byte[n][];
    int total = 0;
    for (int i = 0; i < n; i++) {
      Row r = list.get(i);
      cats[i] = r.getLong(1);
      if (r.isNullAt(2)) {
        Arrays.fill(boxes, i * 4, i * 4 + 4, Double.NaN);
      } else {
        List<Object> bb = r.getList(2);
        for (int c = 0; c < 4; c++) {
          boxes[i * 4 + c] = ((Number) bb.get(c)).doubleValue();
        }
      }
      scores[i] = r.getDouble(3);
      mh[i] = -1;
      if (!r.isNullAt(4)) {
        Row seg = r.getStruct(4);
        List<Object> size = seg.getList(0);
        mh[i] = ((Number) size.get(0)).intValue();
        mw[i] = ((Number) size.get(1)).intValue();
        counts[i] = seg.getString(1).getBytes(StandardCharsets.ISO_8859_1);
        total += counts[i].length;
      }
    }
    byte[] arena = new byte[total];
    int p = 0;
    for (int i = 0; i < n; i++) {
      if (counts[i] != null) {
        System.arraycopy(counts[i], 0, arena, p, counts[i].length);
        ms[i] = p;
        ml[i] = counts[i].length;
        p += counts[i].length;
      }
    }
    return new ImageDetections(imageId, cats, boxes, scores, mh, mw, ms, ml, arena, null,
        areaFromMask);
  }

}
