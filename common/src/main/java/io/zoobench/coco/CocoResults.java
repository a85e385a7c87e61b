package io.zoobench.coco;

import java.util.BitSet;
import java.util.Map;

/**
 * A COCO results list (detections or proposals) held column-wise, in file order: image id,
 * category id, box, score and mask per detection, with every compressed mask string kept as
 * ASCII bytes in one arena. 500k detections with masks take about the size of their json.
 *
 * <p>A missing box is NaN (and {@link #emptyBbox} tells a {@code "bbox": []} apart); a
 * detection without a compressed mask has mask height −1. Masks given as uncompressed runs are
 * re-encoded to compressed strings when read ({@link #maskFormat} keeps what the file had);
 * polygon masks (rare in results, but pycocotools accepts them in its box branch) are kept
 * aside in {@link #polygonMask(int)}. Read one with {@link CocoJsonReader#readResults}.
 */
public final class CocoResults {
  private final String source;
  private final int size;
  private final long[] imageIds;
  private final long[] categoryIds;
  private final double[] bboxes;
  private final double[] scores;
  private final int[] maskHeights;
  private final int[] maskWidths;
  private final int[] maskStarts;
  private final int[] maskLengths;
  private final byte[] maskArena;
  private final Map<Integer, Segmentation.Polygons> polygonMasks;
  private final BitSet uncompressedMasks;
  private final BitSet emptyBboxes;

  /**
   * Takes ownership of the arrays; arrays may be longer than {@code size}.
   *
   * @param uncompressedMasks results whose compressed mask was an uncompressed RLE in the file
   * @param emptyBboxes results whose file record had {@code "bbox": []}
   */
  public CocoResults(
      String source, int size, long[] imageIds, long[] categoryIds, double[] bboxes,
      double[] scores, int[] maskHeights, int[] maskWidths, int[] maskStarts, int[] maskLengths,
      byte[] maskArena, Map<Integer, Segmentation.Polygons> polygonMasks,
      BitSet uncompressedMasks, BitSet emptyBboxes) {
    this.source = source;
    this.size = size;
    this.imageIds = imageIds;
    this.categoryIds = categoryIds;
    this.bboxes = bboxes;
    this.scores = scores;
    this.maskHeights = maskHeights;
    this.maskWidths = maskWidths;
    this.maskStarts = maskStarts;
    this.maskLengths = maskLengths;
    this.maskArena = maskArena;
    this.polygonMasks = Map.copyOf(polygonMasks);
    this.uncompressedMasks = (BitSet) uncompressedMasks.clone();
    this.emptyBboxes = (BitSet) emptyBboxes.clone();
  }

  /** A results list without detections. */
  public static CocoResults empty(String source) {
    return new CocoResults(source, 0, new long[0], new long[0], new double[0], new double[0],
        new int[0], new int[0], new int[0], new int[0], new byte[0], Map.of(), new BitSet(),
        new BitSet());
  }

  public String source() {
    return source;
  }

  /** Number of detections. */
  public int size() {
    return size;
  }

  public long imageId(int i) {
    return imageIds[i];
  }

  public long categoryId(int i) {
    return categoryIds[i];
  }

  /** The score; NaN when the record has none (pycocotools reads it only if evaluated). */
  public double score(int i) {
    return scores[i];
  }

  /** Whether detection {@code i} carries a (non-empty) bbox. */
  public boolean hasBbox(int i) {
    return !Double.isNaN(bboxes[i * 4]);
  }

  /** Box component {@code k} (x, y, w, h); NaN when missing. */
  public double bbox(int i, int k) {
    return bboxes[i * 4 + k];
  }

  /** Whether detection {@code i}'s record had an empty box ({@code "bbox": []}). */
  public boolean emptyBbox(int i) {
    return emptyBboxes.get(i);
  }

  /** How detection {@code i}'s mask was written in the file. */
  public MaskFormat maskFormat(int i) {
    if (maskHeights[i] >= 0) {
      return uncompressedMasks.get(i) ? MaskFormat.UNCOMPRESSED_RLE : MaskFormat.COMPRESSED_RLE;
    }
    return polygonMasks.containsKey(i) ? MaskFormat.POLYGONS : MaskFormat.NONE;
  }

  /** Whether detection {@code i} has any mask (compressed RLE or polygons). */
  public boolean hasMask(int i) {
    return maskHeights[i] >= 0 || polygonMasks.containsKey(i);
  }

  /** Whether detection {@code i} has a compressed RLE mask in the arena. */
  public boolean hasCompressedMask(int i) {
    return maskHeights[i] >= 0;
  }

  public int maskHeight(int i) {
    return maskHeights[i];
  }

  public int maskWidth(int i) {
    return maskWidths[i];
  }

  /** Start of detection {@code i}'s compressed counts in {@link #maskArena()}. */
  public int maskStart(int i) {
    return maskStarts[i];
  }

  public int maskLength(int i) {
    return maskLengths[i];
  }

  /** The shared arena of compressed counts strings; never modify it. */
  public byte[] maskArena() {
    return maskArena;
  }

  /** The polygon mask of detection {@code i}, or {@code null}. */
  public Segmentation.Polygons polygonMask(int i) {
    return polygonMasks.get(i);
  }

  @Override
  public String toString() {
    return "CocoResults[" + source + ": " + size + " detections]";
  }
}
