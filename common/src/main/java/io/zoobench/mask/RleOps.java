package io.zoobench.mask;

import java.util.Arrays;

/**
 * The run-length kernels of pycocotools' {@code maskApi.c}, on plain {@code int} count arrays.
 *
 * <p>Counts are column-major runs that start with background, exactly as in COCO: the mask of
 * height {@code h} is scanned down each column, left to right. The kernels work on slices
 * ({@code counts, offset, length}) so that callers can keep many masks in one primitive arena
 * instead of one object per mask. {@link Rle} is the value-type face of the same functions.
 *
 * <p>Where {@code maskApi.c} computes in {@code uint}, these kernels do too (with {@code long}
 * and a 32-bit mask), so that even degenerate inputs produce the reference's numbers.
 */
public final class RleOps {
  private static final long UINT = 0xFFFF_FFFFL;

  private RleOps() {}

  /** Foreground pixel count: the sum of the odd-indexed runs ({@code rleArea}). */
  public static long area(int[] counts, int off, int len) {
    long a = 0;
    for (int j = 1; j < len; j += 2) {
      a += counts[off + j] & UINT;
    }
    return a & UINT;
  }

  /**
   * Bounding box {@code [x, y, w, h]} of the foreground, as pycocotools 2.0.x's
   * {@code rleToBbox} computes it (the release that handles runs crossing a column). Writes 4
   * doubles at {@code out[outOff]}.
   */
  public static void toBbox(int h, int w, int[] counts, int off, int len, double[] out, int outOff) {
    int m = (len / 2) * 2;
    if (m == 0) {
      Arrays.fill(out, outOff, outOff + 4, 0.0);
      return;
    }
    long hh = h & UINT;
    long xs = w & UINT;
    long ys = hh;
    long xe = 0;
    long ye = 0;
    long cc = 0;
    for (int j = 0; j < m; j++) {
      long start = cc;
      long run = counts[off + j] & UINT;
      cc = (cc + run) & UINT;
      if ((j & 1) == 0 || run == 0) {
        continue;
      }
      long yStart = start % hh;
      long xStart = (start - yStart) / hh;
      long last = (cc - 1) & UINT;
      long yEnd = last % hh;
      long xEnd = (last - yEnd) / hh;
      xs = Math.min(xs, xStart);
      xe = Math.max(xe, xEnd);
      if (xStart < xEnd) {
        ys = 0;
        ye = hh - 1;
      } else {
        ys = Math.min(ys, yStart);
        ye = Math.max(ye, yEnd);
      }
    }
    out[outOff] = xs;
    out[outOff + 1] = ys;
    out[outOff + 2] = (xe - xs + 1) & UINT;
    out[outOff + 3] = (ye - ys + 1) & UINT;
  }

  /**
   * Mask IoU of one detection against one ground truth, the inner loop of {@code rleIou}:
   * {@code |d ∩ g| / |d ∪ g|}, or {@code |d ∩ g| / |d|} when the ground truth is a crowd; 0 when
   * they do not intersect. Callers check sizes and the box pre-test first, as {@code rleIou}
   * does (see {@link MaskIou}).
   */
  public static double iou(
      int[] dt, int dOff, int dLen, int[] gt, int gOff, int gLen, boolean crowd) {
    if (dLen == 0 || gLen == 0) {
      return 0.0;
    }
    long ca = dt[dOff] & UINT;
    long cb = gt[gOff] & UINT;
    boolean va = false;
    boolean vb = false;
    int a = 1;
    int b = 1;
    long inter = 0;
    long union = 0;
    long ct = 1;
    while (ct > 0) {
      long c = Math.min(ca, cb);
      if (va || vb) {
        union += c;
        if (va && vb) {
          inter += c;
        }
      }
      ct = 0;
      ca -= c;
      if (ca == 0 && a < dLen) {
        ca = dt[dOff + a++] & UINT;
        va = !va;
      }
      ct += ca;
      cb -= c;
      if (cb == 0 && b < gLen) {
        cb = gt[gOff + b++] & UINT;
        vb = !vb;
      }
      ct += cb;
    }
    inter &= UINT;
    union &= UINT;
    if (inter == 0) {
      union = 1;
    } else if (crowd) {
      union = area(dt, dOff, dLen);
    }
    return (double) inter / (double) union;
  }

