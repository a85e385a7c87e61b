package io.zoobench.mask;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An immutable COCO run-length encoded binary mask: image height and width plus column-major
 * runs that start with background.
 *
 * <p>This is the value type of {@link RleOps}, {@link RleCodec} and {@link PolygonRasterizer}:
 * build one from a compressed string, uncompressed counts, polygons or a box, then ask for its
 * area, its box, its compressed string or its IoU with another mask. Everything follows
 * pycocotools' {@code maskApi.c} bit for bit.
 *
 * <pre>{@code
 * Rle gt = Rle.fromPolygons(new double[][] {{10, 10, 50, 10, 50, 40}}, 480, 640);
 * Rle dt = Rle.fromCompressed("PQ1c0...", 480, 640);
 * double iou = MaskIou.iou(dt, gt, false);
 * }</pre>
 */
public final class Rle implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int height;
  private final int width;
  private final int[] counts;

  /** Wraps runs without copying; callers hand over ownership of {@code counts}. */
  Rle(int height, int width, int[] counts) {
    this.height = height;
    this.width = width;
    this.counts = counts;
  }

  /**
   * Validated runs: sizes must be non-negative and the runs must cover exactly {@code h*w}
   * pixels (an empty run list is allowed and means an empty mask of unknown extent).
   *
   * @throws IllegalArgumentException naming the problem
   */
  public static Rle of(int height, int width, int[] counts) {
    checkSize(height, width);
    if (counts.length > 0) {
      long sum = 0;
      for (int i = 0; i < counts.length; i++) {
        if (counts[i] < 0) {
          throw new IllegalArgumentException("run " + i + " is negative (" + counts[i] + ")");
        }
        sum += counts[i];
      }
      if (sum != (long) height * width) {
        throw new IllegalArgumentException(
            "runs cover " + sum + " pixels, expected height*width = " + ((long) height * width));
      }
    }
    return new Rle(height, width, counts.clone());
  }

  /** Decodes a compressed COCO counts string (pycocotools' {@code rleFrString}). */
  public static Rle fromCompressed(String counts, int height, int width) {
    byte[] s = counts.getBytes(StandardCharsets.ISO_8859_1);
    return fromCompressed(s, 0, s.length, height, width);
  }

  /** Decodes a compressed counts string held in a byte slice. */
  public static Rle fromCompressed(byte[] s, int off, int len, int height, int width) {
    checkSize(height, width);
    int[] cnts = RleCodec.decode(s, off, len, height, width);
    return new Rle(height, width, cnts);
  }

  /** Rasterises one polygon {@code [x0, y0, x1, y1, ...]} ({@code rleFrPoly}). */
  public static Rle fromPolygon(double[] xy, int height, int width) {
    checkSize(height, width);
    return new Rle(height, width, PolygonRasterizer.rasterize(xy, xy.length / 2, height, width));
  }

  /**
   * Rasterises the parts of one object and unions them, as pycocotools' {@code annToRLE} does
   * for a polygon segmentation. pycocotools refuses (raises) when the first part has 4 numbers
   * or fewer ({@code frPyObjects} then takes the list for boxes or rejects it); so does this.
   *
   * @throws IllegalArgumentException for an empty list or a first part of at most 4 numbers
   */
  public static Rle fromPolygons(double[][] parts, int height, int width) {
    checkSize(height, width);
    checkPolygons(parts);
    Rle[] rles = new Rle[parts.length];
    for (int i = 0; i < parts.length; i++) {
      rles[i] = fromPolygon(parts[i], height, width);
    }
    return RleOps.merge(rles, false);
  }

  /** Throws what {@link #fromPolygons} would throw for these parts, without rasterising. */
  public static void checkPolygons(double[][] parts) {
    if (parts.length == 0) {
      throw new IllegalArgumentException("segmentation is an empty polygon list");
    }
    if (parts[0].length <= 4) {
      throw new IllegalArgumentException("the first polygon has " + parts[0].length
          + " numbers; a polygon needs at least 3 points (6 numbers), and pycocotools refuses"
          + " a first polygon of 4 numbers or fewer");
    }
  }

  /** The mask of a box {@code [x, y, w, h]} rasterised as a polygon ({@code rleFrBbox}). */
  public static Rle fromBbox(double x, double y, double w, double h, int height, int width) {
    double xe = x + w;
    double ye = y + h;
    return fromPolygon(new double[] {x, y, x, ye, xe, ye, xe, y}, height, width);
  }

  /** Run-length encodes a column-major 0/1 mask of {@code height*width} bytes. */
  public static Rle encode(byte[] columnMajor, int height, int width) {
    checkSize(height, width);
    if (columnMajor.length != (long) height * width) {
      throw new IllegalArgumentException(
          "mask has " + columnMajor.length + " bytes, expected " + ((long) height * width));
    }
    return RleOps.encode(columnMajor, height, width);
  }

  /** As {@link #encode(byte[], int, int)}, for the mask at {@code offset} of a larger array. */
  public static Rle encode(byte[] data, int offset, int height, int width) {
    checkSize(height, width);
    if (offset < 0 || offset + (long) height * width > data.length) {
      throw new IllegalArgumentException("mask at " + offset + " of " + height + "x" + width
          + " exceeds " + data.length + " bytes");
    }
    return RleOps.encode(data, offset, height, width);
  }

  private static void checkSize(int height, int width) {
    if (height < 0 || width < 0) {
      throw new IllegalArgumentException("negative mask size " + height + "x" + width);
    }
    if ((long) height * width > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("mask size " + height + "x" + width + " is too large");
    }
  }

  public int height() {
    return height;
  }

  public int width() {
    return width;
  }

  /** Number of runs. */
  public int size() {
    return counts.length;
  }

  /** A copy of the runs. */
  public int[] counts() {
    return counts.clone();
  }

  /** The runs themselves, for kernels in this package; never modified. */
  int[] countsArray() {
    return counts;
  }

  /** Foreground pixel count. */
  public long area() {
    return RleOps.area(counts, 0, counts.length);
  }

  /** {@code [x, y, w, h]} of the foreground, as pycocotools' {@code toBbox}. */
  public double[] toBbox() {
    double[] bb = new double[4];
    RleOps.toBbox(height, width, counts, 0, counts.length, bb, 0);
    return bb;
  }

  /** The compressed COCO counts string. */
  public String toCompressedString() {
    return new String(RleCodec.encode(counts, 0, counts.length), StandardCharsets.ISO_8859_1);
  }

  /** The column-major 0/1 mask. */
  public byte[] decode() {
    return RleOps.decode(this);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Rle r
        && r.height == height
        && r.width == width
        && Arrays.equals(r.counts, counts);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * height + width) + Arrays.hashCode(counts);
  }

  @Override
  public String toString() {
    return "Rle[" + height + "x" + width + ", " + counts.length + " runs, area " + area() + "]";
  }
}
