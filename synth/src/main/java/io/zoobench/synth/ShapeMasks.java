package io.zoobench.synth;

import io.zoobench.mask.Rle;
import java.util.Arrays;

/**
 * Direct run-length masks of axis-aligned boxes and ellipses, built column by column.
 *
 * <p>Most synthetic detections are false positives whose masks are plain boxes or ellipses;
 * building their runs directly is several times cheaper than rasterising an outline polygon
 * (which collects and sorts thousands of edge crossings), and a detection's mask only has to be
 * a valid mask, not pycocotools' rasterisation of some polygon. A pixel belongs to the shape
 * when its centre {@code (x + 0.5, y + 0.5)} does.
 */
final class ShapeMasks {
  private ShapeMasks() {}

  /** The box {@code [x0, x1) × [y0, y1)} in an {@code h × w} image. */
  static Rle box(double x0, double y0, double x1, double y1, int h, int w) {
    int top = firstCentreAtOrAfter(y0, h);
    int bottom = firstCentreAtOrAfter(y1, h);
    Runs runs = new Runs(h, w);
    for (int col = firstCentreAtOrAfter(x0, w); col < firstCentreAtOrAfter(x1, w); col++) {
      runs.add(col, top, bottom);
    }
    return runs.finish();
  }

  /** The ellipse inscribed in the box {@code [x0, x1] × [y0, y1]}. */
  static Rle ellipse(double x0, double y0, double x1, double y1, int h, int w) {
    double cx = (x0 + x1) / 2;
    double cy = (y0 + y1) / 2;
    double rx = (x1 - x0) / 2;
    double ry = (y1 - y0) / 2;
    Runs runs = new Runs(h, w);
    for (int col = firstCentreAtOrAfter(x0, w); col < firstCentreAtOrAfter(x1, w); col++) {
      double u = (col + 0.5 - cx) / rx;
      double half = ry * Math.sqrt(Math.max(0, 1 - u * u));
      runs.add(col, firstCentreAtOrAfter(cy - half, h), firstCentreAtOrAfter(cy + half, h));
    }
    return runs.finish();
  }

  /** The first pixel index whose centre is at or after {@code v}, clamped to [0, n]. */
  private static int firstCentreAtOrAfter(double v, int n) {
    double i = Math.ceil(v - 0.5);
    return i <= 0 ? 0 : i >= n ? n : (int) i;
  }

  /** Column-major runs starting with background; touching column spans merge into one run. */
  private static final class Runs {
    private final int h;
    private final int w;
    private int[] counts = new int[32];
    private int n;
    /** Pixel index just after the last foreground run. */
    private long end;

    Runs(int h, int w) {
      this.h = h;
      this.w = w;
    }

    void add(int col, int top, int bottom) {
      if (bottom <= top) {
        return;
      }
      long start = (long) col * h + top;
      if (n > 0 && start == end) {
        counts[n - 1] += bottom - top; // continues the previous column's run
      } else {
        push((int) (start - end));
        push(bottom - top);
      }
      end = (long) col * h + bottom;
    }

    Rle finish() {
      long rest = (long) h * w - end;
      if (rest > 0 || n == 0) {
        push((int) rest); // no trailing empty run, as pycocotools' encoder
      }
      return Rle.of(h, w, Arrays.copyOf(counts, n));
    }

    private void push(int run) {
      if (n == counts.length) {
        counts = Arrays.copyOf(counts, 2 * n);
      }
      counts[n++] = run;
    }
  }
}