  /**
   * Union ({@code intersect == false}) or intersection of masks of one size ({@code rleMerge}).
   * Masks of differing sizes merge to an empty 0×0 mask, as in pycocotools.
   */
  public static Rle merge(Rle[] rles, boolean intersect) {
    if (rles.length == 0) {
      return new Rle(0, 0, new int[0]);
    }
    int h = rles[0].height();
    int w = rles[0].width();
    if (rles.length == 1) {
      return rles[0];
    }
    int[] cnts = runsOrEmpty(rles[0]);
    int m = cnts.length;
    for (int i = 1; i < rles.length; i++) {
      Rle bRle = rles[i];
      if (bRle.height() != h || bRle.width() != w) {
        return new Rle(0, 0, new int[0]);
      }
      int[] aCnts = Arrays.copyOf(cnts, m);
      int aM = m;
      int[] bCnts = runsOrEmpty(bRle);
      int bM = bCnts.length;
      int[] out = new int[aM + bM + 1];
      long ca = aM > 0 ? aCnts[0] & UINT : 0;
      long cb = bM > 0 ? bCnts[0] & UINT : 0;
      boolean v = false;
      boolean va = false;
      boolean vb = false;
      int a = 1;
      int b = 1;
      long cc = 0;
      long ct = 1;
      m = 0;
      while (ct > 0) {
        long c = Math.min(ca, cb);
        cc += c;
        ct = 0;
        ca -= c;
        if (ca == 0 && a < aM) {
          ca = aCnts[a++] & UINT;
          va = !va;
        }
        ct += ca;
        cb -= c;
        if (cb == 0 && b < bM) {
          cb = bCnts[b++] & UINT;
          vb = !vb;
        }
        ct += cb;
        boolean vp = v;
        v = intersect ? va && vb : va || vb;
        if (v != vp || ct == 0) {
          out[m++] = (int) cc;
          cc = 0;
        }
      }
      cnts = out;
    }
    return new Rle(h, w, Arrays.copyOf(cnts, m));
  }

  /** The runs of {@code r}; a mask without runs is read as all background. */
  private static int[] runsOrEmpty(Rle r) {
    int[] c = r.countsArray();
    return c.length > 0 ? c : new int[] {r.height() * r.width()};
  }

  /** Run-length encodes a column-major binary mask ({@code rleEncode}); non-zero is foreground. */
  public static Rle encode(byte[] columnMajor, int h, int w) {
    return encode(columnMajor, 0, h, w);
  }

  /**
   * As {@link #encode(byte[], int, int)}, for the mask stored at {@code offset} of a larger
   * array (a model's masks of one image arrive as one block).
   */
  public static Rle encode(byte[] data, int offset, int h, int w) {
    int end = offset + Math.multiplyExact(h, w);
    int[] cnts = new int[64];
    int k = 0;
    boolean p = false;
    int start = offset;
    for (int j = offset; j < end; j++) {
      boolean v = data[j] != 0;
      if (v != p) {
        if (k == cnts.length) {
          cnts = Arrays.copyOf(cnts, k * 2);
        }
        cnts[k++] = j - start;
        start = j;
        p = v;
      }
    }
    if (k == cnts.length) {
      cnts = Arrays.copyOf(cnts, k + 1);
    }
    cnts[k++] = end - start;
    return new Rle(h, w, Arrays.copyOf(cnts, k));
  }

  /** Expands runs into a column-major 0/1 mask of {@code h*w} bytes ({@code rleDecode}). */
  public static byte[] decode(Rle rle) {
    byte[] m = new byte[Math.multiplyExact(rle.height(), rle.width())];
    int[] cnts = rle.countsArray();
    int p = 0;
    byte v = 0;
    for (int cnt : cnts) {
      int end = (int) Math.min(m.length, (long) p + cnt);
      if (v == 1) {
        Arrays.fill(m, p, end, (byte) 1);
      }
      p = end;
      v = (byte) (1 - v);
    }
    return m;
  }
}
