package io.zoobench.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zoobench.jobs.spark.LocalSpark;
import io.zoobench.jobs.tables.Tables;
import io.zoobench.jobs.tables.Warehouse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code zoo run} of {@code conf/zoo/fixtures.yaml} on the shapes set: every family's fixture
 * model (RPN, Mask R-CNN, Mask R-CNN behind a tensor wrapper, Faster R-CNN, RetinaNet, SSD, and
 * Fast R-CNN box and box+mask on the proposals of the RPN's run, stored in the warehouse) is
 * evaluated in one application, each within 0.01 of the pycocotools figures of its own Python
 * detections (fixtures/expected/metrics.json), and a second run evaluates nothing.
 */
class ZooRunFixturesIT {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final Path DATA = ROOT.resolve("fixtures/shapes-val");

  /** Model name → (key of metrics.json, IoU types it was evaluated with). */
  static final Map<String, Map.Entry<String, List<String>>> EXPECTED = Map.of(
      "shapes-rpn-tiny", Map.entry("rpn", List.of("proposal")),
      "shapes-maskrcnn-tiny", Map.entry("maskrcnn", List.of("bbox", "segm")),
      "shapes-maskrcnn-tiny-tensors", Map.entry("tensors", List.of("bbox", "segm")),
      "shapes-fasterrcnn-tiny", Map.entry("fasterrcnn", List.of("bbox")),
      "shapes-retinanet-tiny", Map.entry("retinanet", List.of("bbox")),
      "shapes-ssd300-tiny", Map.entry("ssd", List.of("bbox")),
      "shapes-fastrcnn-tiny", Map.entry("fastrcnn", List.of("bbox")),
      "shapes-fastrcnn-mask-tiny", Map.entry("fastrcnn_mask", List.of("bbox", "segm")));

  @TempDir Path tmp;

  Cli.Result zooRun(Path warehouse) {
    return Cli.run("zoo", "run", "--manifest", ROOT.resolve("conf/zoo/fixtures.yaml").toString(),
        "--annotations", DATA.resolve("instances.json").toString(),
        "--images", DATA.resolve("images").toString(), "--warehouse", warehouse.toString());
  }

  @Test
  void everyFamilyMatchesItsPythonModelAndASecondRunEvaluatesNothing() throws Exception {
    Path warehouse = tmp.resolve("warehouse");
    Cli.Result first = zooRun(warehouse);
    assertThat(first.exit()).as("%s", first).isZero();
    assertThat(first.out()).contains("8 models: 8 ran, 0 skipped, 0 failed");

    JsonNode expected = new ObjectMapper().readTree(
        ROOT.resolve("fixtures/expected/metrics.json").toFile());
    Warehouse w = Warehouse.open(LocalSpark.get(), warehouse.toString());
    for (var e : EXPECTED.entrySet()) {
      for (String iou : e.getValue().getValue()) {
        List<Row> rows = w.table(Tables.METRICS)
            .where("model = '" + e.getKey() + "' AND iou_type = '" + iou + "'")
            .orderBy("slot").collectAsList();
        JsonNode stats = expected.get(e.getValue().getKey()).get(iou);
        assertThat(rows).as("%s %s", e.getKey(), iou).hasSize(stats.size());
        for (int i = 0; i < rows.size(); i++) {
          assertThat(rows.get(i).<Double>getAs("value"))
              .as("%s %s %s", e.getKey(), iou, rows.get(i).<String>getAs("metric"))
              .isCloseTo(stats.get(i).asDouble(), within(0.01));
        }
      }
    }

    // the Fast R-CNN runs name the RPN run (and attempt) whose predictions were their proposals
    Row rpn = w.table(Tables.RUNS).where("model = 'shapes-rpn-tiny'").first();
    for (Row fast : w.table(Tables.RUNS).where("model LIKE 'shapes-fastrcnn%'").collectAsList()) {
      JsonNode proposals = new ObjectMapper().readTree(fast.<String>getAs("config_json"))
          .get("proposals");
      assertThat(proposals.get("run_id").asText()).isEqualTo(rpn.<String>getAs("run_id"));
      assertThat(proposals.get("attempt_id").asText()).isEqualTo(rpn.<String>getAs("attempt_id"));
      assertThat(proposals.get("top_k").asInt()).isEqualTo(300);
    }

    Cli.Result second = zooRun(warehouse);
    assertThat(second.exit()).as("%s", second).isZero();
    assertThat(second.out()).contains("8 models: 0 ran, 8 skipped, 0 failed");
    assertThat(w.table(Tables.RUNS).count()).isEqualTo(8);
  }
}
