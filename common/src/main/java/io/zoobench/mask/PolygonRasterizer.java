package io.zoobench.mask;

import java.util.Arrays;

/**
 * Polygon to RLE exactly as pycocotools' {@code rleFrPoly}: the outline is upsampled 5×,
 * walked densely, its crossings of pixel-centre columns collected, clipped to the image, and the
 * sorted crossings turned into runs.
 *
 * <p>C's {@code (int)} conversion of an out-of-range or NaN double is undefined; on x86 it
 * yields {@code INT_MIN}, and so does {@link #cInt(double)}. Java's saturating cast would
 * otherwise rasterise absurd coordinates differently from the reference.
 */
final class PolygonRasterizer {
  private static final double SCALE = 5;

  private PolygonRasterizer() {}

  static int cInt(double v) {
    return v >= -2147483648.0 && v < 2147483648.0 ? (int) v : Integer.MIN_VALUE;
  }

  /** Runs of polygon {@code xy} with {@code k} points in an {@code h×w} image. */
  static int[] rasterize(double[] xy, int k, int h, int w) {
    if (k == 0) {
      return new int[] {h * w};
    }
    int[] x = new int[k + 1];
    int[] y = new int[k + 1];
    for (int j = 0; j < k; j++) {
      x[j] = cInt(SCALE * xy[j * 2] + .5);
      y[j] = cInt(SCALE * xy[j * 2 + 1] + .5);
    }
    x[k] = x[0];
    y[k] = y[0];
    long total = 0;
    for (int j = 0; j < k; j++) {
      total += Math.max(Math.abs(x[j] - x[j + 1]), Math.abs(y[j] - y[j + 1])) + 1L;
    }
    if (total > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("polygon outline too long to rasterise: " + total);
    }
    int[] u = new int[(int) total];
    int[] v = new int[(int) total];
    int m = 0;
    for (int j = 0; j < k; j++) {
      int xs = x[j];
      int xe = x[j + 1];
      int ys = y[j];
      int ye = y[j + 1];
      int dx = Math.abs(xe - xs);
      int dy = Math.abs(ys - ye);
      boolean flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
      if (flip) {
        int t = xs;
        xs = xe;
        xe = t;
        t = ys;
        ys = ye;
        ye = t;
      }
      double s = dx >= dy ? (double) (ye - ys) / dx : (double) (xe - xs) / dy;
      if (dx >= dy) {
        for (int d = 0; d <= dx; d++) {
          int t = flip ? dx - d : d;
          u[m] = t + xs;
          v[m] = cInt(ys + s * t + .5);
          m++;
        }
      } else {
        for (int d = 0; d <= dy; d++) {
          int t = flip ? dy - d : d;
          v[m] = t + ys;
          u[m] = cInt(xs + s * t + .5);
          m++;
        }
      }
    }
    // crossings of the pixel-centre columns, downsampled back to pixel coordinates
    int n = m;
    int[] cx = new int[n];
    int[] cy = new int[n];
    int nc = 0;
    for (int j = 1; j < n; j++) {
      if (u[j] == u[j - 1]) {
        continue;
      }
      double xd = u[j] < u[j - 1] ? u[j] : u[j] - 1;
      xd = (xd + .5) / SCALE - .5;
      // (long) xd == xd: xd is whole; Math.floor is a call, not an instruction, under C1
      if ((long) xd != xd || xd < 0 || xd > w - 1) {
        continue;
      }
      double yd = v[j] < v[j - 1] ? v[j] : v[j - 1];
      yd = (yd + .5) / SCALE - .5;
      if (yd < 0) {
        yd = 0;
      } else if (yd > h) {
        yd = h;
      }
      long up = (long) yd; // ceil of 0 <= yd <= h, without Math.ceil (as above)
      if (up < yd) {
        up++;
      }
      cx[nc] = (int) xd;
      cy[nc] = (int) up;
      nc++;
    }
    // maskApi sorts the crossings' pixel indices x*h+y: here a counting sort by column (0 <= x
    // < w) and an insertion sort inside each column, which holds a handful of crossings
    int[] colStart = new int[w + 1];
    for (int j = 0; j < nc; j++) {
      colStart[cx[j] + 1]++;
    }
    for (int c = 0; c < w; c++) {
      colStart[c + 1] += colStart[c];
    }
    long[] a = new long[nc + 1];
    int[] fill = Arrays.copyOf(colStart, w);
    for (int j = 0; j < nc; j++) {
      a[fill[cx[j]]++] = (long) cx[j] * h + cy[j];
    }
    for (int c = 0; c < w; c++) {
      for (int i = colStart[c] + 1; i < colStart[c + 1]; i++) {
        long key = a[i];
        int q = i - 1;
        while (q >= colStart[c] && a[q] > key) {
          a[q + 1] = a[q];
          q--;
        }
        a[q + 1] = key;
      }
    }
    int na = nc;
    a[na++] = (long) h * w;
    long p = 0;
    for (int j = 0; j < na; j++) {
      long t = a[j];
      a[j] = (a[j] - p) & 0xFFFF_FFFFL;
      p = t;
    }
    int[] b = new int[na];
    int j = 0;
    int mb = 0;
    b[mb++] = (int) a[j++];
    while (j < na) {
      if (a[j] > 0) {
        b[mb++] = (int) a[j++];
      } else {
        j++;
        if (j < na) {
          b[mb - 1] += (int) a[j++];
        }
      }
    }
    return Arrays.copyOf(b, mb);
  }
}
