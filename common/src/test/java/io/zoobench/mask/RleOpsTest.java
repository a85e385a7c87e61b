package io.zoobench.mask;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** RLE encode/decode, area, toBbox and merge against brute-force pixel masks. */
class RleOpsTest {
  /** Fixed sizes that hit the edges (0-area, single row/column, 1x1) plus random ones. */
  static List<int[]> sizes(SplittableRandom random, int randomCount) {
    List<int[]> sizes = new ArrayList<>(List.of(
        new int[] {1, 1}, new int[] {0, 0}, new int[] {0, 7}, new int[] {7, 0},
        new int[] {1, 9}, new int[] {9, 1}, new int[] {2, 2}, new int[] {3, 5},
        new int[] {10, 10}, new int[] {17, 31}, new int[] {64, 48}, new int[] {100, 1}));
    for (int i = 0; i < randomCount; i++) {
      sizes.add(new int[] {1 + random.nextInt(40), 1 + random.nextInt(40)});
    }
    return sizes;
  }

  /** Random masks, several per size, with their brute-force twins. */
  static List<PixelMask> randomMasks(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<PixelMask> masks = new ArrayList<>();
    for (int[] hw : sizes(random, 60)) {
      for (int i = 0; i < 6; i++) {
        masks.add(PixelMask.random(random, hw[0], hw[1]));
      }
    }
    return masks;
  }

  @Test
  void encodeThenDecodeGivesTheSameMask() {
    for (PixelMask mask : randomMasks(1)) {
      Rle rle = Rle.encode(mask.toColumnMajor(), mask.height, mask.width);
      assertThat(rle.height()).isEqualTo(mask.height);
      assertThat(rle.width()).isEqualTo(mask.width);
      assertThat(rle.decode()).as("%s", mask).isEqualTo(mask.toColumnMajor());
      assertThat(PixelMask.fromRuns(rle.counts(), mask.height, mask.width).samePixels(mask))
          .as("runs of %s", mask).isTrue();
    }
  }

  @Test
  void encodedRunsAreCanonical() {
    for (PixelMask mask : randomMasks(2)) {
      int[] runs = Rle.encode(mask.toColumnMajor(), mask.height, mask.width).counts();
      long sum = 0;
      for (int i = 0; i < runs.length; i++) {
        sum += runs[i];
        if (i > 0) {
          assertThat(runs[i]).as("run %d of %s", i, mask).isPositive();
        }
      }
      assertThat(sum).isEqualTo((long) mask.height * mask.width);
      // the first (background) run is 0 exactly when pixel (0, 0) is set or there are no pixels
      boolean noPixels = mask.height * mask.width == 0;
      assertThat(runs[0] == 0).as("first run of %s", mask)
          .isEqualTo(noPixels || mask.pixels[0][0]);
    }
  }

  @Test
  void encodeFollowsTheDocumentedExamples() {
    // maskApi.h: M=[0 0 1 1 1 0 1] -> [2 3 1 1]; M=[1 1 1 1 1 1 0] -> [0 6 1]
    assertThat(Rle.encode(new byte[] {0, 0, 1, 1, 1, 0, 1}, 7, 1).counts())
        .containsExactly(2, 3, 1, 1);
    assertThat(Rle.encode(new byte[] {1, 1, 1, 1, 1, 1, 0}, 1, 7).counts())
        .containsExactly(0, 6, 1);
    assertThat(Rle.encode(new byte[0], 0, 0).counts()).containsExactly(0);
    assertThat(Rle.encode(new byte[] {0, 0, 0, 0}, 2, 2).counts()).containsExactly(4);
    assertThat(Rle.encode(new byte[] {1, 1, 1, 1}, 2, 2).counts()).containsExactly(0, 4);
    // any non-zero byte is foreground
    assertThat(Rle.encode(new byte[] {0, 7, -1, 0}, 2, 2).counts()).containsExactly(1, 2, 1);
  }

  @Test
  void areaIsThePixelCount() {
    for (PixelMask mask : randomMasks(3)) {
      Rle rle = Rle.encode(mask.toColumnMajor(), mask.height, mask.width);
      assertThat(rle.area()).as("%s", mask).isEqualTo(mask.area());
      int[] runs = rle.counts();
      assertThat(RleOps.area(runs, 0, runs.length)).isEqualTo(mask.area());
    }
  }

