package io.zoobench.eval;

import static io.zoobench.coco.JsonFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zoobench.coco.CocoDataset;
import io.zoobench.coco.CocoJsonReader;
import io.zoobench.coco.CocoResults;
import io.zoobench.coco.InvalidInputException;
import io.zoobench.mask.Rle;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pycocotools' loadRes rules, one behaviour each. Expected numbers and refusals are what
 * pycocotools 2.0.11 (numpy 2.4.6) gives on the same files (run when these were written;
 * {@link PycocotoolsDifferentialTest} re-checks the rules against pycocotools itself on random
 * cases). A single perfect detection scores AP 0.9999999999999998 (precision 1 / (1 + eps),
 * averaged) and AP50 0.9999999999999999.
 */
class LoadResTest {
  @TempDir
  Path dir;

  /** One 40x30 image with a 10x10 square (polygon) of category 1; category 2 has no GT. */
  private static final String GT = """
      {'images': [{'id': 1, 'width': 40, 'height': 30}],
       'annotations': [{'id': 1, 'image_id': 1, 'category_id': 1, 'bbox': [5, 5, 10, 10],
                        'area': 100, 'iscrowd': 0,
                        'segmentation': [[5, 5, 15, 5, 15, 15, 5, 15]]}],
       'categories': [{'id': 1, 'name': 'a'}, {'id': 2, 'name': 'b'}]}
      """;

  /** The GT square as a compressed RLE at the image size. */
  private static final String SQUARE = "{'size': [30, 40], 'counts': '"
      + Rle.fromPolygons(new double[][] {{5, 5, 15, 5, 15, 15, 5, 15}}, 30, 40)
          .toCompressedString() + "'}";

  private EvalResult evaluate(EvalParams p, String results) {
    CocoDataset gt = CocoJsonReader.readDataset(write(dir, "gt.json", GT));
    CocoResults dt = CocoJsonReader.readResults(write(dir, "dt.json", results),
        LoadRes.masksNeeded(p));
    return new CocoEvaluator(p, 1).evaluate(gt, dt);
  }

  private static final double PERFECT_AP = 0.9999999999999998;

  private static EvalParams bbox() {
    return EvalParams.of(EvalParams.IouType.BBOX);
  }

  private static EvalParams segm() {
    return EvalParams.of(EvalParams.IouType.SEGM);
  }

  @Test
  void maskOnlyResultsGetBoxesFromTheirMasksInBoxEvaluation() {
    EvalResult r = evaluate(bbox(), "[{'image_id': 1, 'category_id': 1, 'score': 0.9,"
        + " 'segmentation': " + SQUARE + "}]");
    assertThat(r.stats()[0]).isEqualTo(PERFECT_AP); // toBbox of the mask = the GT box
    assertThat(r.stats()[1]).isEqualTo(0.9999999999999999);
    assertThat(r.detAreaLabel()).isEqualTo("mask");
  }

  @Test
  void boxOnlyResultsGetTheirRectangleAsMaskInMaskEvaluationWithAWarning() {
    EvalResult r = evaluate(segm(), "[{'image_id': 1, 'category_id': 1, 'score': 0.9,"
        + " 'bbox': [5, 5, 10, 10]}]");
    // the rectangle [x1,y1, x1,y2, x2,y2, x2,y1] rasterises exactly as the GT polygon
    assertThat(r.stats()[0]).isEqualTo(PERFECT_AP);
    assertThat(r.warnings()).singleElement().asString()
        .startsWith("1 of 1 results of dt.json have no segmentation")
        .contains("rectangles of their boxes");
  }

