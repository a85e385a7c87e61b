package io.zoobench.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zoobench.coco.InvalidInputException;
import io.zoobench.zoo.ModelSpec;
import io.zoobench.zoo.ZooManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code zoo run}'s choices made before Spark starts, on the MMDetection v1 zoo: which models
 * a glob selects, RPN models first, and the refusals (a glob matching nothing, {@code
 * --run-id}). Running models is {@link ZooRunIT}'s.
 */
class ZooRunCommandTest {
  private static final Path HOME =
      Path.of(System.getProperty("zoobench.home", "..")).toAbsolutePath().normalize();
  private static final ZooManifest MMDET =
      ZooManifest.read(HOME.resolve("conf/zoo/mmdet-v1.yaml"), Map.of("ZOO_ROOT", "/zoo"));

  @Test
  void theGlobSelectsByNameInManifestOrder() {
    List<String> all = MMDET.models().stream().map(ModelSpec::name).toList();
    assertThat(ZooRunCommand.select(MMDET, "*")).hasSize(123);
    List<String> maskR50 = all.stream()
        .filter(n -> n.startsWith("mask_rcnn_r50_") && n.endsWith("_1x")).toList();
    assertThat(maskR50).isNotEmpty();
    assertThat(ZooRunCommand.select(MMDET, "mask_rcnn_r50_*_1x")).extracting(ModelSpec::name)
        .containsExactlyElementsOf(maskR50);
    assertThat(ZooRunCommand.select(MMDET, "{rpn_r50_caffe_c4_1x,rpn_r50_caffe_c4_2x}"))
        .extracting(ModelSpec::name)
        .containsExactly("rpn_r50_caffe_c4_1x", "rpn_r50_caffe_c4_2x");
    assertThatThrownBy(() -> ZooRunCommand.select(MMDET, "yolo*"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("--models yolo*: matches no model of mmdet-v1.yaml (123 models, e.g."
            + " rpn_r50_caffe_c4_1x)");
  }

  @Test
  void proposalNetworksGoFirstTheRestInManifestOrder() {
    List<ModelSpec> ordered = ZooRunCommand.sourcesFirst(MMDET.models());
    List<ModelSpec> rpn = MMDET.models().stream().filter(m -> m.family().equals("RPN"))
        .toList();
    List<ModelSpec> others = MMDET.models().stream().filter(m -> !m.family().equals("RPN"))
        .toList();
    assertThat(rpn).isNotEmpty();
    assertThat(ordered.subList(0, rpn.size())).containsExactlyElementsOf(rpn);
    assertThat(ordered.subList(rpn.size(), ordered.size())).containsExactlyElementsOf(others);
    // the demo zoo lists its RPN second
    List<ModelSpec> demo = ZooManifest.read(HOME.resolve("conf/zoo/demo.yaml")).models();
    assertThat(ZooRunCommand.sourcesFirst(demo)).extracting(ModelSpec::name).containsExactly(
        "shapes-rpn-tiny", "shapes-maskrcnn-tiny", "shapes-maskrcnn-tiny-tensors");
    // every Fast R-CNN of the reference zoo reads an RPN of the zoo, which runs before it
    for (ModelSpec m : MMDET.models()) {
      if (m.family().equals("Fast R-CNN")) {
        assertThat(m.proposals()).as(m.name()).isNotNull();
        assertThat(rpn).extracting(ModelSpec::name).as(m.name())
            .contains(m.proposals().fromModel());
        assertThat(m.proposals().topK()).isEqualTo(1000);
      } else {
        assertThat(m.proposals()).as(m.name()).isNull();
      }
    }
  }

  @Test
  void aModelAnotherReadsProposalsFromGoesFirstWhateverItsFamily() throws Exception {
    Path yaml = Files.createTempFile("zoo", ".yaml");
    Files.writeString(yaml, String.join("\n", "models:",
        "  - {name: fast, arch: Fast R-CNN, backbone: b, artifact: f.pt, output: torchvision,",
        "     proposals: {from_model: props, top_k: 5}, labels: {1: 1}, input: {resize: none,",
        "     normalized_by_model: true}}",
        "  - {name: other, arch: Faster R-CNN, backbone: b, artifact: o.pt, output: torchvision,",
        "     labels: {1: 1}, input: {resize: none, normalized_by_model: true}}",
        "  - {name: props, arch: Custom proposals, backbone: b, artifact: p.pt,",
        "     output: proposals, input: {resize: none, normalized_by_model: true}}", ""));
    assertThat(ZooRunCommand.sourcesFirst(ZooManifest.read(yaml).models()))
        .extracting(ModelSpec::name).containsExactly("props", "fast", "other");
  }

  @Test
  void runIdIsAUsageError() {
    Cli.Result r = Cli.run("zoo", "run", "--manifest", "m.yaml", "--annotations", "a.json",
        "--images", "i", "--run-id", "x");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).startsWith("zoobench zoo run: --run-id does not apply: each model gets its"
        + " own run id");
  }

  @Test
  void helpNamesTheVariableZooRootFills() {
    Cli.Result r = Cli.run("zoo", "run", "--help");
    assertThat(r.out()).contains("Value of ${ZOO_ROOT} in the manifest's artifacts");
  }
}