  @Test
  void toBboxIsTheTightBoxOfTheDecodedMask() {
    for (PixelMask mask : randomMasks(4)) {
      Rle rle = Rle.encode(mask.toColumnMajor(), mask.height, mask.width);
      assertThat(rle.toBbox()).as("%s", mask).containsExactly(mask.tightBox());
    }
  }

  @Test
  void toBboxOfEmptyMasksIsZero() {
    assertThat(Rle.encode(new byte[12], 3, 4).toBbox()).containsExactly(0, 0, 0, 0);
    assertThat(Rle.encode(new byte[0], 0, 0).toBbox()).containsExactly(0, 0, 0, 0);
    assertThat(Rle.of(3, 4, new int[] {12}).toBbox()).containsExactly(0, 0, 0, 0);
    assertThat(Rle.of(3, 4, new int[0]).toBbox()).containsExactly(0, 0, 0, 0);
  }

  @Test
  void toBboxOfRunsCrossingColumnsSpansTheFullHeight() {
    // 4x3, foreground = pixels 3..4: (x0, y3) and (x1, y0): tight box x 0..1, y 0..3
    Rle rle = Rle.of(4, 3, new int[] {3, 2, 7});
    assertThat(rle.toBbox()).containsExactly(0, 0, 2, 4);
    assertThat(rle.toBbox()).containsExactly(PixelMask.fromRuns(rle.counts(), 4, 3).tightBox());
  }

  /**
   * rleToBbox skips zero-length foreground runs, so with no other foreground its start values
   * xs = w, ys = h, xe = ye = 0 are never updated and the width is the uint {@code 0 - w + 1}.
   * pycocotools 2.0.11's toBbox gives the same [10, 10, 4294967287, 4294967287] for these.
   */
  @Test
  void toBboxOfOnlyZeroLengthForegroundRunsIsPycocotoolsGarbage() {
    double garbage = 4_294_967_287.0; // (uint) (0 - 10 + 1)
    for (int[] runs : new int[][] {{10, 0, 90}, {5, 0, 5, 0, 90}, {0, 0, 100}}) {
      Rle rle = Rle.of(10, 10, runs);
      assertThat(rle.area()).isZero();
      assertThat(rle.toBbox()).containsExactly(10, 10, garbage, garbage);
    }
    // a zero-length run next to real foreground is just skipped: pixels 3..4 and 5..8
    Rle mixed = Rle.of(10, 10, new int[] {3, 2, 0, 4, 91});
    assertThat(mixed.toBbox()).containsExactly(0, 3, 1, 6)
        .containsExactly(PixelMask.fromRuns(mixed.counts(), 10, 10).tightBox());
  }

  @Test
  void toBboxWritesIntoTheArenaAtTheOffset() {
    int[] arena = {99, 99, 3, 2, 7, 99};
    double[] out = {-1, -1, -1, -1, -1, -1};
    RleOps.toBbox(4, 3, arena, 2, 3, out, 1);
    assertThat(out).containsExactly(-1, 0, 0, 2, 4, -1);
  }