  @Test
  void theFirstResultDecidesForEveryResult() {
    // results[0] has a box: every result needs one, even of a category never evaluated
    assertThatThrownBy(() -> evaluate(bbox(), "[{'image_id': 1, 'category_id': 1, 'score': 0.9,"
        + " 'bbox': [5, 5, 10, 10]}, {'image_id': 1, 'category_id': 99, 'score': 0.8,"
        + " 'segmentation': " + SQUARE + "}]"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("dt.json: results[1] (image_id 1): has no bbox; detection areas come from"
            + " boxes because results[0] has one, so every result needs one");
    // results[0] has none: every result needs a compressed mask
    assertThatThrownBy(() -> evaluate(bbox(), "[{'image_id': 1, 'category_id': 1, 'score': 0.9,"
        + " 'segmentation': " + SQUARE + "}, {'image_id': 1, 'category_id': 1, 'score': 0.8,"
        + " 'bbox': [1, 1, 2, 2]}]"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("dt.json: results[1] (image_id 1): has no segmentation;"
            + " detection areas come from masks because results[0] has no bbox");
  }

  @Test
  void areasFromMasksNeedCompressedRle() {
    String polygon = "[{'image_id': 1, 'category_id': 1, 'score': 0.9, 'segmentation': "
        + SQUARE + "}, {'image_id': 1, 'category_id': 1, 'score': 0.8,"
        + " 'segmentation': [[5, 5, 15, 5, 15, 15]]}]";
    assertThatThrownBy(() -> evaluate(segm(), polygon))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("dt.json: results[1] (image_id 1): segmentation is polygons;")
        .hasMessageContaining("compressed RLE only");
    String raw = "[{'image_id': 1, 'category_id': 1, 'score': 0.9,"
        + " 'segmentation': {'size': [30, 40], 'counts': [0, 5, 1195]}}]";
    assertThatThrownBy(() -> evaluate(segm(), raw))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("segmentation is an uncompressed RLE (counts as a list)");
    // in the bbox branch both are fine: pycocotools rasterises them at the image size
    EvalResult r = evaluate(segm(), "[{'image_id': 1, 'category_id': 1, 'score': 0.9,"
        + " 'bbox': [0, 0, 1, 5], 'segmentation': {'size': [30, 40], 'counts': [0, 5, 1195]}},"
        + " {'image_id': 1, 'category_id': 1, 'score': 0.8, 'bbox': [5, 5, 10, 10],"
        + " 'segmentation': [[5, 5, 15, 5, 15, 15, 5, 15]]}]");
    // a 1x5 bar (FP) ranked above the square (TP): precision 1 / 2 at every recall
    assertThat(r.stats()[0]).isEqualTo(0.5);
    assertThat(r.stats()[1]).isEqualTo(0.5);
  }

  @Test
  void aMissingScoreMattersOnlyForEvaluatedCategories() {
    EvalResult r = evaluate(bbox(), "[{'image_id': 1, 'category_id': 1, 'score': 0.9,"
        + " 'bbox': [5, 5, 10, 10]}, {'image_id': 1, 'category_id': 99, 'bbox': [1, 1, 2, 2]}]");
    assertThat(r.stats()[0]).isEqualTo(PERFECT_AP);
    assertThatThrownBy(() -> evaluate(bbox(), "[{'image_id': 1, 'category_id': 1, 'score': 0.9,"
        + " 'bbox': [5, 5, 10, 10]}, {'image_id': 1, 'category_id': 2, 'bbox': [1, 1, 2, 2]}]"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("dt.json: results[1] (image_id 1): has no score");
  }

  @Test
  void anEmptyBoxFailsBoxEvaluationOnlyWhereBoxIouReachesIt() {
    StringBuilder json = new StringBuilder("[{'image_id': 1, 'category_id': 1, 'score': 0.9,"
        + " 'segmentation': " + SQUARE + "}");
    // 100 detections of category 2 rank above an empty box: it is cut at maxDets, never read
    for (int i = 0; i < 100; i++) {
      json.append(", {'image_id': 1, 'category_id': 2, 'score': 0.8, 'segmentation': ")
          .append(SQUARE).append("}");
    }
    json.append(", {'image_id': 1, 'category_id': 2, 'score': 0.1, 'bbox': [],"
        + " 'segmentation': ").append(SQUARE).append("}]");
    assertThat(evaluate(bbox(), json.toString()).stats()[0]).isEqualTo(PERFECT_AP);
    // ranked first, it is read: pycocotools' box IoU raises
    String first = json.toString().replace("'score': 0.1, 'bbox': []", "'score': 0.95, 'bbox': []");
    assertThatThrownBy(() -> evaluate(bbox(), first))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("dt.json: results[101] (image_id 1): bbox is empty;");
    // mask evaluation never reads the box
    assertThat(evaluate(segm(), first).stats()[0]).isEqualTo(PERFECT_AP);
  }
}
