package io.zoobench.mask;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Compressed counts strings: reference files, hand-encoded, random and malformed ones. */
class RleCodecTest {

  /**
   * The format, decoded independently of the code under test: 5 value bits per character
   * (ASCII 48 + c), bit 0x20 = another character follows, bit 0x10 of the last character =
   * negative; from the fourth run on (index > 2) each value is a delta to the run two before.
   */
  static long[] decodeBySpec(String s) {
    List<Long> runs = new ArrayList<>();
    int p = 0;
    while (p < s.length()) {
      long value = 0;
      int shift = 0;
      int c;
      do {
        c = s.charAt(p++) - 48;
        value |= (long) (c & 0x1f) << shift;
        shift += 5;
      } while ((c & 0x20) != 0);
      if ((c & 0x10) != 0) {
        value -= 1L << shift;
      }
      if (runs.size() > 2) {
        value += runs.get(runs.size() - 2);
      }
      runs.add(value);
    }
    return runs.stream().mapToLong(Long::longValue).toArray();
  }

  @Test
  void everyReferenceStringRoundTripsExactly() {
    List<ReferenceMasks.Compressed> all = ReferenceMasks.allCompressed();
    // 30000 masks in 17_medium_seed1/dt.json.gz plus those of the edge cases
    assertThat(all).hasSizeGreaterThan(30_000);
    for (ReferenceMasks.Compressed c : all) {
      Rle rle = Rle.fromCompressed(c.counts(), c.height(), c.width());
      if (!rle.toCompressedString().equals(c.counts())) {
        throw new AssertionError(c + ": re-encoded as " + rle.toCompressedString());
      }
      long[] expected = decodeBySpec(c.counts());
      long[] actual = Arrays.stream(rle.counts()).mapToLong(Integer::toUnsignedLong).toArray();
      if (!Arrays.equals(actual, expected)) {
        assertThat(actual).as("%s", c).isEqualTo(expected);
      }
      long sum = 0;
      long foreground = 0;
      for (int i = 0; i < expected.length; i++) {
        sum += expected[i];
        foreground += i % 2 == 1 ? expected[i] : 0;
      }
      if (sum != (long) c.height() * c.width() || rle.area() != foreground) {
        throw new AssertionError(c + ": runs sum to " + sum + ", area " + rle.area()
            + ", foreground " + foreground);
      }
    }
  }

  @Test
  void referenceStringsDecodeToTheArenaAtAnOffset() {
    ReferenceMasks.Compressed c = ReferenceMasks.allCompressed().get(0);
    byte[] chars = ("xx" + c.counts() + "yy").getBytes(StandardCharsets.US_ASCII);
    int[] out = new int[c.counts().length() + 3];
    int n = RleCodec.decodeInto(chars, 2, c.counts().length(), out, 3);
    int[] runs = Rle.fromCompressed(c.counts(), c.height(), c.width()).counts();
    assertThat(n).isEqualTo(runs.length);
    for (int i = 0; i < n; i++) {
      assertThat(out[3 + i]).isEqualTo(runs[i]);
    }
    Rle fromSlice = Rle.fromCompressed(chars, 2, c.counts().length(), c.height(), c.width());
    assertThat(fromSlice.counts()).containsExactly(runs);
  }

  @Test
  void handEncodedStrings() {
    // [2, 3, 1, 1]: '2', '3', '1', then 1 - 3 = -2 -> 30 (sign bit set, no continuation) -> 'N'
    assertThat(Rle.of(7, 1, new int[] {2, 3, 1, 1}).toCompressedString()).isEqualTo("231N");
    assertThat(Rle.fromCompressed("231N", 7, 1).counts()).containsExactly(2, 3, 1, 1);
    // [10000] = 16 + 24*32 + 9*1024: 16|0x20 -> '`', 24|0x20 -> 'h', 9 -> '9'
    assertThat(Rle.of(100, 100, new int[] {10000}).toCompressedString()).isEqualTo("`h9");
    // [0, 400, 2000]: 0 -> '0'; 400 = 16 + 12*32 -> '`' '<'; 2000 = 16 + 30*32 + 1*1024 -> '`'
    // 'n' '1' (the third run is not a delta): 14_crowd_uncompressed_rle's first detection
    assertThat(Rle.of(40, 60, new int[] {0, 400, 2000}).toCompressedString()).isEqualTo("0`<`n1");
    assertThat(Rle.fromCompressed("0`<`n1", 40, 60).counts()).containsExactly(0, 400, 2000);
    assertThat(Rle.of(0, 0, new int[] {0}).toCompressedString()).isEqualTo("0");
  }

