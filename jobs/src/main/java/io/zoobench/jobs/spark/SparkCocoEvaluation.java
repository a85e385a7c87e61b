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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import scala.Tuple2;

/**
 * COCO evaluation on Spark, through the {@code common} code and nothing else: prediction rows
 * are gathered by image id (as columnar blocks, not row objects), the ground truth (one block per image) is broadcast, each image
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

    // masks travel only when the evaluation reads them
    boolean withMasks = params.iouType() == EvalParams.IouType.SEGM || areaFromMask;
    Dataset<Row> columns = predictions.select(functions.col("image_id"),
        functions.col("category_id"), functions.col("bbox"), functions.col("score"),
        withMasks ? functions.col("segmentation")
            : functions.lit(null).cast(Tables.SEGMENTATION).as("segmentation"),
        functions.col("det_index"));
    // map side: one columnar block per (partition, image); shuffle blocks, not rows
    JavaPairRDD<Long, DetectionBlock> blocksByImage = columns.javaRDD()
        .mapPartitionsToPair(it -> {
          Map<Long, DetectionBlock> byId = new HashMap<>();
          while (it.hasNext()) {
            Row r = it.next();
            byId.computeIfAbsent(r.getLong(0), DetectionBlock::new).add(r, withMasks);
          }
          List<Tuple2<Long, DetectionBlock>> out = new ArrayList<>(byId.size());
          byId.forEach((id, b) -> out.add(new Tuple2<>(id, b)));
          return out.iterator();
        })
        .reduceByKey(byImage, DetectionBlock::merge);

    // every GT image is matched in the partition its id hashes to, with or without detections
    JavaPairRDD<Long, CategoryAccumulator> chunks = blocksByImage.mapPartitionsWithIndex(
        (part, it) -> {
          Map<Long, DetectionBlock> byId = new HashMap<>();
          it.forEachRemaining(t -> byId.put(t._1(), t._2()));
          List<Tuple2<Long, CategoryAccumulator>> out = new ArrayList<>();
          long[] ids = gtBlocks.value().keySet().stream().mapToLong(Long::longValue)
              .filter(id -> byImage.getPartition(id) == part).sorted().toArray();
          for (long id : ids) {
            DetectionBlock block = byId.remove(id);
            ImageDetections dt = block == null ? ImageDetections.empty(id, areaFromMask)
                : block.toDetections(areaFromMask);
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

}
