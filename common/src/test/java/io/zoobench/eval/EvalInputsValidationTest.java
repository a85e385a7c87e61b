package io.zoobench.eval;

import static io.zoobench.coco.JsonFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.zoobench.coco.CocoDataset;
import io.zoobench.coco.CocoJsonReader;
import io.zoobench.coco.CocoResults;
import io.zoobench.coco.InvalidInputException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link EvalInputs#prepare} validation, seen through {@link CocoEvaluator#evaluate}. */
class EvalInputsValidationTest {
  /** The reference README's tolerance for stats (numpy's pairwise mean vs ours). */
  private static final double TOL = 1e-12;

  @TempDir
  Path dir;

  /** Image 1: a small person (area 100); image 2: a large car (area 20000); no cat ever. */
  private static final String GT = """
      {'images': [{'id': 1, 'width': 640, 'height': 480}, {'id': 2, 'width': 640, 'height': 480},
                  {'id': 3, 'width': 640, 'height': 480}],
       'annotations': [
         {'id': 1, 'image_id': 1, 'category_id': 1, 'bbox': [10, 10, 10, 10], 'area': 100,
          'iscrowd': 0},
         {'id': 7, 'image_id': 2, 'category_id': 3, 'bbox': [0, 0, 200, 100], 'area': 20000,
          'iscrowd': 0}],
       'categories': [{'id': 1, 'name': 'person'}, {'id': 3, 'name': 'car'},
                      {'id': 17, 'name': 'cat'}]}
      """;

  private static EvalResult evaluateBoxes(CocoDataset gt, CocoResults dt) {
    return new CocoEvaluator(EvalParams.of(EvalParams.IouType.BBOX)).evaluate(gt, dt);
  }

  private CocoDataset groundTruth(String json) {
    return CocoJsonReader.readDataset(write(dir, "gt.json", json));
  }

  private CocoResults results(String json) {
    return CocoJsonReader.readResults(write(dir, "dt.json", json), true);
  }

  @Test
  void resultsOnAnUnknownImageNameTheFirstOffendingResult() {
    CocoResults dt = results("""
        [{'image_id': 1, 'category_id': 1, 'bbox': [10, 10, 10, 10], 'score': 0.9},
         {'image_id': 2, 'category_id': 3, 'bbox': [0, 0, 200, 100], 'score': 0.8},
         {'image_id': 7, 'category_id': 1, 'bbox': [1, 1, 1, 1], 'score': 0.7},
         {'image_id': 3, 'category_id': 1, 'bbox': [1, 1, 1, 1], 'score': 0.6},
         {'image_id': 9, 'category_id': 1, 'bbox': [1, 1, 1, 1], 'score': 0.5}]
        """);
    assertThatThrownBy(() -> evaluateBoxes(groundTruth(GT), dt))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("dt.json: results[2] (image_id 7")
        .hasMessageContaining("gt.json")
        .hasMessageNotContaining("results[4]")
        .hasMessageNotContaining("image_id 9");
  }

  /**
   * An empty results list is no error: as for 02_empty_detections (pycocotools evaluated with
   * an empty COCO() as detections, what detectron2 does) every slot is 0 where the GT has
   * objects and -1 where it has none. Here: small and large objects, no medium one.
   */
  @Test
  void emptyResultsGiveZeroWhereGroundTruthExistsAndMinusOneElsewhere() {
    EvalResult r = evaluateBoxes(groundTruth(GT), results("[]"));
    // AP AP50 AP75 APs APm APl AR1 AR10 AR100 ARs ARm ARl
    assertThat(r.stats()).containsExactly(
        new double[] {0, 0, 0, 0, -1, 0, 0, 0, 0, 0, -1, 0}, within(TOL));
    assertThat(r.perCategory()).extracting(EvalResult.CategoryAp::id).containsExactly(1L, 3L, 17L);
    assertThat(r.perCategory().get(0).ap()).isZero();
    assertThat(r.perCategory().get(1).ap()).isZero();
    assertThat(r.perCategory().get(2).ap()).isNaN(); // no GT: excluded, as per_category null
  }

  @Test
  void emptyResultsAndNoAnnotationsGiveMinusOneEverywhere() {
    CocoDataset gt = groundTruth("{'images': [{'id': 1, 'width': 10, 'height': 10}],"
        + " 'annotations': [], 'categories': [{'id': 1, 'name': 'person'}]}");
    EvalResult r = evaluateBoxes(gt, results("[]"));
    assertThat(r.stats()).containsOnly(-1);
  }

  @Test
  void groundTruthWithoutAreaIsNamed() {
    CocoDataset gt = groundTruth(GT.replace("'area': 20000,", ""));
    CocoResults dt = results("[{'image_id': 1, 'category_id': 1, 'bbox': [10, 10, 10, 10],"
        + " 'score': 0.9}]");
    assertThatThrownBy(() -> evaluateBoxes(gt, dt))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("gt.json: annotations[1] (id 7)")
        .hasMessageContaining("area");
    // with no results at all the missing area is still reported
    assertThatThrownBy(() -> evaluateBoxes(gt, results("[]")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("gt.json: annotations[1] (id 7)");
  }

  @Test
  void groundTruthWithoutIscrowdOrBboxIsNamed() {
    CocoResults none = results("[]");
    CocoDataset noCrowd = groundTruth(GT.replaceFirst("'area': 20000,\\s*'iscrowd': 0",
        "'area': 20000"));
    assertThatThrownBy(() -> evaluateBoxes(noCrowd, none))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("gt.json: annotations[1] (id 7)")
        .hasMessageContaining("iscrowd");
    CocoDataset noBox = groundTruth(GT.replace("'bbox': [0, 0, 200, 100], ", ""));
    assertThatThrownBy(() -> evaluateBoxes(noBox, none))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("gt.json: annotations[1] (id 7)")
        .hasMessageContaining("bbox");
  }

  @Test
  void resultsOfUnknownCategoriesAreIgnoredWithAWarning() {
    CocoResults dt = results("""
        [{'image_id': 1, 'category_id': 1, 'bbox': [10, 10, 10, 10], 'score': 0.9},
         {'image_id': 2, 'category_id': 3, 'bbox': [0, 0, 200, 100], 'score': 0.8},
         {'image_id': 2, 'category_id': 91, 'bbox': [0, 0, 1, 1], 'score': 0.99}]
        """);
    EvalResult r = evaluateBoxes(groundTruth(GT), dt);
    // both objects found exactly with nothing else in their category: AP = AR = 1 (AP to
    // within tp / (tp + fp + np.spacing(1)))
    assertThat(r.stats()).containsExactly(
        new double[] {1, 1, 1, 1, -1, 1, 1, 1, 1, 1, -1, 1}, within(TOL));
    assertThat(r.warnings()).anySatisfy(w -> assertThat(w).contains("1 of 3 results"));
  }
}
