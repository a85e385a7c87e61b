package io.zoobench.jobs.tables;

/**
 * A row of {@code predictions}: one detection in COCO results form. {@code bbox} is x, y, w, h
 * in doubles (null without a box; empty when the results file said {@code []}), {@code score}
 * null only for a result of a category the ground truth lacks that had none, {@code
 * segmentation} a compressed RLE (null for boxes). {@code detIndex} breaks score ties: the
 * position in the results file ({@code import}), or the image's position in id order ×
 * max_detections + rank ({@code evaluate}), the same whatever the sharding.
 */
public record PredictionRow(String runId, long imageId, long categoryId, double[] bbox,
    Double score, Mask segmentation, long detIndex) implements java.io.Serializable {

  public static final TableSchema<PredictionRow> TABLE =
      TableSchema.of("predictions", PredictionRow.class);

  /** A compressed COCO RLE: {@code size} [h, w] and the {@code counts} string. */
  public record Mask(int[] size, String counts) implements java.io.Serializable {}
}
