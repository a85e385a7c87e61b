package io.zoobench.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zoobench.coco.CocoDataset;
import io.zoobench.coco.CocoJsonReader;
import io.zoobench.coco.CocoResults;
import io.zoobench.coco.InvalidInputException;
import io.zoobench.mask.Rle;
import io.zoobench.mask.RleOps;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Input that pycocotools refuses (json.load's "Extra data", frPyObjects on a first polygon of
 * at most 4 numbers) is refused here with a message naming the record; and a mask without runs
 * merges as an empty mask instead of looping forever.
 */
class RefusedInputTest {
  private static final String GT_HEAD = "{\"images\": [{\"id\": 1, \"width\": 20, \"height\": 10}],"
      + " \"categories\": [{\"id\": 1, \"name\": \"a\"}], \"annotations\": [";

  private static CocoDataset gt(String annotations) {
    return CocoJsonReader.readDataset(new ByteArrayInputStream(
        (GT_HEAD + annotations + "]}").getBytes(StandardCharsets.UTF_8)), "gt.json");
  }

  private static CocoResults dt(String json) {
    return CocoJsonReader.readResults(
        new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "dt.json", true);
  }

  @Test
  void extraDataAfterTheResultsListIsRefused() {
    assertThatThrownBy(() -> dt("[{\"image_id\": 1, \"category_id\": 1, \"bbox\": [0,0,1,1],"
        + " \"score\": 1}]\n[{\"image_id\": 1}]"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("dt.json: extra data after the json value, at line 2");
  }

  @Test
  void extraDataAfterTheDatasetIsRefused() {
    assertThatThrownBy(() -> CocoJsonReader.readDataset(new ByteArrayInputStream(
        (GT_HEAD + "]} {}").getBytes(StandardCharsets.UTF_8)), "gt.json"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("gt.json: extra data after the json value");
  }

  @Test
  void firstPolygonOfFourNumbersIsRefusedInMaskEvaluation() {
    CocoDataset d = gt("{\"id\": 7, \"image_id\": 1, \"category_id\": 1, \"area\": 4,"
        + " \"iscrowd\": 0, \"bbox\": [1,1,2,2], \"segmentation\": [[1,1,3,3],[5,6]]}");
    CocoResults r = dt("[{\"image_id\": 1, \"category_id\": 1, \"bbox\": [1,1,2,2], \"score\": 1}]");
    CocoEvaluator segm = new CocoEvaluator(EvalParams.of(EvalParams.IouType.SEGM), 1);
    assertThatThrownBy(() -> segm.evaluate(d, r))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("gt.json: annotations[0] (id 7): segmentation: the first polygon has 4 numbers");
    // box evaluation never looks at the polygon, as in pycocotools
    assertThat(new CocoEvaluator(EvalParams.of(EvalParams.IouType.BBOX), 1).evaluate(d, r)
        .stats()[0]).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-12));
  }

  @Test
  void resultPolygonOfTwoNumbersIsRefused() {
    CocoDataset d = gt("{\"id\": 7, \"image_id\": 1, \"category_id\": 1, \"area\": 4,"
        + " \"iscrowd\": 0, \"bbox\": [1,1,2,2], \"segmentation\": [[1,1,3,1,3,3,1,3]]}");
    CocoResults r = dt("[{\"image_id\": 1, \"category_id\": 1, \"bbox\": [1,1,2,2], \"score\": 1,"
        + " \"segmentation\": [[5,6]]}]");
    assertThatThrownBy(() -> new CocoEvaluator(EvalParams.of(EvalParams.IouType.SEGM), 1)
        .evaluate(d, r))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("dt.json: results[0] (image_id 1): segmentation: the first polygon has 2 numbers");
  }

  @Test
  void maskWithoutRunsMergesAsEmpty() {
    Rle empty = Rle.of(2, 3, new int[0]);
    Rle some = Rle.of(2, 3, new int[] {1, 2, 3});
    assertThat(RleOps.merge(new Rle[] {empty, some}, false).area()).isEqualTo(2);
    assertThat(RleOps.merge(new Rle[] {some, empty}, false).area()).isEqualTo(2);
    assertThat(RleOps.merge(new Rle[] {some, empty}, true).area()).isZero();
  }
}
