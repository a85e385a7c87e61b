package io.zoobench.synth;

import java.util.SplittableRandom;

/**
 * The catalog entry of one synthetic image: its COCO id, size, license, number of objects and
 * the id of its first annotation.
 *
 * <p>The catalog is drawn sequentially from one stream of the seed before any content, because
 * ids must increase across images while the contents are generated in parallel; everything
 * else about an image is drawn from its own stream in {@link ImageSynthesizer}.
 */
record ImagePlan(
    int index, long id, int width, int height, int license, int instances, long firstAnnotationId) {

  /** Catalog stream index: the per-image streams use non-negative indices. */
  private static final long CATALOG_STREAM = -1;

  /** Share of images with no annotation at all (val2017: 48 of 5,000). */
  private static final double EMPTY_IMAGE_SHARE = 0.01;

  /** Mean of the geometric tail added to one object: 1% empty images, 7.3 objects/image. */
  private static final double EXTRA_INSTANCES_MEAN = 6.4;

  private static final int MAX_INSTANCES = 60;

  /** Mean id step between consecutive images: val2017 spreads 5,000 ids over 1..581,781. */
  private static final int MEAN_IMAGE_ID_STEP = 116;

  /** The common COCO image sizes (width, height) with rough frequencies. */
  private static final int[][] SIZES = {
    {640, 480}, {640, 427}, {480, 640}, {640, 426}, {427, 640}, {640, 428}, {640, 425},
    {612, 612}, {500, 375}, {640, 360}, {375, 500}, {640, 429}, {424, 640}, {640, 424},
    {640, 512}, {640, 640},
  };
  private static final double[] SIZE_WEIGHTS = SynthRandom.cumulative(new double[] {
    30, 20, 7, 6, 5, 4, 3, 3, 3, 3, 2, 2, 1.5, 1.5, 1, 1,
  });

  /** Share of images with a less common size: 640 on the long side, the other side random. */
  private static final double ODD_SIZE_SHARE = 0.1;

  static ImagePlan[] catalog(SynthSpec spec) {
    SplittableRandom rng = new SplittableRandom(SynthRandom.mix(spec.seed(), CATALOG_STREAM));
    ImagePlan[] plans = new ImagePlan[spec.images()];
    long imageId = 0;
    long nextAnnotationId = 1 + rng.nextInt(2000);
    for (int i = 0; i < plans.length; i++) {
      imageId += 1 + rng.nextInt(2 * MEAN_IMAGE_ID_STEP - 1);
      int width;
      int height;
      if (SynthRandom.chance(rng, ODD_SIZE_SHARE)) {
        int shortSide = 240 + rng.nextInt(401);
        boolean landscape = SynthRandom.chance(rng, 0.8);
        width = landscape ? 640 : shortSide;
        height = landscape ? shortSide : 640;
      } else {
        int[] wh = SIZES[SynthRandom.pick(rng, SIZE_WEIGHTS)];
        width = wh[0];
        height = wh[1];
      }
      int license = 1 + rng.nextInt(8);
      int instances = SynthRandom.chance(rng, EMPTY_IMAGE_SHARE)
          ? 0
          : Math.min(MAX_INSTANCES, 1 + SynthRandom.geometric(rng, EXTRA_INSTANCES_MEAN));
      plans[i] = new ImagePlan(i, imageId, width, height, license, instances, nextAnnotationId);
      // gaps between images' id blocks, so annotation ids are not contiguous either
      nextAnnotationId += instances + rng.nextInt(200);
    }
    return plans;
  }

  String fileName() {
    return String.format(java.util.Locale.ROOT, "%012d.jpg", id);
  }
}
