package io.zoobench.mask;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** Segmentations of reference cases 11-15 against the masks pycocotools wrote there. */
class ReferenceSegmentationsTest {
  private static PixelMask pixels(Rle rle) {
    return PixelMask.fromRuns(rle.counts(), rle.height(), rle.width());
  }

  private static Rle detectionMask(JsonNode dt, int index) {
    return ReferenceMasks.rle(dt.get(index).get("segmentation"));
  }

  private static Rle groundTruthPolygons(JsonNode gt, int annotation, int height, int width) {
    return Rle.fromPolygons(
        ReferenceMasks.polygons(gt.get("annotations").get(annotation).get("segmentation")),
        height, width);
  }

  /**
   * 13_polygon_vs_rle_gt: "The det masks equal the rasterised polygon, so mask IoU is exactly 1
   * on all three images"; image 2 holds the same object as a compressed RLE and image 3 as an
   * uncompressed RLE.
   */
  @Test
  void polygonCompressedAndUncompressedGroundTruthOfCase13AreOneMask() {
    JsonNode gt = ReferenceMasks.read("13_polygon_vs_rle_gt", "gt.json");
    JsonNode dt = ReferenceMasks.read("13_polygon_vs_rle_gt", "dt.json");
    JsonNode image = gt.get("images").get(0);
    assertThat(image.get("id").asInt()).isEqualTo(1);
    int h = image.get("height").asInt();
    int w = image.get("width").asInt();
    double[][] parts = ReferenceMasks.polygons(gt.get("annotations").get(0).get("segmentation"));
    assertThat(parts).hasDimensions(1, 10);
    Rle polygon = Rle.fromPolygon(parts[0], h, w);
    assertThat(Rle.fromPolygons(parts, h, w)).isEqualTo(polygon);

    for (int d = 0; d < 3; d++) {
      Rle det = detectionMask(dt, d);
      assertThat(dt.get(d).get("image_id").asInt()).isEqualTo(d + 1);
      assertThat(det).as("det %d", d).isEqualTo(polygon);
      assertThat(det.toCompressedString()).isEqualTo(polygon.toCompressedString());
    }
    Rle compressedGt = ReferenceMasks.rle(gt.get("annotations").get(1).get("segmentation"));
    Rle uncompressedGt = ReferenceMasks.rle(gt.get("annotations").get(2).get("segmentation"));
    assertThat(compressedGt).isEqualTo(polygon);
    assertThat(pixels(uncompressedGt).samePixels(pixels(polygon))).isTrue();
    assertThat(uncompressedGt.toCompressedString())
        .isEqualTo(gt.get("annotations").get(1).get("segmentation").get("counts").asText());
    for (Rle g : new Rle[] {polygon, compressedGt, uncompressedGt}) {
      assertThat(MaskIou.iou(detectionMask(dt, 0), g, false)).isEqualTo(1.0);
    }
    assertThat(polygon.area()).isEqualTo(pixels(polygon).area());
    assertThat(polygon.toBbox()).containsExactly(pixels(polygon).tightBox());
  }

  /**
   * 12_boxes_outside_image: "Masks are rasterised inside the image, so in segm mode both GT are
   * clipped and both dets match with IoU 1". GT polygons are integer rectangles, so the clipped
   * masks are x in [0, 30) x y in [0, 30) and x in [80, 100) x y in [60, 80).
   */
  @Test
  void groundTruthOutsideTheImageOfCase12IsClipped() {
    JsonNode gt = ReferenceMasks.read("12_boxes_outside_image", "gt.json");
    JsonNode dt = ReferenceMasks.read("12_boxes_outside_image", "dt.json");
    int h = gt.get("images").get(0).get("height").asInt();
    int w = gt.get("images").get(0).get("width").asInt();
    Rle person = groundTruthPolygons(gt, 0, h, w);
    Rle car = groundTruthPolygons(gt, 1, h, w);
    assertThat(pixels(person).samePixels(PixelMask.rectangle(h, w, 0, 0, 30, 30))).isTrue();
    assertThat(pixels(car).samePixels(PixelMask.rectangle(h, w, 80, 60, 100, 80))).isTrue();
    assertThat(detectionMask(dt, 0)).isEqualTo(person);
    assertThat(detectionMask(dt, 1)).isEqualTo(car);
    assertThat(MaskIou.iou(detectionMask(dt, 0), person, false)).isEqualTo(1.0);
    assertThat(MaskIou.iou(detectionMask(dt, 1), car, false)).isEqualTo(1.0);
    assertThat(person.toBbox()).containsExactly(0, 0, 30, 30);
    assertThat(car.toBbox()).containsExactly(80, 60, 20, 20);
  }

