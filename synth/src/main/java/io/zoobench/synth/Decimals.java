package io.zoobench.synth;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;

/**
 * Writes fixed-point numbers (coordinates with 2 decimals, scores with 8) as the shortest
 * decimal with at least one fractional digit, the way Python's json prints such floats
 * ({@code 154.15}, {@code 154.1}, {@code 154.0}).
 *
 * <p>Formatting integer units ourselves keeps the files byte-identical across JDKs (whose
 * {@code Double.toString} changed in JDK 19) and is faster. The printed decimal parses back to
 * exactly {@code units / 10^places}, the value the generator used internally.
 */
final class Decimals {
  /** Decimal places of scores: fine enough that accidental ties stay rare. */
  static final int SCORE_PLACES = 8;
  private static final double[] POW10 = {1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8};

  private final char[] buf = new char[32];

  /** {@code v} rounded to 2 decimals, as integer hundredths. */
  static long cents(double v) {
    return Math.round(v * 100.0);
  }

  /** {@code v} rounded to 2 decimals. */
  static double round2(double v) {
    return cents(v) / 100.0;
  }

  /** {@code v} rounded to {@link #SCORE_PLACES} decimals. */
  static double roundScore(double v) {
    return Math.round(v * POW10[SCORE_PLACES]) / POW10[SCORE_PLACES];
  }

  /** Writes {@code cents / 100}. */
  void write(JsonGenerator gen, long cents) throws IOException {
    write(gen, cents, 2);
  }

  /** Writes a score already rounded by {@link #roundScore(double)}. */
  void writeScore(JsonGenerator gen, double score) throws IOException {
    write(gen, Math.round(score * POW10[SCORE_PLACES]), SCORE_PLACES);
  }

  /** Writes {@code units / 10^places} with trailing zeros dropped (but one kept). */
  private void write(JsonGenerator gen, long units, int places) throws IOException {
    int end = buf.length;
    int pos = end;
    long abs = Math.abs(units);
    boolean significant = false;
    for (int p = 0; p < places; p++) {
      int digit = (int) (abs % 10);
      abs /= 10;
      significant |= digit != 0 || p == places - 1;
      if (significant) {
        buf[--pos] = (char) ('0' + digit);
      }
    }
    buf[--pos] = '.';
    do {
      buf[--pos] = (char) ('0' + abs % 10);
      abs /= 10;
    } while (abs > 0);
    if (units < 0) {
      buf[--pos] = '-';
    }
    gen.writeNumber(buf, pos, end - pos);
  }
}
