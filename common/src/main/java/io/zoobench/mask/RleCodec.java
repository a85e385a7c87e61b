package io.zoobench.mask;

import java.util.Arrays;

/**
 * The compressed COCO counts string: LEB128-like, 6 bits per character in ASCII 48..111, each
 * run after the second stored as a difference to the run two places before it
 * ({@code rleToString} / {@code rleFrString} of {@code maskApi.c}).
 */
public final class RleCodec {
  private static final long UINT = 0xFFFF_FFFFL;

  private RleCodec() {}

  /**
   * Decodes a counts string held in {@code s[off, off+len)}.
   *
   * @throws IllegalArgumentException when a character is outside 48..111, the string ends in
   *     the middle of a number, or the runs do not cover {@code height*width} pixels
   */
  public static int[] decode(byte[] s, int off, int len, int height, int width) {
    int[] cnts = new int[len];
    int m = decodeInto(s, off, len, cnts, 0);
    if (m > 0) {
      long sum = 0;
      for (int i = 0; i < m; i++) {
        sum += cnts[i] & UINT;
      }
      long expected = (long) height * width;
      if (sum != expected) {
        throw new IllegalArgumentException(
            "compressed counts cover " + sum + " pixels, expected size " + height + "x" + width
                + " = " + expected);
      }
    }
    return m == len ? cnts : Arrays.copyOf(cnts, m);
  }

  /**
   * Decodes into {@code out[outOff...]}, which must have room for {@code len} runs (a string
   * never holds more runs than characters); returns the number of runs. No coverage check.
   */
  public static int decodeInto(byte[] s, int off, int len, int[] out, int outOff) {
    int m = 0;
    int p = off;
    int end = off + len;
    while (p < end) {
      long x = 0;
      int k = 0;
      boolean more = true;
      while (more) {
        if (p >= end) {
          throw new IllegalArgumentException("compressed counts end in the middle of a number");
        }
        int c = s[p] - 48;
        if (c < 0 || c > 63) {
          throw new IllegalArgumentException(
              "compressed counts hold an invalid character '" + (char) (s[p] & 0xff) + "' at "
                  + (p - off));
        }
        x |= (long) ((c & 0x1f) << (5 * k));
        more = (c & 0x20) != 0;
        p++;
        k++;
        if (!more && (c & 0x10) != 0) {
          x |= (long) (-1 << (5 * k));
        }
      }
      if (m > 2) {
        x += out[outOff + m - 2] & UINT;
      }
      out[outOff + m++] = (int) x;
    }
    return m;
  }

  /** Encodes runs as a compressed counts string (ASCII bytes). */
  public static byte[] encode(int[] counts, int off, int len) {
    byte[] s = new byte[Math.max(16, len * 7)];
    int p = 0;
    for (int i = 0; i < len; i++) {
      long x = counts[off + i] & UINT;
      if (i > 2) {
        x -= counts[off + i - 2] & UINT;
      }
      boolean more = true;
      while (more) {
        int c = (int) (x & 0x1f);
        x >>= 5;
        more = (c & 0x10) != 0 ? x != -1 : x != 0;
        if (more) {
          c |= 0x20;
        }
        s[p++] = (byte) (c + 48);
      }
    }
    return Arrays.copyOf(s, p);
  }
}
