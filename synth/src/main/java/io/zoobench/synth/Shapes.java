package io.zoobench.synth;

import java.util.SplittableRandom;

/**
 * Polygon helpers for the generator: star-shaped object outlines, area, bounds and in-place
 * transforms, all on flat {@code [x0, y0, x1, y1, ...]} arrays as COCO stores polygons.
 */
final class Shapes {
  private Shapes() {}

  /**
   * A random star-shaped polygon around the origin with area 1 (before rotation its box has
   * width/height about {@code aspect}). Vertex angles are jittered but stay increasing, so the
   * outline never crosses itself; {@code roughness} in [0, 1) pulls random vertices inwards
   * (0 = convex-ish ellipse, 0.5 = spiky).
   */
  static double[] unitStar(
      SplittableRandom rng, int vertices, double aspect, double roughness, double maxRotation) {
    double[] xy = new double[2 * vertices];
    double step = 2 * Math.PI / vertices;
    double sx = StrictMath.sqrt(aspect);
    double sy = 1 / sx;
    double rot = SynthRandom.uniform(rng, -maxRotation, maxRotation);
    double cr = StrictMath.cos(rot);
    double sr = StrictMath.sin(rot);
    for (int k = 0; k < vertices; k++) {
      double a = (k + 0.8 * (rng.nextDouble() - 0.5)) * step;
      double r = 1 - roughness * rng.nextDouble();
      double x = r * StrictMath.cos(a) * sx;
      double y = r * StrictMath.sin(a) * sy;
      xy[2 * k] = x * cr - y * sr;
      xy[2 * k + 1] = x * sr + y * cr;
    }
    scale(xy, 1 / StrictMath.sqrt(area(xy)), 0, 0);
    return xy;
  }

  /** Shoelace area (absolute). */
  static double area(double[] xy) {
    int n = xy.length / 2;
    double twice = 0;
    for (int i = 0, j = n - 1; i < n; j = i++) {
      twice += xy[2 * j] * xy[2 * i + 1] - xy[2 * i] * xy[2 * j + 1];
    }
    return Math.abs(twice) / 2;
  }

  /** {@code [minX, minY, maxX, maxY]} over all parts. */
  static double[] bounds(double[][] parts) {
    double[] b = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY};
    for (double[] xy : parts) {
      for (int i = 0; i < xy.length; i += 2) {
        b[0] = Math.min(b[0], xy[i]);
        b[1] = Math.min(b[1], xy[i + 1]);
        b[2] = Math.max(b[2], xy[i]);
        b[3] = Math.max(b[3], xy[i + 1]);
      }
    }
    return b;
  }

  /** {@code p := p * factor + (dx, dy)} for every point, in place. */
  static void scale(double[] xy, double factor, double dx, double dy) {
    for (int i = 0; i < xy.length; i += 2) {
      xy[i] = xy[i] * factor + dx;
      xy[i + 1] = xy[i + 1] * factor + dy;
    }
  }

  /** Rounds every coordinate to 2 decimals in place, as COCO annotation files store them. */
  static void round2(double[] xy) {
    for (int i = 0; i < xy.length; i++) {
      xy[i] = Decimals.round2(xy[i]);
    }
  }
}
