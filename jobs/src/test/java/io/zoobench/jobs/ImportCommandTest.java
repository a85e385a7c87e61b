package io.zoobench.jobs;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zoobench.jobs.run.Git;
import io.zoobench.jobs.spark.LocalSpark;
import io.zoobench.jobs.tables.RunRow;
import io.zoobench.jobs.tables.TableSchema;
import io.zoobench.jobs.tables.Tables;
import io.zoobench.jobs.tables.Warehouse;
import io.zoobench.testing.ReferenceCases;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code zoobench import} end to end: tables and layout, the run record, reruns, failures. */
class ImportCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final double TOL = 1e-12;
  private static final List<String> TABLES = List.of(Tables.RUNS, Tables.METRICS,
      Tables.PER_CATEGORY, Tables.PREDICTIONS, Tables.TIMINGS, Tables.FAILURES);

  @TempDir static Path warehouse;
  @TempDir Path tmp;

  private static SparkSession spark;
  /** bbox,segm of the 300-image synthetic case, on 3 partitions, as run "medium". */
  private static Cli.Result medium;

  @BeforeAll
  static void importMedium() {
    spark = LocalSpark.get();
    ReferenceCases.Mode m = mode("17_", "bbox");
    medium = Cli.run("import", "--annotations", m.gt().toString(), "--results",
        m.dt().toString(), "--iou", "bbox,segm", "--warehouse", warehouse.toString(),
        "--run-id", "medium", "--model", "synthetic-rcnn", "--partitions", "3");
  }

  static ReferenceCases.Mode mode(String casePrefix, String mode) {
    return ReferenceCases.all()
        .filter(x -> x.caseName().startsWith(casePrefix) && x.mode().equals(mode))
        .findFirst().orElseThrow();
  }

  static List<Row> rows(Path root, String table, String runId, String orderBy) {
    return Warehouse.open(spark, root.toString()).table(table)
        .where(col("run_id").equalTo(runId)).orderBy(orderBy).collectAsList();
  }

  static String sha256(Path file) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest(Files.readAllBytes(file)));
  }

  static JsonNode readJson(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return JSON.readTree(file.toString().endsWith(".gz") ? new GZIPInputStream(in) : in);
    }
  }

  /** The metrics rows of a run and IoU type equal the mode's pycocotools stats. */
  static void assertMetrics(Path root, String runId, String iouType, ReferenceCases.Mode m,
      String model, String detArea) {
    List<Row> metrics = rows(root, Tables.METRICS, runId, "slot").stream()
        .filter(r -> r.getAs("iou_type").equals(iouType)).toList();
    assertThat(metrics).as("%s %s", runId, iouType).hasSize(12);
    double[] expected = m.stats();
    for (int i = 0; i < 12; i++) {
      Row r = metrics.get(i);
      assertThat((int) r.getAs("slot")).isEqualTo(i);
      assertThat((String) r.getAs("metric")).isEqualTo(m.expected().get("stat_names").get(i)
          .asText());
      assertThat((double) r.getAs("value")).as("%s %s %s", runId, iouType, r.getAs("metric"))
          .isCloseTo(expected[i], within(TOL));
      assertThat((String) r.getAs("model")).isEqualTo(model);
      assertThat((String) r.getAs("mode")).isEqualTo("pycocotools");
      assertThat((String) r.getAs("det_area")).isEqualTo(detArea);
    }
  }

  @Test
  void mediumRunPublishesPycocotoolsMetrics() {
    assertThat(medium.exit()).as("%s", medium).isZero();
    assertThat(medium.out()).startsWith("run medium: 30000 predictions");
    assertMetrics(warehouse, "medium", "bbox", mode("17_", "bbox"), "synthetic-rcnn", "box");
    assertMetrics(warehouse, "medium", "segm", mode("17_", "segm"), "synthetic-rcnn", "box");
    assertThat(rows(warehouse, Tables.METRICS, "medium", "slot").stream()
        .map(r -> (String) r.getAs("metric")).distinct().sorted().toList())
        .containsExactlyInAnyOrder("AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10",
            "AR100", "ARs", "ARm", "ARl");
  }

  @Test
  void mediumRunPublishesPerCategoryAp() {
    for (String iou : List.of("bbox", "segm")) {
      JsonNode expected = mode("17_", iou).expected().get("per_category");
      List<Row> got = rows(warehouse, Tables.PER_CATEGORY, "medium", "category_id").stream()
          .filter(r -> r.getAs("iou_type").equals(iou)).toList();
      assertThat(got).hasSize(expected.size());
      for (int k = 0; k < got.size(); k++) {
        Row r = got.get(k);
        JsonNode e = expected.get(k);
        assertThat((long) r.getAs("category_id")).isEqualTo(e.get("id").asLong());
        assertThat((String) r.getAs("name")).isEqualTo(e.get("name").asText());
        assertThat((String) r.getAs("model")).isEqualTo("synthetic-rcnn");
        if (e.get("AP").isNull()) {
          assertThat(r.isNullAt(r.fieldIndex("AP"))).isTrue();
        } else {
          assertThat((double) r.getAs("AP")).as("%s category %d", iou, e.get("id").asLong())
              .isCloseTo(e.get("AP").asDouble(), within(TOL));
        }
      }
    }
  }

  @Test
  void mediumPredictionsEqualTheResultsFile() throws Exception {
    ReferenceCases.Mode m = mode("17_", "bbox");
    JsonNode file = readJson(m.dt());
    List<Row> got = rows(warehouse, Tables.PREDICTIONS, "medium", "det_index");
    assertThat(got).hasSize(file.size());
    for (int i = 0; i < got.size(); i++) {
      assertPrediction(got.get(i), file.get(i), i);
    }
    StructType schema = Warehouse.open(spark, warehouse.toString()).table(Tables.PREDICTIONS)
        .schema();
    assertThat(schema.fieldNames()).containsExactly("run_id", "image_id", "category_id", "bbox",
        "score", "segmentation", "det_index");
    assertThat(schema.apply("bbox").dataType().simpleString()).isEqualTo("array<double>");
    assertThat(schema.apply("score").dataType().simpleString()).isEqualTo("double");
    assertThat(schema.apply("segmentation").dataType().simpleString())
        .isEqualTo("struct<size:array<int>,counts:string>");
  }

  /** One predictions row equals result {@code i} of the file, bit for bit. */
  static void assertPrediction(Row r, JsonNode e, int i) {
    assertThat((long) r.getAs("det_index")).isEqualTo(i);
    assertThat((long) r.getAs("image_id")).as("results[%d]", i)
        .isEqualTo(e.get("image_id").asLong());
    assertThat((long) r.getAs("category_id")).as("results[%d]", i)
        .isEqualTo(e.get("category_id").asLong());
    // text -> double as Java parses it: exact, never through float
    assertThat((double) r.getAs("score")).as("results[%d].score", i)
        .isEqualTo(Double.parseDouble(e.get("score").asText()));
    if (e.has("bbox")) {
      List<Double> bbox = r.getList(r.fieldIndex("bbox"));
      List<Double> want = new ArrayList<>();
      e.get("bbox").forEach(v -> want.add(Double.parseDouble(v.asText())));
      assertThat(bbox).as("results[%d].bbox", i).isEqualTo(want);
    } else {
      assertThat(r.isNullAt(r.fieldIndex("bbox"))).isTrue();
    }
    if (e.has("segmentation")) {
      Row seg = r.getStruct(r.fieldIndex("segmentation"));
      JsonNode s = e.get("segmentation");
      assertThat(seg.<Integer>getList(0)).as("results[%d].segmentation.size", i)
          .containsExactly(s.get("size").get(0).asInt(), s.get("size").get(1).asInt());
      assertThat(seg.getString(1)).as("results[%d].segmentation.counts", i)
          .isEqualTo(s.get("counts").asText());
    } else {
      assertThat(r.isNullAt(r.fieldIndex("segmentation"))).as("results[%d]", i).isTrue();
    }
  }

  @Test
  void mediumRunRecord() throws Exception {
    ReferenceCases.Mode m = mode("17_", "bbox");
    List<Row> runs = rows(warehouse, Tables.RUNS, "medium", "run_id");
    assertThat(runs).hasSize(1);
    Row r = runs.get(0);
    assertThat((String) r.getAs("status")).isEqualTo("succeeded");
    assertThat(r.isNullAt(r.fieldIndex("message"))).isTrue();
    assertThat((String) r.getAs("model")).isEqualTo("synthetic-rcnn");
    assertThat((String) r.getAs("dataset")).isEqualTo("gt.json");
    assertThat((String) r.getAs("annotations_sha256")).isEqualTo(sha256(m.gt()));
    assertThat((String) r.getAs("results_sha256")).as("sha256 of the .gz file as stored")
        .isEqualTo(sha256(m.dt()));
    assertThat((String) r.getAs("iou_types")).isEqualTo("bbox,segm");
    assertThat((String) r.getAs("spark_master")).isEqualTo(spark.sparkContext().master());
    assertThat((String) r.getAs("spark_version")).isEqualTo(spark.version());
    assertThat((int) r.getAs("executors")).as("local mode: the driver is the executor")
        .isEqualTo(1);
    assertThat(r.isNullAt(r.fieldIndex("devices"))).as("import runs no model").isTrue();
    if (Git.homeIsAWorkTree()) {
      assertThat((String) r.getAs("code_version"))
          .isEqualTo(Git.expectedCodeVersion(Git.projectVersion()));
    } else {
      assertThat((String) r.getAs("code_version")).isEqualTo(Git.projectVersion() + "+unknown");
    }
    assertThat(r.isNullAt(r.fieldIndex("model_sha256"))).isTrue();
    assertThat(r.isNullAt(r.fieldIndex("model_bytes"))).isTrue();
    assertThat((double) r.getAs("unknown_category_share")).isZero();
    assertThat((long) r.getAs("images_total")).isEqualTo(300);
    assertThat((long) r.getAs("predictions")).isEqualTo(30000);
    assertThat((java.sql.Timestamp) r.getAs("finished_at"))
        .isAfterOrEqualTo((java.sql.Timestamp) r.getAs("started_at"));
    String config = r.getAs("config_json");
    assertThat((String) r.getAs("config_hash")).isEqualTo(HexFormat.of().formatHex(
        MessageDigest.getInstance("SHA-256").digest(config.getBytes("UTF-8"))));
    JsonNode c = JSON.readTree(config);
    assertThat(c.get("verb").asText()).isEqualTo("import");
    // as the driver resolved them: absolute, with the file system's scheme
    assertThat(c.get("annotations").asText())
        .isEqualTo("file:" + m.gt().toAbsolutePath().normalize());
    assertThat(c.get("results").asText()).isEqualTo("file:" + m.dt().toAbsolutePath().normalize());
    assertThat(c.get("model").asText()).isEqualTo("synthetic-rcnn");
    assertThat(c.get("partitions").asInt()).isEqualTo(3);
    assertThat(c.get("evaluations").findValuesAsText("iou")).containsExactly("bbox", "segm");
  }

  @Test
  void everyTableIsAnIcebergTablePartitionedByRunAndAttempt() {
    Warehouse w = Warehouse.open(spark, warehouse.toString());
    assertThat(warehouse.resolve("catalog.db")).isRegularFile();
    for (TableSchema<?> t : Tables.all()) {
      org.apache.iceberg.Table table = w.iceberg(t);
      assertThat(table.spec().fields()).as(t.name()).extracting(f -> f.name())
          .startsWith("run_id");
      for (StructField f : t.schema().fields()) {
        assertThat(table.schema().findField(f.name())).as("%s.%s", t.name(), f.name()).isNotNull();
      }
    }
    Row run = rows(warehouse, Tables.RUNS, "medium", "run_id").get(0);
    // every row of the run is the published attempt's
    for (String t : List.of(Tables.METRICS, Tables.PER_CATEGORY, Tables.PREDICTIONS)) {
      assertThat(w.session().table(Warehouse.name(Tables.named(t)))
          .where("run_id = 'medium'").select("attempt_id").distinct().collectAsList())
          .as(t).extracting(r -> r.getString(0)).containsExactly(run.<String>getAs("attempt_id"));
    }
    assertThat(rows(warehouse, Tables.TIMINGS, "medium", "run_id")).isEmpty();
    assertThat(rows(warehouse, Tables.FAILURES, "medium", "run_id")).isEmpty();
    assertThat(rows(warehouse, Tables.RUN_ATTEMPTS, "medium", "run_id"))
        .extracting(r -> r.<String>getAs("status")).containsExactly("succeeded");
  }

  @Test
  void proposalsThroughTheCli() {
    ReferenceCases.Mode m = mode("16_", "proposal");
    Cli.Result r = Cli.run("import", "--annotations", m.gt().toString(), "--results",
        m.dt().toString(), "--iou", "proposal", "--warehouse", tmp.toString(), "--run-id",
        "rpn", "--partitions", "7");
    assertThat(r.exit()).as("%s", r).isZero();
    assertMetrics(tmp, "rpn", "proposal", m, "dt", "box");
    List<String> names = rows(tmp, Tables.METRICS, "rpn", "slot").stream()
        .map(x -> (String) x.getAs("metric")).toList();
    assertThat(names).contains("AR@100", "AR@300", "AR@1000", "ARs@1000", "ARm@1000",
        "ARl@1000");
    assertThat(rows(tmp, Tables.PER_CATEGORY, "rpn", "run_id")).isEmpty();
    assertThat(rows(tmp, Tables.RUNS, "rpn", "run_id").get(0).<String>getAs("model"))
        .as("model defaults to the results file's name").isEqualTo("dt");
  }

  @Test
  void detectionAreaFromMasksThroughTheCli() {
    ReferenceCases.Mode m = mode("06_", "segm_d2");
    Cli.Result r = Cli.run("import", "--annotations", m.gt().toString(), "--results",
        m.dt().toString(), "--iou", "segm", "--det-area", "mask", "--warehouse", tmp.toString(),
        "--run-id", "d2", "--model", "d2", "--partitions", "1");
    assertThat(r.exit()).as("%s", r).isZero();
    assertMetrics(tmp, "d2", "segm", m, "d2", "mask");
  }

  @Test
  void importWarnsAsEvalDoes() throws Exception {
    // box-only results in mask evaluation: their rectangles, as pycocotools' loadRes makes them
    ReferenceCases.Mode boxes = mode("16_", "bbox");
    Cli.Result r = Cli.run("import", "--annotations", boxes.gt().toString(), "--results",
        boxes.dt().toString(), "--iou", "segm", "--warehouse", tmp.toString(), "--run-id",
        "rectangles", "--partitions", "2");
    assertThat(r.exit()).as("%s", r).isZero();
    Cli.Result eval = Cli.run("eval", "--gt", boxes.gt().toString(), "--dt",
        boxes.dt().toString(), "--iou", "segm", "-q");
    String warning = eval.err().lines().filter(l -> l.contains("rectangles of their boxes"))
        .findFirst().orElseThrow();
    assertThat(r.err()).contains(warning);
    // results of categories the ground truth does not have
    ReferenceCases.Mode unknown = mode("09_", "bbox");
    r = Cli.run("import", "--annotations", unknown.gt().toString(), "--results",
        unknown.dt().toString(), "--iou", "bbox", "--warehouse", tmp.toString(), "--run-id",
        "unknown-categories", "--partitions", "2");
    assertThat(r.exit()).as("%s", r).isZero();
    eval = Cli.run("eval", "--gt", unknown.gt().toString(), "--dt", unknown.dt().toString(),
        "--iou", "bbox", "-q");
    warning = eval.err().lines().filter(l -> l.contains("not a category of")).findFirst()
        .orElseThrow();
    assertThat(r.err().lines().filter(l -> l.contains("not a category of")))
        .containsExactly(warning);
    // the share is on record, as the files say it
    Set<Long> categories = new HashSet<>();
    readJson(unknown.gt()).get("categories").forEach(c -> categories.add(c.get("id").asLong()));
    JsonNode results = readJson(unknown.dt());
    long off = 0;
    for (JsonNode d : results) {
      off += categories.contains(d.get("category_id").asLong()) ? 0 : 1;
    }
    assertThat(off).isPositive();
    assertThat(warning).contains(off + " of " + results.size() + " results");
    Row run = rows(tmp, Tables.RUNS, "unknown-categories", "run_id").get(0);
    assertThat((double) run.getAs("unknown_category_share"))
        .isCloseTo((double) off / results.size(), within(TOL));
    Row clean = rows(tmp, Tables.RUNS, "rectangles", "run_id").get(0);
    assertThat((double) clean.getAs("unknown_category_share")).isZero();
  }

  @Test
  void aWarehouseOfAnOlderZoobenchGetsTheNewColumns() {
    ReferenceCases.Mode m = mode("09_", "bbox");
    String[] args = {"import", "--annotations", m.gt().toString(), "--results",
        m.dt().toString(), "--iou", "bbox", "--warehouse", tmp.toString(), "--partitions", "1"};
    Cli.Result first = Cli.run(concat(args, "--run-id", "old"));
    assertThat(first.exit()).as("%s", first).isZero();
    // as a zoobench without these columns made the runs table
    List<String> added = List.of("unknown_category_share", "model_sha256", "model_bytes");
    org.apache.iceberg.Table runs = Warehouse.open(spark, tmp.toString()).iceberg(RunRow.TABLE);
    org.apache.iceberg.UpdateSchema drop = runs.updateSchema();
    added.forEach(drop::deleteColumn);
    drop.commit();
    runs.refresh();
    assertThat(added).allSatisfy(c -> assertThat(runs.schema().findField(c)).isNull());

    Cli.Result second = Cli.run(concat(args, "--run-id", "new"));
    assertThat(second.exit()).as("%s", second).isZero();
    runs.refresh();
    assertThat(added).allSatisfy(c -> assertThat(runs.schema().findField(c)).isNotNull());
    Row old = rows(tmp, Tables.RUNS, "old", "run_id").get(0);
    Row now = rows(tmp, Tables.RUNS, "new", "run_id").get(0);
    assertThat(old.isNullAt(old.fieldIndex("unknown_category_share")))
        .as("rows written before the column existed").isTrue();
    assertThat((double) now.getAs("unknown_category_share")).isPositive();
    assertThat((String) old.getAs("status")).isEqualTo("succeeded");
  }


  @Test
  void emptyResultsAreARunWithoutPredictions() throws Exception {
    ReferenceCases.Mode m = mode("02_", "bbox");
    Cli.Result r = Cli.run("import", "--annotations", m.gt().toString(), "--results",
        m.dt().toString(), "--iou", "bbox,segm", "--warehouse", tmp.toString(), "--run-id",
        "empty", "--partitions", "3");
    assertThat(r.exit()).as("%s", r).isZero();
    assertMetrics(tmp, "empty", "bbox", m, "dt", "box");
    assertMetrics(tmp, "empty", "segm", mode("02_", "segm"), "dt", "box");
    assertThat(rows(tmp, Tables.PREDICTIONS, "empty", "det_index")).isEmpty();
    Row run = rows(tmp, Tables.RUNS, "empty", "run_id").get(0);
    assertThat((long) run.getAs("predictions")).isZero();
    assertThat((String) run.getAs("results_sha256")).isEqualTo(sha256(m.dt()));
  }

  static Stream<ReferenceCases.Mode> errorModes() {
    return ReferenceCases.all().filter(ReferenceCases.Mode::isError);
  }

  static Cli.Result importError(ReferenceCases.Mode m, Path root) {
    List<String> args = new ArrayList<>(List.of("import", "--annotations", m.gt().toString(),
        "--results", m.dt().toString(), "--warehouse", root.toString(), "--run-id", "bad",
        "--partitions", "3"));
    args.addAll(m.cliFlags());
    return Cli.run(args.toArray(String[]::new));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("errorModes")
  void badResultsFailAndPublishNothing(ReferenceCases.Mode m) {
    Cli.Result r = importError(m, tmp);
    assertThat(r.exit()).as("%s", r).isEqualTo(Zoobench.EXIT_BAD_INPUT);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("results[1] (image_id 99");
    for (String t : List.of(Tables.METRICS, Tables.PER_CATEGORY, Tables.PREDICTIONS,
        Tables.TIMINGS)) {
      assertThat(rows(tmp, t, "bad", "run_id")).as(t).isEmpty();
    }
    assertThat(rows(tmp, Tables.RUNS, "bad", "run_id"))
        .noneMatch(x -> "succeeded".equals(x.getAs("status")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("errorModes")
  void badResultsGiveOneLineAndARecordedFailedRun(ReferenceCases.Mode m) {
    Cli.Result r = importError(m, tmp);
    assertThat(r.exit()).as("%s", r).isEqualTo(Zoobench.EXIT_BAD_INPUT);
    List<String> errLines = r.err().lines().filter(l -> l.startsWith("zoobench ")).toList();
    assertThat(errLines).as("%s", r).hasSize(1);
    assertThat(errLines.get(0)).startsWith("zoobench import: dt.json: results[1]")
        .contains("image_id 99");
    assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");

    List<Row> runs = rows(tmp, Tables.RUNS, "bad", "run_id");
    assertThat(runs).hasSize(1);
    assertThat((String) runs.get(0).getAs("status")).isEqualTo("failed");
    assertThat((String) runs.get(0).getAs("message")).contains("results[1]");
    List<Row> failures = rows(tmp, Tables.FAILURES, "bad", "run_id");
    assertThat(failures).hasSize(1);
    assertThat((String) failures.get(0).getAs("message")).contains("results[1]");
    assertThat((String) failures.get(0).getAs("file")).endsWith("dt.json");
    assertThat((String) failures.get(0).getAs("stage")).isEqualTo("input");
  }

  @Test
  void aLargeFileReadInManyTasksAndKeptOnDiskGivesTheSameRun() {
    // the settings a 2.7 GB file gets by default, scaled down to this 300-image case
    ReferenceCases.Mode m = mode("17_", "bbox");
    List<String> keys = List.of("spark.zoobench.import.minSplitBytes",
        "spark.zoobench.import.maxTaskBytes", "spark.zoobench.import.memoryCacheMaxBytes");
    Cli.Result r;
    try {
      r = Cli.run("import", "--annotations", m.gt().toString(), "--results",
          m.dt().toString(), "--iou", "bbox,segm", "--warehouse", warehouse.toString(),
          "--run-id", "on-disk", "--model", "synthetic-rcnn", "--conf", keys.get(0) + "=65536",
          "--conf", keys.get(1) + "=200000", "--conf", keys.get(2) + "=0");
    } finally {
      keys.forEach(k -> spark.conf().unset(k));
    }
    assertThat(r.exit()).as("%s", r).isZero();
    for (String table : List.of(Tables.METRICS, Tables.PER_CATEGORY)) {
      assertThat(rows(warehouse, table, "on-disk", "iou_type").stream()
          .map(x -> x.toSeq().toList().drop(1).toString()).sorted().toList())
          .as(table)
          .isEqualTo(rows(warehouse, table, "medium", "iou_type").stream()
              .map(x -> x.toSeq().toList().drop(1).toString()).sorted().toList());
    }
    assertThat(rows(warehouse, Tables.PREDICTIONS, "on-disk", "det_index").stream()
        .map(x -> x.toSeq().toList().drop(1).toString()).toList())
        .isEqualTo(rows(warehouse, Tables.PREDICTIONS, "medium", "det_index").stream()
            .map(x -> x.toSeq().toList().drop(1).toString()).toList());
  }

  @Test
  void rerunningARunIdReplacesItsRows() {
    ReferenceCases.Mode m = mode("03_", "bbox");
    String[] common = {"import", "--annotations", m.gt().toString(), "--results",
        m.dt().toString(), "--warehouse", tmp.toString(), "--run-id", "again"};
    Cli.Result first = Cli.run(concat(common, "--iou", "bbox", "--model", "first"));
    assertThat(first.exit()).as("%s", first).isZero();
    Cli.Result second = Cli.run(concat(common, "--iou", "bbox,segm", "--model", "second"));
    assertThat(second.exit()).as("%s", second).isZero();
    Cli.Result third = Cli.run(concat(common, "--iou", "bbox,segm", "--model", "second"));
    assertThat(third.exit()).as("%s", third).isZero();

    List<Row> runs = rows(tmp, Tables.RUNS, "again", "run_id");
    assertThat(runs).hasSize(1);
    assertThat((String) runs.get(0).getAs("model")).isEqualTo("second");
    assertThat((String) runs.get(0).getAs("iou_types")).isEqualTo("bbox,segm");
    assertThat(rows(tmp, Tables.METRICS, "again", "slot")).hasSize(24)
        .allMatch(r -> r.getAs("model").equals("second"));
    assertMetrics(tmp, "again", "segm", mode("03_", "segm"), "second", "box");
    long results = readJsonUnchecked(m.dt()).size();
    assertThat(rows(tmp, Tables.PREDICTIONS, "again", "det_index")).hasSize((int) results);
    assertThat(rows(tmp, Tables.PER_CATEGORY, "again", "category_id")).hasSize(
        2 * readJsonUnchecked(m.gt()).get("categories").size());
  }

  @Test
  void concurrentRunsBothLandIntact() throws Exception {
    ReferenceCases.Mode left = mode("08_", "bbox");
    ReferenceCases.Mode right = mode("16_", "proposal");
    CyclicBarrier start = new CyclicBarrier(2);
    Map<String, Cli.Result> results = new HashMap<>();
    List<Thread> threads = new ArrayList<>();
    for (Object[] job : new Object[][] {{left, "left", "bbox"}, {right, "right", "proposal"}}) {
      ReferenceCases.Mode m = (ReferenceCases.Mode) job[0];
      String id = (String) job[1];
      Thread t = new Thread(() -> {
        try {
          start.await();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        Cli.Result r = Cli.run("import", "--annotations", m.gt().toString(), "--results",
            m.dt().toString(), "--iou", (String) job[2], "--warehouse", tmp.toString(),
            "--run-id", id, "--model", id, "--partitions", "3");
        synchronized (results) {
          results.put(id, r);
        }
      }, "import-" + id);
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join(300_000);
    }
    assertThat(results.get("left")).isNotNull();
    assertThat(results.get("right")).isNotNull();
    assertThat(results.get("left").exit()).as("%s", results.get("left")).isZero();
    assertThat(results.get("right").exit()).as("%s", results.get("right")).isZero();
    assertMetrics(tmp, "left", "bbox", left, "left", "box");
    assertMetrics(tmp, "right", "proposal", right, "right", "box");
    assertThat(rows(tmp, Tables.PREDICTIONS, "left", "det_index"))
        .hasSize(readJsonUnchecked(left.dt()).size());
    assertThat(rows(tmp, Tables.PREDICTIONS, "right", "det_index"))
        .hasSize(readJsonUnchecked(right.dt()).size());
    assertThat(Warehouse.open(spark, tmp.toString()).table(Tables.RUNS).collectAsList())
        .extracting(r -> r.getAs("run_id") + "=" + r.getAs("status"))
        .containsExactlyInAnyOrder("left=succeeded", "right=succeeded");
    assertThat(Warehouse.open(spark, tmp.toString()).table(Tables.METRICS).count())
        .isEqualTo(24);
  }

  @Test
  void predictionsKeepDoublesAndEveryResult() throws Exception {
    ReferenceCases.Mode m = mode("01_", "bbox");
    Path dt = tmp.resolve("precise.json");
    // 0.1 + 0.2 and 17 significant digits are not floats; category 91 is not in the ground truth
    Files.writeString(dt, """
        [{"image_id": 1, "category_id": 1, "bbox": [10.000000000000002, 20.3, 30.1, 60.7],
          "score": 0.30000000000000004},
         {"image_id": 2, "category_id": 91, "bbox": [1e-7, 0.1, 1234567.123456789, 3],
          "score": 0.12345678901234568},
         {"image_id": 1, "category_id": 3, "bbox": [100, 100, 200, 150], "score": 1e-300}]
        """);
    Cli.Result r = Cli.run("import", "--annotations", m.gt().toString(), "--results",
        dt.toString(), "--iou", "bbox", "--warehouse", tmp.toString(), "--run-id", "precise");
    assertThat(r.exit()).as("%s", r).isZero();
    JsonNode file = readJson(dt);
    List<Row> got = rows(tmp, Tables.PREDICTIONS, "precise", "det_index");
    assertThat(got).hasSize(3);
    for (int i = 0; i < 3; i++) {
      assertPrediction(got.get(i), file.get(i), i);
    }
    assertThat((double) got.get(0).getAs("score")).isEqualTo(0.1 + 0.2);
  }

  @Test
  void credentialsInPathsAreRefusedBeforeTheRun() throws Exception {
    ReferenceCases.Mode m = mode("01_", "bbox");
    String secret = "s3a://AKIAKEY:SECRETKEY@bucket/coco/";
    // {annotations, results, warehouse, run id}
    String[][] cases = {
        {secret + "gt.json", m.dt().toString(), tmp.toString(), "creds-gt"},
        {m.gt().toString(), secret + "dt.json", tmp.toString(), "creds-dt"},
        {m.gt().toString(), m.dt().toString(), secret + "warehouse", "creds-wh"}};
    for (String[] c : cases) {
      StringBuilder logs = new StringBuilder();
      Cli.Result r = LogCapture.during(logs, () -> Cli.run("import", "--annotations", c[0],
          "--results", c[1], "--iou", "bbox", "--warehouse", c[2], "--run-id", c[3]));
      assertThat(r.exit()).as("%s", r).isEqualTo(Zoobench.EXIT_BAD_INPUT);
      assertThat(r.out() + r.err() + logs).as(c[3]).doesNotContain("AKIAKEY")
          .doesNotContain("SECRETKEY");
      assertThat(r.err().strip()).as(c[3]).doesNotContain("\n")
          .contains("s3a://bucket/coco/").contains("credentials in a path are refused");
    }
    // refused before Spark, the warehouse or Hadoop saw them: no run is on record
    for (String t : TABLES) {
      for (String id : List.of("creds-gt", "creds-dt", "creds-wh")) {
        assertThat(rows(tmp, t, id, "run_id")).as(t).isEmpty();
      }
    }
  }

  private static JsonNode readJsonUnchecked(Path p) {
    try {
      return readJson(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
