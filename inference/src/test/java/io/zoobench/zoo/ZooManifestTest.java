package io.zoobench.zoo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.zoobench.coco.InvalidInputException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Reading, defaults, artifact paths, {@code FILE#NAME} references and refused manifests. */
class ZooManifestTest {
  @TempDir
  Path dir;

  /** A torchvision model (mostly defaults) and a fully specified MMDeploy tensors model. */
  private static final String TWO_MODELS = """
      models:
        - name: tv-frcnn
          arch: faster_rcnn
          backbone: r50_fpn
          artifact: models/tv.pt
          output: torchvision
          labels: {1: 1, 2: 2, 3: 3}
          input:
            resize: none
            normalized_by_model: true
        - name: mm_retina.v2
          arch: retinanet
          backbone: r50
          style: pytorch
          lr_schedule: 1x
          artifact: s3a://bucket/zoo/retina.pt
          output: tensors
          labels: {0: 1, 1: 3, 2: 18}
          score_threshold: 0.3
          max_detections: 300
          mask_threshold: 0.4
          batch_size: 4
          input:
            resize: keep_ratio
            scale: [1333, 800]
            size_divisor: 32
            mean: [103.53, 116.28, 123.675]
            std: [57.375, 57.12, 58.395]
            channels: BGR
            pixel_scale: 255
          reference: {box_ap: 0.5}
      """;

  /** One valid model; the bad cases below edit one thing in it. */
  private static final String ONE_MODEL = """
      models:
        - name: tiny
          arch: mask_rcnn
          backbone: r50
          artifact: tiny.pt
          output: tensors
          labels: {0: 1, 1: 2}
          input:
            resize: keep_ratio
            scale: [1333, 800]
            size_divisor: 32
            mean: [1, 2, 3]
            std: [4, 5, 6]
            channels: RGB
            pixel_scale: 255
      """;

  private Path write(String name, String yaml) {
    try {
      Files.createDirectories(dir.resolve(name).getParent());
      return Files.writeString(dir.resolve(name), yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String oneModelWith(String from, String to) {
    assertThat(ONE_MODEL).as("test setup: base manifest holds %s", from).contains(from);
    return ONE_MODEL.replace(from, to);
  }

  @Test
  void aFastRcnnNamesWhereItsProposalsComeFromAndHowMany() {
    Path file = write("zoo.yaml", oneModelWith("output: tensors", "output: torchvision\n"
        + "    proposals: {from_model: rpn_r50_fpn_1x, top_k: 300}")
        + oneModelWith("output: tensors", "output: torchvision\n    proposals: {run_id: r-7}")
            .replace("models:\n", "").replace("name: tiny", "name: fixed-run")
        + oneModelWith("output: tensors", "output: torchvision\n    proposals: {}")
            .replace("models:\n", "").replace("name: tiny", "name: open"));

    List<ModelSpec> models = ZooManifest.read(file).models();

    assertThat(models.get(0).proposals()).isEqualTo(
        new ModelSpec.ProposalInput("rpn_r50_fpn_1x", null, 300));
    assertThat(models.get(1).proposals()).isEqualTo(new ModelSpec.ProposalInput(null, "r-7",
        ModelSpec.ProposalInput.DEFAULT_TOP_K));
    assertThat(models.get(2).proposals()).isEqualTo(new ModelSpec.ProposalInput(null, null,
        1000));
    assertThat(ZooManifest.read(write("plain.yaml", ONE_MODEL)).models().get(0).proposals())
        .isNull();
  }

  @Test
  void readsEveryFieldOfTwoModels() {
    Path file = write("zoo.yaml", TWO_MODELS);

    ZooManifest zoo = ZooManifest.read(file);

    assertThat(zoo.file()).isEqualTo(file);
    assertThat(zoo.models()).extracting(ModelSpec::name)
        .containsExactly("tv-frcnn", "mm_retina.v2");

    ModelSpec tv = zoo.models().get(0);
    assertThat(tv.arch()).isEqualTo("faster_rcnn");
    assertThat(tv.backbone()).isEqualTo("r50_fpn");
    assertThat(tv.style()).isEmpty();
    assertThat(tv.lrSchedule()).isEmpty();
    assertThat(tv.output()).isEqualTo("torchvision");
    assertThat(tv.labels()).containsExactlyInAnyOrderEntriesOf(Map.of(1L, 1L, 2L, 2L, 3L, 3L));
    assertThat(tv.reference()).isEmpty();
    assertThat(tv.source()).isEqualTo("zoo.yaml");
    ModelSpec.InputSpec tvIn = tv.input();
    assertThat(tvIn.resize()).isEqualTo(ModelSpec.Resize.NONE);
    assertThat(tvIn.scale()).isNull();
    assertThat(tvIn.sizeDivisor()).isZero();
    assertThat(tvIn.normalizedByModel()).isTrue();
    assertThat(tvIn.mean()).isNull();
    assertThat(tvIn.std()).isNull();
    assertThat(tvIn.bgr()).isFalse();
    assertThat(tvIn.pixelScale()).isEqualTo(1.0);

    ModelSpec mm = zoo.models().get(1);
    assertThat(mm.arch()).isEqualTo("retinanet");
    assertThat(mm.backbone()).isEqualTo("r50");
    assertThat(mm.style()).isEqualTo("pytorch");
    assertThat(mm.lrSchedule()).isEqualTo("1x");
    assertThat(mm.artifact()).isEqualTo("s3a://bucket/zoo/retina.pt");
    assertThat(mm.output()).isEqualTo("tensors");
    assertThat(mm.labels()).containsExactlyInAnyOrderEntriesOf(Map.of(0L, 1L, 1L, 3L, 2L, 18L));
    assertThat(mm.scoreThreshold()).isEqualTo(0.3);
    assertThat(mm.maxDetections()).isEqualTo(300);
    assertThat(mm.maskThreshold()).isEqualTo(0.4);
    assertThat(mm.batchSize()).isEqualTo(4);
    assertThat(mm.reference()).containsExactlyEntriesOf(Map.of("box_ap", 0.5));
    ModelSpec.InputSpec mmIn = mm.input();
    assertThat(mmIn.resize()).isEqualTo(ModelSpec.Resize.KEEP_RATIO);
    assertThat(mmIn.scale()).containsExactly(1333, 800);
    assertThat(mmIn.sizeDivisor()).isEqualTo(32);
    assertThat(mmIn.mean()).containsExactly(103.53, 116.28, 123.675);
    assertThat(mmIn.std()).containsExactly(57.375, 57.12, 58.395);
    assertThat(mmIn.bgr()).isTrue();
    assertThat(mmIn.pixelScale()).isEqualTo(255.0);
    assertThat(mmIn.normalizedByModel()).isFalse();
  }

  @Test
  void defaultsForDetectorsAndProposals() {
    Path file = write("defaults.yaml", """
        models:
          - name: det
            arch: faster_rcnn
            backbone: r50
            artifact: det.pt
            output: torchvision
            labels: {1: 1}
            input: {resize: fixed, scale: [640, 480], normalized_by_model: true}
          - name: rpn
            arch: rpn
            backbone: r50
            artifact: rpn.pt
            output: proposals
            input: {resize: none, mean: [1, 2, 3], std: [1, 1, 1], channels: bgr}
        """);

    List<ModelSpec> models = ZooManifest.read(file).models();

    ModelSpec det = models.get(0);
    assertThat(det.scoreThreshold()).isEqualTo(0.05);
    assertThat(det.maxDetections()).isEqualTo(100);
    assertThat(det.maskThreshold()).isEqualTo(0.5);
    assertThat(det.batchSize()).isEqualTo(1);
    assertThat(det.input().resize()).isEqualTo(ModelSpec.Resize.FIXED);
    assertThat(det.input().scale()).containsExactly(640, 480);

    ModelSpec rpn = models.get(1);
    assertThat(rpn.output()).isEqualTo("proposals");
    assertThat(rpn.scoreThreshold()).isEqualTo(0.0);
    assertThat(rpn.maxDetections()).isEqualTo(1000);
    assertThat(rpn.maskThreshold()).isEqualTo(0.5);
    assertThat(rpn.batchSize()).isEqualTo(1);
    assertThat(rpn.labels()).isEmpty();
    assertThat(rpn.input().bgr()).as("channels: bgr, any case").isTrue();
    assertThat(rpn.input().pixelScale()).isEqualTo(1.0);
    assertThat(rpn.input().sizeDivisor()).isZero();
  }

  @Test
  void aYoloModelHasYolov5sEvaluationDefaults() {
    Path file = write("yolo.yaml", """
        models:
          - name: y
            family: YOLO
            arch: YOLOv5
            backbone: CSPDarknet
            artifact: y.pt
            output: yolo
            labels: {0: 1, 1: 2, 2: 90}
            input: {resize: letterbox, scale: [640, 640], normalized_by_model: true}
          - name: y-exif
            arch: YOLOv5
            backbone: CSPDarknet
            artifact: y.pt
            output: yolo
            labels: {0: 1}
            score_threshold: 0.25
            nms_iou: 0.45
            max_detections: 100
            input: {resize: letterbox, scale: [320, 256], pad_value: 0,
                    exif_orientation: apply, normalized_by_model: true}
        """);

    List<ModelSpec> models = ZooManifest.read(file).models();

    ModelSpec y = models.get(0);
    assertThat(y.scoreThreshold()).isEqualTo(0.001);
    assertThat(y.nmsIou()).isEqualTo(0.65);
    assertThat(y.maxDetections()).isEqualTo(300);
    assertThat(y.input().resize()).isEqualTo(ModelSpec.Resize.LETTERBOX);
    assertThat(y.input().padValue()).isEqualTo(114.0);
    assertThat(y.input().exifOrientation()).isFalse();
    assertThat(y.categoryOf(2)).isEqualTo(90);
    ModelSpec e = models.get(1);
    assertThat(e.scoreThreshold()).isEqualTo(0.25);
    assertThat(e.nmsIou()).isEqualTo(0.45);
    assertThat(e.maxDetections()).isEqualTo(100);
    assertThat(e.input().scale()).containsExactly(320, 256);
    assertThat(e.input().padValue()).isZero();
    assertThat(e.input().exifOrientation()).isTrue();
    assertThat(ZooManifest.read(write("tv.yaml", ONE_MODEL)).models().get(0).nmsIou())
        .as("models that return final detections have no NMS IoU").isNaN();
  }

  @Test
  void categoryOfMapsLabelsAndProposalsAreCategoryOne() {
    ZooManifest zoo = ZooManifest.read(write("zoo.yaml", TWO_MODELS));
    ModelSpec mm = zoo.model("mm_retina.v2");
    assertThat(mm.categoryOf(0)).isEqualTo(1);
    assertThat(mm.categoryOf(1)).isEqualTo(3);
    assertThat(mm.categoryOf(2)).isEqualTo(18);
    assertThat(mm.categoryOf(3)).isEqualTo(-1);
    assertThat(mm.categoryOf(-1)).as("MMDeploy's padding label").isEqualTo(-1);

    ModelSpec rpn = ZooManifest.read(write("rpn.yaml", """
        models:
          - {name: rpn, arch: rpn, backbone: r50, artifact: rpn.pt, output: proposals,
             input: {resize: none, normalized_by_model: true}}
        """)).models().get(0);
    // proposals need no label map: their adapter is class-agnostic (category 1 for all)
    assertThat(rpn.labels()).isEmpty();
    assertThat(io.zoobench.detect.OutputAdapters.get(rpn.output()).proposals()).isTrue();
    assertThat(io.zoobench.detect.OutputAdapters.get(mm.output()).proposals()).isFalse();
  }

  @Test
  void relativeArtifactsResolveAgainstTheManifestFolder() {
    Path file = write("conf/zoo/paths.yaml", """
        models:
          - {name: a, arch: x, backbone: y, artifact: a.pt, output: proposals,
             input: {resize: none, normalized_by_model: true}}
          - {name: b, arch: x, backbone: y, artifact: ../../models/b.pt, output: proposals,
             input: {resize: none, normalized_by_model: true}}
          - {name: c, arch: x, backbone: y, artifact: /opt/models/c.pt, output: proposals,
             input: {resize: none, normalized_by_model: true}}
          - {name: d, arch: x, backbone: y, artifact: "s3a://bucket/zoo/d.pt", output: proposals,
             input: {resize: none, normalized_by_model: true}}
          - {name: e, arch: x, backbone: y, artifact: "file:/data/e.pt", output: proposals,
             input: {resize: none, normalized_by_model: true}}
        """);

    ZooManifest zoo = ZooManifest.read(file);

    Path folder = dir.resolve("conf/zoo").toAbsolutePath();
    assertThat(zoo.model("a").artifact()).isEqualTo(folder.resolve("a.pt").toString());
    assertThat(zoo.model("b").artifact())
        .isEqualTo(dir.toAbsolutePath().resolve("models/b.pt").normalize().toString());
    assertThat(zoo.model("c").artifact()).isEqualTo("/opt/models/c.pt");
    assertThat(zoo.model("d").artifact()).isEqualTo("s3a://bucket/zoo/d.pt");
    assertThat(zoo.model("e").artifact()).isEqualTo("file:/data/e.pt");
  }

  @Test
  void resolvePicksTheNamedModel() {
    Path file = write("zoo.yaml", TWO_MODELS);

    assertThat(ZooManifest.resolve(file + "#mm_retina.v2").name()).isEqualTo("mm_retina.v2");
    assertThat(ZooManifest.resolve(file + "#tv-frcnn").name()).isEqualTo("tv-frcnn");
  }

  @Test
  void resolveWithoutNameTakesTheOnlyModel() {
    Path file = write("one.yaml", ONE_MODEL);

    assertThat(ZooManifest.resolve(file.toString()).name()).isEqualTo("tiny");
    assertThat(ZooManifest.resolve(file + "#").name()).isEqualTo("tiny");
    assertThat(ZooManifest.resolve(file + "#tiny").artifact())
        .isEqualTo(dir.toAbsolutePath().resolve("tiny.pt").toString());
  }

  @Test
  void resolveWithoutNameRefusesSeveralModelsAndListsThem() {
    Path file = write("zoo.yaml", TWO_MODELS);

    assertThatThrownBy(() -> ZooManifest.resolve(file.toString()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("zoo.yaml: holds 2 models, name one with FILE#NAME: tv-frcnn, mm_retina.v2");
  }

  @Test
  void resolveUnknownNameListsTheModels() {
    Path file = write("zoo.yaml", TWO_MODELS);

    assertThatThrownBy(() -> ZooManifest.resolve(file + "#retina"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("zoo.yaml: no model named 'retina' (models: tv-frcnn, mm_retina.v2)");
  }

  @Test
  void specsSurviveJavaSerialization() throws Exception {
    ModelSpec mm = ZooManifest.read(write("zoo.yaml", TWO_MODELS)).model("mm_retina.v2");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(mm);
    }
    ModelSpec back;
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      back = (ModelSpec) in.readObject();
    }
    assertThat(back.name()).isEqualTo("mm_retina.v2");
    assertThat(back.labels()).isEqualTo(mm.labels());
    assertThat(back.input().mean()).containsExactly(mm.input().mean());
    assertThat(back.input().scale()).containsExactly(1333, 800);
    assertThat(back.categoryOf(2)).isEqualTo(18);
  }

  @Test
  void familyDefaultsToTheArchitecture() {
    ZooManifest zoo = ZooManifest.read(write("zoo.yaml", """
        models:
          - {name: a, arch: Mask, family: Fast R-CNN, backbone: y, artifact: a.pt,
             output: proposals, input: {resize: none, normalized_by_model: true}}
          - {name: b, arch: RetinaNet, backbone: y, artifact: b.pt, output: proposals,
             input: {resize: none, normalized_by_model: true}}
        """));

    assertThat(zoo.model("a").family()).isEqualTo("Fast R-CNN");
    assertThat(zoo.model("a").arch()).isEqualTo("Mask");
    assertThat(zoo.model("b").family()).isEqualTo("RetinaNet");
  }

  @Test
  void referenceFiguresNotPublishedAreAbsentWhetherNullOrLeftOut() {
    ModelSpec m = ZooManifest.read(write("zoo.yaml", """
        models:
          - {name: a, arch: x, backbone: y, artifact: a.pt, output: proposals,
             input: {resize: none, normalized_by_model: true},
             reference: {train_mem_gb: 2.2, train_s_iter: 0.17, fps: 20.3, fps_batch8: null,
                         box_ap: ~, ar1000: 0.522}}
        """)).model("a");

    assertThat(m.reference()).containsExactlyInAnyOrderEntriesOf(Map.of("train_mem_gb", 2.2,
        "train_s_iter", 0.17, "fps", 20.3, "ar1000", 0.522));
  }

  /** One model whose artifact lies under ${ZOO_ROOT}, for the variable tests below. */
  private Path underZooRoot(String artifact) {
    return write("conf/zoo/roots.yaml", """
        models:
          - {name: a, arch: x, backbone: y, artifact: "%s", output: proposals,
             input: {resize: none, normalized_by_model: true}}
          - {name: b, arch: x, backbone: y, artifact: b.pt, output: proposals,
             input: {resize: none, normalized_by_model: true}}
        """.formatted(artifact));
  }

  @Test
  void aVariableInTheArtifactIsReplacedByTheCallersValue() {
    Path file = underZooRoot("${ZOO_ROOT}/mask_rcnn_r50_fpn_1x.pt");

    ModelSpec local = ZooManifest.read(file, Map.of("ZOO_ROOT", "/models/mmdet")).model("a");
    ModelSpec remote = ZooManifest.read(file, Map.of("ZOO_ROOT", "s3a://bucket/zoo"))
        .model("a");

    assertThat(local.artifact()).isEqualTo("/models/mmdet/mask_rcnn_r50_fpn_1x.pt");
    assertThat(local.artifactFile()).isEqualTo(local.artifact());
    assertThat(remote.artifactFile()).isEqualTo("s3a://bucket/zoo/mask_rcnn_r50_fpn_1x.pt");
  }

  @Test
  void aRelativeValueIsTakenFromTheWorkingDirectoryAVariableInsideAPathFromTheManifest() {
    Path file = underZooRoot("${ZOO_ROOT}/a.pt");
    Path inside = write("conf/zoo/inside.yaml", """
        models:
          - {name: a, arch: x, backbone: y, artifact: "models/${SET}/a.pt", output: proposals,
             input: {resize: none, normalized_by_model: true}}
        """);

    assertThat(ZooManifest.read(file, Map.of("ZOO_ROOT", "zoo-models")).model("a").artifact())
        .isEqualTo(Path.of("zoo-models/a.pt").toAbsolutePath().toString());
    assertThat(ZooManifest.read(inside, Map.of("SET", "v1")).model("a").artifact())
        .isEqualTo(dir.resolve("conf/zoo/models/v1/a.pt").toAbsolutePath().toString());
  }

  @Test
  void anUnsetVariableIsNoErrorUntilTheModelFileIsNeeded() {
    Path file = underZooRoot("${ZOO_ROOT}/a.pt");

    // the only source of values says "not set", whatever this machine's environment holds
    ZooManifest zoo = ZooManifest.read(file, name -> null);

    assertThat(zoo.models()).extracting(ModelSpec::name).containsExactly("a", "b");
    assertThat(zoo.model("a").artifact()).isEqualTo("${ZOO_ROOT}/a.pt");
    assertThat(zoo.model("b").artifactFile())
        .isEqualTo(dir.resolve("conf/zoo/b.pt").toAbsolutePath().toString());
    assertThatThrownBy(() -> zoo.model("a").artifactFile())
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("roots.yaml: model 'a': artifact ${ZOO_ROOT}/a.pt: ZOO_ROOT is not set"
            + " (an environment variable or a -DZOO_ROOT=... system property)");
  }

  @Test
  void resolvePicksAModelToRunAndRefusesItsUnsetVariable() {
    // a name no environment sets: read and resolve take the environment as it is
    String unset = "ZOO_TEST_UNSET_ROOT_" + Long.toHexString(System.nanoTime());
    Path file = underZooRoot("${" + unset + "}/a.pt");

    assertThat(ZooManifest.read(file).models()).hasSize(2);
    assertThat(ZooManifest.resolve(file + "#b").name()).isEqualTo("b");
    assertThatThrownBy(() -> ZooManifest.resolve(file + "#a"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("roots.yaml: model 'a': artifact ${" + unset + "}/a.pt: "
            + unset + " is not set");
  }

  @Test
  void theCallersValueWinsOverASystemPropertyWhichWinsOverTheEnvironment() {
    String name = "ZOO_TEST_PROPERTY_ROOT";
    Path file = underZooRoot("${" + name + "}/a.pt");
    System.setProperty(name, "/from/property");
    try {
      assertThat(ZooManifest.read(file).model("a").artifactFile())
          .isEqualTo("/from/property/a.pt");
      assertThat(ZooManifest.read(file, Map.of(name, "/from/caller")).model("a").artifact())
          .isEqualTo("/from/caller/a.pt");
      assertThat(ZooManifest.read(file, Map.of(name, "")).model("a").artifact())
          .as("an empty value is unset").isEqualTo("/from/property/a.pt");
    } finally {
      System.clearProperty(name);
    }
    assertThat(System.getenv("HOME")).as("this test needs HOME set").isNotBlank();
    Path home = underZooRoot("${HOME}/a.pt");
    assertThat(ZooManifest.read(home).model("a").artifact())
        .isEqualTo(Path.of(System.getenv("HOME"), "a.pt").toAbsolutePath().normalize()
            .toString());
  }

  @Test
  void aVariableWhoseValueHoldsCredentialsIsRefusedWithoutShowingThem() {
    Path file = underZooRoot("${ZOO_ROOT}/a.pt");

    assertThatThrownBy(() -> ZooManifest.read(file,
            Map.of("ZOO_ROOT", "s3a://AKIAKEY:S3cr3t@bucket/zoo")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("roots.yaml: models[0] (a): artifact ${ZOO_ROOT}/a.pt"
            + " s3a://bucket/zoo/a.pt: credentials in a path are refused")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("AKIAKEY", "S3cr3t"));
  }

  static Stream<Arguments> badManifests() {
    String m = "bad.yaml: models[0] (tiny): ";
    return Stream.of(
        arguments("missing name", oneModelWith("- name: tiny\n    arch", "- arch"),
            "bad.yaml: models[0]: name is missing"),
        arguments("bad name characters", oneModelWith("name: tiny", "name: tiny model!"),
            "bad.yaml: models[0]: name 'tiny model!' may only hold letters, digits"),
        arguments("duplicate names", ONE_MODEL + ONE_MODEL.substring(ONE_MODEL.indexOf("  -")),
            "bad.yaml: models[1]: duplicate name 'tiny'"),
        arguments("typo in a key", oneModelWith("output:", "score_treshold: 0.3\n    output:"),
            m + "score_treshold is not a known field (known: arch, artifact, backbone,"),
        arguments("unknown input key", oneModelWith("channels: RGB", "chanels: RGB"),
            m + "input.chanels is not a known field (known: channels, exif_orientation, mean,"),
        arguments("output yolo", oneModelWith("output: tensors", "output: yolov8"),
            m + "output is 'yolov8', expected one of torchvision, proposals, tensors, yolo"),
        arguments("nms_iou of a model with its own NMS",
            oneModelWith("output: tensors", "output: tensors\n    nms_iou: 0.5"),
            m + "nms_iou does not apply to output tensors: its models return final detections"),
        arguments("pad_value without letterbox",
            oneModelWith("size_divisor: 32", "size_divisor: 32\n      pad_value: 114"),
            m + "input.pad_value applies to resize letterbox only"),
        arguments("exif_orientation misspelt",
            oneModelWith("channels: RGB", "channels: RGB\n      exif_orientation: rotate"),
            m + "input.exif_orientation is 'rotate', expected ignore or apply"),
        arguments("yolo labels with a gap",
            oneModelWith("output: tensors", "output: yolo").replace("{0: 1, 1: 2}",
                "{0: 1, 2: 3}"),
            m + "labels has 2 labels but not 1: output yolo labels are the class indices 0 to"
                + " K-1"),
        arguments("yolo nms_iou above 1",
            oneModelWith("output: tensors", "output: yolo\n    nms_iou: 65"),
            m + "nms_iou is 65, expected 0 to 1"),
        arguments("missing output", oneModelWith("    output: tensors\n", ""),
            m + "output is missing (one of torchvision, proposals, tensors, yolo)"),
        arguments("resize stretch", oneModelWith("resize: keep_ratio", "resize: stretch"),
            m + "input.resize is 'stretch', expected one of none, keep_ratio, fixed, letterbox"),
        arguments("keep_ratio without scale", oneModelWith("      scale: [1333, 800]\n", ""),
            m + "input.scale is missing (needed by resize keep_ratio)"),
        arguments("scale with 3 numbers",
            oneModelWith("scale: [1333, 800]", "scale: [1333, 800, 600]"),
            m + "input.scale has 3 numbers, expected 2"),
        arguments("scale not integers",
            oneModelWith("scale: [1333, 800]", "scale: [1333.5, 800]"),
            m + "input.scale must be two positive integers"),
        arguments("mean with 2 numbers", oneModelWith("mean: [1, 2, 3]", "mean: [1, 2]"),
            m + "input.mean has 2 numbers, expected 3"),
        arguments("mean not a list", oneModelWith("mean: [1, 2, 3]", "mean: 1"),
            m + "input.mean has no list, expected 3 numbers"),
        arguments("mean and std missing",
            oneModelWith("      mean: [1, 2, 3]\n      std: [4, 5, 6]\n", ""),
            m + "input.mean/std are missing (or set normalized_by_model: true)"),
        arguments("std with 0", oneModelWith("std: [4, 5, 6]", "std: [4, 0, 6]"),
            m + "input.std must be positive"),
        arguments("channels RGBA", oneModelWith("channels: RGB", "channels: RGBA"),
            m + "input.channels is 'RGBA', expected RGB or BGR"),
        arguments("pixel_scale 7", oneModelWith("pixel_scale: 255", "pixel_scale: 7"),
            m + "input.pixel_scale is 7.0, expected 1 or 255"),
        arguments("size_divisor negative", oneModelWith("size_divisor: 32", "size_divisor: -1"),
            m + "input.size_divisor is -1, expected 0 to 4096"),
        arguments("normalized_by_model not boolean",
            oneModelWith("pixel_scale: 255", "pixel_scale: 255\n      normalized_by_model: 3"),
            m + "input.normalized_by_model is not true or false"),
        arguments("labels missing for torchvision",
            oneModelWith("output: tensors\n    labels: {0: 1, 1: 2}", "output: torchvision"),
            m + "labels is missing (model label -> COCO category id)"),
        arguments("label key a", oneModelWith("{0: 1, 1: 2}", "{0: 1, a: 2}"),
            m + "labels key 'a' is not an integer label"),
        arguments("category id x", oneModelWith("{0: 1, 1: 2}", "{0: 1, 1: x}"),
            m + "labels.1 is not an integer category id"),
        arguments("score_threshold 1.5",
            oneModelWith("output:", "score_threshold: 1.5\n    output:"),
            m + "score_threshold is 1.5, expected 0 to 1"),
        arguments("score_threshold text",
            oneModelWith("output:", "score_threshold: high\n    output:"),
            m + "score_threshold is 'high', expected a number"),
        arguments("batch_size 0", oneModelWith("output:", "batch_size: 0\n    output:"),
            m + "batch_size is 0, expected 1 to 1024"),
        arguments("reference not a number",
            oneModelWith("output:", "reference: {box_ap: high}\n    output:"),
            m + "reference.box_ap is not a number"),
        arguments("unknown reference figure",
            oneModelWith("output:", "reference: {box_AP: 0.3}\n    output:"),
            m + "reference.box_AP is not a known figure (known: train_mem_gb, train_s_iter, fps,"
                + " fps_batch8, box_ap, mask_ap, ar1000)"),
        arguments("AP as a percentage",
            oneModelWith("output:", "reference: {box_ap: 37.1}\n    output:"),
            m + "reference.box_ap is 37.1, expected a fraction 0 to 1 (0.371 for 37.1%)"),
        arguments("AR as a percentage",
            oneModelWith("output:", "reference: {ar1000: 51.1}\n    output:"),
            m + "reference.ar1000 is 51.1, expected a fraction 0 to 1"),
        arguments("negative fps", oneModelWith("output:", "reference: {fps: -3}\n    output:"),
            m + "reference.fps is -3, expected >= 0"),
        arguments("reference a list", oneModelWith("output:", "reference: [1]\n    output:"),
            m + "reference is not a mapping"),
        arguments("proposals for the tensors adapter",
            oneModelWith("output:", "proposals: {from_model: rpn}\n    output:"),
            m + "proposals do not apply to output tensors (adapters that take proposals:"
                + " torchvision)"),
        arguments("proposals from a model and a run", oneModelWith("output: tensors",
                "output: torchvision\n    proposals: {from_model: rpn, run_id: r1}"),
            m + "proposals name both from_model and run_id: name one"),
        arguments("proposals top_k 0", oneModelWith("output: tensors",
                "output: torchvision\n    proposals: {from_model: rpn, top_k: 0}"),
            m + "proposals.top_k is 0, expected 1 to 100000"),
        arguments("proposals top_k fractional", oneModelWith("output: tensors",
                "output: torchvision\n    proposals: {from_model: rpn, top_k: 2.5}"),
            m + "proposals.top_k is 2.5, expected a whole number"),
        arguments("proposals unknown key", oneModelWith("output: tensors",
                "output: torchvision\n    proposals: {model: rpn}"),
            m + "proposals.model is not a known field (known: from_model, run_id, top_k)"),
        arguments("proposals empty model name", oneModelWith("output: tensors",
                "output: torchvision\n    proposals: {from_model: ' '}"),
            m + "proposals.from_model is not a non-empty text"),
        arguments("proposals a list", oneModelWith("output: tensors",
                "output: torchvision\n    proposals: [rpn]"),
            m + "proposals is not a mapping"),
        arguments("variable without its brace",
            oneModelWith("artifact: tiny.pt", "artifact: ${ZOO_ROOT/tiny.pt"),
            m + "artifact has a '${' that is not ${NAME}"),
        arguments("missing artifact", oneModelWith("    artifact: tiny.pt\n", ""),
            m + "artifact is missing"),
        arguments("artifact with credentials", oneModelWith("artifact: tiny.pt",
                "artifact: s3a://AKIAKEY:S3cr3t/x@bucket/tiny.pt"),
            m + "artifact s3a://bucket/tiny.pt: credentials in a path are refused"),
        arguments("input missing", ONE_MODEL.substring(0, ONE_MODEL.indexOf("    input:")),
            m + "input is missing or not a mapping"),
        arguments("entry not a mapping", "models:\n  - just-a-name\n",
            "bad.yaml: models[0]: entry is not a mapping"),
        arguments("not YAML at all", "models: [tiny, {name: \n  ]] :: \t@@\n",
            "bad.yaml: not valid YAML: "),
        arguments("a YAML scalar", "just some text\n",
            "bad.yaml: expected a mapping with a 'models' list"),
        arguments("models missing", "model:\n  - name: tiny\n",
            "bad.yaml: expected a mapping with a 'models' list"),
        arguments("models not a list", "models: {name: tiny}\n",
            "bad.yaml: expected a mapping with a 'models' list"),
        arguments("models empty", "models: []\n", "bad.yaml: 'models' is empty"),
        arguments("empty file", "", "bad.yaml: expected a mapping with a 'models' list"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badManifests")
  void refusesBadManifestNamingFileModelAndField(String what, String yaml, String message) {
    Path file = write("bad.yaml", yaml);

    assertThatThrownBy(() -> ZooManifest.read(file))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith(message)
        .satisfies(e -> assertThat(e.getMessage()).as("one line").doesNotContain("\n"));
  }

  @Test
  void aManifestPathWithCredentialsIsRefusedWithoutShowingThem() {
    assertThatThrownBy(() -> ZooManifest.resolve("s3a://AKIAKEY:S3cr3t@bucket/zoo.yaml#tiny"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("zoo manifest s3a://bucket/zoo.yaml: credentials in a path are"
            + " refused")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("AKIAKEY", "S3cr3t"));
  }

  @Test
  void missingFileIsNamed() {
    Path file = dir.resolve("nowhere/absent.yaml");

    assertThatThrownBy(() -> ZooManifest.read(file))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(file + ": no such file");
    assertThatThrownBy(() -> ZooManifest.resolve(file + "#tiny"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("absent.yaml: no such file");
  }
}
