package io.zoobench.eval;

import io.zoobench.coco.CocoDataset;
import io.zoobench.coco.CocoResults;
import io.zoobench.coco.InvalidInputException;
import io.zoobench.coco.Segmentation;
import io.zoobench.mask.Rle;
import io.zoobench.mask.RleCodec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Validated, per-image view of a ground truth and a results file under one set of
 * {@link EvalParams}: what pycocotools' {@code loadRes} + {@code _prepare} establish before
 * matching. It checks everything pycocotools would trip over (results on unknown images,
 * missing fields the evaluation needs, corrupt masks) and names the offending record; it
 * resolves the detection-area rule; it splits both files into {@link ImageGroundTruth} and
 * {@link ImageDetections} blocks, one per evaluated image in ascending id order.
 */
public final class EvalInputs {
  private final EvalParams params;
  private final long[] imageIds;
  private final long[] categoryIds;
  private final List<CocoDataset.Category> categories;
  private final ImageGroundTruth[] groundTruth;
  private final ImageDetections[] detections;
  private final boolean areaFromMask;
  private final List<String> warnings;
  private final CocoResults results;

  private EvalInputs(
      EvalParams params, long[] imageIds, long[] categoryIds, List<CocoDataset.Category> categories,
      ImageGroundTruth[] groundTruth, ImageDetections[] detections, boolean areaFromMask,
      List<String> warnings, CocoResults results) {
    this.results = results;
    this.params = params;
    this.imageIds = imageIds;
    this.categoryIds = categoryIds;
    this.categories = categories;
    this.groundTruth = groundTruth;
    this.detections = detections;
    this.areaFromMask = areaFromMask;
    this.warnings = List.copyOf(warnings);
  }

  /**
   * Validates and splits.
   *
   * @throws InvalidInputException for input pycocotools refuses or cannot evaluate
   */
  public static EvalInputs prepare(EvalParams params, CocoDataset gt, CocoResults dt) {
    return prepare(params, gt, dt, Runtime.getRuntime().availableProcessors());
  }

