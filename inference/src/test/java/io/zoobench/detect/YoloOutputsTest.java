package io.zoobench.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.zoobench.zoo.ModelSpec;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * YOLO post-processing on hand-made outputs: thresholds on objectness and on objectness ×
 * class score (strictly above), corners from centre and size, class-wise NMS, the descending
 * score order and the detection limit. Expected values are worked out in the comments.
 */
class YoloOutputsTest {
  private static final YoloOutputs YOLO = new YoloOutputs();

  private static ModelSpec spec(int maxDetections) {
    ModelSpec.InputSpec in = new ModelSpec.InputSpec(ModelSpec.Resize.LETTERBOX,
        new int[] {64, 64}, 0, null, null, false, 1, true, 114, false);
    return new ModelSpec("y", "YOLO", "YOLOv5", "n", "", "", "y.pt", in, "yolo",
        Map.of(0L, 1L, 1L, 3L), 0.001, maxDetections, 0.5, 0.65, 1, null, Map.of(), "y.yaml");
  }

  /** Rows of x, y, w, h, objectness, class 0 score, class 1 score. */
  private static final float[] OUTPUT = {
      10, 10, 10, 10, 0.9f, 0.8f, 0.0005f, // r0: c0 0.72; c1 0.00045 is below 0.001
      11, 10, 10, 10, 0.9f, 0.9f, 0.5f, //    r1: c0 0.81, c1 0.45
      30, 30, 10, 10, 0.0005f, 1f, 1f, //     r2: objectness below the threshold
      40, 40, 8, 6, 0.5f, 0.002f, 0.6f, //    r3: c0 0.5 * 0.002 = 0.001 is not above it; c1 0.3
  };

  @Test
  void candidatesAreRowClassPairsAboveTheThresholdInRowMajorOrder() {
    RawDetections c = YoloOutputs.candidates(OUTPUT, 0, 4, 2, 0.001f);

    assertThat(c.labels()).containsExactly(0, 0, 1, 1);
    assertThat(c.scores()).containsExactly(0.8f * 0.9f, 0.9f * 0.9f, 0.5f * 0.9f, 0.6f * 0.5f);
    assertThat(c.boxes()).startsWith(5, 5, 15, 15, 6, 5, 16, 15, 6, 5, 16, 15);
    assertThat(java.util.Arrays.copyOfRange(c.boxes(), 12, 16)).containsExactly(36, 37, 44, 43);
    assertThat(c.masks()).isNull();
  }

  @Test
  void nmsIsPerClassAndTheSurvivorsComeByDescendingScore() {
    RawDetections c = YoloOutputs.candidates(OUTPUT, 0, 4, 2, 0.001f);

    // class 0: r1 (0.81) suppresses r0 (0.72): intersection 9 x 10 = 90, union 110, IoU 0.82;
    // class 1: r1 (0.45) and r3 (0.3) do not overlap; r1's class-1 box equals its class-0 box
    // but other classes never suppress each other
    RawDetections kept = YOLO.select(c, spec(300));

    assertThat(kept.scores()).containsExactly(0.9f * 0.9f, 0.5f * 0.9f, 0.6f * 0.5f);
    assertThat(kept.labels()).containsExactly(0, 1, 1);
    assertThat(kept.boxes()).containsExactly(6, 5, 16, 15, 6, 5, 16, 15, 36, 37, 44, 43);

    assertThat(YOLO.select(c, spec(2)).labels()).as("max_detections").containsExactly(0, 1);
  }

  @Test
  void anIouAtTheThresholdIsKeptAndEqualScoresKeepCandidateOrder() {
    // two class-0 boxes of equal score: [0,0,10,10] and [0,0,10,20] overlap by 100 of 200
    // (IoU 0.5); at nms_iou 0.5 the second is kept (only IoU above the threshold suppresses)
    float[] out = {
        5, 5, 10, 10, 1f, 0.5f, 0,
        5, 10, 10, 20, 1f, 0.5f, 0,
        5, 5, 10, 10, 1f, 0.5f, 0, // the same box as the first: suppressed by it
    };
    RawDetections c = YoloOutputs.candidates(out, 0, 3, 2, 0.001f);
    ModelSpec half = spec(300);
    half = new ModelSpec(half.name(), half.family(), half.arch(), half.backbone(), half.style(),
        half.lrSchedule(), half.artifact(), half.input(), half.output(), half.labels(),
        half.scoreThreshold(), 300, 0.5, 0.5, 1, null, Map.of(), "y.yaml");

    RawDetections kept = YOLO.select(c, half);

    assertThat(kept.boxes()).containsExactly(0, 0, 10, 10, 0, 0, 10, 20);
  }

  @Test
  void aSecondImageIsReadFromItsOffset() {
    float[] two = new float[2 * OUTPUT.length];
    System.arraycopy(OUTPUT, 0, two, OUTPUT.length, OUTPUT.length);

    assertThat(YoloOutputs.candidates(two, 0, 4, 2, 0.001f).size()).isZero();
    assertThat(YoloOutputs.candidates(two, OUTPUT.length, 4, 2, 0.001f).size()).isEqualTo(4);
  }
}
