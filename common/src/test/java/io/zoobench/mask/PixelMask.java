package io.zoobench.mask;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A brute-force binary mask, one boolean per pixel, used as the independent oracle for the RLE
 * kernels: every operation here is a plain loop over pixels, never a run-length computation.
 */
final class PixelMask {
  final int height;
  final int width;
  /** {@code pixels[x][y]}. */
  final boolean[][] pixels;

  PixelMask(int height, int width) {
    this.height = height;
    this.width = width;
    this.pixels = new boolean[width][height];
  }

  /** Expands COCO runs (column-major, background first) pixel by pixel. */
  static PixelMask fromRuns(int[] runs, int height, int width) {
    PixelMask m = new PixelMask(height, width);
    long total = (long) height * width;
    long index = 0;
    boolean foreground = false;
    for (int run : runs) {
      if (index + run > total) {
        throw new AssertionError("runs cover more than " + height + "x" + width + " pixels");
      }
      if (foreground) {
        int x = (int) (index / height);
        int y = (int) (index % height);
        for (int k = 0; k < run; k++) {
          m.pixels[x][y] = true;
          if (++y == height) {
            y = 0;
            x++;
          }
        }
      }
      index += run;
      foreground = !foreground;
    }
    if (index != total) {
      throw new AssertionError("runs cover " + index + " pixels, not " + height + "x" + width);
    }
    return m;
  }

  /** Reads a column-major 0/1 byte mask. */
  static PixelMask fromColumnMajor(byte[] bytes, int height, int width) {
    PixelMask m = new PixelMask(height, width);
    for (int x = 0; x < width; x++) {
      for (int y = 0; y < height; y++) {
        m.pixels[x][y] = bytes[x * height + y] != 0;
      }
    }
    return m;
  }

  /** Pixels with {@code x0 <= x < x1} and {@code y0 <= y < y1}, clipped to the image. */
  static PixelMask rectangle(int height, int width, int x0, int y0, int x1, int y1) {
    PixelMask m = new PixelMask(height, width);
    for (int x = Math.max(0, x0); x < Math.min(width, x1); x++) {
      for (int y = Math.max(0, y0); y < Math.min(height, y1); y++) {
        m.pixels[x][y] = true;
      }
    }
    return m;
  }

  /**
   * A random mask of one of several shapes: empty, full, salt-and-pepper noise of random
   * density, a union of random rectangles (long runs, runs crossing columns), or one pixel.
   */
  static PixelMask random(SplittableRandom random, int height, int width) {
    PixelMask m = new PixelMask(height, width);
    if (height == 0 || width == 0) {
      return m;
    }
    int kind = random.nextInt(6);
    switch (kind) {
      case 0 -> { } // empty
      case 1 -> m.fill(true);
      case 2, 3 -> {
        double density = random.nextDouble();
        for (int x = 0; x < width; x++) {
          for (int y = 0; y < height; y++) {
            m.pixels[x][y] = random.nextDouble() < density;
          }
        }
      }
      case 4 -> {
        int rectangles = 1 + random.nextInt(4);
        for (int r = 0; r < rectangles; r++) {
          int x0 = random.nextInt(width);
          int y0 = random.nextInt(height);
          int x1 = x0 + 1 + random.nextInt(width - x0);
          int y1 = random.nextBoolean() ? height : y0 + 1 + random.nextInt(height - y0);
          for (int x = x0; x < x1; x++) {
            for (int y = random.nextBoolean() ? 0 : y0; y < y1; y++) {
              m.pixels[x][y] = true;
            }
          }
        }
      }
      default -> m.pixels[random.nextInt(width)][random.nextInt(height)] = true;
    }
    return m;
  }

  private void fill(boolean value) {
    for (boolean[] column : pixels) {
      Arrays.fill(column, value);
    }
  }

  byte[] toColumnMajor() {
    byte[] bytes = new byte[height * width];
    for (int x = 0; x < width; x++) {
      for (int y = 0; y < height; y++) {
        bytes[x * height + y] = (byte) (pixels[x][y] ? 1 : 0);
      }
    }
    return bytes;
  }

  long area() {
    long area = 0;
    for (boolean[] column : pixels) {
      for (boolean p : column) {
        area += p ? 1 : 0;
      }
    }
    return area;
  }

  /** The tight box {@code [x, y, w, h]} of the foreground, {@code [0, 0, 0, 0]} when empty. */
  double[] tightBox() {
    int minX = Integer.MAX_VALUE;
    int minY = Integer.MAX_VALUE;
    int maxX = -1;
    int maxY = -1;
    for (int x = 0; x < width; x++) {
      boolean[] column = pixels[x];
      int first = 0;
      while (first < height && !column[first]) {
        first++;
      }
      if (first == height) {
        continue;
      }
      int last = height - 1;
      while (!column[last]) {
        last--;
      }
      minX = Math.min(minX, x);
      maxX = x;
      minY = Math.min(minY, first);
      maxY = Math.max(maxY, last);
    }
    if (maxX < 0) {
      return new double[4];
    }
    return new double[] {minX, minY, maxX - minX + 1, maxY - minY + 1};
  }

  PixelMask or(PixelMask other) {
    PixelMask m = new PixelMask(height, width);
    for (int x = 0; x < width; x++) {
      for (int y = 0; y < height; y++) {
        m.pixels[x][y] = pixels[x][y] || other.pixels[x][y];
      }
    }
    return m;
  }

  PixelMask and(PixelMask other) {
    PixelMask m = new PixelMask(height, width);
    for (int x = 0; x < width; x++) {
      for (int y = 0; y < height; y++) {
        m.pixels[x][y] = pixels[x][y] && other.pixels[x][y];
      }
    }
    return m;
  }

  /** Pixel IoU: {@code |d∩g| / |d∪g|}, or {@code |d∩g| / |d|} for a crowd; 0 if disjoint. */
  static double iou(PixelMask dt, PixelMask gt, boolean crowd) {
    long intersection = dt.and(gt).area();
    if (intersection == 0) {
      return 0;
    }
    long union = crowd ? dt.area() : dt.or(gt).area();
    return (double) intersection / union;
  }

  boolean samePixels(PixelMask other) {
    return height == other.height && width == other.width
        && Arrays.deepEquals(pixels, other.pixels);
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder(height + "x" + width + " mask, area " + area() + "\n");
    for (int y = 0; y < Math.min(height, 40); y++) {
      for (int x = 0; x < Math.min(width, 100); x++) {
        s.append(pixels[x][y] ? '#' : '.');
      }
      s.append('\n');
    }
    return s.toString();
  }
}
