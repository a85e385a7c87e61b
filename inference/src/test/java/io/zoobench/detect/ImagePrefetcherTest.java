package io.zoobench.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zoobench.zoo.ModelSpec;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** The prefetcher with a fake byte source: order, failures by stage, the end, a crash. */
class ImagePrefetcherTest {
  private static final InputPipeline PIPELINE = new InputPipeline(new ModelSpec.InputSpec(
      ModelSpec.Resize.NONE, null, 0, null, null, false, 1, true));

  static byte[] png(int w, int h) throws IOException {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    img.setRGB(1, 1, 0xff8040);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "png", out);
    return out.toByteArray();
  }

  static ShardPlan.ImageRef ref(long id, String file, int w, int h) {
    return new ShardPlan.ImageRef(id, file, w, h, (int) id);
  }

  static List<ImagePrefetcher.Item> drain(ImagePrefetcher p) throws InterruptedException {
    List<ImagePrefetcher.Item> out = new ArrayList<>();
    for (ImagePrefetcher.Item it; (it = p.next()) != null; ) {
      out.add(it);
    }
    assertThat(p.next()).as("the end stays the end").isNull();
    return out;
  }

  @Test
  void imagesArriveInShardOrderWithFailuresByStage() throws Exception {
    byte[] good = png(8, 6);
    Map<String, byte[]> files = Map.of("a.png", good, "b.png", good, "bad.png",
        new byte[] {1, 2, 3}, "c.png", png(5, 5));
    ImageSource source = file -> {
      byte[] b = files.get(file);
      if (b == null) {
        throw new FileNotFoundException(file);
      }
      return b;
    };
    List<ShardPlan.ImageRef> refs = List.of(ref(1, "a.png", 8, 6), ref(2, "missing.png", 8, 6),
        ref(3, "../etc/passwd", 8, 6), ref(4, "bad.png", 8, 6), ref(5, "c.png", 8, 6),
        ref(6, "b.png", 8, 6));
    try (ImagePrefetcher p = new ImagePrefetcher(refs, source, PIPELINE, 2, "test").start()) {
      List<ImagePrefetcher.Item> items = drain(p);
      assertThat(items).extracting(i -> i.ref().id()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
      assertThat(items).extracting(ImagePrefetcher.Item::stage)
          .containsExactly(null, "read", "path", "decode", "decode", null);
      assertThat(items.get(1).problem()).isEqualTo("no such file");
      assertThat(items.get(2).problem()).contains("leaves the image root");
      assertThat(items.get(4).problem()).contains("image is 5x5, the annotations say 8x6");
      assertThat(items.get(0).image().width()).isEqualTo(8);
      assertThat(p.readNanos()).isPositive();
      assertThat(p.decodeNanos()).isPositive();
    }
  }

  @Test
  void aCrashOfTheThreadReachesTheConsumer() throws Exception {
    ImageSource source = file -> {
      throw new OutOfMemoryError("simulated");
    };
    try (ImagePrefetcher p = new ImagePrefetcher(List.of(ref(1, "a.png", 8, 6)), source,
        PIPELINE, 2, "test").start()) {
      assertThatThrownBy(p::next).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("image prefetch failed").hasMessageContaining("simulated");
    }
  }

  @Test
  void unsafeNamesAreRefused() {
    assertThat(ImageNames.problem("000139.jpg")).isNull();
    assertThat(ImageNames.problem("val2017/000139.jpg")).isNull();
    assertThat(ImageNames.problem(null)).isEqualTo("no file_name");
    assertThat(ImageNames.problem("/etc/passwd")).contains("not relative");
    assertThat(ImageNames.problem("s3a://b/x.jpg")).contains("not relative");
    assertThat(ImageNames.problem("a/../../x.jpg")).contains("leaves the image root");
    assertThat(ImageNames.problem("a\\..\\x.jpg")).contains("leaves the image root");
  }
}
