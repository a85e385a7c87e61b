package io.zoobench.mask;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Polygon rasterisation ({@code rleFrPoly}) against geometry computed pixel by pixel. */
class PolygonRasterizerTest {
  /** Distance from the outline beyond which a pixel centre's inside/outside must be exact. */
  private static final double MARGIN = 1.0;

  private static PixelMask pixels(Rle rle) {
    return PixelMask.fromRuns(rle.counts(), rle.height(), rle.width());
  }

  private static double[] rectangle(int x0, int y0, int x1, int y1, int start, boolean reverse) {
    double[][] corners = {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}};
    double[] xy = new double[8];
    for (int i = 0; i < 4; i++) {
      double[] c = corners[Math.floorMod(start + (reverse ? -i : i), 4)];
      xy[2 * i] = c[0];
      xy[2 * i + 1] = c[1];
    }
    return xy;
  }

  /**
   * Why integer rectangles are exact: vertices are upsampled by 5 ({@code (int)(5x+.5)}), an
   * upsampled step between columns 5k+2 and 5k+3 marks a crossing of pixel column k (centre
   * k+.5), and the crossing's row is {@code ceil((v+.5)/5-.5)}. A horizontal edge at integer y
   * from x0 to x1 therefore crosses exactly the columns x0..x1-1, at row y; the top and bottom
   * edges bound rows y0..y1-1; vertical edges cross no column. Rows are clamped to [0, h] and
   * columns outside [0, w-1] are dropped, so the result is the rectangle clipped to the image.
   */
  @Test
  void integerRectanglesGiveExactlyTheirPixels() {
    SplittableRandom random = new SplittableRandom(41);
    for (int i = 0; i < 400; i++) {
      int h = 1 + random.nextInt(30);
      int w = 1 + random.nextInt(30);
      int x0 = random.nextInt(-5, w + 5);
      int y0 = random.nextInt(-5, h + 5);
      int x1 = x0 + 1 + random.nextInt(w + 5);
      int y1 = y0 + 1 + random.nextInt(h + 5);
      PixelMask expected = PixelMask.rectangle(h, w, x0, y0, x1, y1);
      for (int start = 0; start < 4; start++) {
        for (boolean reverse : new boolean[] {false, true}) {
          Rle rle = Rle.fromPolygon(rectangle(x0, y0, x1, y1, start, reverse), h, w);
          assertThat(pixels(rle).samePixels(expected))
              .as("(%d,%d)-(%d,%d) in %dx%d start %d reverse %s:\n%s", x0, y0, x1, y1, h, w,
                  start, reverse, pixels(rle)).isTrue();
        }
      }
      Rle box = Rle.fromBbox(x0, y0, x1 - x0, y1 - y0, h, w);
      assertThat(pixels(box).samePixels(expected)).isTrue();
      assertThat(box.area()).isEqualTo(expected.area());
    }
  }

  @Test
  void degenerateRectanglesAreEmpty() {
    // zero width or height: 11_zero_area_boxes ("degenerate polygons rasterise to empty masks")
    assertThat(Rle.fromPolygon(new double[] {10, 10, 10, 30, 10, 30, 10, 10}, 100, 100).area())
        .isZero();
    assertThat(Rle.fromPolygon(new double[] {50, 50, 70, 50, 70, 50, 50, 50}, 100, 100).area())
        .isZero();
    assertThat(Rle.fromBbox(60, 60, 0, 0, 100, 100).area()).isZero();
    assertThat(Rle.fromBbox(5, 5, 0, 7, 20, 20).toBbox()).containsExactly(0, 0, 0, 0);
    // fully outside the image
    assertThat(Rle.fromBbox(25, 5, 10, 10, 20, 20).area()).isZero();
    assertThat(Rle.fromBbox(-15, 5, 10, 10, 20, 20).area()).isZero();
    assertThat(Rle.fromBbox(5, 25, 10, 10, 20, 20).area()).isZero();
    // no points at all
    assertThat(Rle.fromPolygon(new double[0], 4, 5).counts()).containsExactly(20);
  }

  /**
   * Even-odd rule along the horizontal line through {@code py}: the x of every edge crossing,
   * sorted; a point of that line is inside when an odd number of crossings lie to its right.
   */
  static double[] crossingsAt(double[] xy, double py) {
    int k = xy.length / 2;
    double[] xs = new double[k];
    int n = 0;
    for (int i = 0, j = k - 1; i < k; j = i++) {
      double xi = xy[2 * i];
      double yi = xy[2 * i + 1];
      double xj = xy[2 * j];
      double yj = xy[2 * j + 1];
      if ((yi > py) != (yj > py)) {
        xs[n++] = (xj - xi) * (py - yi) / (yj - yi) + xi;
      }
    }
    double[] sorted = Arrays.copyOf(xs, n);
    Arrays.sort(sorted);
    return sorted;
  }

  static boolean evenOddInside(double[] sortedCrossings, double px) {
    int right = 0;
    for (double c : sortedCrossings) {
      right += px < c ? 1 : 0;
    }
    return right % 2 == 1;
  }

  /** Euclidean distance from a point to the closed outline. */
  static double distanceToOutline(double[] xy, double px, double py) {
    int k = xy.length / 2;
    double best = Double.POSITIVE_INFINITY;
    for (int i = 0, j = k - 1; i < k; j = i++) {
      double ax = xy[2 * j];
      double ay = xy[2 * j + 1];
      double dx = xy[2 * i] - ax;
      double dy = xy[2 * i + 1] - ay;
      double len2 = dx * dx + dy * dy;
      double t = len2 == 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2));
      double ex = px - ax - t * dx;
      double ey = py - ay - t * dy;
      best = Math.min(best, Math.sqrt(ex * ex + ey * ey));
    }
    return best;
  }

  /**
   * Checks one polygon: away from the outline every pixel follows the even-odd rule at its
   * centre; nothing lies outside [floor(min), ceil(max)) of the polygon's coordinates; box and
   * area agree with the pixels.
   */
  static void checkAgainstGeometry(double[] xy, int h, int w, String what) {
    Rle rle = Rle.fromPolygon(xy, h, w);
    PixelMask mask = pixels(rle);
    double minX = Double.POSITIVE_INFINITY;
    double minY = Double.POSITIVE_INFINITY;
    double maxX = Double.NEGATIVE_INFINITY;
    double maxY = Double.NEGATIVE_INFINITY;
    for (int i = 0; i + 1 < xy.length; i += 2) {
      minX = Math.min(minX, xy[i]);
      maxX = Math.max(maxX, xy[i]);
      minY = Math.min(minY, xy[i + 1]);
      maxY = Math.max(maxY, xy[i + 1]);
    }
    int boxX0 = (int) Math.floor(minX);
    int boxX1 = (int) Math.ceil(maxX);
    int boxY0 = (int) Math.floor(minY);
    int boxY1 = (int) Math.ceil(maxY);
    double[] tight = mask.tightBox();
    long area = 0; // every set pixel lies in the tight box
    for (int x = (int) tight[0]; x < tight[0] + tight[2]; x++) {
      for (int y = (int) tight[1]; y < tight[1] + tight[3]; y++) {
        area += mask.pixels[x][y] ? 1 : 0;
      }
    }
    if (area > 0 && (tight[0] < boxX0 || tight[0] + tight[2] > boxX1 || tight[1] < boxY0
        || tight[1] + tight[3] > boxY1)) {
      throw new AssertionError(what + ": pixels " + Arrays.toString(tight) + " reach"
          + " outside the polygon's box [" + minX + ", " + maxX + "] x [" + minY + ", " + maxY
          + "]\n" + mask);
    }
    int x0 = Math.max(0, boxX0);
    int x1 = Math.min(w, boxX1);
    int y0 = Math.max(0, boxY0);
    int y1 = Math.min(h, boxY1);
    double[][] crossings = new double[h][];
    for (int y = y0; y < y1; y++) {
      crossings[y] = crossingsAt(xy, y + .5);
    }
    for (int x = x0; x < x1; x++) {
      boolean[] column = mask.pixels[x];
      for (int y = y0; y < y1; y++) {
        double cx = x + .5;
        double cy = y + .5;
        boolean set = column[y];
        if (set != evenOddInside(crossings[y], cx) && distanceToOutline(xy, cx, cy) > MARGIN) {
          throw new AssertionError(what + ": pixel (" + x + "," + y + ") is " + (set ? "" : "not ")
              + "set but its centre is " + (set ? "outside" : "inside") + " the polygon\n" + mask);
        }
      }
    }
    assertThat(rle.toBbox()).as(what).containsExactly(tight);
    assertThat(rle.area()).as(what).isEqualTo(area);
  }

  @Test
  void randomPolygonsFollowTheEvenOddRuleAtPixelCentres() {
    SplittableRandom random = new SplittableRandom(43);
    for (int i = 0; i < 400; i++) {
      int h = 5 + random.nextInt(50);
      int w = 5 + random.nextInt(50);
      int k = 3 + random.nextInt(8);
      double[] xy = new double[2 * k];
      for (int j = 0; j < k; j++) {
        boolean grid = random.nextInt(4) == 0; // integer and half-integer vertices too
        double x = random.nextDouble(-8, w + 8);
        double y = random.nextDouble(-8, h + 8);
        xy[2 * j] = grid ? Math.round(x * 2) / 2.0 : x;
        xy[2 * j + 1] = grid ? Math.round(y * 2) / 2.0 : y;
      }
      checkAgainstGeometry(xy, h, w, "polygon " + Arrays.toString(xy) + " in " + h + "x"
          + w);
    }
  }

  @Test
  void syntheticGroundTruthPolygonsFollowTheEvenOddRule() {
    JsonNode gt = ReferenceMasks.read("17_medium_seed1", "gt.json");
    Map<Long, int[]> sizes = new HashMap<>();
    for (JsonNode image : gt.get("images")) {
      sizes.put(image.get("id").asLong(),
          new int[] {image.get("height").asInt(), image.get("width").asInt()});
    }
    int annotations = 0;
    int checked = 0;
    for (JsonNode ann : gt.get("annotations")) {
      JsonNode seg = ann.get("segmentation");
      if (!seg.isArray() || annotations++ % 4 != 0) { // a quarter of them keeps it fast
        continue;
      }
      int[] hw = sizes.get(ann.get("image_id").asLong());
      double[][] parts = ReferenceMasks.polygons(seg);
      PixelMask union = new PixelMask(hw[0], hw[1]);
      for (double[] part : parts) {
        checkAgainstGeometry(part, hw[0], hw[1], "annotation " + ann.get("id"));
        if (parts.length > 1) {
          PixelMask one = pixels(Rle.fromPolygon(part, hw[0], hw[1]));
          for (int x = 0; x < hw[1]; x++) {
            for (int y = 0; y < hw[0]; y++) {
              union.pixels[x][y] |= one.pixels[x][y];
            }
          }
        }
        checked++;
      }
      if (parts.length == 1) {
        continue;
      }
      assertThat(pixels(Rle.fromPolygons(parts, hw[0], hw[1])).samePixels(union))
          .as("annotation %s: union of its %d parts", ann.get("id"), parts.length).isTrue();
    }
    assertThat(checked).isGreaterThan(500);
  }

  @Test
  void partsOfOneObjectAreUnitedNotXored() {
    double[][] parts = {rectangle(2, 2, 10, 8, 0, false), rectangle(6, 4, 14, 12, 1, true)};
    PixelMask expected = PixelMask.rectangle(20, 20, 2, 2, 10, 8)
        .or(PixelMask.rectangle(20, 20, 6, 4, 14, 12));
    Rle rle = Rle.fromPolygons(parts, 20, 20);
    assertThat(pixels(rle).samePixels(expected)).as("%s", pixels(rle)).isTrue();
    assertThat(rle.area()).isEqualTo(48 + 64 - 16);
  }
}
