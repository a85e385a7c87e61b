package io.zoobench.coco;

import static io.zoobench.coco.JsonFiles.write;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad input files: an {@link InvalidInputException} naming file, record and problem. */
class CocoJsonReaderInvalidInputTest {
  @TempDir
  Path dir;

  private static final String DT_OK =
      "{'image_id': 1, 'category_id': 1, 'bbox': [1, 2, 3, 4], 'score': 0.5}";

  /** A results list whose record 1 (image_id 5) is {@code bad}. */
  private static String resultsWith(String badFields) {
    return "[" + DT_OK + ",\n {" + badFields + "},\n " + DT_OK + "]";
  }

  static Stream<Arguments> badResults() {
    return Stream.of(
        arguments("bbox with 3 numbers",
            resultsWith("'image_id': 5, 'category_id': 1, 'bbox': [1, 2, 3], 'score': 0.5"),
            List.of("dt.json: results[1] (image_id 5): bbox has 3 numbers, expected 4")),
        arguments("bbox with 5 numbers",
            resultsWith("'image_id': 5, 'category_id': 1, 'bbox': [1, 2, 3, 4, 5], 'score': 0.5"),
            List.of("results[1] (image_id 5)", "bbox has 5 numbers")),
        arguments("NaN score as Python writes it",
            resultsWith("'image_id': 5, 'category_id': 1, 'bbox': [1, 2, 3, 4], 'score': NaN"),
            List.of("results[1] (image_id 5)", "score", "NaN")),
        arguments("infinite score",
            resultsWith("'image_id': 5, 'category_id': 1, 'bbox': [1, 2, 3, 4], "
                + "'score': -Infinity"),
            List.of("results[1] (image_id 5)", "score", "Infinity")),
        arguments("NaN in bbox",
            resultsWith("'image_id': 5, 'category_id': 1, 'bbox': [1, 2, NaN, 4], 'score': 0.5"),
            List.of("results[1] (image_id 5)", "bbox[2]", "NaN")),
        arguments("negative bbox width",
            resultsWith("'image_id': 5, 'category_id': 1, 'bbox': [1, 2, -3, 4], 'score': 0.5"),
            List.of("results[1] (image_id 5)", "bbox", "negative")),
        arguments("negative bbox height",
            resultsWith("'image_id': 5, 'category_id': 1, 'bbox': [1, 2, 3, -0.5], 'score': 0.5"),
            List.of("results[1] (image_id 5)", "bbox", "negative")),
        arguments("bbox null",
            resultsWith("'image_id': 5, 'category_id': 1, 'bbox': null, 'score': 0.5"),
            List.of("results[1] (image_id 5)", "bbox")),
        arguments("missing image_id",
            resultsWith("'category_id': 1, 'bbox': [1, 2, 3, 4], 'score': 0.5"),
            List.of("dt.json: results[1]", "image_id")),
        arguments("missing category_id",
            resultsWith("'image_id': 5, 'bbox': [1, 2, 3, 4], 'score': 0.5"),
            List.of("results[1] (image_id 5)", "category_id")),
        arguments("string score",
            resultsWith("'image_id': 5, 'category_id': 1, 'bbox': [1, 2, 3, 4], 'score': '0.5'"),
            List.of("results[1] (image_id 5)", "score", "string")),
        arguments("string image_id, named by its value",
            resultsWith("'image_id': '5', 'category_id': 1, 'bbox': [1, 2, 3, 4], 'score': 0.5"),
            List.of("dt.json: results[1] (image_id \"5\"): image_id must be an integer, got a"
                + " string")),
        arguments("string image_id that is not a number",
            resultsWith("'image_id': 'COCO_val2014_000000000139', 'category_id': 1,"
                + " 'bbox': [1, 2, 3, 4], 'score': 0.5"),
            List.of("results[1] (image_id \"COCO_val2014_000000000139\")")),
        arguments("string category_id",
            resultsWith("'image_id': 5, 'category_id': 'dog', 'bbox': [1, 2, 3, 4], 'score': 0.5"),
            List.of("results[1] (image_id 5)", "category_id", "string")),
        arguments("string in bbox",
            resultsWith("'image_id': 5, 'category_id': 1, 'bbox': [1, '2', 3, 4], 'score': 0.5"),
            List.of("results[1] (image_id 5)", "bbox[1]", "string")),
        arguments("non-integral image_id",
            resultsWith("'image_id': 5.5, 'category_id': 1, 'bbox': [1, 2, 3, 4], 'score': 0.5"),
            List.of("results[1] (image_id 5.5)", "image_id", "integer")),
        arguments("invalid character in compressed counts",
            resultsWith("'image_id': 5, 'category_id': 1, 'bbox': [1, 2, 3, 4], 'score': 0.5, "
                + "'segmentation': {'size': [40, 60], 'counts': '0`< `n1'}"),
            List.of("results[1] (image_id 5)", "segmentation", "' '")),
        arguments("character above 'o' in compressed counts",
            resultsWith("'image_id': 5, 'category_id': 1, 'bbox': [1, 2, 3, 4], 'score': 0.5, "
                + "'segmentation': {'size': [40, 60], 'counts': '0`<`n1~'}"),
            List.of("results[1] (image_id 5)", "segmentation", "'~'")),
        arguments("uncompressed counts not summing to h*w",
            resultsWith("'image_id': 5, 'category_id': 1, 'bbox': [1, 2, 3, 4], 'score': 0.5, "
                + "'segmentation': {'size': [3, 4], 'counts': [1, 2, 6]}"),
            List.of("results[1] (image_id 5)", "segmentation", "9", "12")),
        arguments("negative uncompressed run",
            resultsWith("'image_id': 5, 'category_id': 1, 'bbox': [1, 2, 3, 4], 'score': 0.5, "
                + "'segmentation': {'size': [3, 4], 'counts': [1, -2, 13]}"),
            List.of("results[1] (image_id 5)", "segmentation")),
        arguments("RLE without size",
            resultsWith("'image_id': 5, 'category_id': 1, 'bbox': [1, 2, 3, 4], 'score': 0.5, "
                + "'segmentation': {'counts': '0`<`n1'}"),
            List.of("results[1] (image_id 5)", "segmentation", "size")),
        arguments("result that is not an object",
            "[" + DT_OK + ", [5, 1, 0.5]]",
            List.of("dt.json", "results[1]")),
        arguments("top level is an object",
            "{'annotations': [" + DT_OK + "]}",
            List.of("dt.json", "top level", "object")),
        arguments("top level is a number",
            "42",
            List.of("dt.json", "top level")),
        arguments("truncated json",
            "[" + DT_OK + ",\n" + DT_OK + ",\n{'image_id': 2, 'categ",
            List.of("dt.json", "line 3")),
        arguments("invalid json",
            "[" + DT_OK + ",\n\n{'image_id': 2,, 'category_id': 1}]",
            List.of("dt.json", "line 3")),
        arguments("empty file",
            "",
            List.of("dt.json")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badResults")
  void badResultsAreRefused(String what, String json, List<String> fragments) {
    Path file = write(dir, "dt.json", json);
    assertThatThrownBy(() -> CocoJsonReader.readResults(file, true))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("dt.json: ")
        .hasMessageContainingAll(fragments.toArray(String[]::new));
  }

  private static final String IMAGES = "'images': [{'id': 1, 'width': 60, 'height': 40},"
      + " {'id': 2, 'width': 60, 'height': 40}]";
  private static final String CATEGORIES = "'categories': [{'id': 1, 'name': 'person'}]";
  private static final String ANN_OK = "{'id': 1, 'image_id': 1, 'category_id': 1,"
      + " 'bbox': [1, 2, 3, 4], 'area': 12, 'iscrowd': 0}";

  /** A dataset whose annotation 1 (id 7) is {@code bad}. */
  private static String datasetWith(String badFields) {
    return "{" + IMAGES + ",\n'annotations': [" + ANN_OK + ",\n {" + badFields + "}],\n"
        + CATEGORIES + "}";
  }

  static Stream<Arguments> badDatasets() {
    return Stream.of(
        arguments("bbox with 3 numbers",
            datasetWith("'id': 7, 'image_id': 1, 'category_id': 1, 'bbox': [1, 2, 3], 'area': 6,"
                + " 'iscrowd': 0"),
            List.of("gt.json: annotations[1] (id 7): bbox has 3 numbers, expected 4")),
        arguments("negative bbox size",
            datasetWith("'id': 7, 'image_id': 1, 'category_id': 1, 'bbox': [1, 2, -3, 4],"
                + " 'area': 6, 'iscrowd': 0"),
            List.of("annotations[1] (id 7)", "bbox", "negative")),
        arguments("NaN area",
            datasetWith("'id': 7, 'image_id': 1, 'category_id': 1, 'bbox': [1, 2, 3, 4],"
                + " 'area': NaN, 'iscrowd': 0"),
            List.of("annotations[1] (id 7)", "area", "NaN")),
        arguments("string area",
            datasetWith("'id': 7, 'image_id': 1, 'category_id': 1, 'bbox': [1, 2, 3, 4],"
                + " 'area': '12', 'iscrowd': 0"),
            List.of("annotations[1] (id 7)", "area", "string")),
        arguments("string iscrowd",
            datasetWith("'id': 7, 'image_id': 1, 'category_id': 1, 'bbox': [1, 2, 3, 4],"
                + " 'area': 12, 'iscrowd': 'no'"),
            List.of("annotations[1] (id 7)", "iscrowd", "string")),
        arguments("missing image_id",
            datasetWith("'id': 7, 'category_id': 1, 'bbox': [1, 2, 3, 4], 'area': 12"),
            List.of("annotations[1] (id 7)", "image_id")),
        arguments("missing category_id",
            datasetWith("'id': 7, 'image_id': 1, 'bbox': [1, 2, 3, 4], 'area': 12"),
            List.of("annotations[1] (id 7)", "category_id")),
        arguments("string annotation id, named by its value",
            datasetWith("'id': 'a7', 'image_id': 1, 'category_id': 1, 'bbox': [1, 2, 3, 4],"
                + " 'area': 12, 'iscrowd': 0"),
            List.of("gt.json: annotations[1] (id \"a7\"): id must be an integer")),
        arguments("string image id, named by its value",
            "{'images': [{'id': 5}, {'id': '000139.jpg'}], 'annotations': [], " + CATEGORIES
                + "}",
            List.of("gt.json: images[1] (id \"000139.jpg\"): id must be an integer")),
        arguments("missing annotation id",
            datasetWith("'image_id': 1, 'category_id': 1, 'bbox': [1, 2, 3, 4], 'area': 12"),
            List.of("annotations[1]", "id")),
        arguments("string image_id",
            datasetWith("'id': 7, 'image_id': '1', 'category_id': 1, 'area': 12"),
            List.of("annotations[1] (id 7)", "image_id", "string")),
        arguments("invalid character in compressed counts",
            datasetWith("'id': 7, 'image_id': 1, 'category_id': 1, 'area': 12, 'iscrowd': 0,"
                + " 'segmentation': {'size': [40, 60], 'counts': '0`<`n1 '}"),
            List.of("annotations[1] (id 7)", "segmentation", "' '")),
        arguments("uncompressed counts not summing to h*w",
            datasetWith("'id': 7, 'image_id': 1, 'category_id': 1, 'area': 12, 'iscrowd': 1,"
                + " 'segmentation': {'size': [40, 60], 'counts': [0, 800, 1599]}"),
            List.of("annotations[1] (id 7)", "segmentation", "2399", "2400")),
        arguments("string inside a polygon",
            datasetWith("'id': 7, 'image_id': 1, 'category_id': 1, 'area': 12, 'iscrowd': 0,"
                + " 'segmentation': [[1, 2, 3, 'x', 5, 6]]"),
            List.of("annotations[1] (id 7)", "segmentation", "string")),
        arguments("duplicate annotation ids",
            datasetWith("'id': 1, 'image_id': 2, 'category_id': 1, 'area': 12, 'iscrowd': 0"),
            List.of("gt.json", "annotations[0]", "annotations[1]", "same id 1")),
        arguments("duplicate image ids",
            "{'images': [{'id': 5}, {'id': 6}, {'id': 5.0}], 'annotations': [], " + CATEGORIES
                + "}",
            List.of("gt.json", "images[0]", "images[2]", "same id 5")),
        arguments("duplicate category ids",
            "{" + IMAGES + ", 'annotations': [], 'categories': [{'id': 3, 'name': 'a'},"
                + " {'id': 1, 'name': 'b'}, {'id': 3, 'name': 'c'}]}",
            List.of("gt.json", "categories[0]", "categories[2]", "same id 3")),
        arguments("image without id",
            "{'images': [{'id': 1}, {'width': 60, 'height': 40}], 'annotations': [], "
                + CATEGORIES + "}",
            List.of("gt.json: images[1]", "id")),
        arguments("string image width",
            "{'images': [{'id': 1, 'width': '60', 'height': 40}], " + CATEGORIES + "}",
            List.of("gt.json: images[0] (id 1)", "width", "string")),
        arguments("zero image height",
            "{'images': [{'id': 1, 'width': 60, 'height': 0}], " + CATEGORIES + "}",
            List.of("gt.json: images[0] (id 1)", "size")),
        arguments("category without id",
            "{" + IMAGES + ", 'categories': [{'name': 'person'}]}",
            List.of("gt.json: categories[0]", "id")),
        arguments("no images list",
            "{'annotations': [], " + CATEGORIES + "}",
            List.of("gt.json", "images")),
        arguments("a results list instead of a dataset",
            "[" + DT_OK + "]",
            List.of("gt.json", "top level")),
        arguments("truncated json",
            "{" + IMAGES + ",\n'annotations': [" + ANN_OK + ",\n" + ANN_OK.substring(0, 30),
            List.of("gt.json", "line 3")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badDatasets")
  void badDatasetsAreRefused(String what, String json, List<String> fragments) {
    Path file = write(dir, "gt.json", json);
    assertThatThrownBy(() -> CocoJsonReader.readDataset(file))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("gt.json: ")
        .hasMessageContainingAll(fragments.toArray(String[]::new));
  }

  @Test
  void missingFilesAreNamed() {
    Path missing = dir.resolve("nowhere.json");
    assertThatThrownBy(() -> CocoJsonReader.readResults(missing, true))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContainingAll("nowhere.json", "no such file");
    assertThatThrownBy(() -> CocoJsonReader.readDataset(missing))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContainingAll("nowhere.json", "no such file");
  }

  @Test
  void truncatedGzipIsNamed() throws IOException {
    StringBuilder json = new StringBuilder("[");
    for (int i = 0; i < 2000; i++) {
      json.append(i == 0 ? "" : ",").append(DT_OK);
    }
    Path whole = JsonFiles.writeGzip(dir, "whole.json.gz", json + "]");
    byte[] bytes = Files.readAllBytes(whole);
    Path cut = Files.write(dir.resolve("dt.json.gz"), Arrays.copyOf(bytes, bytes.length / 2));
    assertThatThrownBy(() -> CocoJsonReader.readResults(cut, true))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("dt.json.gz: ");
  }

  @Test
  void firstBadRecordIsTheOneNamed() {
    Path file = write(dir, "dt.json", "[" + DT_OK + ",\n"
        + "{'image_id': 8, 'category_id': 1, 'bbox': [1, 2, 3], 'score': 0.5},\n"
        + "{'image_id': 9, 'category_id': 1, 'bbox': [1, 2, 3, 4], 'score': NaN}]");
    assertThatThrownBy(() -> CocoJsonReader.readResults(file, false))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("dt.json: results[1] (image_id 8): bbox has 3 numbers, expected 4");
  }
}
