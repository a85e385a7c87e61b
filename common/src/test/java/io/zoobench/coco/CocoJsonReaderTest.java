package io.zoobench.coco;

import static io.zoobench.coco.JsonFiles.write;
import static io.zoobench.coco.JsonFiles.writeGzip;
import static org.assertj.core.api.Assertions.assertThat;

import io.zoobench.mask.Rle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link CocoJsonReader} on well-formed instances and results files, plain and gzip. */
class CocoJsonReaderTest {
  static final String DATASET = """
      {'info': {'description': 'ignored', 'year': 2017},
       'licenses': [{'id': 1, 'name': 'x', 'url': ''}],
       'images': [
         {'id': 1, 'width': 640, 'height': 480, 'file_name': 'a.jpg', 'license': 1},
         {'id': 2.0, 'width': 100, 'height': 50},
         {'id': 9007199254740993}
       ],
       'annotations': [
         {'id': 10, 'image_id': 1, 'category_id': 18, 'bbox': [1.5, 2, 3, 4], 'area': 12.5,
          'iscrowd': 0, 'segmentation': [[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12, 13, 14]]},
         {'id': 11.0, 'image_id': 2, 'category_id': 1, 'bbox': [], 'area': 5, 'iscrowd': true,
          'segmentation': {'size': [50, 100], 'counts': [10, 0, 20, 5, 4965]}},
         {'id': 12, 'image_id': 1, 'category_id': 1, 'iscrowd': false,
          'segmentation': {'counts': '0`<`n1', 'size': [40, 60]}, 'attributes': {'a': [1, {}]}},
         {'id': 13, 'image_id': 9007199254740993, 'category_id': 18, 'bbox': [0, 0, 0, 0],
          'area': 0, 'iscrowd': 2, 'segmentation': null}
       ],
       'categories': [
         {'id': 18, 'name': 'dog', 'supercategory': 'animal', 'keypoints': ['a', 'b']},
         {'id': 1, 'name': 'person'}
       ]}
      """;

  static final String RESULTS = """
      [{'image_id': 1, 'category_id': 18, 'bbox': [1, 2, 3, 4], 'score': 0.9,
        'segmentation': {'size': [40, 60], 'counts': '0`<`n1'}},
       {'image_id': 2.0, 'category_id': 1.0, 'bbox': [], 'score': 1,
        'segmentation': {'size': [7, 1], 'counts': [2, 3, 1, 1]}},
       {'image_id': 1, 'category_id': 1, 'bbox': [0.5, 0, 10, 10.25], 'score': 0.5,
        'segmentation': [[0, 0, 10, 0, 10, 10]]},
       {'score': 0.25, 'bbox': [5, 5, 1, 1], 'category_id': 3, 'image_id': 3,
        'extra': {'nested': [1, 2, {'x': null}]}}]
      """;

  private static String maskString(CocoResults r, int i) {
    return new String(r.maskArena(), r.maskStart(i), r.maskLength(i), StandardCharsets.US_ASCII);
  }

