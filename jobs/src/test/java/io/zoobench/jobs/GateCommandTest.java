package io.zoobench.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.zoobench.jobs.spark.LocalSpark;
import io.zoobench.jobs.tables.Warehouse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code zoobench gate} on a small warehouse of imports (no inference): the fixture Faster
 * R-CNN's Python detections imported twice hold against the previous run; the same detections
 * with every even image's boxes dropped, imported as a newer run of that model, make the gate
 * exit 1 naming the model and box AP; a model with a single run is reported without a baseline;
 * an empty warehouse, an unknown run id, a glob that matches nothing and no baseline anywhere
 * exit 2 in one line.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GateCommandTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final Path GT = ROOT.resolve("fixtures/shapes-val/instances.json");
  static final Path FASTER_RCNN = ROOT.resolve("fixtures/expected/shapes_fasterrcnn_val.json");
  static final Path RETINANET = ROOT.resolve("fixtures/expected/shapes_retinanet_val.json");
  static final String MODEL = "shapes-fasterrcnn-tiny";
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path tmp;
  static Path warehouse;

  @BeforeAll
  static void warehouseOfImports() {
    LocalSpark.get();
    warehouse = tmp.resolve("warehouse");
    importRun(FASTER_RCNN, MODEL, "frcnn-1");
    importRun(RETINANET, "shapes-retinanet-tiny", "retina-1");
    importRun(FASTER_RCNN, MODEL, "frcnn-2");
  }

  static void importRun(Path results, String model, String runId) {
    Cli.Result r = Cli.run("import", "--annotations", GT.toString(), "--results",
        results.toString(), "--iou", "bbox", "--model", model, "--run-id", runId,
        "--warehouse", warehouse.toString());
    assertThat(r.exit()).as("%s", r).isZero();
  }

  static Cli.Result gate(String... more) {
    List<String> args = new ArrayList<>(List.of("gate", "--warehouse", warehouse.toString()));
    args.addAll(Arrays.asList(more));
    return Cli.run(args.toArray(String[]::new));
  }

  /** The table line of {@code model}'s {@code metric}. */
  static String line(Cli.Result r, String model, String metric) {
    return r.out().lines().filter(l -> l.startsWith(model + " ") && l.contains(" " + metric
        + " ")).findFirst().orElseThrow(() -> new AssertionError("no line for " + model + " "
        + metric + ": " + r));
  }

  static JsonNode jsonLine(Cli.Result r, String model, String metric) throws Exception {
    for (String l : r.out().lines().toList()) {
      JsonNode n = JSON.readTree(l);
      if (n.get("model").asText().equals(model) && n.get("metric").asText().equals(metric)) {
        return n;
      }
    }
    throw new AssertionError("no json line for " + model + " " + metric + ": " + r);
  }

  @Test
  @Order(1)
  void sameDetectionsAgainHoldAndASingleRunIsReportedWithoutBaseline() throws Exception {
    Cli.Result r = gate("--against", "previous");
    assertThat(r.exit()).as("%s", r).isZero();
    assertThat(line(r, MODEL, "box AP")).contains(" held ").contains("frcnn-2 (frcnn-1)")
        .contains("+0.000");
    assertThat(line(r, "shapes-retinanet-tiny", "box AP")).contains(" no baseline ");
    assertThat(r.out()).contains("gate against previous: 2 models, 1 held, 0 dropped;"
        + " no baseline at all: shapes-retinanet-tiny");
    assertThat(r.err()).isEmpty();

    // the baseline is the pycocotools AP of these detections, as Python computed it
    double python = JSON.readTree(ROOT.resolve("fixtures/expected/metrics.json").toFile())
        .get("fasterrcnn").get("bbox").get(0).asDouble();
    JsonNode box = jsonLine(gate("--against", "previous", "--format", "jsonl"), MODEL, "box AP");
    assertThat(box.get("baseline").asDouble()).isCloseTo(python, within(1e-12));
    assertThat(box.get("measured").asDouble()).isCloseTo(python, within(1e-12));
    assertThat(box.get("verdict").asText()).isEqualTo("held");
  }

  @Test
  @Order(2)
  void aDegradedNewerRunOfAModelFailsTheGateNamingModelAndMetric() throws Exception {
    // every detection of an even image dropped: recall, and so AP, fall far beyond 0.002
    ArrayNode all = (ArrayNode) JSON.readTree(FASTER_RCNN.toFile());
    ArrayNode kept = JSON.createArrayNode();
    all.forEach(d -> {
      if (d.get("image_id").asLong() % 2 == 1) {
        kept.add(d);
      }
    });
    assertThat(kept.size()).isBetween(1, all.size() - 1);
    Path degraded = tmp.resolve("degraded.json");
    Files.writeString(degraded, JSON.writeValueAsString(kept));
    importRun(degraded, MODEL, "frcnn-3-degraded");

    Cli.Result r = gate("--against", "previous");
    assertThat(r.exit()).as("%s", r).isEqualTo(1);
    assertThat(line(r, MODEL, "box AP")).contains(" dropped ")
        .contains("frcnn-3-degraded (frcnn-2)");
    assertThat(r.out()).contains("1 dropped: " + MODEL + " box AP");
    JsonNode box = jsonLine(gate("--against", "previous", "--format", "jsonl"), MODEL, "box AP");
    assertThat(box.get("measured").asDouble()).isLessThan(box.get("baseline").asDouble() - 0.002);
    assertThat(box.get("delta").asDouble()).isCloseTo(box.get("measured").asDouble()
        - box.get("baseline").asDouble(), within(1e-12));

    // a named run as the baseline: the degraded run against the first good one
    Cli.Result named = gate("--against", "frcnn-1");
    assertThat(named.exit()).as("%s", named).isEqualTo(1);
    assertThat(line(named, MODEL, "box AP")).contains(" dropped ").contains("(frcnn-1)");
    assertThat(named.out()).doesNotContain("shapes-retinanet-tiny");
    // the degraded run against itself holds, and a huge tolerance lets it through
    assertThat(gate("--against", "frcnn-3-degraded").exit()).isZero();
    assertThat(gate("--against", "previous", "--tolerance", "0.9").exit()).isZero();
  }

  @Test
  @Order(3)
  void noBaselineForAnySelectedModelIsMissingData() {
    Cli.Result r = gate("--against", "previous", "--models", "shapes-retinanet-*");
    assertThat(r.exit()).as("%s", r).isEqualTo(2);
    assertThat(line(r, "shapes-retinanet-tiny", "box AP")).contains(" no baseline ");
    assertThat(r.err().strip()).isEqualTo("zoobench gate: no selected model has a baseline for"
        + " any metric (against previous): nothing was gated");
    // imports record no published figures: against reference nothing can be gated
    Cli.Result ref = gate();
    assertThat(ref.exit()).as("%s", ref).isEqualTo(2);
    assertThat(ref.out()).contains("gate against reference: 2 models, 0 held, 0 dropped");
  }

  @Test
  @Order(4)
  void missingDataAndUsageErrorsExitTwoInOneLine() {
    Cli.Result unknown = gate("--against", "no-such-run");
    assertThat(unknown.exit()).isEqualTo(2);
    assertThat(unknown.err().strip()).isEqualTo("zoobench gate: --against no-such-run: no"
        + " succeeded run has that id (give reference, previous or a run id of the runs"
        + " table)");
    assertThat(unknown.out()).isEmpty();

    Cli.Result glob = gate("--models", "mask_rcnn_*");
    assertThat(glob.exit()).isEqualTo(2);
    assertThat(glob.err().strip()).startsWith("zoobench gate: --models mask_rcnn_*: matches no"
        + " model of the warehouse");

    Cli.Result tolerance = gate("--tolerance", "-0.1");
    assertThat(tolerance.exit()).isEqualTo(2);
    assertThat(tolerance.err()).contains("--tolerance must be at least 0");

    Cli.Result absent = Cli.run("gate", "--warehouse", tmp.resolve("absent").toString());
    assertThat(absent.exit()).isEqualTo(2);
    assertThat(absent.err().strip()).startsWith("zoobench gate: --warehouse ")
        .contains("no zoobench warehouse there").doesNotContain("Exception");
    assertThat(Files.exists(tmp.resolve("absent"))).as("a reader creates nothing").isFalse();

    Path empty = tmp.resolve("empty");
    Warehouse.open(LocalSpark.get(), empty.toString());
    Cli.Result none = Cli.run("gate", "--warehouse", empty.toString());
    assertThat(none.exit()).isEqualTo(2);
    assertThat(none.err().strip()).isEqualTo("zoobench gate: no succeeded run in the warehouse:"
        + " nothing to gate (run zoobench zoo run, evaluate or import first)");

    Cli.Result credentials = Cli.run("gate", "--warehouse", "s3a://KEY:SECRET@bucket/w");
    assertThat(credentials.exit()).as("bad input of the gate is never the verdict 1")
        .isEqualTo(2);
    assertThat(credentials.err()).doesNotContain("SECRET");
  }
}
