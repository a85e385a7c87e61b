package io.zoobench.coco;

/**
 * How a result's {@code segmentation} was written in its file. pycocotools accepts each format
 * in some places only (its {@code loadRes} computes mask areas from compressed RLE alone), so
 * the evaluation needs to know the original format even after zoobench re-encodes a mask.
 */
public enum MaskFormat {
  /** No {@code segmentation} (or {@code null}). */
  NONE,
  /** {@code {"size": [h, w], "counts": "<string>"}}. */
  COMPRESSED_RLE,
  /** {@code {"size": [h, w], "counts": [runs...]}}; zoobench keeps it re-encoded. */
  UNCOMPRESSED_RLE,
  /** {@code [[x0, y0, x1, y1, ...], ...]}. */
  POLYGONS;

  /** How messages name the format. */
  public String describe() {
    return switch (this) {
      case NONE -> "no segmentation";
      case COMPRESSED_RLE -> "a compressed RLE";
      case UNCOMPRESSED_RLE -> "an uncompressed RLE (counts as a list)";
      case POLYGONS -> "polygons";
    };
  }
}
