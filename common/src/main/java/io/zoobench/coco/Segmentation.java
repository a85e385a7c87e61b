package io.zoobench.coco;

import io.zoobench.mask.Rle;
import java.io.Serializable;
import java.util.Arrays;

/**
 * One COCO segmentation as written in a json file: polygons, a compressed RLE or an
 * uncompressed RLE. {@link #toRle(int, int)} turns any of them into a mask the way
 * pycocotools' {@code annToRLE} does: polygons are rasterised at the image size and merged,
 * RLEs keep their own size.
 */
public sealed interface Segmentation extends Serializable {

  /** The mask, rasterising polygons in an image of {@code imageHeight × imageWidth}. */
  Rle toRle(int imageHeight, int imageWidth);

  /** One or more polygons {@code [x0, y0, x1, y1, ...]} forming one object. */
  record Polygons(double[][] parts) implements Segmentation {
    @Override
    public Rle toRle(int imageHeight, int imageWidth) {
      return Rle.fromPolygons(parts, imageHeight, imageWidth);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Polygons p && Arrays.deepEquals(parts, p.parts);
    }

    @Override
    public int hashCode() {
      return Arrays.deepHashCode(parts);
    }

    @Override
    public String toString() {
      return "Polygons" + Arrays.deepToString(parts);
    }
  }

  /** {@code {"size": [h, w], "counts": "<compressed string>"}}; counts held as ASCII bytes. */
  record CompressedRle(int height, int width, byte[] counts) implements Segmentation {
    @Override
    public Rle toRle(int imageHeight, int imageWidth) {
      return Rle.fromCompressed(counts, 0, counts.length, height, width);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof CompressedRle r
          && r.height == height
          && r.width == width
          && Arrays.equals(r.counts, counts);
    }

    @Override
    public int hashCode() {
      return 31 * (31 * height + width) + Arrays.hashCode(counts);
    }

    @Override
    public String toString() {
      return "CompressedRle[" + height + "x" + width + ", " + counts.length + " chars]";
    }
  }

  /** {@code {"size": [h, w], "counts": [runs...]}}: column-major runs, background first. */
  record UncompressedRle(int height, int width, int[] counts) implements Segmentation {
    @Override
    public Rle toRle(int imageHeight, int imageWidth) {
      return Rle.of(height, width, counts);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof UncompressedRle r
          && r.height == height
          && r.width == width
          && Arrays.equals(r.counts, counts);
    }

    @Override
    public int hashCode() {
      return 31 * (31 * height + width) + Arrays.hashCode(counts);
    }

    @Override
    public String toString() {
      return "UncompressedRle[" + height + "x" + width + ", " + counts.length + " runs]";
    }
  }
}
