package io.zoobench.jobs;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zoobench.jobs.run.Git;
import io.zoobench.jobs.spark.LocalSpark;
import io.zoobench.jobs.tables.Tables;
import io.zoobench.jobs.tables.Warehouse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code zoobench evaluate} and {@code zoobench demo} end to end on the committed shapes set and
 * tiny Mask R-CNN: tables, fps, metrics equal to the single-process evaluator on the same
 * predictions, predictions independent of the sharding, a retried shard without duplicates,
 * and bad images as failures.
 */
class EvaluateCommandIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final Path DATA = ROOT.resolve("fixtures/shapes-val");
  static final String MODEL = ROOT.resolve("conf/zoo/demo.yaml") + "#shapes-maskrcnn-tiny";

  @TempDir static Path warehouse;
  @TempDir Path tmp;

  private static SparkSession spark;
  private static Cli.Result demo;

  @BeforeAll
  static void runDemo() {
    spark = LocalSpark.get();
    System.setProperty("zoobench.home", ROOT.toString());
    demo = Cli.run("demo", "--warehouse", warehouse.toString(), "--run-id", "demo");
  }

  static List<Row> rows(Path root, String table, String runId, String orderBy) {
    return Warehouse.open(spark, root.toString()).table(table)
        .where(col("run_id").equalTo(runId)).orderBy(orderBy).collectAsList();
  }

  static Cli.Result evaluate(Path wh, String runId, String... more) {
    List<String> args = new java.util.ArrayList<>(List.of("evaluate", "--annotations",
        DATA.resolve("instances.json").toString(), "--images", DATA.resolve("images").toString(),
        "--model", MODEL, "--warehouse", wh.toString(), "--run-id", runId));
    args.addAll(Arrays.asList(more));
    return Cli.run(args.toArray(String[]::new));
  }

  @Test
  void demoWritesEveryTableAndPrintsTheZooRow() throws Exception {
    assertThat(demo.exit()).as(demo.toString()).isZero();
    assertThat(demo.out()).contains("shapes-maskrcnn-tiny", "fps e2e", "box AP", "mask AP");
    Row run = rows(warehouse, Tables.RUNS, "demo", "run_id").get(0);
    assertThat(run.<String>getAs("status")).isEqualTo("succeeded");
    assertThat(run.<Long>getAs("images_total")).isEqualTo(50L);
    assertThat(run.<Long>getAs("images_failed")).isZero();
    assertThat(run.<String>getAs("arch")).isEqualTo("Mask R-CNN");
    assertThat(run.<String>getAs("iou_types")).isEqualTo("bbox,segm");
    assertThat(run.<String>getAs("devices")).isEqualTo("cpu");
    if (Git.homeIsAWorkTree()) {
      assertThat(run.<String>getAs("code_version"))
          .isEqualTo(Git.expectedCodeVersion(Git.projectVersion()));
    }
    // the weights that ran, as the test reads the fixture itself
    Path model = ROOT.resolve("fixtures/models/shapes_maskrcnn.pt");
    assertThat(run.<String>getAs("model_sha256")).isEqualTo(sha256(model));
    assertThat(run.<Long>getAs("model_bytes")).isEqualTo(Files.size(model));
    assertThat(run.<Integer>getAs("executors")).isEqualTo(1);
    assertThat(run.isNullAt(run.fieldIndex("unknown_category_share"))).isTrue();
    long predictions = run.<Long>getAs("predictions");
    assertThat(rows(warehouse, Tables.PREDICTIONS, "demo", "det_index")).hasSize(
        (int) predictions);
    List<Row> timings = rows(warehouse, Tables.TIMINGS, "demo", "shard_id");
    assertThat(timings).isNotEmpty();
    assertThat(timings.stream().mapToLong(r -> r.<Long>getAs("images")).sum()).isEqualTo(50);
    for (Row t : timings) {
      assertThat(t.<Double>getAs("fps_end_to_end")).isPositive();
      assertThat(t.<Double>getAs("fps_compute")).isPositive()
          .isGreaterThanOrEqualTo(t.<Double>getAs("fps_end_to_end"));
      assertThat(t.<Long>getAs("warmup_images")).isEqualTo(1L);
      assertThat(t.<String>getAs("device")).isEqualTo("cpu");
    }
    assertThat(rows(warehouse, Tables.FAILURES, "demo", "file")).isEmpty();
    assertThat(rows(warehouse, Tables.METRICS, "demo", "slot").stream()
        .map(r -> r.<String>getAs("iou_type")).distinct().sorted().toList())
        .containsExactly("bbox", "segm");

    Cli.Result zoo = Cli.run("sql", "--warehouse", warehouse.toString(), "--format", "jsonl",
        "SELECT model, arch, fps_end_to_end, fps_compute, box_ap, mask_ap, ar1000"
            + " FROM zoo_history WHERE run_id = 'demo'");
    assertThat(zoo.exit()).as(zoo.toString()).isZero();
    JsonNode row = readLine(zoo.out());
    assertThat(row.path("model").asText()).isEqualTo("shapes-maskrcnn-tiny");
    assertThat(row.path("fps_end_to_end").asDouble()).isPositive();
    assertThat(row.path("box_ap").asDouble()).isEqualTo(rows(warehouse, Tables.METRICS, "demo",
        "slot").stream().filter(r -> r.<String>getAs("iou_type").equals("bbox")
            && r.<String>getAs("metric").equals("AP")).findFirst().orElseThrow()
        .<Double>getAs("value"));
    assertThat(row.path("ar1000").isNull()).isTrue();
  }

  static String sha256(Path file) throws Exception {
    java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
    return java.util.HexFormat.of().formatHex(md.digest(Files.readAllBytes(file)));
  }

  private static JsonNode readLine(String jsonl) {
    try {
      return JSON.readTree(jsonl.lines().findFirst().orElseThrow());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void metricsEqualTheSingleProcessEvaluatorOnTheSamePredictions() throws Exception {
    // the predictions table, back as a COCO results file
    ArrayNode results = JSON.createArrayNode();
    for (Row r : rows(warehouse, Tables.PREDICTIONS, "demo", "det_index")) {
      ObjectNode o = results.addObject();
      o.put("image_id", r.<Long>getAs("image_id"));
      o.put("category_id", r.<Long>getAs("category_id"));
      ArrayNode box = o.putArray("bbox");
      r.<Double>getList(r.fieldIndex("bbox")).forEach(box::add);
      o.put("score", r.<Double>getAs("score"));
      Row seg = r.getAs("segmentation");
      ObjectNode s = o.putObject("segmentation");
      s.putArray("size").add(seg.<Integer>getList(0).get(0)).add(seg.<Integer>getList(0).get(1));
      s.put("counts", seg.getString(1));
    }
    Path dt = tmp.resolve("dt.json");
    JSON.writeValue(dt.toFile(), results);
    Map<String, Double> spark = rows(warehouse, Tables.METRICS, "demo", "slot").stream()
        .collect(Collectors.toMap(r -> r.getString(r.fieldIndex("iou_type")) + "/"
            + r.getString(r.fieldIndex("metric")), r -> r.<Double>getAs("value")));
    for (String iou : List.of("bbox", "segm")) {
      Path json = tmp.resolve(iou + ".json");
      Cli.Result single = Cli.run("eval", "--gt", DATA.resolve("instances.json").toString(),
          "--dt", dt.toString(), "--iou", iou, "--json", json.toString());
      assertThat(single.exit()).as(single.toString()).isZero();
      JsonNode stats = JSON.readTree(json.toFile());
      JsonNode names = stats.path("stat_names");
      for (int i = 0; i < 12; i++) {
        assertThat(spark.get(iou + "/" + names.get(i).asText()))
            .as(iou + " " + names.get(i).asText())
            .isCloseTo(stats.path("stats").get(i).asDouble(), within(1e-12));
      }
    }
  }

  @Test
  void apIsWithinABandOfThePythonModel() throws Exception {
    JsonNode python = JSON.readTree(ROOT.resolve("fixtures/expected/metrics.json").toFile());
    Map<String, Double> ap = rows(warehouse, Tables.METRICS, "demo", "slot").stream()
        .filter(r -> r.getString(r.fieldIndex("metric")).equals("AP"))
        .collect(Collectors.toMap(r -> r.getString(r.fieldIndex("iou_type")),
            r -> r.<Double>getAs("value")));
    assertThat(ap.get("bbox")).isCloseTo(python.path("maskrcnn").path("bbox").get(0).asDouble(),
        within(0.01));
    assertThat(ap.get("segm")).isCloseTo(python.path("maskrcnn").path("segm").get(0).asDouble(),
        within(0.01));
    assertThat(ap.get("bbox")).as("a trained model, not noise").isGreaterThan(0.45);
  }

  /**
   * A Fast R-CNN on an imported proposal run: the RPN fixture's Python proposals imported as
   * run {@code rpn-python} are what make_fastrcnn_fixtures.py fed the Python model, so the
   * AP equals pycocotools' on the Python detections to float noise; without a proposal run,
   * or with a detector's run, the run fails in one line.
   */
  @Test
  void aFastRcnnTakesTheProposalsOfTheRunItIsGiven() throws Exception {
    Path wh = tmp.resolve("fast");
    Cli.Result rpn = Cli.run("import", "--annotations", DATA.resolve("instances.json")
        .toString(), "--results", ROOT.resolve("fixtures/expected/shapes_rpn_val.json")
        .toString(), "--iou", "proposal", "--warehouse", wh.toString(), "--run-id", "rpn-python",
        "--model", "rpn-python");
    assertThat(rpn.exit()).as("%s", rpn).isZero();
    String fast = ROOT.resolve("conf/zoo/fixtures.yaml") + "#shapes-fastrcnn-tiny";

    Cli.Result r = Cli.run("evaluate", "--annotations", DATA.resolve("instances.json")
        .toString(), "--images", DATA.resolve("images").toString(), "--model", fast,
        "--warehouse", wh.toString(), "--run-id", "fast", "--proposals-run", "rpn-python");

    assertThat(r.exit()).as("%s", r).isZero();
    assertThat(r.err()).contains("proposals: 14027 boxes on 50 images from run rpn-python"
        + " (at most 300 per image)");
    double python = JSON.readTree(ROOT.resolve("fixtures/expected/metrics.json").toFile())
        .path("fastrcnn").path("bbox").get(0).asDouble();
    double ap = rows(wh, Tables.METRICS, "fast", "slot").get(0).<Double>getAs("value");
    assertThat(ap).isCloseTo(python, within(1e-4));

    Cli.Result none = Cli.run("evaluate", "--annotations", DATA.resolve("instances.json")
        .toString(), "--images", DATA.resolve("images").toString(), "--model", fast,
        "--warehouse", wh.toString(), "--run-id", "fast-2");
    assertThat(none.exit()).isEqualTo(1);
    assertThat(none.err()).contains("model shapes-fastrcnn-tiny takes precomputed proposals:"
        + " model shapes-rpn-tiny has no succeeded run in the warehouse");
    assertThat(none.err()).doesNotContain("Exception");
    Cli.Result both = Cli.run("evaluate", "--annotations", DATA.resolve("instances.json")
        .toString(), "--images", DATA.resolve("images").toString(), "--model", fast,
        "--warehouse", wh.toString(), "--proposals-run", "a", "--proposals-model", "b");
    assertThat(both.exit()).isEqualTo(2);
    assertThat(both.err()).contains("--proposals-run and --proposals-model: name one");
  }

  private static List<Row> predictions(Path wh, String runId) {
    return rows(wh, Tables.PREDICTIONS, runId, "det_index");
  }

  private static void assertSamePredictions(List<Row> a, List<Row> b) {
    assertThat(a).hasSameSizeAs(b);
    for (int i = 0; i < a.size(); i++) {
      Row x = a.get(i);
      Row y = b.get(i);
      for (String c : List.of("image_id", "category_id", "bbox", "score", "segmentation",
          "det_index")) {
        assertThat(String.valueOf(y.<Object>getAs(c))).as("row %d column %s", i, c)
            .isEqualTo(String.valueOf(x.<Object>getAs(c)));
      }
    }
  }

  @Test
  void predictionsDoNotDependOnTheShards() {
    Cli.Result one = evaluate(warehouse, "one-shard", "--shards", "1");
    assertThat(one.exit()).as(one.toString()).isZero();
    Cli.Result five = evaluate(warehouse, "five-shards", "--shards", "5");
    assertThat(five.exit()).as(five.toString()).isZero();
    assertThat(rows(warehouse, Tables.TIMINGS, "five-shards", "shard_id")).extracting(
        r -> r.<Integer>getAs("shard_id")).containsExactly(0, 1, 2, 3, 4);
    assertSamePredictions(predictions(warehouse, "demo"), predictions(warehouse, "one-shard"));
    assertSamePredictions(predictions(warehouse, "demo"), predictions(warehouse, "five-shards"));
  }

  @Test
  void aShardThatFailsOnceIsRetriedWithoutDuplicates() {
    try {
      Cli.Result r = evaluate(warehouse, "retried", "--shards", "3", "--conf",
          "spark.zoobench.faults.failShardOnce=1");
      assertThat(r.exit()).as(r.toString()).isZero();
    } finally {
      spark.conf().unset("spark.zoobench.faults.failShardOnce");
    }
    assertSamePredictions(predictions(warehouse, "demo"), predictions(warehouse, "retried"));
    List<Row> timings = rows(warehouse, Tables.TIMINGS, "retried", "shard_id");
    assertThat(timings).extracting(r -> r.<Integer>getAs("shard_id")).containsExactly(0, 1, 2);
    assertThat(timings.stream().mapToLong(r -> r.<Long>getAs("images")).sum()).isEqualTo(50);
  }

  /** A copy of the first images, then a missing, a corrupt, a truncated and an escaping one. */
  private Path badDataset(Path dir) throws Exception {
    JsonNode gt = JSON.readTree(DATA.resolve("instances.json").toFile());
    ObjectNode out = gt.deepCopy();
    ArrayNode images = out.putArray("images");
    Path imgs = Files.createDirectories(dir.resolve("images"));
    List<Long> kept = new java.util.ArrayList<>();
    for (int i = 0; i < 7; i++) {
      ObjectNode im = gt.path("images").get(i).deepCopy();
      String file = im.path("file_name").asText();
      byte[] png = Files.readAllBytes(DATA.resolve("images").resolve(file));
      switch (i) {
        case 3 -> { } // missing: not copied
        case 4 -> Files.write(imgs.resolve(file), "not a png at all".getBytes());
        case 5 -> Files.write(imgs.resolve(file), Arrays.copyOf(png, png.length / 2));
        case 6 -> im.put("file_name", "../" + file);
        default -> Files.write(imgs.resolve(file), png);
      }
      images.add(im);
      kept.add(im.path("id").asLong());
    }
    ArrayNode anns = out.putArray("annotations");
    for (JsonNode a : gt.path("annotations")) {
      if (kept.contains(a.path("image_id").asLong())) {
        anns.add(a);
      }
    }
    Path file = dir.resolve("instances.json");
    JSON.writeValue(file.toFile(), out);
    return file;
  }

  @Test
  void badImagesAreFailuresAndTheRunGoesOnUpToTheLimit() throws Exception {
    Path ann = badDataset(tmp);
    Path wh = tmp.resolve("wh");
    Cli.Result ok = Cli.run("evaluate", "--annotations", ann.toString(), "--images",
        tmp.resolve("images").toString(), "--model", MODEL, "--warehouse", wh.toString(),
        "--run-id", "tolerant", "--max-failed-share", "0.6");
    assertThat(ok.exit()).as(ok.toString()).isZero();
    List<Row> failures = rows(wh, Tables.FAILURES, "tolerant", "image_id");
    assertThat(failures).extracting(r -> r.<String>getAs("stage"))
        .containsExactly("read", "decode", "decode", "path");
    assertThat(failures.get(3).<String>getAs("message")).contains("leaves the image root");
    Row run = rows(wh, Tables.RUNS, "tolerant", "run_id").get(0);
    assertThat(run.<Long>getAs("images_failed")).isEqualTo(4L);
    assertThat(run.<String>getAs("status")).isEqualTo("succeeded");

    Cli.Result strict = Cli.run("evaluate", "--annotations", ann.toString(), "--images",
        tmp.resolve("images").toString(), "--model", MODEL, "--warehouse", wh.toString(),
        "--run-id", "strict");
    assertThat(strict.exit()).as(strict.toString()).isEqualTo(1);
    assertThat(strict.err()).contains("4 of 7 images failed").doesNotContain("\tat ");
    Row failed = rows(wh, Tables.RUNS, "strict", "run_id").get(0);
    assertThat(failed.<String>getAs("status")).isEqualTo("failed");
    assertThat(rows(wh, Tables.FAILURES, "strict", "stage")).hasSize(5);
    assertThat(rows(wh, Tables.PREDICTIONS, "strict", "det_index")).isEmpty();
  }

  @Test
  void aBadSpecOrAMissingModelIsOneLine() throws Exception {
    Path yaml = tmp.resolve("bad.yaml");
    Files.writeString(yaml, String.join("\n", "models:", "  - name: m", "    arch: x",
        "    backbone: y", "    artifact: nowhere.pt", "    input: {resize: none, mean: [1, 2],"
            + " std: [1, 1, 1]}", "    output: torchvision", "    labels: {1: 1}", ""));
    Cli.Result r = Cli.run("evaluate", "--annotations", DATA.resolve("instances.json").toString(),
        "--images", DATA.resolve("images").toString(), "--model", yaml.toString(),
        "--warehouse", tmp.resolve("wh").toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err().strip()).isEqualTo(
        "zoobench evaluate: bad.yaml: models[0] (m): input.mean has 2 numbers, expected 3 numbers");

    Files.writeString(yaml, Files.readString(yaml).replace("mean: [1, 2]", "mean: [1, 2, 3]"));
    r = Cli.run("evaluate", "--annotations", DATA.resolve("instances.json").toString(),
        "--images", DATA.resolve("images").toString(), "--model", yaml.toString(),
        "--warehouse", tmp.resolve("wh").toString(), "--run-id", "nomodel");
    assertThat(r.exit()).isEqualTo(1);
    // refused by the driver before Spark works: nothing recorded
    assertThat(r.err().strip()).startsWith("zoobench evaluate: --model ")
        .contains("model file").contains("nowhere.pt: no such file").doesNotContain("\n");
    assertThat(tmp.resolve("wh").resolve("catalog.db")).doesNotExist();
  }
}
