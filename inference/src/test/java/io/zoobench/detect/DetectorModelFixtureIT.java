package io.zoobench.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zoobench.coco.CocoDataset;
import io.zoobench.coco.CocoJsonReader;
import io.zoobench.coco.CocoResults;
import io.zoobench.eval.CocoEvaluator;
import io.zoobench.eval.EvalParams;
import io.zoobench.mask.MaskIou;
import io.zoobench.mask.Rle;
import io.zoobench.zoo.ModelSpec;
import io.zoobench.zoo.ZooManifest;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * DJL runs the committed TorchScript fixtures (fixtures/README.md) as PyTorch ran them: on every
 * val image the same detections as the Python model's own (fixtures/expected), boxes and scores
 * within 1e-4, masks nearly identical, and the same AP as pycocotools computed on the Python
 * detections (within a narrow band).
 */
class DetectorModelFixtureIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final Path VAL = ROOT.resolve("fixtures/shapes-val");

  private static String expectedFile(String model) {
    return switch (model) {
      case "shapes-maskrcnn-tiny" -> "shapes_maskrcnn_val.json";
      case "shapes-rpn-tiny" -> "shapes_rpn_val.json";
      default -> "shapes_tensors_val.json";
    };
  }

  @ParameterizedTest
  @ValueSource(strings = {"shapes-maskrcnn-tiny", "shapes-maskrcnn-tiny-tensors",
      "shapes-rpn-tiny"})
  void djlDetectionsEqualPythonDetections(String name) throws Exception {
    ModelSpec spec = ZooManifest.resolve(ROOT.resolve("conf/zoo/demo.yaml") + "#" + name);
    CocoDataset gt = CocoJsonReader.readDataset(VAL.resolve("instances.json"));
    Map<Long, List<JsonNode>> expected = new LinkedHashMap<>();
    for (JsonNode d : JSON.readTree(ROOT.resolve("fixtures/expected")
        .resolve(expectedFile(name)).toFile())) {
      expected.computeIfAbsent(d.path("image_id").asLong(), k -> new ArrayList<>()).add(d);
    }
    InputPipeline pipeline = new InputPipeline(spec.input());
    StringBuilder results = new StringBuilder("[");
    int compared = 0;
    try (DetectorModel model = DetectorModel.load(spec, Path.of(spec.artifact()),
        Device.cpu())) {
      for (int i = 0; i < gt.imageCount(); i++) {
        long id = gt.imageId(i);
        byte[] png = Files.readAllBytes(VAL.resolve("images").resolve(gt.fileName(i)));
        Detections d = model.run(List.of(pipeline.prepare(png, gt.fileName(i))))
            .detections().get(0);
        List<JsonNode> want = expected.getOrDefault(id, List.of());
        // the Python dumps keep the model's score threshold, so the counts must agree
        assertThat(d.size()).as("image %d of %s", id, name).isEqualTo(want.size());
        for (int k = 0; k < d.size(); k++) {
          JsonNode w = want.get(k);
          String what = name + " image " + id + " detection " + k;
          assertThat(d.category(k)).as(what).isEqualTo(w.path("category_id").asLong());
          assertThat(d.score(k)).as(what).isCloseTo(w.path("score").asDouble(), within(1e-4));
          for (int c = 0; c < 4; c++) {
            assertThat(d.box(k, c)).as(what + " bbox[" + c + "]")
                .isCloseTo(w.path("bbox").get(c).asDouble(), within(1e-4));
          }
          if (w.has("segmentation")) {
            JsonNode s = w.path("segmentation");
            int[] counts = new int[s.path("counts").size()];
            for (int j = 0; j < counts.length; j++) {
              counts[j] = s.path("counts").get(j).asInt();
            }
            Rle python = Rle.of(s.path("size").get(0).asInt(), s.path("size").get(1).asInt(),
                counts);
            assertThat(d.hasMasks()).isTrue();
            // a probability within float noise of the threshold may flip a pixel
            if (python.area() == 0) {
              assertThat(d.mask(k).area()).as(what + " empty mask").isLessThanOrEqualTo(2);
            } else {
              assertThat(MaskIou.iou(d.mask(k), python, false)).as(what + " mask IoU")
                  .isGreaterThan(0.99);
            }
          }
          compared++;
          results.append(results.length() > 1 ? "," : "").append(resultJson(id, d, k));
        }
      }
    }
    assertThat(compared).isPositive();
    CocoResults dt = CocoJsonReader.readResults(new ByteArrayInputStream(
        results.append("]").toString().getBytes(StandardCharsets.UTF_8)), "djl.json", true);
    JsonNode metrics = JSON.readTree(ROOT.resolve("fixtures/expected/metrics.json").toFile());
    if (io.zoobench.detect.OutputAdapters.get(spec.output()).proposals()) {
      double ap = new CocoEvaluator(EvalParams.proposals()).evaluate(gt, dt).stats()[0];
      assertThat(ap).isCloseTo(metrics.path("rpn").path("proposal").get(0).asDouble(),
          within(2e-3));
    } else {
      String key = name.endsWith("tensors") ? "tensors" : "maskrcnn";
      for (EvalParams.IouType t : List.of(EvalParams.IouType.BBOX, EvalParams.IouType.SEGM)) {
        double ap = new CocoEvaluator(EvalParams.of(t)).evaluate(gt, dt).stats()[0];
        assertThat(ap).as(name + " " + t).isCloseTo(metrics.path(key)
            .path(t == EvalParams.IouType.BBOX ? "bbox" : "segm").get(0).asDouble(),
            within(2e-3));
      }
    }
  }

  @org.junit.jupiter.api.Test
  void aModelThatDoesNotFitItsOutputAdapterIsBadInputNamingTheFile() throws Exception {
    ModelSpec tv = ZooManifest.resolve(ROOT.resolve("conf/zoo/demo.yaml")
        + "#shapes-maskrcnn-tiny");
    ModelSpec wrong = new ModelSpec(tv.name(), tv.family(), tv.arch(), tv.backbone(),
        tv.style(), tv.lrSchedule(), tv.artifact(), tv.input(), "tensors", tv.labels(),
        tv.scoreThreshold(), tv.maxDetections(), tv.maskThreshold(), tv.batchSize(),
        tv.reference(), tv.source());
    byte[] png = Files.readAllBytes(VAL.resolve("images/000001.png"));
    try (DetectorModel model = DetectorModel.load(wrong, Path.of(wrong.artifact()),
        Device.cpu())) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> model.run(List.of(
              new InputPipeline(wrong.input()).prepare(png, "000001.png"))))
          .isInstanceOf(io.zoobench.coco.InvalidInputException.class)
          .hasMessageStartingWith("shapes_maskrcnn.pt (model shapes-maskrcnn-tiny, output"
              + " tensors): ")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
  }

  private static String resultJson(long id, Detections d, int k) {
    StringBuilder b = new StringBuilder();
    b.append("{\"image_id\":").append(id).append(",\"category_id\":").append(d.category(k))
        .append(",\"bbox\":[").append(d.box(k, 0)).append(',').append(d.box(k, 1)).append(',')
        .append(d.box(k, 2)).append(',').append(d.box(k, 3)).append("],\"score\":")
        .append(d.score(k));
    if (d.hasMasks()) {
      Rle m = d.mask(k);
      b.append(",\"segmentation\":{\"size\":[").append(m.height()).append(',')
          .append(m.width()).append("],\"counts\":")
          .append(JSON.valueToTree(m.toCompressedString()).toString()).append('}');
    }
    return b.append('}').toString();
  }
}
