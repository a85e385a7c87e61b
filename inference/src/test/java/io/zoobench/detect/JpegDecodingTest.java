package io.zoobench.detect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zoobench.zoo.ModelSpec.InputSpec;
import io.zoobench.zoo.ModelSpec.Resize;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real JPEG variants decode to PIL's pixels: CMYK (Adobe, inverted inks), grey, an embedded
 * non-sRGB ICC profile (ignored, as PIL and OpenCV ignore it), and EXIF orientations 3, 6 and 8
 * (ignored by default as {@code Image.open} ignores them; applied as
 * {@code ImageOps.exif_transpose} when the spec asks). Expected bytes were written by PIL
 * (tools/fixtures/make_jpeg_fixtures.py).
 */
class JpegDecodingTest {
  private static final JsonNode INDEX = index();

  private static JsonNode index() {
    try {
      return new ObjectMapper().readTree(bytes("index.json"));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] bytes(String name) throws IOException {
    try (InputStream in = JpegDecodingTest.class.getResourceAsStream("/detect/jpeg/" + name)) {
      assertThat(in).as("detect/jpeg/%s on the test class path", name).isNotNull();
      return in.readAllBytes();
    }
  }

  private static InputSpec asStored(boolean exif) {
    return new InputSpec(Resize.NONE, null, 0, null, null, false, 255, true, 0, exif);
  }

  /** The prepared planes (pixel_scale 255, no resize) as PIL's H × W × 3 bytes. */
  private static byte[] interleaved(PreparedImage p) {
    int plane = p.height() * p.width();
    byte[] out = new byte[3 * plane];
    for (int i = 0; i < plane; i++) {
      for (int c = 0; c < 3; c++) {
        float v = p.pixels()[c * plane + i];
        assertThat(v).isEqualTo((float) Math.rint(v));
        out[3 * i + c] = (byte) (int) v;
      }
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"cmyk", "grey", "icc", "exif3", "exif6", "exif8"})
  void decodesToPilsPixels(String name) throws IOException {
    JsonNode e = INDEX.get(name + ".jpg");

    PreparedImage p = new InputPipeline(asStored(false)).prepare(bytes(name + ".jpg"), name);

    assertThat(p.width()).isEqualTo(e.get("width").asInt());
    assertThat(p.height()).isEqualTo(e.get("height").asInt());
    assertSameBytes(interleaved(p), bytes(name + ".rgb"));
  }

  /** Equal bytes, or a message with the count of differing ones and the first (no dump). */
  static void assertSameBytes(byte[] actual, byte[] expected) {
    assertThat(actual).hasSameSizeAs(expected);
    int differing = 0;
    int first = -1;
    for (int i = 0; i < actual.length; i++) {
      if (actual[i] != expected[i]) {
        differing++;
        first = first < 0 ? i : first;
      }
    }
    assertThat(differing).as("bytes that differ from PIL's (first at %d: %d, PIL %d)", first,
        first < 0 ? 0 : actual[first] & 0xff, first < 0 ? 0 : expected[first] & 0xff)
        .isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"exif3", "exif6", "exif8"})
  void exifOrientationIsAppliedWhenAsked(String name) throws IOException {
    JsonNode e = INDEX.get(name + ".jpg");
    byte[] jpeg = bytes(name + ".jpg");
    InputPipeline pipeline = new InputPipeline(asStored(true));

    InputPipeline.Decoded d = pipeline.read(jpeg, name);
    PreparedImage p = pipeline.prepare(d);

    assertThat(d.orientation()).isEqualTo(e.get("orientation").asInt());
    assertThat(d.width()).isEqualTo(e.get("oriented_width").asInt());
    assertThat(d.height()).isEqualTo(e.get("oriented_height").asInt());
    assertThat(p.width()).isEqualTo(d.width());
    assertSameBytes(interleaved(p), bytes(name + ".oriented.rgb"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"cmyk", "grey", "icc"})
  void aJpegWithoutExifHasOrientationOne(String name) throws IOException {
    assertThat(new InputPipeline(asStored(true)).read(bytes(name + ".jpg"), name)
        .orientation()).isEqualTo(1);
  }
}
