package io.zoobench.synth;

import java.util.SplittableRandom;

/**
 * Seeding and the few distributions the generator needs, on {@link SplittableRandom}.
 *
 * <p>Everything uses {@link StrictMath}: {@code Math.log}/{@code sin} may be JIT intrinsics whose
 * last bit differs from the interpreter's, which would make output depend on warm-up and break
 * the byte-for-byte determinism the generator promises.
 */
public final class SynthRandom {
  private static final long GOLDEN = 0x9E37_79B9_7F4A_7C15L;

  private SynthRandom() {}

  /** A well-mixed seed for stream {@code index} of {@code seed} (SplitMix64 finalizer). */
  public static long mix(long seed, long index) {
    return finalize64(finalize64(seed) + (index + 1) * GOLDEN);
  }

  private static long finalize64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
    return z ^ (z >>> 31);
  }

  /** Uniform in {@code [lo, hi)}. */
  static double uniform(SplittableRandom rng, double lo, double hi) {
    return lo + (hi - lo) * rng.nextDouble();
  }

  /** Log-uniform in {@code [lo, hi)}: every factor of 2 equally likely. */
  static double logUniform(SplittableRandom rng, double lo, double hi) {
    return lo * StrictMath.exp(rng.nextDouble() * StrictMath.log(hi / lo));
  }

  /** Standard normal (Box-Muller; one of the pair is dropped to keep draws per call fixed). */
  static double gaussian(SplittableRandom rng) {
    double u1 = 1.0 - rng.nextDouble(); // (0, 1]: log stays finite
    double u2 = rng.nextDouble();
    return StrictMath.sqrt(-2.0 * StrictMath.log(u1)) * StrictMath.cos(2.0 * Math.PI * u2);
  }

  /** Number of failures before a success, with the given mean (0, 1, 2, ...). */
  static int geometric(SplittableRandom rng, double mean) {
    double p = 1.0 / (1.0 + mean);
    double u = 1.0 - rng.nextDouble();
    return (int) Math.min(Integer.MAX_VALUE, StrictMath.floor(
        StrictMath.log(u) / StrictMath.log1p(-p)));
  }

  /** True with probability {@code p}. */
  static boolean chance(SplittableRandom rng, double p) {
    return rng.nextDouble() < p;
  }

  /** Running sums of {@code weights}, for {@link #pick(SplittableRandom, double[])}. */
  static double[] cumulative(double[] weights) {
    double[] c = new double[weights.length];
    double s = 0;
    for (int i = 0; i < weights.length; i++) {
      s += weights[i];
      c[i] = s;
    }
    return c;
  }

  /** An index drawn with probability proportional to its weight; {@code cumulative} from above. */
  static int pick(SplittableRandom rng, double[] cumulative) {
    double x = rng.nextDouble() * cumulative[cumulative.length - 1];
    int lo = 0;
    int hi = cumulative.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (cumulative[mid] > x) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  /** Shuffles {@code a} in place (Fisher-Yates). */
  static <T> void shuffle(SplittableRandom rng, T[] a) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      T t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
