package io.zoobench.detect;

/**
 * Turns or mirrors planar pixels as an EXIF orientation tag says a viewer shows them (the
 * transforms of PIL's {@code ImageOps.exif_transpose}): 2 mirrors left-right, 3 turns by 180°,
 * 4 mirrors top-bottom, 5 transposes, 6 turns 90° clockwise, 7 transverses, 8 turns 90°
 * anticlockwise. Orientations 5 to 8 swap width and height.
 */
final class ExifOrientation {
  private ExifOrientation() {}

  /**
   * The pixels of {@code src} ({@code channels × h × w}) as shown under {@code orientation}
   * (1 to 8); {@code src} itself for 1.
   */
  static float[] apply(float[] src, int channels, int h, int w, int orientation) {
    if (orientation == 1) {
      return src;
    }
    if (orientation < 1 || orientation > 8) {
      throw new IllegalArgumentException("EXIF orientation " + orientation);
    }
    boolean swap = orientation >= 5;
    int oh = swap ? w : h;
    int ow = swap ? h : w;
    float[] out = new float[src.length];
    int plane = h * w;
    for (int y = 0; y < oh; y++) {
      for (int x = 0; x < ow; x++) {
        // the stored pixel (sx, sy) shown at (x, y)
        int sx;
        int sy;
        switch (orientation) {
          case 2 -> { sx = w - 1 - x; sy = y; }
          case 3 -> { sx = w - 1 - x; sy = h - 1 - y; }
          case 4 -> { sx = x; sy = h - 1 - y; }
          case 5 -> { sx = y; sy = x; }
          case 6 -> { sx = y; sy = h - 1 - x; }
          case 7 -> { sx = w - 1 - y; sy = h - 1 - x; }
          default -> { sx = w - 1 - y; sy = x; }
        }
        for (int c = 0; c < channels; c++) {
          out[c * plane + y * ow + x] = src[c * plane + sy * w + sx];
        }
      }
    }
    return out;
  }
}
