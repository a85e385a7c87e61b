package io.zoobench.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zoobench.jobs.spark.LocalSpark;
import io.zoobench.jobs.tables.Tables;
import io.zoobench.jobs.tables.Warehouse;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code conf/schedule/nightly.sh} as cron runs it, through the built launcher
 * ({@code bin/zoobench}), against the fixture zoo on {@code local[2]}: while another night holds
 * the lock it starts nothing (exit 75); the first night evaluates every fixture model as
 * {@code nightly-<date>-<model>} in one zoo run — every family (RPN, Mask R-CNN, Mask R-CNN
 * behind a tensor wrapper, Faster R-CNN, RetinaNet, SSD, and Fast R-CNN box and box+mask on the
 * proposals of the RPN's run, read from the warehouse), each within 0.01 of the pycocotools
 * figures of its own Python detections (fixtures/expected/metrics.json) — and the gate holds
 * against the manifest's reference figures; the same night run again evaluates nothing and the
 * gate still passes; each night's output is in its log file. Then every notebook of
 * {@code notebooks/} runs headless against what the nights wrote (one fixture zoo run serves
 * both: it is the suite's most expensive step).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NightlyScheduleIT {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final Path DATA = ROOT.resolve("fixtures/shapes-val");
  static final String DATE = "2026-12-01";

  @TempDir static Path tmp;

  record Night(int exit, String output) {
    @Override
    public String toString() {
      return "exit " + exit + "\n" + output;
    }
  }

  Night night() throws Exception {
    ProcessBuilder pb = new ProcessBuilder(ROOT.resolve("conf/schedule/nightly.sh").toString())
        .directory(tmp.toFile()).redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.put("ZOOBENCH_HOME", ROOT.toString());
    env.put("WAREHOUSE", tmp.resolve("warehouse").toString());
    env.put("MANIFEST", ROOT.resolve("conf/zoo/fixtures.yaml").toString());
    env.put("ANNOTATIONS", DATA.resolve("instances.json").toString());
    env.put("IMAGES", DATA.resolve("images").toString());
    env.put("SPARK_MASTER", "local[2]");
    env.put("REPORT_DIR", tmp.resolve("report").toString());
    env.put("LOG_DIR", tmp.resolve("logs").toString());
    env.put("NIGHTLY_DATE", DATE);
    // class-data archives would cost each verb's first run 20-30 s here, for nothing
    env.put("ZOOBENCH_CDS", "0");
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(600, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("nightly.sh did not finish: " + new String(out,
          StandardCharsets.UTF_8));
    }
    return new Night(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  @Test
  @Order(1)
  void twoNightsInARowTheSecondEvaluatesNothingAndTheGatePasses() throws Exception {
    // another night holds the lock (flock(1), as nightly.sh takes it): nothing starts. -o: the
    // lock stays with the flock process, so ending it releases the lock
    Path lock = tmp.resolve("logs/nightly.lock");
    Files.createDirectories(lock.getParent());
    Process holder = new ProcessBuilder("flock", "-o", lock.toString(), "sleep", "120").start();
    try {
      while (new ProcessBuilder("flock", "-n", lock.toString(), "true").start().waitFor() == 0) {
        Thread.sleep(50);
      }
      Night locked = night();
      assertThat(locked.exit()).as("%s", locked).isEqualTo(75);
      assertThat(locked.output()).contains("nightly.sh: another nightly run holds " + lock);
      assertThat(tmp.resolve("warehouse")).doesNotExist();
    } finally {
      holder.descendants().forEach(ProcessHandle::destroy);
      holder.destroy();
      holder.waitFor(10, TimeUnit.SECONDS);
    }

    Night first = night();
    assertThat(first.exit()).as("%s", first).isZero();
    assertThat(first.output()).contains("8 models: 8 ran, 0 skipped, 0 failed")
        .contains("nightly-" + DATE + "-shapes-rpn-tiny")
        .contains("gate against reference: 8 models, 11 held, 0 dropped")
        .contains("exit 0");
    assertReportRanOrWasSkippedWithAWarning(first);
    // zoobench's own lines only: no native library's warning (libtorch's "[W1130 ..." lines)
    assertThat(first.output().lines().filter(l -> l.startsWith("[W"))).as("%s", first)
        .isEmpty();
    everyFamilyMatchesItsPythonModel(tmp.resolve("warehouse"));

    Night second = night();
    assertThat(second.exit()).as("%s", second).isZero();
    assertThat(second.output()).contains("8 models: 0 ran, 8 skipped, 0 failed")
        .contains("skipped, unchanged since run nightly-" + DATE + "-shapes-ssd300-tiny")
        .contains("skipped, unchanged since run nightly-" + DATE + "-shapes-fastrcnn-tiny")
        .contains("gate against reference: 8 models, 11 held, 0 dropped");

    String log = Files.readString(tmp.resolve("logs/nightly-" + DATE + ".log"));
    assertThat(log).as("both nights of the date in its log")
        .contains("8 models: 8 ran, 0 skipped, 0 failed")
        .contains("8 models: 0 ran, 8 skipped, 0 failed");
  }

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

  /**
   * Every statistic of every fixture model within 0.01 of pycocotools' on its Python model's
   * detections; the Fast R-CNN runs name the RPN run (and attempt) that gave their proposals.
   */
  static void everyFamilyMatchesItsPythonModel(Path warehouse) throws Exception {
    JsonNode expected = new ObjectMapper().readTree(
        ROOT.resolve("fixtures/expected/metrics.json").toFile());
    Warehouse w = Warehouse.open(LocalSpark.get(), warehouse.toString());
    assertThat(w.table(Tables.RUNS).count()).isEqualTo(EXPECTED.size());
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
    Row rpn = w.table(Tables.RUNS).where("model = 'shapes-rpn-tiny'").first();
    for (Row fast : w.table(Tables.RUNS).where("model LIKE 'shapes-fastrcnn%'").collectAsList()) {
      JsonNode proposals = new ObjectMapper().readTree(fast.<String>getAs("config_json"))
          .get("proposals");
      assertThat(proposals.get("run_id").asText()).isEqualTo(rpn.<String>getAs("run_id"));
      assertThat(proposals.get("attempt_id").asText())
          .isEqualTo(rpn.<String>getAs("attempt_id"));
      assertThat(proposals.get("top_k").asInt()).isEqualTo(300);
    }
  }

  /** Before the report verb is merged nightly.sh says it skips it; after, the report is written. */
  static void assertReportRanOrWasSkippedWithAWarning(Night n) {
    if (n.output().contains("warning: this zoobench has no 'report' verb")) {
      assertThat(n.output()).doesNotContain("report into");
    } else {
      assertThat(n.output()).contains("report into").contains("report 0;");
    }
  }

  /**
   * Every notebook runs headless against the nights' warehouse plus the demo and an import that
   * fails on bad input, exported with {@code zoobench export}; the notebooks' environment is
   * {@code tools/python/setup.sh notebooks} (offline, made once). {@code jupyter nbconvert
   * --execute} fails on any cell error, and each executed notebook must hold at least one table
   * (a DataFrame's {@code text/html}) and one figure ({@code image/png}). The executed notebooks
   * are left in {@code jobs/target/notebooks/}.
   */
  @Test
  @Order(2)
  void everyNotebookRunsAgainstTheNightsWarehouseWithATableAndAFigure() throws Exception {
    Path warehouse = tmp.resolve("warehouse");
    assertThat(warehouse).as("the nights ran").isDirectory();
    Cli.Result demo = Cli.run("demo", "--warehouse", warehouse.toString(), "--run-id", "demo");
    assertThat(demo.exit()).as("%s", demo).isZero();
    Path bad = Files.writeString(tmp.resolve("bad.json"),
        "[{\"image_id\": 999999, \"category_id\": 1, \"bbox\": [0, 0, 1, 1], \"score\": 0.5}]");
    Cli.Result broken = Cli.run("import", "--annotations",
        DATA.resolve("instances.json").toString(), "--results", bad.toString(), "--iou", "bbox",
        "--warehouse", warehouse.toString(), "--run-id", "broken-results", "--model",
        "broken-results");
    assertThat(broken.exit()).as("%s", broken).isEqualTo(Zoobench.EXIT_BAD_INPUT);
    Path export = tmp.resolve("export");
    Cli.Result exported = Cli.run("export", "--warehouse", warehouse.toString(), "--out",
        export.toString());
    assertThat(exported.exit()).as("%s", exported).isZero();

    Path python = Path.of(run(List.of(ROOT.resolve("tools/python/setup.sh").toString(),
        "notebooks"), ROOT, null, 600).strip().lines().reduce((a, b) -> b).orElseThrow());
    Path jupyter = python.resolveSibling("jupyter");
    Path executed = Files.createDirectories(ROOT.resolve("jobs/target/notebooks"));
    List<Path> notebooks;
    try (Stream<Path> s = Files.list(ROOT.resolve("notebooks"))) {
      notebooks = s.filter(p -> p.toString().endsWith(".ipynb")).sorted().toList();
    }
    assertThat(notebooks).hasSize(5);
    ObjectMapper json = new ObjectMapper();
    for (Path notebook : notebooks) {
      run(List.of(jupyter.toString(), "nbconvert", "--to", "notebook", "--execute",
          "--ExecutePreprocessor.timeout=300", "--output-dir", executed.toString(),
          notebook.getFileName().toString()), notebook.getParent(), export, 600);
      JsonNode nb = json.readTree(executed.resolve(notebook.getFileName()).toFile());
      List<String> kinds = new ArrayList<>();
      for (JsonNode cell : nb.get("cells")) {
        for (JsonNode output : cell.path("outputs")) {
          kinds.add(output.get("output_type").asText());
          output.path("data").fieldNames().forEachRemaining(kinds::add);
        }
      }
      assertThat(kinds).as("%s", notebook.getFileName()).doesNotContain("error")
          .contains("text/html", "image/png");
      assertThat(nb.get("cells").get(1).get("metadata").get("tags").toString())
          .as("%s: a parameters cell first", notebook.getFileName()).contains("parameters");
    }
  }

  /** Runs a command, its output into a log; fails with the log's tail unless it exits 0. */
  static String run(List<String> command, Path dir, Path warehouse, int seconds)
      throws Exception {
    File log = Files.createTempFile("notebooks-it", ".log").toFile();
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
        .redirectErrorStream(false).redirectError(log);
    if (warehouse != null) {
      pb.environment().put("ZOOBENCH_WAREHOUSE", warehouse.toString());
      pb.environment().put("ZOOBENCH_ENGINE", "duckdb");
    }
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    boolean done = p.waitFor(seconds, TimeUnit.SECONDS);
    if (!done) {
      p.destroyForcibly();
    }
    String err = Files.readString(log.toPath());
    assertThat(done && p.exitValue() == 0)
        .as("%s in %s: %s\n%s", command, dir, done ? "exit " + p.exitValue() : "timed out",
            err.length() > 4000 ? err.substring(err.length() - 4000) : err)
        .isTrue();
    return out;
  }
}
