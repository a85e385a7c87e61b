package io.zoobench.detect;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;

/**
 * RGB pixels of a CMYK JPEG as PIL gives them ({@code Image.open(f).convert('RGB')}), which is
 * what Python pipelines feed their models: no colour management, each ink taken away from white
 * in proportion to the black's complement, {@code r = 255 − k − c·(255 − k)/255} with PIL's
 * rounding. COCO holds a few CMYK JPEGs; ImageIO would convert them through its CMYK colour
 * space instead, with other colours. ImageIO's raster of an Adobe CMYK file (inks stored
 * inverted, the kind Photoshop and PIL write) already holds the inks PIL reads as
 * {@code CMYK;I} (JpegDecodingTest).
 */
final class CmykJpeg {
  private CmykJpeg() {}

  /** An RGB image of a decoded CMYK JPEG's raster (4 samples a pixel: C, M, Y, K). */
  static BufferedImage toRgb(Raster cmyk) {
    int w = cmyk.getWidth();
    int h = cmyk.getHeight();
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    byte[] bgr = ((DataBufferByte) out.getRaster().getDataBuffer()).getData();
    int[] row = new int[4 * w];
    for (int y = 0; y < h; y++) {
      cmyk.getPixels(cmyk.getMinX(), cmyk.getMinY() + y, w, 1, row);
      for (int x = 0; x < w; x++) {
        int notBlack = 255 - row[4 * x + 3];
        int o = 3 * (y * w + x);
        bgr[o + 2] = (byte) ink(row[4 * x], notBlack);
        bgr[o + 1] = (byte) ink(row[4 * x + 1], notBlack);
        bgr[o] = (byte) ink(row[4 * x + 2], notBlack);
      }
    }
    return out;
  }

  /** {@code notBlack − round(ink · notBlack / 255)}, PIL's exact integer form of it. */
  private static int ink(int ink, int notBlack) {
    int t = ink * notBlack + 128;
    int v = notBlack - (((t >> 8) + t) >> 8);
    return Math.max(0, Math.min(255, v));
  }
}