  @Test
  void ofValidatesSizesAndRuns() {
    assertThat(Rle.of(2, 3, new int[] {1, 2, 3}).counts()).containsExactly(1, 2, 3);
    assertThatThrownBy(() -> Rle.of(2, 3, new int[] {1, 2, 2}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContainingAll("cover 5 pixels", "6");
    assertThatThrownBy(() -> Rle.of(2, 3, new int[] {1, -2, 7}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative");
    assertThatThrownBy(() -> Rle.of(-1, 3, new int[0]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Rle.encode(new byte[5], 2, 3))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void ofCopiesItsInputAndCountsReturnsACopy() {
    int[] runs = {1, 2, 3};
    Rle rle = Rle.of(2, 3, runs);
    runs[0] = 6;
    rle.counts()[0] = 6;
    assertThat(rle.counts()).containsExactly(1, 2, 3);
  }

  @Test
  void equalMasksAreEqualValues() {
    Rle a = Rle.encode(new byte[] {0, 1, 1, 0}, 2, 2);
    Rle b = Rle.of(2, 2, new int[] {1, 2, 1});
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isNotEqualTo(Rle.of(1, 4, new int[] {1, 2, 1}));
  }

  @Test
  void unionAndIntersectionArePixelOrAndAnd() {
    SplittableRandom random = new SplittableRandom(5);
    for (int[] hw : sizes(random, 80)) {
      for (int i = 0; i < 4; i++) {
        PixelMask a = PixelMask.random(random, hw[0], hw[1]);
        PixelMask b = PixelMask.random(random, hw[0], hw[1]);
        Rle ra = Rle.encode(a.toColumnMajor(), hw[0], hw[1]);
        Rle rb = Rle.encode(b.toColumnMajor(), hw[0], hw[1]);
        Rle union = RleOps.merge(new Rle[] {ra, rb}, false);
        Rle intersection = RleOps.merge(new Rle[] {ra, rb}, true);
        assertThat(PixelMask.fromColumnMajor(union.decode(), hw[0], hw[1]).samePixels(a.or(b)))
            .as("union of\n%s\n%s", a, b).isTrue();
        assertThat(PixelMask.fromColumnMajor(intersection.decode(), hw[0], hw[1])
            .samePixels(a.and(b))).as("intersection of\n%s\n%s", a, b).isTrue();
        // merge output is the canonical encoding of its mask
        assertThat(union).isEqualTo(Rle.encode(a.or(b).toColumnMajor(), hw[0], hw[1]));
        assertThat(intersection).isEqualTo(Rle.encode(a.and(b).toColumnMajor(), hw[0], hw[1]));
        assertThat(union.area() + intersection.area()).isEqualTo(ra.area() + rb.area());
      }
    }
  }

  @Test
  void mergeOfSeveralMasksFoldsLeftToRight() {
    SplittableRandom random = new SplittableRandom(6);
    for (int i = 0; i < 200; i++) {
      int h = 1 + random.nextInt(20);
      int w = 1 + random.nextInt(20);
      int n = 3 + random.nextInt(3);
      Rle[] rles = new Rle[n];
      PixelMask any = new PixelMask(h, w);
      PixelMask all = null;
      for (int k = 0; k < n; k++) {
        PixelMask m = PixelMask.random(random, h, w);
        rles[k] = Rle.encode(m.toColumnMajor(), h, w);
        any = any.or(m);
        all = all == null ? m : all.and(m);
      }
      assertThat(RleOps.merge(rles, false)).isEqualTo(Rle.encode(any.toColumnMajor(), h, w));
      assertThat(RleOps.merge(rles, true)).isEqualTo(Rle.encode(all.toColumnMajor(), h, w));
    }
  }

  @Test
  void mergeEdgeCases() {
    Rle a = Rle.of(2, 3, new int[] {1, 2, 3});
    assertThat(RleOps.merge(new Rle[] {a}, false)).isEqualTo(a);
    assertThat(RleOps.merge(new Rle[] {a}, true)).isEqualTo(a);
    // rleMerge: no input, or inputs of different sizes, give a 0x0 mask with no runs
    Rle none = RleOps.merge(new Rle[0], false);
    assertThat(none.height()).isZero();
    assertThat(none.width()).isZero();
    assertThat(none.size()).isZero();
    Rle mixed = RleOps.merge(new Rle[] {a, Rle.of(3, 2, new int[] {6})}, false);
    assertThat(mixed.height()).isZero();
    assertThat(mixed.width()).isZero();
    assertThat(mixed.size()).isZero();
    // a zero-length run inside uncompressed counts does not change the pixels
    Rle withZeroRun = Rle.of(2, 3, new int[] {1, 0, 2, 2, 1});
    Rle plain = Rle.of(2, 3, new int[] {3, 2, 1});
    byte[] pixels = {0, 0, 0, 1, 1, 0};
    assertThat(withZeroRun.decode()).containsExactly(pixels);
    Rle[] both = {withZeroRun, plain};
    assertThat(RleOps.merge(both, false).decode()).containsExactly(pixels);
    assertThat(RleOps.merge(both, true).decode()).containsExactly(pixels);
  }
}
