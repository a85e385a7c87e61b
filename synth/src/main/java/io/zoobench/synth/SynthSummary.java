package io.zoobench.synth;

import java.nio.file.Path;

/**
 * What {@link SyntheticCoco#generate} wrote: the files and the counts behind the COCO-like
 * statistics (instances per image, object size mix, crowd and multi-part shares), so callers
 * and tests can check the data without parsing it again.
 *
 * <p>Size classes use the ground-truth {@code area} field like COCO evaluation: small below
 * 32² = 1024 pixels, medium below 96² = 9216, large from there on; crowd regions included.
 *
 * @param images images written
 * @param imagesWithoutAnnotations images with no ground-truth object at all
 * @param annotations ground-truth annotations, crowd regions included
 * @param crowdAnnotations annotations with {@code iscrowd = 1}
 * @param multiPartAnnotations non-crowd annotations made of more than one polygon
 * @param smallAnnotations annotations with area below 1024
 * @param mediumAnnotations annotations with area in [1024, 9216)
 * @param largeAnnotations annotations with area 9216 or more
 * @param categoriesWithAnnotations categories (of 80) that have at least one annotation
 * @param detections records in {@code dt.json}
 * @param proposals records in {@code proposals.json}
 * @param groundTruthFile {@code gt.json}
 * @param detectionsFile {@code dt.json}
 * @param proposalsFile {@code proposals.json}, or null when none was asked for
 */
public record SynthSummary(
    int images,
    int imagesWithoutAnnotations,
    long annotations,
    long crowdAnnotations,
    long multiPartAnnotations,
    long smallAnnotations,
    long mediumAnnotations,
    long largeAnnotations,
    int categoriesWithAnnotations,
    long detections,
    long proposals,
    Path groundTruthFile,
    Path detectionsFile,
    Path proposalsFile) {

  /** Mean annotations per image (0 without images). */
  public double instancesPerImage() {
    return images == 0 ? 0 : (double) annotations / images;
  }

  public double smallFraction() {
    return fraction(smallAnnotations, annotations);
  }

  public double mediumFraction() {
    return fraction(mediumAnnotations, annotations);
  }

  public double largeFraction() {
    return fraction(largeAnnotations, annotations);
  }

  public double crowdFraction() {
    return fraction(crowdAnnotations, annotations);
  }

  /** Share of multi-polygon objects among the non-crowd annotations. */
  public double multiPartFraction() {
    return fraction(multiPartAnnotations, annotations - crowdAnnotations);
  }

  private static double fraction(long part, long whole) {
    return whole == 0 ? 0 : (double) part / whole;
  }

  @Override
  public String toString() {
    return String.format(java.util.Locale.ROOT,
        "%d images (%d without objects), %d annotations (%.2f/image; small %.3f, medium %.3f,"
            + " large %.3f; crowd %.4f; multi-part %.3f; %d categories), %d detections,"
            + " %d proposals",
        images, imagesWithoutAnnotations, annotations, instancesPerImage(), smallFraction(),
        mediumFraction(), largeFraction(), crowdFraction(), multiPartFraction(),
        categoriesWithAnnotations, detections, proposals);
  }
}
