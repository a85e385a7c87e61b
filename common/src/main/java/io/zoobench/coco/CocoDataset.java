package io.zoobench.coco;

import java.util.Arrays;
import java.util.List;

/**
 * A COCO instances file held column-wise: images, categories and annotations as parallel
 * primitive arrays (val2017 has 36k annotations; train2017 860k), in file order.
 *
 * <p>Values are kept as written; pycocotools' rules (GT {@code area} taken from the file,
 * {@code ignore = iscrowd}, polygons rasterised at the image size) are applied by the
 * evaluator. Fields a file may omit are marked: {@code NaN} for a missing {@code area} or
 * {@code bbox}, −1 for a missing {@code iscrowd} or image size, {@code null} for a missing
 * segmentation. Read one with {@link CocoJsonReader#readDataset}.
 */
public final class CocoDataset {
  /** One category of the {@code categories} list. */
  public record Category(long id, String name, String supercategory) {}

  private final String source;
  private final long[] imageIds;
  private final int[] imageWidths;
  private final int[] imageHeights;
  private final String[] fileNames;
  private final List<Category> categories;
  private final long[] annIds;
  private final long[] annImageIds;
  private final long[] annCategoryIds;
  private final double[] annBboxes;
  private final double[] annAreas;
  private final byte[] annCrowd;
  private final Segmentation[] annSegmentations;

  /** Takes ownership of the arrays; {@code annBboxes} holds 4 values per annotation. */
  public CocoDataset(
      String source,
      long[] imageIds, int[] imageWidths, int[] imageHeights, String[] fileNames,
      List<Category> categories,
      long[] annIds, long[] annImageIds, long[] annCategoryIds, double[] annBboxes,
      double[] annAreas, byte[] annCrowd, Segmentation[] annSegmentations) {
    this.source = source;
    this.imageIds = imageIds;
    this.imageWidths = imageWidths;
    this.imageHeights = imageHeights;
    this.fileNames = fileNames;
    this.categories = List.copyOf(categories);
    this.annIds = annIds;
    this.annImageIds = annImageIds;
    this.annCategoryIds = annCategoryIds;
    this.annBboxes = annBboxes;
    this.annAreas = annAreas;
    this.annCrowd = annCrowd;
    this.annSegmentations = annSegmentations;
  }

  /** Where the data came from, for messages. */
  public String source() {
    return source;
  }

  public int imageCount() {
    return imageIds.length;
  }

  public long imageId(int i) {
    return imageIds[i];
  }

  /** Image width, −1 when the file does not give it. */
  public int imageWidth(int i) {
    return imageWidths[i];
  }

  /** Image height, −1 when the file does not give it. */
  public int imageHeight(int i) {
    return imageHeights[i];
  }

  /** {@code file_name}, or {@code null}. */
  public String fileName(int i) {
    return fileNames[i];
  }

  public List<Category> categories() {
    return categories;
  }

  public int annotationCount() {
    return annIds.length;
  }

  public long annotationId(int a) {
    return annIds[a];
  }

  public long annotationImageId(int a) {
    return annImageIds[a];
  }

  public long annotationCategoryId(int a) {
    return annCategoryIds[a];
  }

  /** Box component {@code k} (0..3 for x, y, w, h); NaN when the annotation has no bbox. */
  public double annotationBbox(int a, int k) {
    return annBboxes[a * 4 + k];
  }

  /** {@code area} as written, NaN when missing. */
  public double annotationArea(int a) {
    return annAreas[a];
  }

  /** {@code iscrowd}: 0, 1 (any non-zero value is a crowd), or −1 when missing. */
  public int annotationCrowd(int a) {
    return annCrowd[a];
  }

  /** The segmentation, or {@code null}. */
  public Segmentation annotationSegmentation(int a) {
    return annSegmentations[a];
  }

  /** A copy of all image ids in file order. */
  public long[] imageIds() {
    return imageIds.clone();
  }

  @Override
  public String toString() {
    return "CocoDataset[" + source + ": " + imageIds.length + " images, " + categories.size()
        + " categories, " + annIds.length + " annotations]";
  }

  /** Image ids sorted and de-duplicated, as pycocotools' {@code p.imgIds}. */
  public long[] sortedImageIds() {
    long[] ids = imageIds.clone();
    Arrays.sort(ids);
    return ids;
  }
}