  /** Validates and splits, checking masks on {@code threads} threads. */
  public static EvalInputs prepare(
      EvalParams params, CocoDataset gt, CocoResults dt, int threads) {
    List<String> warnings = new ArrayList<>();
    long[] imageIds = gt.sortedImageIds();
    List<CocoDataset.Category> cats = new ArrayList<>(gt.categories());
    cats.sort((a, b) -> Long.compare(a.id(), b.id()));
    long[] catIds = cats.stream().mapToLong(CocoDataset.Category::id).toArray();
    int nImages = imageIds.length;
    boolean segm = params.iouType() == EvalParams.IouType.SEGM;

    // ---- results: loadRes ----
    int n = dt.size();
    int[] dImage = new int[n];
    for (int i = 0; i < n; i++) {
      int k = Arrays.binarySearch(imageIds, dt.imageId(i));
      if (k < 0) {
        throw new InvalidInputException(
            unknownImage(dt.source(), i, dt.imageId(i), dt.categoryId(i), gt.source()));
      }
      dImage[i] = k;
    }
    boolean fromMask = LoadRes.areaFromMask(params, n == 0 || dt.hasBbox(0));
    int dropped = 0;
    int boxMasks = 0;
    for (int i = 0; i < n; i++) {
      if (Arrays.binarySearch(catIds, dt.categoryId(i)) < 0) {
        dropped++;
      }
      if (!dt.hasMask(i)) {
        boxMasks++;
      }
    }
    firstProblem(threads, n, i -> resultProblem(params, dt, catIds, fromMask, i));
    if (dropped > 0) {
      warnings.add(unknownCategoriesWarning(dropped, n, gt.source()));
    }
    if (segm && !fromMask) {
      String w = LoadRes.boxMasksWarning(boxMasks, n, dt.source());
      if (w != null) {
        warnings.add(w);
      }
    }

    // ---- ground truth: _prepare ----
    int na = gt.annotationCount();
    int[] aImage = new int[na];
    int strayImage = 0;
    int strayCategory = 0;
    for (int a = 0; a < na; a++) {
      int k = Arrays.binarySearch(imageIds, gt.annotationImageId(a));
      aImage[a] = k;
      if (k < 0) {
        strayImage++;
        continue;
      }
      if (Arrays.binarySearch(catIds, gt.annotationCategoryId(a)) < 0) {
        strayCategory++;
        continue;
      }
      if (Double.isNaN(gt.annotationArea(a))) {
        throw new InvalidInputException(annotation(gt, a) + ": has no area (area ranges use the file's area)");
      }
      if (gt.annotationCrowd(a) < 0) {
        throw new InvalidInputException(annotation(gt, a) + ": has no iscrowd");
      }
      if (!segm && Double.isNaN(gt.annotationBbox(a, 0))) {
        throw new InvalidInputException(annotation(gt, a) + ": has no bbox, which box evaluation needs");
      }
      if (segm) {
        Segmentation s = gt.annotationSegmentation(a);
        if (s == null) {
          throw new InvalidInputException(annotation(gt, a) + ": has no segmentation, which mask evaluation"
              + " needs");
        }
        try {
          int h = gt.imageHeight(k);
          int w = gt.imageWidth(k);
          if (s instanceof Segmentation.Polygons poly) {
            if (h <= 0 || w <= 0) {
              throw new IllegalArgumentException("polygons need the image's width and height, and"
                  + " image " + gt.annotationImageId(a) + " has none");
            }
            Rle.checkPolygons(poly.parts());
          } else {
            s.toRle(h, w); // RLEs: decode once to check that the runs cover the mask
          }
        } catch (IllegalArgumentException e) {
          throw new InvalidInputException(annotation(gt, a) + ": segmentation: " + e.getMessage());
        }
      }
    }
    if (strayImage > 0) {
      warnings.add(strayImage + " annotations of " + gt.source() + " refer to image ids that are"
          + " not in its images list; they are not evaluated (as in pycocotools)");
    }
    if (strayCategory > 0) {
      warnings.add(strayCategory + " annotations of " + gt.source() + " have a category_id that is"
          + " not in its categories list; they are not evaluated (as in pycocotools)");
    }
    if (segm) {
      for (int i = 0; i < n; i++) {
        if (dt.polygonMask(i) != null || !dt.hasCompressedMask(i)) {
          int k = dImage[i];
          if (gt.imageHeight(k) <= 0 || gt.imageWidth(k) <= 0) {
            throw new InvalidInputException(dt.source() + ": results[" + i + "] (image_id "
                + dt.imageId(i) + "): its mask must be rasterised at the image size, and image "
                + dt.imageId(i) + " of " + gt.source() + " has no width and height");
          }
        }
      }
    }

    // ---- split by image (counting sort keeps file order inside an image) ----
    ImageGroundTruth[] gts = ImageSplit.groundTruth(gt, imageIds, aImage);
    ImageDetections[] dts = ImageSplit.detections(dt, imageIds, dImage, fromMask);
    return new EvalInputs(params, imageIds, catIds, cats, gts, dts, fromMask, warnings, dt);
  }

  /** The problem of result {@code i} that stops the evaluation, or {@code null}. */
  private static String resultProblem(
      EvalParams params, CocoResults dt, long[] catIds, boolean fromMask, int i) {
    boolean evaluated = Arrays.binarySearch(catIds, dt.categoryId(i)) >= 0;
    String problem = LoadRes.problem(params, fromMask, evaluated, dt.hasBbox(i),
        dt.emptyBbox(i), dt.maskFormat(i), dt.score(i));
    if (problem == null && evaluated && LoadRes.usesMask(params, fromMask)) {
      Segmentation.Polygons poly = dt.polygonMask(i);
      if (poly != null) {
        problem = polygonProblem(poly);
      } else if (dt.hasCompressedMask(i)) {
        problem = maskProblem(dt.maskArena(), dt.maskStart(i), dt.maskLength(i),
            dt.maskHeight(i), dt.maskWidth(i));
      }
    }
    return problem == null ? null : who(dt, i) + ": " + problem;
  }

