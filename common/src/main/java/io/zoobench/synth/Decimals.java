package io.zoobench.synth;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;

/**
 * Writes numbers rounded to 2 decimals the way Python's json prints such floats
 * ({@code 154.15}, {@code 154.1}, {@code 154.0}), from integer hundredths.
 *
 * <p>Formatting hundredths ourselves keeps the output independent of the JDK's
 * {@code Double.toString} (which changed in JDK 19) and is faster than it. The printed decimal
 * parses back to exactly {@code cents / 100.0}, the value the generator used internally.
 */
final class Decimals {
  private final char[] buf = new char[24];

  /** The double nearest to {@code v} with at most 2 decimals, as integer hundredths. */
  static long cents(double v) {
    return Math.round(v * 100.0);
  }

  /** {@code v} rounded to 2 decimals. */
  static double round2(double v) {
    return cents(v) / 100.0;
  }

  /** Writes {@code cents / 100} as a JSON number with 1 or 2 decimals. */
  void write(JsonGenerator gen, long cents) throws IOException {
    int end = buf.length;
    int pos = end;
    long abs = Math.abs(cents);
    long frac = abs % 100;
    long whole = abs / 100;
    if (frac % 10 != 0) {
      buf[--pos] = (char) ('0' + frac % 10);
    }
    buf[--pos] = (char) ('0' + frac / 10);
    buf[--pos] = '.';
    do {
      buf[--pos] = (char) ('0' + whole % 10);
      whole /= 10;
    } while (whole > 0);
    if (cents < 0) {
      buf[--pos] = '-';
    }
    gen.writeNumber(buf, pos, end - pos);
  }
}
