package io.zoobench.synth;

import static org.assertj.core.api.Assertions.assertThat;

import io.zoobench.mask.Rle;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Direct box and ellipse masks against a pixel-by-pixel reference. */
class ShapeMasksTest {

  @Test
  void boxesMatchPixelCentreTest() {
    SplittableRandom rng = new SplittableRandom(1);
    for (int i = 0; i < 300; i++) {
      int h = 1 + rng.nextInt(40);
      int w = 1 + rng.nextInt(40);
      double[] b = randomBox(rng, h, w);
      Rle rle = ShapeMasks.box(b[0], b[1], b[2], b[3], h, w);
      assertMask(rle, h, w, (x, y) -> x >= b[0] && x < b[2] && y >= b[1] && y < b[3]);
    }
  }

  @Test
  void ellipsesMatchPixelCentreTest() {
    SplittableRandom rng = new SplittableRandom(2);
    for (int i = 0; i < 300; i++) {
      int h = 1 + rng.nextInt(40);
      int w = 1 + rng.nextInt(40);
      double[] b = randomBox(rng, h, w);
      double cx = (b[0] + b[2]) / 2;
      double cy = (b[1] + b[3]) / 2;
      double rx = (b[2] - b[0]) / 2;
      double ry = (b[3] - b[1]) / 2;
      Rle rle = ShapeMasks.ellipse(b[0], b[1], b[2], b[3], h, w);
      assertMask(rle, h, w, (x, y) -> {
        if (x < b[0] || x >= b[2]) {
          return false;
        }
        double u = (x - cx) / rx;
        double half = ry * Math.sqrt(Math.max(0, 1 - u * u));
        return y >= cy - half && y < cy + half;
      });
    }
  }

  @Test
  void fullImageBoxIsOneRunAfterAnEmptyBackground() {
    Rle rle = ShapeMasks.box(0, 0, 7, 5, 5, 7);
    assertThat(rle.counts()).containsExactly(0, 35);
    assertThat(ShapeMasks.box(3, 3, 3, 4, 5, 7).counts()).containsExactly(35);
  }

  private interface Inside {
    boolean test(double x, double y);
  }

  private static double[] randomBox(SplittableRandom rng, int h, int w) {
    double x0 = rng.nextDouble(-5, w + 2);
    double y0 = rng.nextDouble(-5, h + 2);
    return new double[] {x0, y0, x0 + rng.nextDouble(0, w + 5), y0 + rng.nextDouble(0, h + 5)};
  }

  private static void assertMask(Rle rle, int h, int w, Inside inside) {
    byte[] expected = new byte[h * w];
    for (int x = 0; x < w; x++) {
      for (int y = 0; y < h; y++) {
        expected[x * h + y] = (byte) (inside.test(x + 0.5, y + 0.5) ? 1 : 0);
      }
    }
    // canonical runs: equal to encoding the expected pixels
    assertThat(rle).isEqualTo(Rle.encode(expected, h, w));
  }
}
