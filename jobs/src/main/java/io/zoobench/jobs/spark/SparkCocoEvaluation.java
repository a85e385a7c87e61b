package io.zoobench.jobs.spark;

import io.zoobench.coco.CocoDataset;
import io.zoobench.coco.CocoResults;
import io.zoobench.eval.CategoryAccumulator;
import io.zoobench.eval.CategoryCurves;
import io.zoobench.eval.EvalInputs;
import io.zoobench.eval.EvalParams;
import io.zoobench.eval.EvalResult;
import io.zoobench.eval.LoadRes;
import io.zoobench.jobs.TestFaults;
import io.zoobench.jobs.tables.PredictionRow;
import io.zoobench.coco.InvalidInputException;
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
import org.apache.spark.api.java.JavaRDD;
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
   *     {@link io.zoobench.eval.LoadRes#areaFromMask})
   * @param partitions partitions for matching and accumulation
   */
  public static EvalResult evaluate(
      SparkSession spark, EvalParams params, CocoDataset gt, Dataset<Row> predictions,
      boolean areaFromMask, int partitions) {
    return evaluate(spark, List.of(params), gt, predictions, new boolean[] {areaFromMask},
        partitions).get(0);
  }

  /**
   * Several evaluations of the same predictions in one pass: the rows are read and gathered
   * by image once, and every image is matched under each {@code params} where it lies.
   *
   * @param areaFromMask per evaluation, whether detection areas come from masks
   */
  public static List<EvalResult> evaluate(
      SparkSession spark, List<EvalParams> params, CocoDataset gt, Dataset<Row> predictions,
      boolean[] areaFromMask, int partitions) {
    boolean masks = needsMasks(params, areaFromMask);
    org.apache.spark.sql.Column[] cols = new org.apache.spark.sql.Column[
        DetectionBlock.COLUMNS.length];
    for (int i = 0; i < cols.length; i++) {
      String name = DetectionBlock.COLUMNS[i];
      cols[i] = masks || !name.equals("segmentation") ? functions.col(name)
          : functions.lit(null).cast(PredictionRow.TABLE.schema().apply(name).dataType())
              .as(name);
    }
    Dataset<Row> columns = predictions.select(cols);
    // map side: one columnar block per (partition, image); shuffle blocks, not rows
    JavaPairRDD<Long, DetectionBlock> mapSide = columns.javaRDD()
        .mapPartitionsToPair(it -> {
          Map<Long, DetectionBlock> byId = new HashMap<>();
          while (it.hasNext()) {
            Row r = it.next();
            byId.computeIfAbsent(r.getLong(DetectionBlock.IMAGE_ID), DetectionBlock::new)
                .add(r, masks);
          }
          List<Tuple2<Long, DetectionBlock>> out = new ArrayList<>(byId.size());
          byId.forEach((id, b) -> out.add(new Tuple2<>(id, b)));
          return out.iterator();
        });
    return evaluateBlocks(spark, params, gt, mapSide, areaFromMask, partitions, "predictions");
  }

  /**
   * As {@link #evaluate(SparkSession, List, CocoDataset, Dataset, boolean[], int)}, from the
   * checked chunks of an import (read once for the table and the evaluation) of the results
   * file {@code resultsName} (named in messages).
   */
  static List<EvalResult> evaluateChunks(
      SparkSession spark, List<EvalParams> params, CocoDataset gt,
      JavaRDD<PredictionChunk> chunks, boolean[] areaFromMask, int partitions,
      String resultsName) {
    boolean masks = needsMasks(params, areaFromMask);
    return evaluateBlocks(spark, params, gt, chunks.flatMapToPair(c -> c.blocks(masks)),
        areaFromMask, partitions, resultsName);
  }

  /** Whether any evaluation reads masks (otherwise they stay out of the shuffle). */
  static boolean needsMasks(List<EvalParams> params, boolean[] areaFromMask) {
    boolean masks = false;
    for (int i = 0; i < params.size(); i++) {
      masks |= params.get(i).iouType() == EvalParams.IouType.SEGM || areaFromMask[i];
    }
    return masks;
  }

  /**
   * The evaluation proper, from map-side blocks (one per image and partition, any number per
   * image): blocks are merged by image, then matched and accumulated.
   */
  private static List<EvalResult> evaluateBlocks(
      SparkSession spark, List<EvalParams> params, CocoDataset gt,
      JavaPairRDD<Long, DetectionBlock> mapSide, boolean[] areaFromMask, int partitions,
      String resultsName) {
    int ne = params.size();
    List<EvalInputs> gtOnly = new ArrayList<>();
    for (EvalParams p : params) {
      gtOnly.add(EvalInputs.prepare(p, gt, CocoResults.empty("(no results)")));
    }
    EvalInputs first = gtOnly.get(0);
    Map<Long, ImageGroundTruth> blocks = new HashMap<>();
    for (int k = 0; k < first.imageCount(); k++) {
      blocks.put(first.groundTruth(k).imageId(), first.groundTruth(k));
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<Map<Long, ImageGroundTruth>> gtBlocks = jsc.broadcast(blocks);
    HashPartitioner byImage = new HashPartitioner(partitions);
    ImageMatcher[] matchers = new ImageMatcher[ne];
    for (int i = 0; i < ne; i++) {
      matchers[i] = new ImageMatcher(params.get(i), first.categoryIds());
    }
    JavaPairRDD<Long, DetectionBlock> blocksByImage =
        mapSide.reduceByKey(byImage, DetectionBlock::merge);
    boolean testHaltExecutor = TestFaults.haltsExecutorAt(spark, TestFaults.EVALUATION);

    // every GT image is matched in the partition its id hashes to, with or without detections;
    // outcomes are keyed by (evaluation, category)
    JavaPairRDD<Tuple2<Integer, Long>, CategoryAccumulator> chunks =
        blocksByImage.mapPartitionsWithIndex((part, it) -> {
          Map<Long, DetectionBlock> byId = new HashMap<>();
          it.forEachRemaining(t -> byId.put(t._1(), t._2()));
          // one accumulator per (evaluation, category) of this partition: groups append to it
          Map<Tuple2<Integer, Long>, CategoryAccumulator> acc = new HashMap<>();
          long[] ids = gtBlocks.value().keySet().stream().mapToLong(Long::longValue)
              .filter(id -> byImage.getPartition(id) == part).sorted().toArray();
          for (int k = 0; k < ids.length; k++) {
            long id = ids[k];
            if (k == ids.length / 2) {
              TestFaults.haltExecutorIf(testHaltExecutor);
            }
            DetectionBlock block = byId.remove(id);
            for (int i = 0; i < ne; i++) {
              ImageDetections dt = block == null ? ImageDetections.empty(id, areaFromMask[i])
                  : block.toDetections(areaFromMask[i]);
              ImageEvaluation e;
              try {
                e = matchers[i].evaluate(gtBlocks.value().get(id), dt);
              } catch (LoadRes.EmptyBoxInIou refused) {
                throw new InvalidInputException(EvalInputs.resultLabel(resultsName,
                    block.detIndexAt(refused.position()), id) + ": " + LoadRes.emptyBoxProblem());
              }
              for (int j = 0; j < e.groupCount(); j++) {
                int evaluation = i;
                long category = e.groupCategory(j);
                acc.computeIfAbsent(new Tuple2<>(evaluation, category),
                    key -> new CategoryAccumulator(params.get(evaluation), category))
                    .addGroup(e, j);
              }
            }
          }
          List<Tuple2<Tuple2<Integer, Long>, CategoryAccumulator>> out = new ArrayList<>();
          acc.forEach((key, a) -> out.add(new Tuple2<>(key, a)));
          if (!byId.isEmpty()) {
            // results on images outside the ground truth are refused when they are imported
            throw new IllegalStateException("predictions of image " + byId.keySet().iterator()
                .next() + " without ground truth");
          }
          return out.iterator();
        }, true).mapToPair(t -> t);

    List<Tuple2<Tuple2<Integer, Long>, CategoryCurves>> curves = chunks
        .reduceByKey(CategoryAccumulator::merge, partitions)
        .mapValues(CategoryAccumulator::finish)
        .collect();
    gtBlocks.unpersist();

    List<EvalResult> results = new ArrayList<>();
    for (int i = 0; i < ne; i++) {
      Map<Long, CategoryCurves> byCategory = new HashMap<>();
      for (Tuple2<Tuple2<Integer, Long>, CategoryCurves> t : curves) {
        if (t._1()._1() == i) {
          byCategory.put(t._1()._2(), t._2());
        }
      }
      EvalParams p = params.get(i);
      long[] keys = p.useCats() ? first.categoryIds() : new long[] {-1};
      List<CategoryCurves> ordered = new ArrayList<>();
      for (long k : keys) {
        CategoryCurves c = byCategory.get(k);
        ordered.add(c != null ? c : CategoryCurves.absent(p, k));
      }
      results.add(EvalResult.of(p, first.categories(), ordered, gtOnly.get(i).warnings(),
          areaFromMask[i]));
    }
    return results;
  }
}