  /**
   * Random runs below 2^29: every value the string holds (a run, or from the fourth run on a
   * delta) is then above -2^29 and the round trip is exact. Below -2^29 a value needs a
   * seventh character whose sign extension ({@code -1 << 35} on a 32-bit int) goes wrong in
   * maskApi.c as well, see {@link #largeNegativeDeltasDecodeAsPycocotoolsDoes()}.
   */
  @Test
  void randomRunsRoundTrip() {
    SplittableRandom random = new SplittableRandom(11);
    for (int i = 0; i < 2000; i++) {
      int n = random.nextInt(40);
      int[] runs = new int[n];
      for (int j = 0; j < n; j++) {
        runs[j] = switch (random.nextInt(4)) {
          case 0 -> random.nextInt(3);
          case 1 -> random.nextInt(1000);
          case 2 -> random.nextInt(1 << 20);
          default -> random.nextInt(1 << 29);
        };
      }
      byte[] encoded = RleCodec.encode(runs, 0, n);
      for (byte b : encoded) {
        if (b < 48 || b > 111) {
          throw new AssertionError("byte " + b + " in the encoding of " + Arrays.toString(runs));
        }
      }
      int[] decoded = new int[encoded.length];
      int m = RleCodec.decodeInto(encoded, 0, encoded.length, decoded, 0);
      long[] bySpec = decodeBySpec(new String(encoded, StandardCharsets.US_ASCII));
      long[] runsAsLongs = Arrays.stream(runs).asLongStream().toArray();
      if (m != n || !Arrays.equals(Arrays.copyOf(decoded, m), runs)
          || !Arrays.equals(bySpec, runsAsLongs)) {
        assertThat(Arrays.copyOf(decoded, m)).as("decoded").containsExactly(runs);
        assertThat(bySpec).as("decoded by the format").containsExactly(runsAsLongs);
      }
    }
  }

  /**
   * maskApi.c counts are uint. Expected string and area from pycocotools 2.0.11 (PyPI wheel):
   * {@code frPyObjects({"counts": runs, "size": [1, 1]}, 1, 1)} gives this string and
   * {@code area()} of it gives 10 (5 + 6 + 4294967295 in uint arithmetic).
   */
  @Test
  void runsAboveTwoToThe31AreUnsigned() {
    int[] runs = {(int) 4_000_000_000L, 5, (int) 3_000_000_000L, 6, (int) 3_000_000_007L,
        (int) 4_294_967_295L};
    byte[] encoded = RleCodec.encode(runs, 0, runs.length);
    assertThat(new String(encoded, StandardCharsets.US_ASCII))
        .isEqualTo("PPZfVg35P`gP]i217iooooo3");
    int[] decoded = new int[encoded.length];
    int m = RleCodec.decodeInto(encoded, 0, encoded.length, decoded, 0);
    assertThat(Arrays.copyOf(decoded, m)).containsExactly(runs);
    assertThat(RleOps.area(decoded, 0, m)).isEqualTo(10);
  }

  /**
   * A value below -2^29 takes 7 characters and maskApi.c's {@code x |= -1 << 5*k} (k = 7, an
   * int shift by 35, i.e. by 3 on x86) corrupts it. pycocotools 2.0.11 reports area
   * 2147483643 for this string, which encodes [0, 2^30, 7, 3, 1]: the fourth run decodes as
   * 1073741819 instead of 3. The Java decoder must do the same.
   */
  @Test
  void largeNegativeDeltasDecodeAsPycocotoolsDoes() {
    assertThat(Rle.of(1, 1_073_741_835, new int[] {0, 1 << 30, 7, 3, 1}).toCompressedString())
        .isEqualTo("0PPPPPP17SPPPPPOJ");
    byte[] s = "0PPPPPP17SPPPPPOJ".getBytes(StandardCharsets.US_ASCII);
    int[] decoded = new int[s.length];
    int m = RleCodec.decodeInto(s, 0, s.length, decoded, 0);
    assertThat(m).isEqualTo(5);
    assertThat(decoded[3]).isEqualTo(1_073_741_819);
    assertThat(RleOps.area(decoded, 0, m)).isEqualTo(2_147_483_643L);
  }

  /**
   * A mask of 2147441940 pixels (just under 2^31) with runs of 6e8 (7 characters each).
   * pycocotools 2.0.11 encodes it as this string and decodes it back to foreground pixels
   * 600000000, 1200000001 and 1200000002.
   */
  @Test
  void largeMasksRoundTrip() {
    int h = 46_340;
    int w = 46_341;
    int[] runs = {600_000_000, 1, 600_000_000, 2, 2_147_441_940 - 1_200_000_003};
    Rle rle = Rle.of(h, w, runs);
    assertThat(rle.toCompressedString()).isEqualTo("P`aVla01P`aVla01ahR[[:");
    Rle back = Rle.fromCompressed(rle.toCompressedString(), h, w);
    assertThat(back.counts()).containsExactly(runs);
    assertThat(back.area()).isEqualTo(3);
  }

  @Test
  void malformedStringsAreRefused() {
    assertThatThrownBy(() -> Rle.fromCompressed("`h9 ", 100, 100))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid character");
    assertThatThrownBy(() -> Rle.fromCompressed("0`<`n1{", 40, 60))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'{'");
    assertThatThrownBy(() -> Rle.fromCompressed("/", 1, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'/'");
    // '`' = 48 + 0x30 has the continuation bit: the string ends inside a number
    assertThatThrownBy(() -> Rle.fromCompressed("0`", 40, 60))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("middle of a number");
    // runs that do not cover h*w
    assertThatThrownBy(() -> Rle.fromCompressed("`h9", 10, 10))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("10000")
        .hasMessageContaining("100");
    assertThatThrownBy(() -> Rle.fromCompressed("0`<`n1", 40, 61))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void emptyStringIsAMaskWithoutRuns() {
    // rleFrString("") gives m = 0: no runs, area 0, box [0, 0, 0, 0]
    Rle rle = Rle.fromCompressed("", 3, 4);
    assertThat(rle.size()).isZero();
    assertThat(rle.area()).isZero();
    assertThat(rle.toBbox()).containsExactly(0, 0, 0, 0);
    assertThat(rle.toCompressedString()).isEmpty();
  }
}
