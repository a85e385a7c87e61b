package io.zoobench.synth;

/**
 * What {@link SyntheticCoco} should generate: how many images, from which seed, whether
 * detections carry masks, and how many detections and class-agnostic proposals each image gets.
 *
 * <p>The spec is the whole input of the generator: equal specs give byte-identical files. The
 * ground truth depends only on {@code images} and {@code seed}; detections additionally on
 * {@code detectionsPerImage} (masks only add a field), proposals on {@code proposalsPerImage}.
 *
 * @param images number of images (val2017 has 5,000)
 * @param seed any value; the same seed gives the same data
 * @param masks whether every detection carries a compressed-RLE {@code segmentation}
 * @param proposalsPerImage proposals per image in {@code proposals.json}; 0 writes no file
 * @param detectionsPerImage detections per image in {@code dt.json} (default 100)
 */
public record SynthSpec(
    int images, long seed, boolean masks, int proposalsPerImage, int detectionsPerImage) {

  /** Detections per image of a typical COCO detector run (detectron2's default top-k). */
  public static final int DEFAULT_DETECTIONS_PER_IMAGE = 100;

  public SynthSpec {
    if (images < 0) {
      throw new IllegalArgumentException("images must be >= 0, got " + images);
    }
    if (proposalsPerImage < 0) {
      throw new IllegalArgumentException(
          "proposalsPerImage must be >= 0, got " + proposalsPerImage);
    }
    if (detectionsPerImage < 0) {
      throw new IllegalArgumentException(
          "detectionsPerImage must be >= 0, got " + detectionsPerImage);
    }
  }

  /** A spec with {@value #DEFAULT_DETECTIONS_PER_IMAGE} detections per image. */
  public SynthSpec(int images, long seed, boolean masks, int proposalsPerImage) {
    this(images, seed, masks, proposalsPerImage, DEFAULT_DETECTIONS_PER_IMAGE);
  }

  /** Boxes only, no proposals, {@value #DEFAULT_DETECTIONS_PER_IMAGE} detections per image. */
  public static SynthSpec of(int images, long seed) {
    return new SynthSpec(images, seed, false, 0);
  }

  public SynthSpec withMasks(boolean withMasks) {
    return new SynthSpec(images, seed, withMasks, proposalsPerImage, detectionsPerImage);
  }

  public SynthSpec withProposalsPerImage(int proposals) {
    return new SynthSpec(images, seed, masks, proposals, detectionsPerImage);
  }

  public SynthSpec withDetectionsPerImage(int detections) {
    return new SynthSpec(images, seed, masks, proposalsPerImage, detections);
  }
}
