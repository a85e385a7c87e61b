package io.zoobench.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.zoobench.jobs.spark.LocalSpark;
import io.zoobench.jobs.tables.Tables;
import io.zoobench.jobs.tables.Warehouse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code zoobench zoo run} end to end on the demo zoo (the shapes set, the fixture models),
 * step by step on one warehouse: every model its own run, RPN first; a second run skips them
 * all; {@code --force} with a {@code --models} glob runs one again; a manifest with a missing
 * model file fails that model only (exit 1) while the other, with published figures, succeeds
 * and shows measured − published in the {@code zoo} view.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ZooRunIT {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final Path DATA = ROOT.resolve("fixtures/shapes-val");
  static final String DEMO = ROOT.resolve("conf/zoo/demo.yaml").toString();
  static final List<String> DEMO_MODELS = List.of("shapes-maskrcnn-tiny", "shapes-rpn-tiny",
      "shapes-maskrcnn-tiny-tensors");

  @TempDir static Path tmp;
  static Path warehouse;

  @BeforeAll
  static void spark() {
    LocalSpark.get();
    System.setProperty("zoobench.home", ROOT.toString());
    warehouse = tmp.resolve("warehouse");
  }

  static Cli.Result zooRun(String manifest, String... more) {
    List<String> args = new ArrayList<>(List.of("zoo", "run", "--manifest", manifest,
        "--annotations", DATA.resolve("instances.json").toString(), "--images",
        DATA.resolve("images").toString(), "--warehouse", warehouse.toString()));
    args.addAll(Arrays.asList(more));
    return Cli.run(args.toArray(String[]::new));
  }

  static List<Row> runs() {
    return Warehouse.open(LocalSpark.get(), warehouse.toString()).table(Tables.RUNS)
        .orderBy("started_at").collectAsList();
  }

  static List<Row> view(String sql) {
    Warehouse w = Warehouse.open(LocalSpark.get(), warehouse.toString());
    w.registerViews(null);
    return w.session().sql(sql).collectAsList();
  }

  /** The summary line of {@code model}: its name, then status and figures. */
  static String summary(Cli.Result r, String model) {
    return r.out().lines().filter(l -> l.startsWith(model + " ")).reduce((a, b) -> b)
        .orElseThrow(() -> new AssertionError("no summary line for " + model + ": " + r));
  }

  @Test
  @Order(1)
  void everyModelIsItsOwnRunRpnFirst() {
    Cli.Result r = zooRun(DEMO);
    assertThat(r.exit()).as("%s", r).isZero();
    List<Row> runs = runs();
    assertThat(runs).extracting(x -> x.<String>getAs("model"))
        .containsExactlyInAnyOrderElementsOf(DEMO_MODELS);
    assertThat(runs).extracting(x -> x.<String>getAs("status")).containsOnly("succeeded");
    assertThat(runs).extracting(x -> x.<String>getAs("run_id")).doesNotHaveDuplicates()
        .allSatisfy(id -> assertThat(DEMO_MODELS.stream().anyMatch(id::startsWith)).isTrue());
    // RPN first, whatever the manifest's order
    assertThat(runs.get(0).<String>getAs("model")).isEqualTo("shapes-rpn-tiny");
    assertThat(r.err()).contains("[1/3] shapes-rpn-tiny", "[3/3]");
    Map<String, Row> byModel = runs.stream().collect(Collectors.toMap(x -> x.getAs("model"),
        x -> x));
    assertThat(byModel.get("shapes-rpn-tiny").<String>getAs("family")).isEqualTo("RPN");
    assertThat(byModel.get("shapes-rpn-tiny").<String>getAs("iou_types")).isEqualTo("proposal");
    assertThat(byModel.get("shapes-maskrcnn-tiny").<String>getAs("family"))
        .as("the arch when the manifest names no family").isEqualTo("Mask R-CNN");
    assertThat(byModel.get("shapes-maskrcnn-tiny").<String>getAs("iou_types"))
        .isEqualTo("bbox,segm");
    // metrics of each run, and the summary shows them
    Map<String, Double> boxAp = view("SELECT r.model, m.value FROM metrics m JOIN runs r"
        + " USING (run_id) WHERE m.iou_type = 'bbox' AND m.metric = 'AP'").stream()
        .collect(Collectors.toMap(x -> x.getString(0), x -> x.getDouble(1)));
    assertThat(boxAp).containsOnlyKeys("shapes-maskrcnn-tiny", "shapes-maskrcnn-tiny-tensors");
    assertThat(summary(r, "shapes-maskrcnn-tiny")).contains(" ran ")
        .contains(String.format(java.util.Locale.ROOT, "%.3f",
            boxAp.get("shapes-maskrcnn-tiny")));
    assertThat(summary(r, "shapes-rpn-tiny")).contains(" ran ");
  }

  @Test
  @Order(2)
  void aSecondRunSkipsEveryModel() {
    Cli.Result r = zooRun(DEMO);
    assertThat(r.exit()).as("%s", r).isZero();
    assertThat(runs()).hasSize(3);
    for (String m : DEMO_MODELS) {
      assertThat(r.out()).contains(m + ": skipped, unchanged since run " + m + "-");
      assertThat(summary(r, m)).contains(" skipped ");
    }
    assertThat(r.out()).contains("3 models: 0 ran, 3 skipped, 0 failed");
  }

  @Test
  @Order(3)
  void forceRunsTheModelsTheGlobSelectsAgain() {
    Cli.Result r = zooRun(DEMO, "--force", "--models", "shapes-rpn-*");
    assertThat(r.exit()).as("%s", r).isZero();
    assertThat(r.out()).contains("1 models: 1 ran, 0 skipped, 0 failed")
        .doesNotContain("shapes-maskrcnn-tiny");
    List<Row> rpn = runs().stream().filter(x -> x.getAs("model").equals("shapes-rpn-tiny"))
        .toList();
    assertThat(rpn).hasSize(2);
    // zoo: each model's latest run; zoo_history: every run
    List<Row> zoo = view("SELECT model, run_id FROM zoo");
    assertThat(zoo).hasSize(3);
    assertThat(zoo.stream().filter(x -> x.getString(0).equals("shapes-rpn-tiny"))
        .findFirst().orElseThrow().getString(1)).isEqualTo(rpn.get(1).getAs("run_id"));
    assertThat(view("SELECT run_id FROM zoo_history")).hasSize(4);
  }

  @Test
  @Order(4)
  void aMissingModelFileFailsThatModelOnly() throws Exception {
    Path manifest = tmp.resolve("zoo.yaml");
    Files.writeString(manifest, """
        models:
          - name: gone
            arch: RPN
            backbone: none
            artifact: ${ZOO_ROOT}/absent.pt
            input: {resize: none, pixel_scale: 1, normalized_by_model: true}
            output: proposals
          - name: rpn-again
            family: RPN
            arch: RPN
            backbone: tiny-cnn
            artifact: ${ZOO_ROOT}/shapes_rpn.pt
            input: {resize: none, pixel_scale: 1, normalized_by_model: true}
            output: proposals
            reference: {ar1000: 0.5, fps: 20.0, train_mem_gb: 1.5}
          - name: fast-after-gone
            family: Fast R-CNN
            arch: Fast R-CNN
            backbone: tiny-cnn
            artifact: ${ZOO_ROOT}/shapes_fastrcnn.pt
            input: {resize: none, pixel_scale: 1, normalized_by_model: true}
            output: torchvision
            labels: {1: 1, 2: 2, 3: 3}
            proposals: {from_model: gone}
        """);
    Cli.Result r = zooRun(manifest.toString(), "--zoo-root",
        ROOT.resolve("fixtures/models").toString());
    assertThat(r.exit()).as("%s", r).isEqualTo(1);
    assertThat(summary(r, "gone")).contains(" failed ");
    assertThat(summary(r, "rpn-again")).contains(" ran ");
    assertThat(summary(r, "fast-after-gone")).contains(" failed ");
    assertThat(r.out()).contains("fast-after-gone: failed (run ").contains("): model"
        + " fast-after-gone takes the proposals of gone, whose run gone-");
    Row gone = runs().stream().filter(x -> x.getAs("model").equals("gone")).findFirst()
        .orElseThrow();
    assertThat(gone.<String>getAs("status")).isEqualTo("failed");
    assertThat(gone.<String>getAs("message")).contains("absent.pt").contains("not found");

    double ar = view("SELECT m.value FROM metrics m JOIN runs r USING (run_id)"
        + " WHERE r.model = 'rpn-again' AND m.metric = 'AR@1000'").get(0).getDouble(0);
    Row zoo = view("SELECT * FROM zoo WHERE model = 'rpn-again'").get(0);
    assertThat(zoo.<String>getAs("family")).isEqualTo("RPN");
    assertThat(zoo.<Double>getAs("ar1000")).isEqualTo(ar);
    assertThat(zoo.<Double>getAs("ar1000_ref")).isEqualTo(0.5);
    assertThat(zoo.<Double>getAs("ar1000_delta")).isCloseTo(ar - 0.5, within(1e-12));
    assertThat(zoo.<Double>getAs("fps_delta"))
        .isCloseTo(zoo.<Double>getAs("fps_end_to_end") - 20.0, within(1e-9));
    assertThat(zoo.<Double>getAs("memory_ref")).isEqualTo(1.5);
    assertThat(zoo.isNullAt(zoo.fieldIndex("memory"))).as("CPU: no device memory").isTrue();
  }

  @Test
  @Order(5)
  void anUnsetZooRootIsOneModelsFailureNotACrash() {
    org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("ZOO_ROOT") == null
        && System.getProperty("ZOO_ROOT") == null);
    Cli.Result r = zooRun(tmp.resolve("zoo.yaml").toString(), "--models", "gone");
    assertThat(r.exit()).as("%s", r).isEqualTo(1);
    assertThat(r.out()).contains("gone: failed").contains("ZOO_ROOT is not set");
    assertThat(r.err()).doesNotContain("Exception");
  }

  @Test
  @Order(6)
  void aGlobThatMatchesNothingIsOneLine() {
    Cli.Result r = zooRun(DEMO, "--models", "nope*");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err().strip()).isEqualTo("zoobench zoo run: --models nope*: matches no model"
        + " of demo.yaml (3 models, e.g. shapes-maskrcnn-tiny)");
  }
}
