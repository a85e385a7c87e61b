package io.zoobench.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zoobench.coco.InvalidInputException;
import io.zoobench.zoo.ModelSpec;
import io.zoobench.zoo.ModelSpec.InputSpec;
import io.zoobench.zoo.ModelSpec.Resize;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Decoding, resizing, scaling, normalisation, channel order and padding of model inputs. */
class InputPipelineTest {
  /** 5 wide, 3 high; pixel (x, y) = (R, G, B) below, all different. */
  private static final int W = 5;
  private static final int H = 3;

  private static int red(int x, int y) {
    return 10 * x + 50 * y + 1;
  }

  private static int green(int x, int y) {
    return 255 - 7 * x - 31 * y;
  }

  private static int blue(int x, int y) {
    return (37 * x + 101 * y + 3) % 256;
  }

  private static byte[] testPng() {
    BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        img.setRGB(x, y, red(x, y) << 16 | green(x, y) << 8 | blue(x, y));
      }
    }
    return encode(img, "png");
  }

  private static byte[] encode(BufferedImage img, String format) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      assertThat(ImageIO.write(img, format, out)).as("a %s writer", format).isTrue();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static InputSpec spec(Resize resize, int[] scale, int divisor, double[] mean,
      double[] std, boolean bgr, double pixelScale) {
    return new InputSpec(resize, scale, divisor, mean, std, bgr, pixelScale, mean == null);
  }

  private static InputSpec plain(double pixelScale) {
    return spec(Resize.NONE, null, 0, null, null, false, pixelScale);
  }

  private static float at(PreparedImage p, int c, int y, int x) {
    return p.pixels()[(c * p.height() + y) * p.width() + x];
  }

  // ---- (a) sizes

  static Stream<Arguments> keepRatioSizes() {
    return Stream.of(
        // f = min(1333/640 = 2.083, 800/480 = 1.667) = 1.667; 640*1.667 = 1066.7 + .5 -> 1067,
        // 480*1.667 = 800 + .5 -> 800
        arguments(640, 480, 1333, 800, 1067, 800),
        // f = min(1333/320 = 4.166, 800/240 = 3.333) = 3.333 -> 1066.7 -> 1067, 800
        arguments(320, 240, 1333, 800, 1067, 800),
        // f = min(1333/1000 = 1.333, 800/200 = 4) = 1.333; 1333.0 -> 1333, 266.6 + .5 -> 267
        arguments(1000, 200, 1333, 800, 1333, 267),
        // portrait: long edge is the height; f = min(1333/640, 800/480) = 1.667 -> 800 x 1067
        arguments(480, 640, 1333, 800, 800, 1067),
        // scale given as (short, long): the same as (long, short)
        arguments(640, 480, 800, 1333, 1067, 800),
        // already at the scale: f = min(1, 1) = 1
        arguments(1333, 800, 1333, 800, 1333, 800),
        // f = min(1333/1000 = 1.333, 800/600 = 1.3333) = 1.333; 1333, 799.8 + .5 -> 800
        arguments(1000, 600, 1333, 800, 1333, 800),
        // shrinking: f = min(1333/2000 = 0.6665, 800/100 = 8) = 0.6665; 1333, 66.65 + .5 -> 67
        arguments(2000, 100, 1333, 800, 1333, 67),
        // f = min(5/3, 3/2) = 1.5; 3*1.5 = 4.5 + .5 -> 5 (half rounds up, unlike rint), 2*1.5 = 3
        arguments(3, 2, 5, 3, 5, 3));
  }

  @ParameterizedTest(name = "{0}x{1} to ({2}, {3}) -> {4}x{5}")
  @MethodSource("keepRatioSizes")
  void keepRatioFollowsMmcvRescaleSize(int w, int h, int longEdge, int shortEdge, int rw,
      int rh) {
    InputPipeline p = new InputPipeline(
        spec(Resize.KEEP_RATIO, new int[] {longEdge, shortEdge}, 0, null, null, false, 1));
    assertThat(p.resizedSize(w, h)).containsExactly(rw, rh);
  }

  @Test
  void rgbaAndRgbPngsGiveTheSameColours() {
    BufferedImage rgba = new BufferedImage(W, H, BufferedImage.TYPE_INT_ARGB);
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        int alpha = (x * 40 + y) % 256;
        rgba.setRGB(x, y, alpha << 24 | red(x, y) << 16 | green(x, y) << 8 | blue(x, y));
      }
    }
    byte[] png = encode(rgba, "png");
    assertThat(InputPipeline.decode(png, "rgba.png").getType())
        .isEqualTo(BufferedImage.TYPE_4BYTE_ABGR);
    PreparedImage a = new InputPipeline(plain(255)).prepare(png, "rgba.png");
    PreparedImage b = new InputPipeline(plain(255)).prepare(testPng(), "rgb.png");
    assertThat(a.pixels()).containsExactly(b.pixels());
    assertThat(at(a, 0, 2, 4)).isEqualTo(red(4, 2));
    assertThat(at(a, 2, 2, 4)).isEqualTo(blue(4, 2));
  }

  @Test
  void fixedAndNoneSizes() {
    InputPipeline fixed =
        new InputPipeline(spec(Resize.FIXED, new int[] {640, 480}, 0, null, null, false, 1));
    assertThat(fixed.resizedSize(1000, 200)).containsExactly(640, 480);
    assertThat(fixed.resizedSize(300, 900)).containsExactly(640, 480);

    InputPipeline none = new InputPipeline(plain(1));
    assertThat(none.resizedSize(1000, 200)).containsExactly(1000, 200);
  }

  // ---- (b) pixel values

  @Test
  void pixelScaleOneGivesValueOver255AsFloat() {
    PreparedImage p = new InputPipeline(plain(1)).prepare(testPng(), "t.png");

    assertThat(p.height()).isEqualTo(H);
    assertThat(p.width()).isEqualTo(W);
    assertThat(p.pixels()).hasSize(3 * H * W);
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        assertThat(at(p, 0, y, x)).as("R(%d,%d)", x, y).isEqualTo(red(x, y) / 255f);
        assertThat(at(p, 1, y, x)).as("G(%d,%d)", x, y).isEqualTo(green(x, y) / 255f);
        assertThat(at(p, 2, y, x)).as("B(%d,%d)", x, y).isEqualTo(blue(x, y) / 255f);
      }
    }
  }

  @Test
  void pixelScaleOneIsExactForEveryByteValue() {
    // 16 x 16 grey levels 0..255 in R, reversed in G, every 7th in B
    BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
    for (int v = 0; v < 256; v++) {
      img.setRGB(v % 16, v / 16, v << 16 | (255 - v) << 8 | (7 * v) % 256);
    }
    PreparedImage p = new InputPipeline(plain(1)).prepare(encode(img, "png"), "levels.png");
    for (int v = 0; v < 256; v++) {
      int x = v % 16;
      int y = v / 16;
      assertThat(at(p, 0, y, x)).as("R %d", v).isEqualTo(v / 255f);
      assertThat(at(p, 1, y, x)).as("G %d", 255 - v).isEqualTo((255 - v) / 255f);
      assertThat(at(p, 2, y, x)).as("B %d", (7 * v) % 256).isEqualTo((7 * v) % 256 / 255f);
    }
  }

  @Test
  void pixelScale255KeepsRawValuesAndBgrReversesChannels() {
    PreparedImage rgb = new InputPipeline(plain(255)).prepare(testPng(), "t.png");
    PreparedImage bgr = new InputPipeline(spec(Resize.NONE, null, 0, null, null, true, 255))
        .prepare(testPng(), "t.png");

    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        assertThat(at(rgb, 0, y, x)).isEqualTo(red(x, y));
        assertThat(at(rgb, 1, y, x)).isEqualTo(green(x, y));
        assertThat(at(rgb, 2, y, x)).isEqualTo(blue(x, y));
        assertThat(at(bgr, 0, y, x)).isEqualTo(blue(x, y));
        assertThat(at(bgr, 1, y, x)).isEqualTo(green(x, y));
        assertThat(at(bgr, 2, y, x)).isEqualTo(red(x, y));
      }
    }
  }

  @Test
  void meanAndStdApplyPerOutputChannel() {
    double[] mean = {10, 20, 30};
    double[] std = {2, 4, 5};
    PreparedImage rgb = new InputPipeline(spec(Resize.NONE, null, 0, mean, std, false, 255))
        .prepare(testPng(), "t.png");
    PreparedImage bgr = new InputPipeline(spec(Resize.NONE, null, 0, mean, std, true, 255))
        .prepare(testPng(), "t.png");
    PreparedImage unit = new InputPipeline(spec(Resize.NONE, null, 0,
        new double[] {0.5, 0.25, 0.125}, new double[] {0.5, 0.25, 2}, false, 1))
        .prepare(testPng(), "t.png");

    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        assertThat(at(rgb, 0, y, x)).isCloseTo((red(x, y) - 10) / 2f, within(1e-5f));
        assertThat(at(rgb, 1, y, x)).isCloseTo((green(x, y) - 20) / 4f, within(1e-5f));
        assertThat(at(rgb, 2, y, x)).isCloseTo((blue(x, y) - 30) / 5f, within(1e-5f));
        // mean/std follow the model's channel order: channel 0 is blue, normalised by 10 and 2
        assertThat(at(bgr, 0, y, x)).isCloseTo((blue(x, y) - 10) / 2f, within(1e-5f));
        assertThat(at(bgr, 1, y, x)).isCloseTo((green(x, y) - 20) / 4f, within(1e-5f));
        assertThat(at(bgr, 2, y, x)).isCloseTo((red(x, y) - 30) / 5f, within(1e-5f));
        // with pixel_scale 1 the mean/std apply to value / 255
        assertThat(at(unit, 0, y, x))
            .isCloseTo((red(x, y) / 255f - 0.5f) / 0.5f, within(1e-6f));
        assertThat(at(unit, 1, y, x))
            .isCloseTo((green(x, y) / 255f - 0.25f) / 0.25f, within(1e-6f));
        assertThat(at(unit, 2, y, x))
            .isCloseTo((blue(x, y) / 255f - 0.125f) / 2f, within(1e-6f));
      }
    }
  }

  @Test
  void padsBottomAndRightWithZerosToTheSizeDivisor() {
    // 5 x 3 padded to multiples of 4: 8 x 4; the padding stays 0, not -mean/std
    PreparedImage p = new InputPipeline(spec(Resize.NONE, null, 4,
        new double[] {10, 20, 30}, new double[] {2, 4, 5}, true, 255))
        .prepare(testPng(), "t.png");

    assertThat(p.width()).isEqualTo(8);
    assertThat(p.height()).isEqualTo(4);
    assertThat(p.resizedWidth()).isEqualTo(W);
    assertThat(p.resizedHeight()).isEqualTo(H);
    assertThat(p.originalWidth()).isEqualTo(W);
    assertThat(p.originalHeight()).isEqualTo(H);
    assertThat(p.scaleX()).isEqualTo(1.0);
    assertThat(p.scaleY()).isEqualTo(1.0);
    assertThat(p.pixels()).hasSize(3 * 4 * 8);
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < 4; y++) {
        for (int x = 0; x < 8; x++) {
          if (x >= W || y >= H) {
            assertThat(at(p, c, y, x)).as("pad c%d (%d,%d)", c, x, y).isEqualTo(0f);
          }
        }
      }
    }
    assertThat(at(p, 0, 2, 4)).isCloseTo((blue(4, 2) - 10) / 2f, within(1e-5f));
    assertThat(at(p, 2, 0, 0)).isCloseTo((red(0, 0) - 30) / 5f, within(1e-5f));
  }

  @Test
  void sizeDivisorAlreadyMetAddsNoPadding() {
    // 5 x 3 with divisor 1: nothing to pad
    PreparedImage p = new InputPipeline(spec(Resize.NONE, null, 1, null, null, false, 255))
        .prepare(testPng(), "t.png");
    assertThat(p.width()).isEqualTo(W);
    assertThat(p.height()).isEqualTo(H);
    assertThat(p.pixels()).hasSize(3 * H * W);
  }

  @Test
  void resizeThenPadReportsEverySize() {
    // fixed 10 x 6 (twice the image), padded to 32 x 32
    PreparedImage p = new InputPipeline(
        spec(Resize.FIXED, new int[] {10, 6}, 32, null, null, false, 255))
        .prepare(testPng(), "t.png");

    assertThat(p.width()).isEqualTo(32);
    assertThat(p.height()).isEqualTo(32);
    assertThat(p.resizedWidth()).isEqualTo(10);
    assertThat(p.resizedHeight()).isEqualTo(6);
    assertThat(p.originalWidth()).isEqualTo(W);
    assertThat(p.originalHeight()).isEqualTo(H);
    assertThat(p.scaleX()).isEqualTo(2.0);
    assertThat(p.scaleY()).isEqualTo(2.0);
    // the top-left output pixel samples source (-0.25, -0.25), clamped to pixel (0, 0)
    assertThat(at(p, 0, 0, 0)).isEqualTo(red(0, 0));
    // (3, 1) samples source (1.25, 0.25): bilinear of pixels (1..2, 0..1), weights .75/.25
    double r = 0.75 * (0.75 * red(1, 0) + 0.25 * red(2, 0))
        + 0.25 * (0.75 * red(1, 1) + 0.25 * red(2, 1));
    assertThat((double) at(p, 0, 1, 3)).isCloseTo(r, within(1e-4));
    assertThat(at(p, 0, 6, 9)).as("first padding row").isEqualTo(0f);
    assertThat(at(p, 0, 5, 10)).as("first padding column").isEqualTo(0f);
  }

  @Test
  void bilinearSamplesHalfPixelCentresAlongEachAxis() {
    // a 2 x 1 image, red 0 and 255, widened to 4: output x samples source (x + .5) / 2 - .5
    // = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1) -> 0, 63.75, 191.25, 255
    BufferedImage wide = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
    wide.setRGB(1, 0, 0xff0000);
    PreparedImage pw = new InputPipeline(
        spec(Resize.FIXED, new int[] {4, 1}, 0, null, null, false, 255))
        .prepare(encode(wide, "png"), "wide.png");
    assertThat(Arrays.copyOfRange(pw.pixels(), 0, 4))
        .containsExactly(new float[] {0f, 63.75f, 191.25f, 255f}, within(1e-4f));

    // the same along y: a 1 x 2 image made 1 x 4
    BufferedImage tall = new BufferedImage(1, 2, BufferedImage.TYPE_INT_RGB);
    tall.setRGB(0, 1, 0xff0000);
    PreparedImage pt = new InputPipeline(
        spec(Resize.FIXED, new int[] {1, 4}, 0, null, null, false, 255))
        .prepare(encode(tall, "png"), "tall.png");
    assertThat(pt.width()).isEqualTo(1);
    assertThat(pt.height()).isEqualTo(4);
    assertThat(Arrays.copyOfRange(pt.pixels(), 0, 4))
        .containsExactly(new float[] {0f, 63.75f, 191.25f, 255f}, within(1e-4f));
  }

  // ---- letterbox: keep ratio within the canvas, centred, padded with the pad value

  static Stream<Arguments> letterboxSizes() {
    return Stream.of(
        // f = min(640/640, 640/480) = 1 -> 640x480, 80 rows of padding above and below
        arguments(640, 480, 640, 480, 80, 0),
        // f = min(640/500, 640/375) = 1.28 -> 640x480
        arguments(500, 375, 640, 480, 80, 0),
        // portrait: f = min(640/427, 640/640) = 1 -> 427x640; (640 - 427) / 2 = 106 columns
        arguments(427, 640, 427, 640, 0, 106),
        // f = 640/333 = 1.9219...; 333 -> 640, 500 * 1.9219 = 960.96 -> capped by the height:
        // f = min(640/333, 640/500) = 1.28; 333 * 1.28 = 426.24 -> 426, 640; left 107
        arguments(333, 500, 426, 640, 0, 107),
        // enlarging a small image: f = min(640/64, 640/48) = 10 -> 640x480
        arguments(64, 48, 640, 480, 80, 0),
        // f = min(640/641, 640/1) = 0.9984; 641 -> 640, 1 * 0.9984 + .5 -> 1; top (640-1)/2
        arguments(641, 1, 640, 1, 319, 0));
  }

  @ParameterizedTest(name = "{0}x{1} -> {2}x{3} at top {4}, left {5}")
  @MethodSource("letterboxSizes")
  void letterboxKeepsTheRatioAndCentresTheImage(int w, int h, int rw, int rh, int top,
      int left) {
    InputPipeline p = new InputPipeline(new InputSpec(Resize.LETTERBOX, new int[] {640, 640}, 0,
        null, null, false, 1, true, 114, false));
    assertThat(p.resizedSize(w, h)).containsExactly(rw, rh);

    PreparedImage img = p.prepare(new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR));

    assertThat(img.width()).isEqualTo(640);
    assertThat(img.height()).isEqualTo(640);
    assertThat(img.padTop()).isEqualTo(top);
    assertThat(img.padLeft()).isEqualTo(left);
    assertThat(img.scaleX()).isEqualTo((double) rw / w);
  }

  @Test
  void letterboxCanvasIsThePadValueScaledAndNormalisedLikeThePixels() {
    // 4x2 white image on an 8x8 canvas: rows 3..4 hold the image, the rest is grey 114
    BufferedImage white = new BufferedImage(4, 2, BufferedImage.TYPE_INT_RGB);
    for (int x = 0; x < 4; x++) {
      white.setRGB(x, 0, 0xffffff);
      white.setRGB(x, 1, 0xffffff);
    }
    PreparedImage scaled = new InputPipeline(new InputSpec(Resize.LETTERBOX, new int[] {8, 8},
        0, null, null, false, 1, true, 114, false)).prepare(encode(white, "png"), "w.png");
    assertThat(scaled.resizedWidth()).isEqualTo(8);
    assertThat(scaled.resizedHeight()).isEqualTo(4);
    assertThat(scaled.padTop()).isEqualTo(2);
    assertThat(at(scaled, 1, 0, 0)).isEqualTo(114f / 255f);
    assertThat(at(scaled, 1, 1, 7)).isEqualTo(114f / 255f);
    assertThat(at(scaled, 1, 2, 0)).isEqualTo(1f);
    assertThat(at(scaled, 2, 5, 7)).isEqualTo(1f);
    assertThat(at(scaled, 0, 6, 3)).isEqualTo(114f / 255f);

    PreparedImage normalised = new InputPipeline(new InputSpec(Resize.LETTERBOX,
        new int[] {8, 8}, 0, new double[] {100, 100, 100}, new double[] {2, 2, 2}, false, 255,
        false, 114, false)).prepare(encode(white, "png"), "w.png");
    assertThat(at(normalised, 0, 0, 0)).isEqualTo((114f - 100f) / 2f);
    assertThat(at(normalised, 0, 3, 3)).isEqualTo((255f - 100f) / 2f);
  }

  // ---- grey images: PIL and OpenCV copy the grey value to R, G and B

  @Test
  void greyPngKeepsItsValuesInEveryChannel() {
    int[] levels = {0, 1, 64, 128, 200, 255};
    BufferedImage grey = new BufferedImage(levels.length, 1, BufferedImage.TYPE_BYTE_GRAY);
    for (int x = 0; x < levels.length; x++) {
      grey.getRaster().setSample(x, 0, 0, levels[x]);
    }
    PreparedImage p = new InputPipeline(plain(255)).prepare(encode(grey, "png"), "grey.png");
    for (int c = 0; c < 3; c++) {
      for (int x = 0; x < levels.length; x++) {
        assertThat(at(p, c, 0, x)).as("channel %d, level %d", c, levels[x])
            .isEqualTo(levels[x]);
      }
    }
  }

  @Test
  void sixteenBitGreyPngIsRoundedToEightBits() {
    // 8-bit value = round(v * 255 / 65535): 32896 = 128 * 257 -> 128, 1000 -> 3.89 -> 4
    int[] samples = {0, 1000, 32896, 65535};
    int[] expected = {0, 4, 128, 255};
    BufferedImage grey = new BufferedImage(samples.length, 1, BufferedImage.TYPE_USHORT_GRAY);
    for (int x = 0; x < samples.length; x++) {
      grey.getRaster().setSample(x, 0, 0, samples[x]);
    }
    PreparedImage p = new InputPipeline(plain(255)).prepare(encode(grey, "png"), "g16.png");
    for (int c = 0; c < 3; c++) {
      for (int x = 0; x < samples.length; x++) {
        assertThat(at(p, c, 0, x)).as("channel %d, sample %d", c, samples[x])
            .isEqualTo(expected[x]);
      }
    }
  }

  @Test
  void oneBitPngIsBlackAndWhite() {
    BufferedImage bits = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_BINARY);
    bits.getRaster().setSample(1, 0, 0, 1);
    PreparedImage p = new InputPipeline(plain(255)).prepare(encode(bits, "png"), "bits.png");
    for (int c = 0; c < 3; c++) {
      assertThat(new float[] {at(p, c, 0, 0), at(p, c, 0, 1), at(p, c, 0, 2)})
          .containsExactly(0f, 255f, 0f);
    }
  }

  // ---- (c) refused input

  @Test
  void garbageBytesAreRefusedNamingTheFile() {
    byte[] junk = "this is not an image, just text".getBytes();
    assertThatThrownBy(() -> new InputPipeline(plain(1)).prepare(junk, "images/junk.jpg"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("images/junk.jpg: not an image in a known format (31 bytes)");
    assertThatThrownBy(() -> InputPipeline.decode(new byte[0], "empty.png"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("empty.png: not an image");
  }

  @Test
  void truncatedPngIsRefusedNamingTheFile() {
    byte[] png = encode(noise(64, 48), "png");
    byte[] cut = Arrays.copyOf(png, png.length / 2);
    assertThatThrownBy(() -> new InputPipeline(plain(1)).prepare(cut, "cut.png"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("cut.png: cannot decode image");
  }

  @Test
  void truncatedJpegIsRefusedNamingTheFile() {
    // ImageIO's JPEG reader returns such a file grey-filled with a mere warning
    byte[] jpg = encode(noise(64, 48), "jpg");
    assertThat(InputPipeline.decode(jpg, "whole.jpg").getWidth()).isEqualTo(64);
    for (int length : new int[] {jpg.length / 2, jpg.length - 2}) {
      byte[] cut = Arrays.copyOf(jpg, length);
      assertThatThrownBy(() -> InputPipeline.decode(cut, "cut.jpg"))
          .as("%d of %d bytes", length, jpg.length)
          .isInstanceOf(InvalidInputException.class)
          .hasMessageStartingWith("cut.jpg: cannot decode image: ")
          .hasMessageContaining("runcated");
    }
  }

  private static BufferedImage noise(int w, int h) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    java.util.Random rnd = new java.util.Random(7);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, rnd.nextInt(1 << 24));
      }
    }
    return img;
  }

  // ---- (d) Bilinear against torch.nn.functional.interpolate (tools/fixtures/bilinear_reference.py)

  static Stream<Arguments> torchReference() throws IOException {
    JsonNode ref;
    try (InputStream in = InputPipelineTest.class.getResourceAsStream(
        "/detect/bilinear_reference.json")) {
      assertThat(in).as("detect/bilinear_reference.json on the test class path").isNotNull();
      ref = new ObjectMapper().readTree(in);
    }
    float[] input = floats(ref.get("input"));
    int c = ref.get("channels").asInt();
    int h = ref.get("height").asInt();
    int w = ref.get("width").asInt();
    assertThat(input).hasSize(c * h * w);
    Stream.Builder<Arguments> cases = Stream.builder();
    for (JsonNode o : ref.get("outputs")) {
      cases.add(arguments(o.get("name").asText(), input, c, h, w, o.get("height").asInt(),
          o.get("width").asInt(), floats(o.get("pixels"))));
    }
    return cases.build();
  }

  private static float[] floats(JsonNode array) {
    float[] out = new float[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) array.get(i).asDouble();
    }
    return out;
  }

  @ParameterizedTest(name = "{0}: {3}x{4} -> {5}x{6}")
  @MethodSource("torchReference")
  void bilinearMatchesTorchInterpolate(String name, float[] input, int c, int h, int w, int dh,
      int dw, float[] expected) {
    assertThat(expected).hasSize(c * dh * dw);

    float[] out = Bilinear.resize(input, c, h, w, dh, dw);

    assertThat(out).containsExactly(expected, within(1e-5f));
  }

  @Test
  void bilinearToTheSameSizeIsTheIdentity() {
    float[] src = new float[2 * 3 * 4];
    for (int i = 0; i < src.length; i++) {
      src[i] = (float) Math.sin(i * 0.37);
    }
    assertThat(Bilinear.resize(src, 2, 3, 4, 3, 4)).containsExactly(src);
  }
}