  /**
   * 15_multi_polygon_objects: "Det 1 has the full box but only the left part as mask: box IoU
   * 1, mask IoU about 0.5. Det 3 (lower score) has the full 2-part mask." GT 1 is two integer
   * rectangles of 30x50, so det 1's IoU is exactly 1500 / 3000. GT 2 (3 triangles) is found at
   * every IoU threshold up to .95 (AR = 1), which only det 2 can do.
   */
  @Test
  void multiPolygonObjectsOfCase15() {
    JsonNode gt = ReferenceMasks.read("15_multi_polygon_objects", "gt.json");
    JsonNode dt = ReferenceMasks.read("15_multi_polygon_objects", "dt.json");
    int h = gt.get("images").get(0).get("height").asInt();
    int w = gt.get("images").get(0).get("width").asInt();
    Rle twoParts = groundTruthPolygons(gt, 0, h, w);
    Rle threeParts = groundTruthPolygons(gt, 1, h, w);
    double[][] parts = ReferenceMasks.polygons(gt.get("annotations").get(0).get("segmentation"));
    Rle left = Rle.fromPolygon(parts[0], h, w);

    assertThat(pixels(twoParts).samePixels(PixelMask.rectangle(h, w, 10, 10, 40, 60)
        .or(PixelMask.rectangle(h, w, 80, 10, 110, 60)))).isTrue();
    assertThat(detectionMask(dt, 0)).isEqualTo(left);
    assertThat(detectionMask(dt, 2)).isEqualTo(twoParts);
    assertThat(MaskIou.iou(detectionMask(dt, 0), twoParts, false)).isEqualTo(0.5);
    assertThat(MaskIou.iou(detectionMask(dt, 2), twoParts, false)).isEqualTo(1.0);
    assertThat(MaskIou.iou(detectionMask(dt, 1), threeParts, false)).isGreaterThanOrEqualTo(0.95);

    PixelMask union = new PixelMask(h, w);
    JsonNode threePartPolygons = gt.get("annotations").get(1).get("segmentation");
    for (double[] part : ReferenceMasks.polygons(threePartPolygons)) {
      union = union.or(pixels(Rle.fromPolygon(part, h, w)));
    }
    assertThat(pixels(threeParts).samePixels(union)).isTrue();
  }

  /**
   * 11_zero_area_boxes: "Degenerate polygons rasterise to empty masks (IoU 0)"; the third GT is
   * the integer rectangle [30, 50) x [30, 50).
   */
  @Test
  void degeneratePolygonsOfCase11AreEmpty() {
    JsonNode gt = ReferenceMasks.read("11_zero_area_boxes", "gt.json");
    JsonNode dt = ReferenceMasks.read("11_zero_area_boxes", "dt.json");
    Rle vertical = groundTruthPolygons(gt, 0, 100, 100);
    Rle horizontal = groundTruthPolygons(gt, 1, 100, 100);
    Rle square = groundTruthPolygons(gt, 2, 100, 100);
    for (Rle empty : new Rle[] {vertical, horizontal}) {
      assertThat(empty.area()).isZero();
      assertThat(empty.toBbox()).containsExactly(0, 0, 0, 0);
      for (int d = 0; d < dt.size(); d++) {
        assertThat(MaskIou.iou(detectionMask(dt, d), empty, false)).isZero();
      }
    }
    assertThat(pixels(square).samePixels(PixelMask.rectangle(100, 100, 30, 30, 50, 50))).isTrue();
    // the zero-size detections' masks are empty too
    assertThat(detectionMask(dt, 0).area()).isZero();
    assertThat(detectionMask(dt, 2).area()).isZero();
    assertThat(detectionMask(dt, 3).area()).isZero();
  }

  /**
   * 14_crowd_uncompressed_rle: column-major runs starting with background; image 1's counts
   * start with 0 (the mask covers pixel (0, 0)), image 2's contain a zero-length run.
   */
  @Test
  void uncompressedCrowdRunsOfCase14() {
    JsonNode gt = ReferenceMasks.read("14_crowd_uncompressed_rle", "gt.json");
    JsonNode first = gt.get("annotations").get(0).get("segmentation");
    JsonNode second = gt.get("annotations").get(2).get("segmentation");
    assertThat(ReferenceMasks.runs(first)).containsExactly(0, 800, 1600);
    assertThat(ReferenceMasks.runs(second)).containsExactly(10, 0, 20, 5, 4965);

    // [0, 800, 1600] in 40x60: pixels 0..799 = columns 0..19, every row
    Rle crowd1 = ReferenceMasks.rle(first);
    assertThat(pixels(crowd1).samePixels(PixelMask.rectangle(40, 60, 0, 0, 20, 40))).isTrue();
    assertThat(crowd1.decode()[0]).isEqualTo((byte) 1);
    assertThat(crowd1.area()).isEqualTo(800);
    assertThat(crowd1.toBbox()).containsExactly(0, 0, 20, 40);

    // [10, 0, 20, 5, 4965] in 50x100: pixels 30..34 = column 0, rows 30..34
    Rle crowd2 = ReferenceMasks.rle(second);
    assertThat(pixels(crowd2).samePixels(PixelMask.rectangle(50, 100, 0, 30, 1, 35))).isTrue();
    assertThat(crowd2.area()).isEqualTo(5);
    assertThat(crowd2.toBbox()).containsExactly(0, 30, 1, 5);
    // the zero-length run changes nothing: the canonical runs encode the same pixels
    assertThat(Rle.encode(crowd2.decode(), 50, 100).counts()).containsExactly(30, 5, 4965);

    // both regular GT are integer rectangles
    assertThat(pixels(groundTruthPolygons(gt, 1, 40, 60))
        .samePixels(PixelMask.rectangle(40, 60, 30, 5, 50, 25))).isTrue();
    assertThat(pixels(groundTruthPolygons(gt, 3, 50, 100))
        .samePixels(PixelMask.rectangle(50, 100, 40, 10, 70, 40))).isTrue();
  }
}
