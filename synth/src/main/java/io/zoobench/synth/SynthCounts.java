package io.zoobench.synth;

/**
 * Mutable tallies of what a batch of images produced, summed in image order into a
 * {@link SynthSummary}.
 */
final class SynthCounts {
  static final long SMALL_AREA = 32 * 32;
  static final long MEDIUM_AREA = 96 * 96;

  int images;
  int imagesWithoutAnnotations;
  long annotations;
  long crowd;
  long multiPart;
  long small;
  long medium;
  long large;
  long detections;
  long proposals;
  final boolean[] categoriesSeen = new boolean[CocoCategories.count()];

  void countAnnotation(int categoryIndex, long area, boolean isCrowd, int parts) {
    annotations++;
    categoriesSeen[categoryIndex] = true;
    if (isCrowd) {
      crowd++;
    } else if (parts > 1) {
      multiPart++;
    }
    if (area < SMALL_AREA) {
      small++;
    } else if (area < MEDIUM_AREA) {
      medium++;
    } else {
      large++;
    }
  }

  void add(SynthCounts o) {
    images += o.images;
    imagesWithoutAnnotations += o.imagesWithoutAnnotations;
    annotations += o.annotations;
    crowd += o.crowd;
    multiPart += o.multiPart;
    small += o.small;
    medium += o.medium;
    large += o.large;
    detections += o.detections;
    proposals += o.proposals;
    for (int k = 0; k < categoriesSeen.length; k++) {
      categoriesSeen[k] |= o.categoriesSeen[k];
    }
  }

  int categoriesWithAnnotations() {
    int n = 0;
    for (boolean seen : categoriesSeen) {
      n += seen ? 1 : 0;
    }
    return n;
  }
}
