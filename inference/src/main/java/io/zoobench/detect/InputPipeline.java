package io.zoobench.detect;

import io.zoobench.coco.InvalidInputException;
import io.zoobench.zoo.ModelSpec;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decoding and preprocessing as a model's {@link ModelSpec.InputSpec} says: decode (PNG, JPEG,
 * BMP, GIF through ImageIO) to the RGB values PIL's {@code Image.open(f).convert('RGB')} gives
 * (grey, CMYK and ICC-tagged JPEGs included; EXIF orientation applied only when the spec asks),
 * resize (none, keep-ratio to a (long, short) scale as MMDetection's {@code rescale_size},
 * fixed, or YOLO's letterbox), bilinear with half-pixel centres as OpenCV's
 * {@code INTER_LINEAR}, scale pixel values to [0,1] or [0,255], normalise with mean/std unless
 * the model does it, reorder channels, and pad with zeros to the size divisor. Pure Java and
 * thread-safe, so executors run it in prefetch threads ahead of the forward pass.
 */
public final class InputPipeline {
  private final ModelSpec.InputSpec spec;

  public InputPipeline(ModelSpec.InputSpec spec) {
    this.spec = spec;
  }

  /**
   * A decoded image and the EXIF orientation (1 to 8) the pipeline applies to it: 1 unless the
   * spec asks for EXIF orientation and the JPEG has one.
   */
  public record Decoded(BufferedImage image, int orientation) {
    /** The width the model sees: the stored height for orientations that turn by 90°. */
    public int width() {
      return orientation >= 5 ? image.getHeight() : image.getWidth();
    }

    public int height() {
      return orientation >= 5 ? image.getWidth() : image.getHeight();
    }
  }

  /**
   * Decodes and prepares one encoded image.
   *
   * @param name the image's file, named in errors
   * @throws InvalidInputException when the bytes are not a readable image
   */
  public PreparedImage prepare(byte[] encoded, String name) {
    return prepare(read(encoded, name));
  }

  /** Decodes one encoded image, with the orientation this pipeline gives it. */
  public Decoded read(byte[] encoded, String name) {
    BufferedImage img = decode(encoded, name);
    return new Decoded(img, spec.exifOrientation() ? JpegMarkers.exifOrientation(encoded) : 1);
  }

  /**
   * Decodes an image file's bytes; refuses truncated or unknown data. ImageIO's JPEG reader
   * fills a truncated file with grey and only warns, so its truncation warnings are refused
   * here, as PIL refuses such files ("image file is truncated"). A JPEG's embedded ICC profile
   * is ignored, as PIL and OpenCV ignore it ({@link JpegMarkers}).
   */
  public static BufferedImage decode(byte[] encoded, String name) {
    BufferedImage img;
    try (ImageInputStream in = new MemoryCacheImageInputStream(
        new ByteArrayInputStream(JpegMarkers.withoutIccProfile(encoded)))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new InvalidInputException(name + ": not an image in a known format ("
            + encoded.length + " bytes)");
      }
      ImageReader reader = readers.next();
      List<String> truncated = new ArrayList<>();
      reader.addIIOReadWarningListener((source, warning) -> {
        String w = warning.toLowerCase(Locale.ROOT);
        if (w.contains("truncated") || w.contains("premature end")) {
          truncated.add(warning);
        }
      });
      try {
        reader.setInput(in, true, true);
        img = reader.read(0);
      } finally {
        reader.dispose();
      }
      if (!truncated.isEmpty()) {
        throw new InvalidInputException(name + ": cannot decode image: " + truncated.get(0));
      }
      if (img.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_CMYK) {
        img = CmykJpeg.toRgb(img.getRaster());
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof InvalidInputException x) {
        throw x;
      }
      throw new InvalidInputException(name + ": cannot decode image: " + e.getMessage(), e);
    }
    return img;
  }

  /** The (width, height) an image of {@code w × h} is resized to. */
  public int[] resizedSize(int w, int h) {
    int[] s = spec.scale();
    return switch (spec.resize()) {
      case NONE -> new int[] {w, h};
      case FIXED -> new int[] {s[0], s[1]};
      case LETTERBOX -> {
        double f = Math.min((double) s[0] / w, (double) s[1] / h);
        yield new int[] {Math.min((int) Math.floor(w * f + 0.5), s[0]),
            Math.min((int) Math.floor(h * f + 0.5), s[1])};
      }
      case KEEP_RATIO -> {
        double longEdge = Math.max(s[0], s[1]);
        double shortEdge = Math.min(s[0], s[1]);
        double f = Math.min(longEdge / Math.max(h, w), shortEdge / Math.min(h, w));
        yield new int[] {(int) (w * f + 0.5), (int) (h * f + 0.5)};
      }
    };
  }

  /** Prepares a decoded image as stored (no EXIF orientation). */
  public PreparedImage prepare(BufferedImage img) {
    return prepare(new Decoded(img, 1));
  }

  public PreparedImage prepare(Decoded decoded) {
    BufferedImage img = decoded.image();
    int plane = img.getWidth() * img.getHeight();
    float[] rgb = new float[3 * plane];
    // divide (not multiply by 1/255f, which differs in the last bit for half of the values):
    // torchvision's to_tensor / convert_image_dtype compute value / 255 in float
    float div = spec.pixelScale() == 255 ? 1f : 255f;
    float[] lut = new float[256];
    for (int v = 0; v < 256; v++) {
      lut[v] = v / div;
    }
    if (!interleavedBytes(img, rgb, lut)) {
      int[] argb = packedRgb(img);
      for (int i = 0; i < plane; i++) {
        int p = argb[i];
        rgb[i] = lut[(p >> 16) & 0xff];
        rgb[plane + i] = lut[(p >> 8) & 0xff];
        rgb[2 * plane + i] = lut[p & 0xff];
      }
    }
    if (decoded.orientation() != 1) {
      rgb = ExifOrientation.apply(rgb, 3, img.getHeight(), img.getWidth(),
          decoded.orientation());
    }
    int w = decoded.width();
    int h = decoded.height();
    int[] size = resizedSize(w, h);
    int rw = size[0];
    int rh = size[1];
    float[] resized = rw == w && rh == h ? rgb : Bilinear.resize(rgb, 3, h, w, rh, rw);
    boolean letterbox = spec.resize() == ModelSpec.Resize.LETTERBOX;
    int ch = letterbox ? spec.scale()[1] : rh;
    int cw = letterbox ? spec.scale()[0] : rw;
    int divisor = spec.sizeDivisor();
    int ph = divisor > 0 ? (ch + divisor - 1) / divisor * divisor : ch;
    int pw = divisor > 0 ? (cw + divisor - 1) / divisor * divisor : cw;
    int top = letterbox ? (ch - rh) / 2 : 0;
    int left = letterbox ? (cw - rw) / 2 : 0;
    float[] out = ph == rh && pw == rw && !spec.bgr() && spec.mean() == null ? resized
        : new float[3 * ph * pw];
    if (out != resized) {
      int rplane = rh * rw;
      for (int c = 0; c < 3; c++) {
        int src = spec.bgr() ? 2 - c : c;
        // mean/std are listed in the model's channel order, as in MMDetection configs
        float mean = spec.mean() == null ? 0f : (float) spec.mean()[c];
        float std = spec.std() == null ? 1f : (float) spec.std()[c];
        if (letterbox) {
          // the canvas is a pixel value, scaled and normalised like the image's pixels
          java.util.Arrays.fill(out, c * ph * pw, (c + 1) * ph * pw,
              ((float) spec.padValue() / div - mean) / std);
        }
        for (int y = 0; y < rh; y++) {
          int from = src * rplane + y * rw;
          int to = c * ph * pw + (top + y) * pw + left;
          for (int x = 0; x < rw; x++) {
            out[to + x] = (resized[from + x] - mean) / std;
          }
        }
      }
    }
    return new PreparedImage(out, ph, pw, rh, rw, h, w, top, left, null);
  }

  /**
   * The pixels as packed 0xAARRGGBB. {@code getRGB} converts grey images from their linear
   * grey colour space to sRGB (grey 64 becomes 137), unlike PIL and OpenCV, which copy the grey
   * value to R, G and B; so grey samples are read from the raster (16-bit ones rounded to 8).
   */
  /**
   * The fast path for what PNG and JPEG decoding usually gives (8-bit BGR or ABGR pixels in one
   * byte array): planes straight from the bytes, with no per-pixel colour-model calls. False
   * for any other layout.
   */
  private static boolean interleavedBytes(BufferedImage img, float[] rgb, float[] lut) {
    int type = img.getType();
    int step = type == BufferedImage.TYPE_3BYTE_BGR ? 3
        : type == BufferedImage.TYPE_4BYTE_ABGR ? 4 : 0;
    java.awt.image.WritableRaster raster = img.getRaster();
    int plane = img.getWidth() * img.getHeight();
    if (step == 0 || raster.getParent() != null
        || !(raster.getDataBuffer() instanceof java.awt.image.DataBufferByte db)
        || db.getNumBanks() != 1 || db.getData().length != plane * step) {
      return false;
    }
    byte[] px = db.getData();
    int o = step - 3; // ABGR: skip alpha, as getRGB keeps the (straight) colours
    for (int i = 0, j = 0; i < plane; i++, j += step) {
      rgb[i] = lut[px[j + o + 2] & 0xff];
      rgb[plane + i] = lut[px[j + o + 1] & 0xff];
      rgb[2 * plane + i] = lut[px[j + o] & 0xff];
    }
    return true;
  }

  static int[] packedRgb(BufferedImage img) {
    int w = img.getWidth();
    int h = img.getHeight();
    if (img.getColorModel().getColorSpace().getType() != ColorSpace.TYPE_GRAY
        || img.getColorModel() instanceof IndexColorModel) {
      return img.getRGB(0, 0, w, h, null, 0, w);
    }
    Raster raster = img.getRaster();
    int bits = img.getColorModel().getComponentSize(0);
    double toByte = 255.0 / ((1L << bits) - 1);
    int[] out = new int[w * h];
    int[] row = new int[w];
    for (int y = 0; y < h; y++) {
      raster.getSamples(0, y, w, 1, 0, row);
      for (int x = 0; x < w; x++) {
        int g = bits == 8 ? row[x] : (int) Math.round(row[x] * toByte);
        out[y * w + x] = 0xff000000 | g << 16 | g << 8 | g;
      }
    }
    return out;
  }
}
