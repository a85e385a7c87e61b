package io.zoobench.mask;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Mask IoU ({@code rleIou}: {@link MaskIou}, {@link RleOps#iou}) against pixel counting. */
class MaskIouTest {
  private static Rle rle(PixelMask m) {
    return Rle.encode(m.toColumnMajor(), m.height, m.width);
  }

  @Test
  void randomMasksAgreeWithPixelCounting() {
    SplittableRandom random = new SplittableRandom(31);
    for (int[] hw : RleOpsTest.sizes(random, 120)) {
      for (int i = 0; i < 5; i++) {
        PixelMask dt = PixelMask.random(random, hw[0], hw[1]);
        PixelMask gt = PixelMask.random(random, hw[0], hw[1]);
        Rle d = rle(dt);
        Rle g = rle(gt);
        String masks = dt + "\n" + gt;
        double plain = PixelMask.iou(dt, gt, false);
        double crowd = PixelMask.iou(dt, gt, true);
        assertThat(MaskIou.iou(d, g, false)).as(masks).isEqualTo(plain);
        assertThat(MaskIou.iou(g, d, false)).as("symmetric " + masks).isEqualTo(plain);
        assertThat(MaskIou.iou(d, g, true)).as("crowd " + masks).isEqualTo(crowd);
        int[] dc = d.counts();
        int[] gc = g.counts();
        assertThat(RleOps.iou(dc, 0, dc.length, gc, 0, gc.length, false)).isEqualTo(plain);
        assertThat(RleOps.iou(dc, 0, dc.length, gc, 0, gc.length, true)).isEqualTo(crowd);
      }
    }
  }

  @Test
  void overlappingRectangles() {
    PixelMask a = PixelMask.rectangle(20, 30, 0, 0, 10, 10);
    PixelMask b = PixelMask.rectangle(20, 30, 5, 5, 15, 15);
    assertThat(MaskIou.iou(rle(a), rle(b), false)).isEqualTo(25.0 / 175);
    assertThat(MaskIou.iou(rle(a), rle(b), true)).isEqualTo(0.25);
    assertThat(MaskIou.iou(rle(a), rle(a), false)).isEqualTo(1.0);
    // a detection inside a crowd region counts as fully covered
    PixelMask inner = PixelMask.rectangle(20, 30, 2, 2, 6, 6);
    assertThat(MaskIou.iou(rle(inner), rle(a), true)).isEqualTo(1.0);
    assertThat(MaskIou.iou(rle(inner), rle(a), false)).isEqualTo(0.16);
    // side by side: boxes touch, no pixel in common
    PixelMask right = PixelMask.rectangle(20, 30, 10, 0, 20, 10);
    assertThat(MaskIou.iou(rle(a), rle(right), false)).isZero();
  }

  @Test
  void emptyMasksGiveZero() {
    Rle empty = Rle.encode(new byte[200], 10, 20);
    Rle full = rle(PixelMask.rectangle(10, 20, 0, 0, 20, 10));
    assertThat(MaskIou.iou(empty, full, false)).isZero();
    assertThat(MaskIou.iou(full, empty, false)).isZero();
    assertThat(MaskIou.iou(empty, empty, false)).isZero();
    assertThat(MaskIou.iou(empty, full, true)).isZero();
    assertThat(MaskIou.iou(Rle.of(10, 20, new int[0]), full, false)).isZero();
  }

  @Test
  void differentSizesGiveMinusOneWhenTheBoxesOverlap() {
    Rle small = rle(PixelMask.rectangle(10, 10, 0, 0, 5, 5));
    Rle tall = rle(PixelMask.rectangle(12, 10, 2, 2, 6, 6));
    assertThat(MaskIou.iou(small, tall, false)).isEqualTo(-1.0);
    assertThat(MaskIou.iou(tall, small, true)).isEqualTo(-1.0);
    // the box pre-test comes first: no box overlap, IoU 0 whatever the sizes
    Rle far = rle(PixelMask.rectangle(12, 10, 7, 7, 9, 9));
    assertThat(MaskIou.iou(small, far, false)).isZero();
    // an identical pixel set in an image of another size still never matches
    Rle sameShape = rle(PixelMask.rectangle(10, 11, 0, 0, 5, 5));
    assertThat(MaskIou.iou(small, sameShape, false)).isEqualTo(-1.0);
  }

  @Test
  void arenaSlicesAreReadAtTheirOffsets() {
    PixelMask dt = PixelMask.rectangle(8, 8, 1, 1, 5, 5);
    PixelMask gt = PixelMask.rectangle(8, 8, 3, 3, 7, 7);
    int[] dc = rle(dt).counts();
    int[] gc = rle(gt).counts();
    int[] arena = new int[3 + dc.length + 2 + gc.length];
    Arrays.fill(arena, 999);
    System.arraycopy(dc, 0, arena, 3, dc.length);
    int gOff = 3 + dc.length + 2;
    System.arraycopy(gc, 0, arena, gOff, gc.length);
    double[] boxes = new double[12];
    RleOps.toBbox(8, 8, arena, 3, dc.length, boxes, 2);
    RleOps.toBbox(8, 8, arena, gOff, gc.length, boxes, 7);
    assertThat(boxes).containsExactly(0, 0, 1, 1, 4, 4, 0, 3, 3, 4, 4, 0);
    double expected = PixelMask.iou(dt, gt, false); // 4 / 28
    assertThat(expected).isEqualTo(4.0 / 28);
    assertThat(MaskIou.iou(8, 8, arena, 3, dc.length, boxes, 2, 8, 8, arena, gOff, gc.length,
        boxes, 7, false)).isEqualTo(expected);
    assertThat(RleOps.iou(arena, 3, dc.length, arena, gOff, gc.length, true)).isEqualTo(0.25);
  }
}
