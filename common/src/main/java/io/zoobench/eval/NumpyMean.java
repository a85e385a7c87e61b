package io.zoobench.eval;

/**
 * {@code np.mean} of a float64 vector, bit for bit: numpy 2.x sums with pairwise summation
 * (8 partial sums in blocks of up to 128, recursion above), then divides by the count. A
 * left-to-right sum differs in the last bits; the stats must not.
 */
final class NumpyMean {
  private static final int BLOCK = 128;

  private NumpyMean() {}

  /** Mean of {@code a[0, n)}; −1 for n = 0 (pycocotools' "undefined"). */
  static double meanOrMinusOne(double[] a, int n) {
    return n == 0 ? -1.0 : pairwiseSum(a, 0, n) / n;
  }

  static double pairwiseSum(double[] a, int off, int n) {
    if (n < 8) {
      double s = 0.0;
      for (int i = 0; i < n; i++) {
        s += a[off + i];
      }
      return s;
    }
    if (n <= BLOCK) {
      double r0 = a[off];
      double r1 = a[off + 1];
      double r2 = a[off + 2];
      double r3 = a[off + 3];
      double r4 = a[off + 4];
      double r5 = a[off + 5];
      double r6 = a[off + 6];
      double r7 = a[off + 7];
      int i = 8;
      int end = n - n % 8;
      for (; i < end; i += 8) {
        r0 += a[off + i];
        r1 += a[off + i + 1];
        r2 += a[off + i + 2];
        r3 += a[off + i + 3];
        r4 += a[off + i + 4];
        r5 += a[off + i + 5];
        r6 += a[off + i + 6];
        r7 += a[off + i + 7];
      }
      double s = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
      for (; i < n; i++) {
        s += a[off + i];
      }
      return s;
    }
    int n2 = n / 2;
    n2 -= n2 % 8;
    return pairwiseSum(a, off, n2) + pairwiseSum(a, off + n2, n - n2);
  }
}
