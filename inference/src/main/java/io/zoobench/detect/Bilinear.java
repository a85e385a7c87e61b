package io.zoobench.detect;

/**
 * Bilinear resizing of planar float images with half-pixel centres and edge clamping, the
 * sampling of OpenCV's {@code INTER_LINEAR} (and of PyTorch's {@code interpolate} with
 * {@code align_corners=False} when enlarging).
 */
final class Bilinear {
  private Bilinear() {}

  static float[] resize(float[] src, int channels, int h, int w, int dh, int dw) {
    int[] x0 = new int[dw];
    float[] ax = new float[dw];
    axis(w, dw, x0, ax);
    int[] y0 = new int[dh];
    float[] ay = new float[dh];
    axis(h, dh, y0, ay);
    float[] out = new float[channels * dh * dw];
    for (int c = 0; c < channels; c++) {
      int sp = c * h * w;
      int dp = c * dh * dw;
      for (int y = 0; y < dh; y++) {
        int r0 = sp + y0[y] * w;
        int r1 = sp + Math.min(y0[y] + 1, h - 1) * w;
        float fy = ay[y];
        for (int x = 0; x < dw; x++) {
          int xa = x0[x];
          int xb = Math.min(xa + 1, w - 1);
          float fx = ax[x];
          float top = src[r0 + xa] + (src[r0 + xb] - src[r0 + xa]) * fx;
          float bottom = src[r1 + xa] + (src[r1 + xb] - src[r1 + xa]) * fx;
          out[dp + y * dw + x] = top + (bottom - top) * fy;
        }
      }
    }
    return out;
  }

  private static void axis(int n, int dn, int[] i0, float[] frac) {
    double scale = (double) n / dn;
    for (int d = 0; d < dn; d++) {
      double f = (d + 0.5) * scale - 0.5;
      int s = (int) Math.floor(f);
      double a = f - s;
      if (s < 0) {
        s = 0;
        a = 0;
      }
      if (s >= n - 1) {
        s = n - 1;
        a = 0;
      }
      i0[d] = s;
      frac[d] = (float) a;
    }
  }
}