  static void checkDataset(CocoDataset gt, String name) {
    assertThat(gt.source()).isEqualTo(name);
    assertThat(gt.imageCount()).isEqualTo(3);
    assertThat(gt.imageIds()).containsExactly(1, 2, 9007199254740993L);
    assertThat(gt.imageWidth(0)).isEqualTo(640);
    assertThat(gt.imageHeight(0)).isEqualTo(480);
    assertThat(gt.fileName(0)).isEqualTo("a.jpg");
    assertThat(gt.imageWidth(1)).isEqualTo(100);
    assertThat(gt.imageHeight(1)).isEqualTo(50);
    assertThat(gt.fileName(1)).isNull();
    assertThat(gt.imageWidth(2)).isEqualTo(-1);
    assertThat(gt.imageHeight(2)).isEqualTo(-1);
    assertThat(gt.categories()).containsExactly(
        new CocoDataset.Category(18, "dog", "animal"), new CocoDataset.Category(1, "person", null));

    assertThat(gt.annotationCount()).isEqualTo(4);
    assertThat(gt.annotationId(0)).isEqualTo(10);
    assertThat(gt.annotationImageId(0)).isEqualTo(1);
    assertThat(gt.annotationCategoryId(0)).isEqualTo(18);
    assertThat(new double[] {gt.annotationBbox(0, 0), gt.annotationBbox(0, 1),
        gt.annotationBbox(0, 2), gt.annotationBbox(0, 3)}).containsExactly(1.5, 2, 3, 4);
    assertThat(gt.annotationArea(0)).isEqualTo(12.5);
    assertThat(gt.annotationCrowd(0)).isZero();
    assertThat(gt.annotationSegmentation(0)).isEqualTo(new Segmentation.Polygons(
        new double[][] {{1, 2, 3, 4, 5, 6}, {7, 8, 9, 10, 11, 12, 13, 14}}));

    // integral float id, bbox [] = no box, iscrowd true
    assertThat(gt.annotationId(1)).isEqualTo(11);
    for (int k = 0; k < 4; k++) {
      assertThat(gt.annotationBbox(1, k)).isNaN();
    }
    assertThat(gt.annotationArea(1)).isEqualTo(5);
    assertThat(gt.annotationCrowd(1)).isEqualTo(1);
    assertThat(gt.annotationSegmentation(1))
        .isEqualTo(new Segmentation.UncompressedRle(50, 100, new int[] {10, 0, 20, 5, 4965}));

    // no bbox and no area at all, iscrowd false, compressed counts before size
    assertThat(gt.annotationBbox(2, 0)).isNaN();
    assertThat(gt.annotationArea(2)).isNaN();
    assertThat(gt.annotationCrowd(2)).isZero();
    assertThat(gt.annotationSegmentation(2)).isEqualTo(new Segmentation.CompressedRle(40, 60,
        "0`<`n1".getBytes(StandardCharsets.US_ASCII)));

    // a 64-bit id beyond 2^53 stays exact; a zero box is a box; any non-zero iscrowd is a crowd
    assertThat(gt.annotationImageId(3)).isEqualTo(9007199254740993L);
    assertThat(gt.annotationBbox(3, 2)).isZero();
    assertThat(gt.annotationArea(3)).isZero();
    assertThat(gt.annotationCrowd(3)).isEqualTo(1);
    assertThat(gt.annotationSegmentation(3)).isNull();
    assertThat(gt.sortedImageIds()).containsExactly(1, 2, 9007199254740993L);
  }

  @Test
  void readsADataset(@TempDir Path dir) {
    checkDataset(CocoJsonReader.readDataset(write(dir, "gt.json", DATASET)), "gt.json");
  }

  @Test
  void gzipIsRecognisedByContentNotByName(@TempDir Path dir) {
    checkDataset(CocoJsonReader.readDataset(writeGzip(dir, "gt.json", DATASET)), "gt.json");
    checkDataset(CocoJsonReader.readDataset(writeGzip(dir, "gt.json.gz", DATASET)), "gt.json.gz");
    checkDataset(CocoJsonReader.readDataset(write(dir, "plain.json.gz", DATASET)),
        "plain.json.gz");
    checkResults(CocoJsonReader.readResults(writeGzip(dir, "dt.json", RESULTS), true));
    checkResults(CocoJsonReader.readResults(write(dir, "dt.gz", RESULTS), true));
  }

  static void checkResults(CocoResults dt) {
    assertThat(dt.size()).isEqualTo(4);
    assertThat(dt.imageId(0)).isEqualTo(1);
    assertThat(dt.categoryId(0)).isEqualTo(18);
    assertThat(dt.score(0)).isEqualTo(0.9);
    assertThat(dt.hasBbox(0)).isTrue();
    assertThat(new double[] {dt.bbox(0, 0), dt.bbox(0, 1), dt.bbox(0, 2), dt.bbox(0, 3)})
        .containsExactly(1, 2, 3, 4);
    assertThat(dt.hasMask(0)).isTrue();
    assertThat(dt.hasCompressedMask(0)).isTrue();
    assertThat(dt.maskHeight(0)).isEqualTo(40);
    assertThat(dt.maskWidth(0)).isEqualTo(60);
    assertThat(maskString(dt, 0)).isEqualTo("0`<`n1");

    // integral floats as ids, bbox [] = no box, integer score; uncompressed runs re-encoded
    // ([2, 3, 1, 1] -> "231N", see RleCodecTest)
    assertThat(dt.imageId(1)).isEqualTo(2);
    assertThat(dt.categoryId(1)).isEqualTo(1);
    assertThat(dt.score(1)).isEqualTo(1.0);
    assertThat(dt.hasBbox(1)).isFalse();
    assertThat(dt.bbox(1, 0)).isNaN();
    assertThat(dt.hasCompressedMask(1)).isTrue();
    assertThat(dt.maskHeight(1)).isEqualTo(7);
    assertThat(dt.maskWidth(1)).isEqualTo(1);
    assertThat(maskString(dt, 1)).isEqualTo("231N");

    // polygons are kept aside
    assertThat(dt.bbox(2, 0)).isEqualTo(0.5);
    assertThat(dt.bbox(2, 3)).isEqualTo(10.25);
    assertThat(dt.hasMask(2)).isTrue();
    assertThat(dt.hasCompressedMask(2)).isFalse();
    assertThat(dt.polygonMask(2))
        .isEqualTo(new Segmentation.Polygons(new double[][] {{0, 0, 10, 0, 10, 10}}));

    // fields in any order, unknown fields skipped, no mask
    assertThat(dt.imageId(3)).isEqualTo(3);
    assertThat(dt.categoryId(3)).isEqualTo(3);
    assertThat(dt.score(3)).isEqualTo(0.25);
    assertThat(dt.hasMask(3)).isFalse();
    assertThat(dt.maskHeight(3)).isEqualTo(-1);
    assertThat(dt.polygonMask(3)).isNull();
  }