  /** Why a result's polygons cannot be rasterised, or {@code null}. */
  public static String polygonProblem(Segmentation.Polygons poly) {
    try {
      Rle.checkPolygons(poly.parts());
      return null;
    } catch (IllegalArgumentException e) {
      return "segmentation: " + e.getMessage();
    }
  }

  /** Why a compressed mask does not decode to {@code h × w} pixels, or {@code null}. */
  public static String maskProblem(byte[] counts, int off, int len, int h, int w) {
    try {
      RleCodec.decode(counts, off, len, h, w);
      return null;
    } catch (IllegalArgumentException e) {
      return "segmentation: " + e.getMessage();
    }
  }

  /** The warning for results of categories the ground truth does not have. */
  public static String unknownCategoriesWarning(long dropped, long results, String gtName) {
    return dropped + " of " + results + " results have a category_id that is not a category of "
        + gtName + "; they are not evaluated (as in pycocotools)";
  }

  private static String annotation(CocoDataset gt, int a) {
    return gt.source() + ": annotations[" + a + "] (id " + gt.annotationId(a) + ")";
  }

  private static String who(CocoResults dt, int i) {
    return resultLabel(dt.source(), i, dt.imageId(i));
  }

  /** How messages name result {@code i} of a results file. */
  public static String resultLabel(String resultsName, long i, long imageId) {
    return resultsName + ": results[" + i + "] (image_id " + imageId + ")";
  }

  /** The message for a result on an image the ground truth does not have. */
  public static String unknownImage(
      String resultsName, int i, long imageId, long categoryId, String gtName) {
    return resultsName + ": results[" + i + "] (image_id " + imageId + ", category_id "
        + categoryId + "): image_id " + imageId + " is not an image of " + gtName
        + " (pycocotools: Results do not correspond to current coco set)";
  }

  /** Checks {@code 0..n-1} in parallel and throws the problem of the lowest index, if any. */
  private static void firstProblem(int threads, int n, IntFunction<String> check) {
    AtomicInteger first = new AtomicInteger(Integer.MAX_VALUE);
    String[] message = new String[1];
    Parallel.forEach(threads, n, 4096, i -> {
      if (i > first.get()) {
        return;
      }
      String problem = check.apply(i);
      if (problem != null) {
        synchronized (message) {
          if (i < first.get()) {
            first.set(i);
            message[0] = problem;
          }
        }
      }
    });
    if (message[0] != null) {
      throw new InvalidInputException(message[0]);
    }
  }


  public EvalParams params() {
    return params;
  }

  /** Evaluated image ids, ascending. */
  public long[] imageIds() {
    return imageIds.clone();
  }

  public int imageCount() {
    return imageIds.length;
  }

  /** Evaluated category ids (the GT categories), ascending. */
  public long[] categoryIds() {
    return categoryIds.clone();
  }

  /** The GT categories in ascending id order. */
  public List<CocoDataset.Category> categories() {
    return categories;
  }

  /** Ground truth of the {@code k}-th image (ascending id order). */
  public ImageGroundTruth groundTruth(int k) {
    return groundTruth[k];
  }

  /** Detections of the {@code k}-th image (ascending id order). */
  public ImageDetections detections(int k) {
    return detections[k];
  }

  /** Whether detection areas come from masks (else from boxes). */
  public boolean areaFromMask() {
    return areaFromMask;
  }

  /**
   * How messages name the detection at {@code position} of image {@code imageId}'s detections:
   * {@code dt.json: results[17] (image_id 7)}.
   */
  public String describeResult(long imageId, int position) {
    int seen = 0;
    for (int i = 0; i < results.size(); i++) {
      if (results.imageId(i) == imageId && seen++ == position) {
        return who(results, i);
      }
    }
    return results.source() + ": a result of image_id " + imageId;
  }

  /** Things pycocotools silently ignores, reported for the user. */
  public List<String> warnings() {
    return warnings;
  }
}
