package io.zoobench.detect;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The two things a JPEG's header segments change about its pixels, read before ImageIO decodes
 * it: embedded ICC profiles, which ImageIO applies (converting to sRGB) while PIL, OpenCV and so
 * MMDetection, Detectron2 and YOLOv5 ignore them, and the EXIF orientation tag. Removing the ICC
 * segments makes ImageIO's pixels those of PIL's {@code Image.open(f).convert('RGB')}, bit for
 * bit on real COCO JPEGs (both decode with libjpeg's integer IDCT, fancy upsampling and YCbCr
 * tables). Walks only the marker segments before the scan, so it costs microseconds.
 */
final class JpegMarkers {
  private static final int SOI = 0xD8;
  private static final int SOS = 0xDA;
  private static final int EOI = 0xD9;
  private static final int APP1 = 0xE1;
  private static final int APP2 = 0xE2;
  private static final int ORIENTATION_TAG = 0x0112;

  private JpegMarkers() {}

  /** Whether {@code b} starts like a JPEG (SOI marker). */
  static boolean isJpeg(byte[] b) {
    return b.length >= 4 && (b[0] & 0xff) == 0xFF && (b[1] & 0xff) == SOI;
  }

  /**
   * {@code jpeg} without its {@code ICC_PROFILE} APP2 segments; the same array when it has none
   * (or is not a JPEG, or its segments are malformed: the decoder then says what is wrong).
   */
  static byte[] withoutIccProfile(byte[] jpeg) {
    if (!isJpeg(jpeg)) {
      return jpeg;
    }
    ByteArrayOutputStream out = null;
    int copied = 0;
    for (int i = 2; ; ) {
      int len = segmentLength(jpeg, i);
      if (len < 0) {
        break;
      }
      if ((jpeg[i + 1] & 0xff) == APP2 && startsWith(jpeg, i + 4, len - 2, "ICC_PROFILE\0")) {
        if (out == null) {
          out = new ByteArrayOutputStream(jpeg.length);
        }
        out.write(jpeg, copied, i - copied);
        copied = i + 2 + len;
      }
      i += 2 + len;
    }
    if (out == null) {
      return jpeg;
    }
    out.write(jpeg, copied, jpeg.length - copied);
    return out.toByteArray();
  }

  /**
   * The EXIF orientation (1 to 8) of {@code jpeg}'s APP1 Exif segment: 1 (as stored) when it
   * has none, or an unreadable or out-of-range one (PIL's {@code exif_transpose} ignores those
   * too).
   */
  static int exifOrientation(byte[] jpeg) {
    if (!isJpeg(jpeg)) {
      return 1;
    }
    for (int i = 2; ; ) {
      int len = segmentLength(jpeg, i);
      if (len < 0) {
        return 1;
      }
      if ((jpeg[i + 1] & 0xff) == APP1 && startsWith(jpeg, i + 4, len - 2, "Exif\0\0")) {
        int o = tiffOrientation(jpeg, i + 10, i + 2 + len);
        return o >= 1 && o <= 8 ? o : 1;
      }
      i += 2 + len;
    }
  }

  /**
   * The length field of the marker segment at {@code i} (counting itself, not the marker), or
   * −1 at the scan, the end, or anything that is not a well-formed segment.
   */
  private static int segmentLength(byte[] b, int i) {
    if (i + 4 > b.length || (b[i] & 0xff) != 0xFF) {
      return -1;
    }
    int marker = b[i + 1] & 0xff;
    if (marker == SOS || marker == EOI) {
      return -1;
    }
    int len = (b[i + 2] & 0xff) << 8 | (b[i + 3] & 0xff);
    return len < 2 || i + 2 + len > b.length ? -1 : len;
  }

  private static boolean startsWith(byte[] b, int from, int available, String prefix) {
    byte[] p = prefix.getBytes(StandardCharsets.ISO_8859_1);
    if (available < p.length) {
      return false;
    }
    for (int k = 0; k < p.length; k++) {
      if (b[from + k] != p[k]) {
        return false;
      }
    }
    return true;
  }

  /** Tag 0x0112 of IFD0 of the TIFF structure in {@code b[start, end)}; 0 when absent. */
  private static int tiffOrientation(byte[] b, int start, int end) {
    if (end - start < 8) {
      return 0;
    }
    boolean little = b[start] == 'I' && b[start + 1] == 'I';
    if (!little && !(b[start] == 'M' && b[start + 1] == 'M')) {
      return 0;
    }
    long ifd = start + (long) u32(b, start + 4, little);
    if (ifd + 2 > end) {
      return 0;
    }
    int entries = u16(b, (int) ifd, little);
    for (int e = 0; e < entries; e++) {
      int at = (int) ifd + 2 + 12 * e;
      if (at + 12 > end) {
        return 0;
      }
      if (u16(b, at, little) == ORIENTATION_TAG) {
        // type SHORT, count 1: the value sits in the first two bytes of the value field
        return u16(b, at + 8, little);
      }
    }
    return 0;
  }

  private static int u16(byte[] b, int i, boolean little) {
    int a = b[i] & 0xff;
    int c = b[i + 1] & 0xff;
    return little ? c << 8 | a : a << 8 | c;
  }

  private static long u32(byte[] b, int i, boolean little) {
    long hi = u16(b, little ? i + 2 : i, little);
    long lo = u16(b, little ? i : i + 2, little);
    return hi << 16 | lo;
  }
}
