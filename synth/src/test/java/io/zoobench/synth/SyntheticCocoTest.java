package io.zoobench.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zoobench.coco.CocoDataset;
import io.zoobench.coco.CocoJsonReader;
import io.zoobench.coco.CocoResults;
import io.zoobench.coco.Segmentation;
import io.zoobench.eval.CocoEvaluator;
import io.zoobench.eval.EvalParams;
import io.zoobench.eval.EvalResult;
import io.zoobench.mask.Rle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generator's promises: byte-identical output for equal specs whatever the thread count,
 * val2017-like statistics, files the COCO reader accepts, and plausible evaluation results.
 */
class SyntheticCocoTest {
  private static final int IMAGES = 300;
  private static final int PROPOSALS = 500;

  @TempDir static Path shared;
  private static SynthSummary summary;
  private static CocoDataset gt;

  @BeforeAll
  static void generateOnce() {
    summary = SyntheticCoco.generate(
        new SynthSpec(IMAGES, 7, true, PROPOSALS), shared.resolve("set"), 2);
    gt = CocoJsonReader.readDataset(summary.groundTruthFile());
  }

  @Test
  void sameSpecGivesIdenticalBytesWhateverTheThreadCount(@TempDir Path dir) throws IOException {
    SynthSpec spec = new SynthSpec(40, 123, true, 150);
    SynthSummary one = SyntheticCoco.generate(spec, dir.resolve("one"), 1);
    SynthSummary three = SyntheticCoco.generate(spec, dir.resolve("three"), 3);
    for (String name : List.of(SyntheticCoco.GT_FILE, SyntheticCoco.DT_FILE,
        SyntheticCoco.PROPOSALS_FILE)) {
      assertThat(Files.readAllBytes(dir.resolve("three").resolve(name)))
          .as(name)
          .isEqualTo(Files.readAllBytes(dir.resolve("one").resolve(name)));
    }
    assertThat(three).usingRecursiveComparison()
        .ignoringFields("groundTruthFile", "detectionsFile", "proposalsFile")
        .isEqualTo(one);

    SynthSummary otherSeed = SyntheticCoco.generate(
        new SynthSpec(40, 124, true, 150), dir.resolve("other"), 2);
    assertThat(Files.readAllBytes(otherSeed.groundTruthFile()))
        .isNotEqualTo(Files.readAllBytes(one.groundTruthFile()));
  }

  @Test
  void groundTruthDoesNotDependOnDetectionSettings(@TempDir Path dir) throws IOException {
    SynthSummary boxes = SyntheticCoco.generate(SynthSpec.of(30, 5), dir.resolve("a"), 2);
    SynthSummary masks = SyntheticCoco.generate(
        new SynthSpec(30, 5, true, 100, 20), dir.resolve("b"), 2);
    assertThat(Files.readAllBytes(masks.groundTruthFile()))
        .isEqualTo(Files.readAllBytes(boxes.groundTruthFile()));
    assertThat(masks.detections()).isEqualTo(30 * 20);
    assertThat(boxes.proposalsFile()).isNull();
    assertThat(dir.resolve("a").resolve(SyntheticCoco.PROPOSALS_FILE)).doesNotExist();
  }

  @Test
  void statisticsAreCocoLike() {
    assertThat(summary.images()).isEqualTo(IMAGES);
    assertThat(summary.instancesPerImage()).isBetween(6.3, 8.3);
    assertThat(summary.smallFraction()).isBetween(0.35, 0.47);
    assertThat(summary.mediumFraction()).isBetween(0.28, 0.40);
    assertThat(summary.largeFraction()).isBetween(0.19, 0.31);
    assertThat(summary.crowdFraction()).isBetween(0.003, 0.02);
    assertThat(summary.multiPartFraction()).isBetween(0.07, 0.13);
    assertThat(summary.imagesWithoutAnnotations()).isBetween(0, 12);
    assertThat(summary.categoriesWithAnnotations()).isGreaterThan(60);
    assertThat(summary.detections()).isEqualTo(IMAGES * 100L);
    assertThat(summary.proposals()).isEqualTo((long) IMAGES * PROPOSALS);
  }