  @Test
  void readsResults(@TempDir Path dir) {
    CocoResults dt = CocoJsonReader.readResults(write(dir, "dt.json", RESULTS), true);
    assertThat(dt.source()).isEqualTo("dt.json");
    checkResults(dt);
  }

  @Test
  void masksAreSkippedWhenNotKept(@TempDir Path dir) {
    CocoResults dt = CocoJsonReader.readResults(write(dir, "dt.json", RESULTS), false);
    assertThat(dt.size()).isEqualTo(4);
    for (int i = 0; i < 4; i++) {
      assertThat(dt.hasMask(i)).isFalse();
      assertThat(dt.polygonMask(i)).isNull();
    }
    assertThat(dt.score(2)).isEqualTo(0.5);
    assertThat(dt.hasBbox(1)).isFalse();
  }

  @Test
  void emptyResultsList(@TempDir Path dir) {
    assertThat(CocoJsonReader.readResults(write(dir, "dt.json", "[]"), true).size()).isZero();
    assertThat(CocoJsonReader.readResults(write(dir, "dt2.json", " [ ]\n"), false).size())
        .isZero();
  }

  @Test
  void manyRecordsAndMasks(@TempDir Path dir) {
    int n = 20_000;
    StringBuilder results = new StringBuilder("[");
    StringBuilder images = new StringBuilder();
    StringBuilder annotations = new StringBuilder();
    for (int i = 0; i < n; i++) {
      String sep = i == 0 ? "" : ",";
      // runs [i % 40 + 1, 1, rest] of a 40x60 mask: a single pixel at index i % 40 + 1
      int[] runs = {i % 40 + 1, 1, 2400 - (i % 40 + 2)};
      results.append(sep).append("{'image_id': ").append(i % 3000).append(", 'category_id': ")
          .append(i % 80).append(", 'bbox': [").append(i).append(", 0, 1, 1], 'score': ")
          .append(1.0 / (i + 1)).append(", 'segmentation': {'size': [40, 60], 'counts': ")
          .append(Arrays.toString(runs)).append("}}");
      if (i < 3000) {
        images.append(sep).append("{'id': ").append(i).append(", 'width': 60, 'height': 40}");
      }
      annotations.append(sep).append("{'id': ").append(i + 1).append(", 'image_id': ")
          .append(i % 3000).append(", 'category_id': 1, 'bbox': [0, 0, ").append(i)
          .append(", 1], 'area': ").append(i).append(", 'iscrowd': 0}");
    }
    results.append("]");
    CocoResults dt = CocoJsonReader.readResults(writeGzip(dir, "dt.json.gz", results.toString()),
        true);
    assertThat(dt.size()).isEqualTo(n);
    for (int i = 0; i < n; i += 997) {
      assertThat(dt.imageId(i)).isEqualTo(i % 3000);
      assertThat(dt.categoryId(i)).isEqualTo(i % 80);
      assertThat(dt.bbox(i, 0)).isEqualTo(i);
      assertThat(dt.score(i)).isEqualTo(1.0 / (i + 1));
      int[] runs = {i % 40 + 1, 1, 2400 - (i % 40 + 2)};
      assertThat(Rle.fromCompressed(maskString(dt, i), 40, 60).counts()).containsExactly(runs);
    }
    CocoDataset gt = CocoJsonReader.readDataset(write(dir, "gt.json", "{'images': [" + images
        + "], 'annotations': [" + annotations + "], 'categories': [{'id': 1, 'name': 'a'}]}"));
    assertThat(gt.imageCount()).isEqualTo(3000);
    assertThat(gt.annotationCount()).isEqualTo(n);
    assertThat(gt.imageId(2999)).isEqualTo(2999);
    assertThat(gt.annotationId(n - 1)).isEqualTo(n);
    assertThat(gt.annotationArea(n - 1)).isEqualTo(n - 1);
    assertThat(gt.annotationBbox(n - 1, 2)).isEqualTo(n - 1);
  }
}
