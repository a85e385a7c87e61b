package io.zoobench.eval;

import io.zoobench.coco.CocoDataset;
import io.zoobench.coco.CocoResults;
import io.zoobench.coco.InvalidInputException;
import java.util.List;

/**
 * COCO evaluation in one process: pycocotools' {@code evaluate()}, {@code accumulate()} and
 * {@code summarize()} with identical numbers, images matched and categories accumulated on all
 * cores. The Spark job runs the same {@link ImageMatcher} and {@link CategoryAccumulator} on
 * executors instead of threads.
 *
 * <pre>{@code
 * CocoDataset gt = CocoJsonReader.readDataset(Path.of("gt.json"));
 * CocoResults dt = CocoJsonReader.readResults(Path.of("dt.json"), true);
 * EvalResult r = new CocoEvaluator(EvalParams.of(IouType.SEGM)).evaluate(gt, dt);
 * double maskAp = r.stats()[0];
 * }</pre>
 */
public final class CocoEvaluator {
  private final EvalParams params;
  private final int threads;

  /** An evaluator using every available core. */
  public CocoEvaluator(EvalParams params) {
    this(params, Runtime.getRuntime().availableProcessors());
  }

  public CocoEvaluator(EvalParams params, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    this.params = params;
    this.threads = threads;
  }

  /** Validates, matches, accumulates and summarizes. */
  public EvalResult evaluate(CocoDataset gt, CocoResults dt) {
    return evaluate(EvalInputs.prepare(params, gt, dt, threads));
  }

  /** Matches, accumulates and summarizes prepared inputs. */
  public EvalResult evaluate(EvalInputs in) {
    long t0 = System.nanoTime();
    ImageMatcher matcher = new ImageMatcher(in.params(), in.categoryIds());
    int ni = in.imageCount();
    ImageEvaluation[] images = new ImageEvaluation[ni];
    LoadRes.EmptyBoxInIou[] refused = new LoadRes.EmptyBoxInIou[ni];
    Parallel.forEach(threads, ni, 8, k -> {
      try {
        images[k] = matcher.evaluate(in.groundTruth(k), in.detections(k));
      } catch (LoadRes.EmptyBoxInIou e) {
        refused[k] = e; // the first image in id order is reported, however threads ran
      }
    });
    for (LoadRes.EmptyBoxInIou e : refused) {
      if (e != null) {
        throw new InvalidInputException(in.describeResult(e.imageId(), e.position()) + ": "
            + LoadRes.emptyBoxProblem());
      }
    }
    long t1 = System.nanoTime();

    List<CategoryCurves> curves = accumulate(in.params(), in.categoryIds(), images);
    long t2 = System.nanoTime();
    CocoSummary summary = new CocoSummary(in.params(), curves);
    return new EvalResult(in.params(), in.categories(), summary, in.warnings(),
        in.areaFromMask(), (t1 - t0) / 1e9, (t2 - t1) / 1e9);
  }

  /**
   * Accumulates image evaluations into one curve set per category (a single class-agnostic set
   * for proposals), in ascending category id order.
   */
  public List<CategoryCurves> accumulate(
      EvalParams p, long[] categoryIds, ImageEvaluation[] images) {
    long[] keys = p.useCats() ? categoryIds : new long[] {-1};
    int nk = keys.length;
    // (image, group) pairs per category, images in ascending id order
    int[] count = new int[nk];
    for (ImageEvaluation e : images) {
      for (int j = 0; j < e.groupCount(); j++) {
        count[index(keys, e.groupCategory(j))]++;
      }
    }
    int[][] pairImage = new int[nk][];
    int[][] pairGroup = new int[nk][];
    for (int k = 0; k < nk; k++) {
      pairImage[k] = new int[count[k]];
      pairGroup[k] = new int[count[k]];
      count[k] = 0;
    }
    for (int i = 0; i < images.length; i++) {
      ImageEvaluation e = images[i];
      for (int j = 0; j < e.groupCount(); j++) {
        int k = index(keys, e.groupCategory(j));
        pairImage[k][count[k]] = i;
        pairGroup[k][count[k]++] = j;
      }
    }
    CategoryCurves[] out = new CategoryCurves[nk];
    Parallel.forEach(threads, nk, 1, k -> {
      CategoryAccumulator acc = new CategoryAccumulator(p, keys[k]);
      for (int q = 0; q < pairImage[k].length; q++) {
        acc.addGroup(images[pairImage[k][q]], pairGroup[k][q]);
      }
      out[k] = acc.finish();
    });
    return List.of(out);
  }

  private static int index(long[] sorted, long key) {
    int k = java.util.Arrays.binarySearch(sorted, key);
    if (k < 0) {
      throw new IllegalStateException("group of unknown category " + key);
    }
    return k;
  }
}