  @Test
  void groundTruthIsCocoShaped() {
    assertThat(gt.imageCount()).isEqualTo(IMAGES);
    assertThat(gt.annotationCount()).isEqualTo(summary.annotations());
    assertThat(gt.categories()).hasSize(80).isEqualTo(CocoCategories.all());
    assertThat(gt.categories().get(79).id()).isEqualTo(90);

    long[] ids = gt.imageIds();
    int width640 = 0;
    for (int i = 0; i < ids.length; i++) {
      assertThat(gt.fileName(i)).isEqualTo(String.format("%012d.jpg", ids[i]));
      if (i > 0) {
        assertThat(ids[i]).isGreaterThan(ids[i - 1]);
      }
      width640 += gt.imageWidth(i) == 640 ? 1 : 0;
    }
    assertThat(ids[ids.length - 1]).isGreaterThan(3L * ids.length); // ids are sparse
    assertThat(width640).isGreaterThan(IMAGES / 2);

    Map<Long, Integer> imageIndex = new HashMap<>();
    for (int i = 0; i < ids.length; i++) {
      imageIndex.put(ids[i], i);
    }
    Set<Long> annotationIds = new HashSet<>();
    int crowd = 0;
    for (int a = 0; a < gt.annotationCount(); a++) {
      assertThat(annotationIds.add(gt.annotationId(a))).as("unique id").isTrue();
      int img = imageIndex.get(gt.annotationImageId(a));
      int h = gt.imageHeight(img);
      int w = gt.imageWidth(img);
      Segmentation seg = gt.annotationSegmentation(a);
      Rle mask = seg.toRle(h, w);
      assertThat((double) mask.area()).as("area is the rasterised mask's")
          .isEqualTo(gt.annotationArea(a)).isPositive();
      if (gt.annotationCrowd(a) == 1) {
        crowd++;
        assertThat(seg).isInstanceOf(Segmentation.UncompressedRle.class);
        assertThat(gt.annotationId(a)).isGreaterThan(Integer.MAX_VALUE);
        double[] box = mask.toBbox();
        for (int k = 0; k < 4; k++) {
          assertThat(gt.annotationBbox(a, k)).isEqualTo(box[k]);
        }
      } else {
        double[][] parts = ((Segmentation.Polygons) seg).parts();
        assertThat(parts.length).isBetween(1, 3);
        double minX = Double.MAX_VALUE;
        double minY = Double.MAX_VALUE;
        double maxX = -Double.MAX_VALUE;
        double maxY = -Double.MAX_VALUE;
        for (double[] xy : parts) {
          assertThat(xy.length / 2).isBetween(6, 20);
          for (int i = 0; i < xy.length; i += 2) {
            minX = Math.min(minX, xy[i]);
            maxX = Math.max(maxX, xy[i]);
            minY = Math.min(minY, xy[i + 1]);
            maxY = Math.max(maxY, xy[i + 1]);
          }
        }
        assertThat(gt.annotationBbox(a, 0)).isEqualTo(minX);
        assertThat(gt.annotationBbox(a, 1)).isEqualTo(minY);
        assertThat(gt.annotationBbox(a, 2)).isEqualTo(Decimals.round2(maxX - minX));
        assertThat(gt.annotationBbox(a, 3)).isEqualTo(Decimals.round2(maxY - minY));
      }
    }
    assertThat(crowd).isEqualTo(summary.crowdAnnotations());
  }

  @Test
  void everyImageHasExactlyTheAskedNumberOfDetectionsWithMasks() {
    CocoResults dt = CocoJsonReader.readResults(summary.detectionsFile(), true);
    assertThat(dt.size()).isEqualTo(IMAGES * 100);
    Map<Long, Integer> perImage = new HashMap<>();
    Set<Double> scores = new HashSet<>();
    int roundedScores = 0;
    for (int i = 0; i < dt.size(); i++) {
      perImage.merge(dt.imageId(i), 1, Integer::sum);
      assertThat(dt.hasBbox(i)).isTrue();
      assertThat(dt.hasCompressedMask(i)).isTrue();
      assertThat(dt.score(i)).isBetween(0.0, 1.0);
      scores.add(dt.score(i));
      roundedScores += dt.score(i) == Decimals.round2(dt.score(i)) ? 1 : 0;
    }
    assertThat(perImage).hasSize(IMAGES).allSatisfy((id, n) -> assertThat(n).isEqualTo(100));
    assertThat(roundedScores).isGreaterThan(dt.size() / 10);
    assertThat(scores.size()).as("score ties").isLessThan(dt.size() * 9 / 10);
  }

  @Test
  void boxMaskAndProposalEvaluationGivePlausibleNumbers() {
    CocoResults dt = CocoJsonReader.readResults(summary.detectionsFile(), true);
    EvalResult bbox = new CocoEvaluator(EvalParams.of(EvalParams.IouType.BBOX), 2)
        .evaluate(gt, dt);
    EvalResult segm = new CocoEvaluator(EvalParams.of(EvalParams.IouType.SEGM), 2)
        .evaluate(gt, dt);
    EvalResult segmMaskArea = new CocoEvaluator(EvalParams.of(EvalParams.IouType.SEGM)
        .withDetArea(EvalParams.DetArea.MASK), 2).evaluate(gt, dt);
    CocoResults proposals = CocoJsonReader.readResults(summary.proposalsFile(), false);
    EvalResult ar = new CocoEvaluator(EvalParams.proposals(), 2).evaluate(gt, proposals);

    double[] b = bbox.stats();
    assertThat(b[0]).as("bbox AP").isBetween(0.2, 0.95);
    assertThat(b[1]).as("bbox AP50").isGreaterThan(b[0]);
    assertThat(b[3]).as("bbox APs").isLessThan(b[5]);
    assertThat(b[8]).as("bbox AR100").isBetween(0.3, 0.95);
    double[] s = segm.stats();
    assertThat(s[0]).as("segm AP").isBetween(0.15, 0.9);
    assertThat(segmMaskArea.stats()[0]).isEqualTo(s[0]); // area only changes the size bins
    double[] p = ar.stats();
    assertThat(p[6]).as("AR@100").isBetween(0.2, 0.9);
    assertThat(p[8]).as("AR@1000 (500 proposals)").isGreaterThan(p[6]).isLessThan(0.99);
  }

  @Test
  void rejectsNegativeCounts() {
    assertThatThrownBy(() -> new SynthSpec(-1, 0, false, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SynthSpec(1, 0, false, -1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SynthSpec(1, 0, false, 0, -1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void zeroImagesWriteValidEmptyFiles(@TempDir Path dir) {
    SynthSummary empty = SyntheticCoco.generate(new SynthSpec(0, 1, true, 10), dir, 2);
    assertThat(empty.annotations()).isZero();
    assertThat(CocoJsonReader.readDataset(empty.groundTruthFile()).categories()).hasSize(80);
    assertThat(CocoJsonReader.readResults(empty.detectionsFile(), true).size()).isZero();
  }
}
