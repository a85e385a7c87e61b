package io.zoobench.mask;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Box IoU ({@code bbIou}) on hand-computed boxes and against unit-cell counting. */
class BoxIouTest {
  private static double iou(double[] dt, double[] gt, boolean crowd) {
    return BoxIou.iou(dt[0], dt[1], dt[2], dt[3], gt[0], gt[1], gt[2], gt[3], crowd);
  }

  private static double[] box(double x, double y, double w, double h) {
    return new double[] {x, y, w, h};
  }

  @Test
  void handComputedBoxes() {
    assertThat(iou(box(10, 20, 30, 40), box(10, 20, 30, 40), false)).isEqualTo(1.0);
    // 5x5 overlap of two 10x10 boxes: 25 / (100 + 100 - 25)
    assertThat(iou(box(0, 0, 10, 10), box(5, 5, 10, 10), false)).isEqualTo(25.0 / 175);
    // contained: 16 / 100
    assertThat(iou(box(2, 2, 4, 4), box(0, 0, 10, 10), false)).isEqualTo(0.16);
    assertThat(iou(box(0, 0, 10, 10), box(2, 2, 4, 4), false)).isEqualTo(0.16);
    // fractional: overlap [1.5, 2.5]^2 = 1, union 4 + 4 - 1
    assertThat(iou(box(0.5, 0.5, 2, 2), box(1.5, 1.5, 2, 2), false)).isEqualTo(1.0 / 7);
    // disjoint, and touching along an edge or a corner
    assertThat(iou(box(0, 0, 10, 10), box(20, 20, 5, 5), false)).isZero();
    assertThat(iou(box(0, 0, 10, 10), box(10, 0, 5, 5), false)).isZero();
    assertThat(iou(box(0, 0, 10, 10), box(0, 10, 5, 5), false)).isZero();
    assertThat(iou(box(0, 0, 10, 10), box(10, 10, 5, 5), false)).isZero();
  }

  @Test
  void crowdDividesByTheDetectionArea() {
    assertThat(iou(box(0, 0, 10, 10), box(5, 5, 10, 10), true)).isEqualTo(0.25);
    // a detection inside the crowd region is fully covered
    assertThat(iou(box(2, 2, 4, 4), box(0, 0, 10, 10), true)).isEqualTo(1.0);
    // a detection larger than the crowd region: 16 / 100
    assertThat(iou(box(0, 0, 10, 10), box(2, 2, 4, 4), true)).isEqualTo(0.16);
    assertThat(iou(box(0, 0, 10, 10), box(20, 20, 5, 5), true)).isZero();
  }

  @Test
  void zeroSizeBoxesNeverOverlap() {
    // 'if (w <= 0) or (h <= 0): 0', even for identical boxes (11_zero_area_boxes)
    for (double[] b : new double[][] {box(10, 10, 0, 20), box(50, 50, 20, 0), box(60, 60, 0, 0)}) {
      assertThat(iou(b, b, false)).isZero();
      assertThat(iou(b, b, true)).isZero();
      assertThat(iou(b, box(0, 0, 100, 100), false)).isZero();
      assertThat(iou(box(0, 0, 100, 100), b, false)).isZero();
      assertThat(iou(b, box(0, 0, 100, 100), true)).isZero();
    }
  }

  @Test
  void boxesAreNotClippedToTheImage() {
    // 12_boxes_outside_image: person IoU = 900/1600, car IoU = 400/1600
    assertThat(iou(box(0, 0, 30, 30), box(-10, -10, 40, 40), false)).isEqualTo(900.0 / 1600);
    assertThat(iou(box(80, 60, 20, 20), box(80, 60, 40, 40), false)).isEqualTo(400.0 / 1600);
    assertThat(iou(box(-30, -30, 10, 10), box(-25, -25, 10, 10), false)).isEqualTo(25.0 / 175);
    assertThat(iou(box(-10, -10, 40, 40), box(0, 0, 30, 30), true)).isEqualTo(900.0 / 1600);
  }

  @Test
  void integerBoxesAgreeWithUnitCellCounting() {
    SplittableRandom random = new SplittableRandom(21);
    for (int i = 0; i < 8_000; i++) {
      int[] d = {random.nextInt(-10, 30), random.nextInt(-10, 30), random.nextInt(16),
          random.nextInt(16)};
      int[] g = {random.nextInt(-10, 30), random.nextInt(-10, 30), random.nextInt(16),
          random.nextInt(16)};
      long intersection = 0;
      for (int x = -10; x < 50; x++) {
        for (int y = -10; y < 50; y++) {
          boolean inD = x >= d[0] && x < d[0] + d[2] && y >= d[1] && y < d[1] + d[3];
          boolean inG = x >= g[0] && x < g[0] + g[2] && y >= g[1] && y < g[1] + g[3];
          intersection += inD && inG ? 1 : 0;
        }
      }
      long dArea = (long) d[2] * d[3];
      long gArea = (long) g[2] * g[3];
      double expected = intersection == 0 ? 0 : (double) intersection / (dArea + gArea
          - intersection);
      double expectedCrowd = intersection == 0 ? 0 : (double) intersection / dArea;
      double[] db = {d[0], d[1], d[2], d[3]};
      double[] gb = {g[0], g[1], g[2], g[3]};
      String boxes = Arrays.toString(d) + " " + Arrays.toString(g);
      assertThat(iou(db, gb, false)).as(boxes).isEqualTo(expected);
      assertThat(iou(gb, db, false)).as("symmetric " + boxes).isEqualTo(expected);
      assertThat(iou(db, gb, true)).as("crowd " + boxes).isEqualTo(expectedCrowd);
    }
  }

  @Test
  void matrixIsDetectionMajor() {
    double[] dts = {0, 0, 10, 10, 2, 2, 4, 4};
    double[] gts = {5, 5, 10, 10, 0, 0, 10, 10, 50, 50, 5, 5};
    boolean[] crowd = {false, true, false};
    double[] out = new double[6];
    BoxIou.matrix(dts, 2, gts, 3, crowd, out);
    assertThat(out).containsExactly(
        25.0 / 175, 1.0, 0.0,
        1.0 / 115, 1.0, 0.0);
    assertThat(BoxIou.iou(dts, 1, gts, 0, false)).isEqualTo(1.0 / 115);
  }
}
