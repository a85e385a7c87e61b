package io.zoobench.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zoobench.jobs.spark.LocalSpark;
import io.zoobench.jobs.tables.Tables;
import io.zoobench.jobs.tables.Warehouse;
import io.zoobench.testing.ReferenceCases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code zoobench sql}: every table by name, the three output formats, files, clear errors. */
class SqlCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> TABLES = List.of(Tables.RUNS, Tables.METRICS,
      Tables.PER_CATEGORY, Tables.PREDICTIONS, Tables.TIMINGS, Tables.FAILURES);

  @TempDir static Path warehouse;
  @TempDir Path tmp;

  private static ReferenceCases.Mode perfect;
  private static ReferenceCases.Mode boxes;

  /** Run a: case 01 bbox,segm; run b: case 08 (boxes only); run c: failed (a bad record). */
  @BeforeAll
  static void importRuns() throws java.io.IOException {
    LocalSpark.get();
    perfect = ImportCommandTest.mode("01_", "bbox");
    boxes = ImportCommandTest.mode("08_", "bbox");
    Cli.Result a = Cli.run("import", "--annotations", perfect.gt().toString(), "--results",
        perfect.dt().toString(), "--iou", "bbox,segm", "--warehouse", warehouse.toString(),
        "--run-id", "a", "--model", "perfect");
    assertThat(a.exit()).as("%s", a).isZero();
    Cli.Result b = Cli.run("import", "--annotations", boxes.gt().toString(), "--results",
        boxes.dt().toString(), "--iou", "bbox", "--warehouse", warehouse.toString(),
        "--run-id", "b", "--model", "boxes");
    assertThat(b.exit()).as("%s", b).isZero();
    // found by a task, so the run is recorded as failed (a missing file is refused before)
    String text = java.nio.file.Files.readString(boxes.dt());
    int last = text.lastIndexOf("\"score\"");
    java.nio.file.Path bad = warehouse.resolve("c-bad.json");
    java.nio.file.Files.writeString(bad, text.substring(0, last) + text.substring(last)
        .replaceFirst("\"score\"\\s*:\\s*[0-9.eE+-]+", "\"score\": \"high\""));
    Cli.Result c = Cli.run("import", "--annotations", boxes.gt().toString(),
        "--results", bad.toString(), "--iou", "bbox", "--warehouse",
        warehouse.toString(), "--run-id", "c", "--model", "missing");
    assertThat(c.exit()).as("%s", c).isEqualTo(Zoobench.EXIT_BAD_INPUT);
  }

  static Cli.Result sql(String... args) {
    List<String> all = new ArrayList<>(List.of("sql", "--warehouse", warehouse.toString()));
    all.addAll(Arrays.asList(args));
    return Cli.run(all.toArray(String[]::new));
  }

  static List<JsonNode> jsonLines(Cli.Result r) throws Exception {
    assertThat(r.exit()).as("%s", r).isZero();
    List<JsonNode> out = new ArrayList<>();
    for (String line : r.out().lines().toList()) {
      JsonNode n = JSON.readTree(line);
      assertThat(n.isObject()).as(line).isTrue();
      out.add(n);
    }
    return out;
  }

  private static final String AP_QUERY = "SELECT metric, value FROM metrics"
      + " WHERE run_id = 'a' AND iou_type = 'bbox' ORDER BY slot";

  @Test
  void tableFormatIsTheDefault() {
    Cli.Result r = sql(AP_QUERY);
    assertThat(r.exit()).as("%s", r).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines).hasSize(12 + 5);
    assertThat(lines.get(0)).matches("\\+-+\\+-+\\+");
    assertThat(lines.get(1)).matches("\\| metric +\\| value +\\|");
    assertThat(lines.get(3)).matches("\\| AP +\\| " + perfect.stats()[0] + " +\\|");
    assertThat(lines.get(lines.size() - 1)).isEqualTo("12 rows");
  }

  @Test
  void csvFormat() {
    Cli.Result r = sql("--format", "csv", AP_QUERY);
    assertThat(r.exit()).as("%s", r).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines).hasSize(13);
    assertThat(lines.get(0)).isEqualTo("metric,value");
    for (int i = 0; i < 12; i++) {
      String[] cells = lines.get(i + 1).split(",");
      assertThat(cells[0]).isEqualTo(perfect.expected().get("stat_names").get(i).asText());
      assertThat(Double.parseDouble(cells[1])).isCloseTo(perfect.stats()[i], within(1e-12));
    }
  }

  @Test
  void jsonlPrintsOneObjectPerRowWithNulls() throws Exception {
    List<JsonNode> runs = jsonLines(sql("--format", "jsonl",
        "SELECT run_id, model, status, message FROM runs ORDER BY run_id"));
    assertThat(runs).extracting(n -> n.get("run_id").asText()).containsExactly("a", "b", "c");
    assertThat(runs.get(0).has("message")).as("null fields are printed").isTrue();
    assertThat(runs.get(0).get("message").isNull()).isTrue();
    assertThat(runs.get(2).get("status").asText()).isEqualTo("failed");
    assertThat(runs.get(2).get("message").asText()).contains("-bad.json: results[")
        .contains("score");

    List<JsonNode> failures = jsonLines(sql("--format", "jsonl",
        "SELECT run_id, image_id, file, stage, message FROM failures"));
    assertThat(failures).hasSize(1);
    assertThat(failures.get(0).get("image_id").isNull()).isTrue();
    assertThat(failures.get(0).get("run_id").asText()).isEqualTo("c");

    JsonNode first = JSON.readTree(boxes.dt().toFile()).get(0);
    List<JsonNode> preds = jsonLines(sql("--format", "jsonl", "SELECT image_id, bbox, score,"
        + " segmentation FROM predictions WHERE run_id = 'b' AND det_index = 0"));
    assertThat(preds).hasSize(1);
    assertThat(preds.get(0).get("segmentation").isNull()).isTrue();
    assertThat(preds.get(0).get("image_id").asLong()).isEqualTo(first.get("image_id").asLong());
    assertThat(preds.get(0).get("score").asDouble()).isEqualTo(first.get("score").asDouble());
    for (int c = 0; c < 4; c++) {
      assertThat(preds.get(0).get("bbox").get(c).asDouble())
          .isEqualTo(first.get("bbox").get(c).asDouble());
    }
  }

  @Test
  void everyTableIsAvailableByName() {
    for (String t : TABLES) {
      Cli.Result r = sql("--format", "csv", "SELECT * FROM " + t + " ORDER BY run_id");
      assertThat(r.exit()).as("%s: %s", t, r).isZero();
      List<String> header = new ArrayList<>(List.of("run_id"));
      for (StructField f : Tables.named(t).dataSchema().fields()) {
        header.add(f.name());
      }
      assertThat(r.out().lines().findFirst().orElseThrow()).as(t)
          .isEqualTo(String.join(",", header));
    }
    Cli.Result counts = sql("--format", "csv", "SELECT (SELECT count(*) FROM runs) AS runs,"
        + " (SELECT count(*) FROM metrics) AS metrics,"
        + " (SELECT count(*) FROM per_category) AS per_category,"
        + " (SELECT count(*) FROM predictions) AS predictions,"
        + " (SELECT count(*) FROM timings) AS timings,"
        + " (SELECT count(*) FROM failures) AS failures");
    assertThat(counts.exit()).as("%s", counts).isZero();
    // a: 5 results, 3 categories; b: 330 results, 3 categories; c: failed, nothing but its record
    assertThat(counts.out().lines().toList()).containsExactly(
        "runs,metrics,per_category,predictions,timings,failures", "3,36,9,335,0,1");
  }

  @Test
  void fileWithSeveralStatements() throws Exception {
    Path f = tmp.resolve("q.sql");
    Files.writeString(f, """
        -- counts; the semicolons in this comment and in the literal do not split
        SELECT count(*) AS n FROM runs WHERE status = 'succeeded';
        SELECT 'a;b' AS s;

        SELECT r.model, m.value FROM metrics m JOIN runs r USING (run_id)
        WHERE m.iou_type = 'segm' AND m.metric = 'AP' ORDER BY r.model;
        """);
    List<JsonNode> out = jsonLines(sql("--format", "jsonl", "--file", f.toString()));
    assertThat(out).hasSize(3);
    assertThat(out.get(0).get("n").asLong()).isEqualTo(2);
    assertThat(out.get(1).get("s").asText()).isEqualTo("a;b");
    assertThat(out.get(2).get("model").asText()).isEqualTo("perfect");
    assertThat(out.get(2).get("value").asDouble()).isCloseTo(
        ImportCommandTest.mode("01_", "segm").stats()[0], within(1e-12));
  }

  @Test
  void emptyWarehouseHasEveryTable() throws Exception {
    Cli.Result none = Cli.run("sql", "--warehouse", tmp.resolve("typo").toString(),
        "SELECT * FROM runs");
    assertThat(none.exit()).as("%s", none).isEqualTo(Zoobench.EXIT_BAD_INPUT);
    assertThat(none.err()).contains("no zoobench warehouse there");
    assertThat(tmp.resolve("typo")).doesNotExist();
    Warehouse.open(LocalSpark.get(), tmp.toString());
    for (String t : TABLES) {
      Cli.Result r = Cli.run("sql", "--warehouse", tmp.toString(), "--format", "jsonl",
          "SELECT count(*) AS n FROM " + t);
      assertThat(jsonLines(r)).as(t).hasSize(1).allMatch(n -> n.get("n").asLong() == 0);
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "SELECT * FROM no_such_table | no_such_table",
      "SELECT no_such_column FROM metrics | no_such_column",
      "SELECT run_id FROM runs; SELECT nope FROM predictions | nope",
      "SELEC * FROM runs | SELEC"})
  void badQueryIsOneLineError(String query, String named) {
    Cli.Result r = sql("--format", "csv", query);
    assertThat(r.exit()).as("%s", r).isEqualTo(Zoobench.EXIT_BAD_INPUT);
    assertThat(r.err().strip()).as("%s", r).startsWith("zoobench sql: ").contains(named)
        .doesNotContain("\n").doesNotContain("Exception").doesNotContain("\tat ");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "INSERT OVERWRITE DIRECTORY '%s/predictions' USING parquet SELECT * FROM runs",
      "INSERT INTO zoobench.results.metrics SELECT * FROM zoobench.results.metrics",
      "WITH x AS (SELECT 1) INSERT INTO zoobench.results.runs SELECT * FROM runs",
      "FROM runs INSERT INTO zoobench.results.runs SELECT *",
      "DELETE FROM zoobench.results.predictions WHERE true",
      "UPDATE zoobench.results.runs SET status = 'failed'",
      "MERGE INTO zoobench.results.runs t USING runs s ON t.run_id = s.run_id"
          + " WHEN MATCHED THEN DELETE",
      "TRUNCATE TABLE zoobench.results.failures",
      "DROP TABLE zoobench.results.runs",
      "ALTER TABLE zoobench.results.runs DROP COLUMN model",
      "CREATE TABLE zoobench.results.x AS SELECT * FROM runs",
      "CREATE TEMPORARY VIEW v AS SELECT 1",
      "CACHE TABLE runs",
      "CALL zoobench.system.expire_snapshots('results.runs')",
      "SET spark.sql.ansi.enabled = false",
      "ADD JAR /tmp/x.jar",
      "USE zoobench.results",
      "SELECT reflect('java.lang.System', 'setProperty', 'zoobench.probe', 'written')",
      "SELECT (SELECT java_method('java.lang.System', 'setProperty', 'zoobench.probe', 'x'))",
      "SELECT count(*) FROM runs; DROP TABLE zoobench.results.predictions"})
  void anythingButAQueryIsRefusedAndChangesNothing(String template) throws Exception {
    String statement = template.formatted(warehouse);
    List<String> before = listing();
    Cli.Result r = sql("--format", "csv", statement);
    assertThat(r.exit()).as("%s", r).isEqualTo(Zoobench.EXIT_BAD_INPUT);
    assertThat(r.err().strip()).as("%s", r).startsWith("zoobench sql: only queries run here")
        .doesNotContain("\n").doesNotContain("Exception");
    assertThat(r.out()).as("no statement ran, not even the query before it").isEmpty();
    assertThat(listing()).as("no file of the warehouse changed").isEqualTo(before);
    assertThat(System.getProperty("zoobench.probe")).isNull();
    Cli.Result counts = sql("--format", "csv", "SELECT (SELECT count(*) FROM runs) AS runs,"
        + " (SELECT count(*) FROM predictions) AS predictions");
    assertThat(counts.out().lines().toList()).containsExactly("runs,predictions", "3,335");
  }

  /** Every file of the warehouse with its size and modification time. */
  private static List<String> listing() throws Exception {
    try (var files = Files.walk(warehouse)) {
      return files.filter(Files::isRegularFile).map(f -> {
        try {
          return warehouse.relativize(f) + " " + Files.size(f) + " "
              + Files.getLastModifiedTime(f).toMillis();
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).sorted().toList();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "SHOW TABLES IN zoobench.results",
      "DESCRIBE TABLE runs",
      "EXPLAIN SELECT * FROM runs",
      "WITH ok AS (SELECT run_id FROM runs WHERE status = 'succeeded') SELECT * FROM ok",
      "SELECT * FROM zoobench.results.runs.snapshots",
      "VALUES (1, 2)"})
  void queriesAndInspectionsRun(String statement) {
    Cli.Result r = sql("--format", "csv", statement);
    assertThat(r.exit()).as("%s", r).isZero();
  }

  /** "What did the tables say then": --as-of for every view, VERSION AS OF in a query. */
  @Test
  void historyStaysQueryable() throws Exception {
    Path wh = tmp.resolve("history");
    Cli.Result first = Cli.run("import", "--annotations", perfect.gt().toString(), "--results",
        perfect.dt().toString(), "--iou", "bbox", "--warehouse", wh.toString(),
        "--run-id", "x", "--model", "first");
    assertThat(first.exit()).as("%s", first).isZero();
    Thread.sleep(1100);
    String then = java.time.LocalDateTime.now().toString().replace('T', ' ');
    Thread.sleep(1100);
    Cli.Result rerun = Cli.run("import", "--annotations", boxes.gt().toString(), "--results",
        boxes.dt().toString(), "--iou", "bbox", "--warehouse", wh.toString(),
        "--run-id", "x", "--model", "second");
    assertThat(rerun.exit()).as("%s", rerun).isZero();

    String q = "SELECT r.model, count(*) AS n FROM predictions p JOIN runs r USING (run_id)"
        + " GROUP BY r.model";
    Cli.Result now = Cli.run("sql", "--warehouse", wh.toString(), "--format", "csv", q);
    assertThat(now.out().lines().toList()).as("%s", now).containsExactly("model,n", "second,330");
    Cli.Result past = Cli.run("sql", "--warehouse", wh.toString(), "--format", "csv",
        "--as-of", then, q);
    assertThat(past.out().lines().toList()).as("%s", past).containsExactly("model,n", "first,5");

    Cli.Result snapshots = Cli.run("sql", "--warehouse", wh.toString(), "--format", "csv",
        "SELECT snapshot_id FROM zoobench.results.runs.snapshots WHERE committed_at <="
            + " TIMESTAMP '" + then + "' ORDER BY committed_at DESC LIMIT 1");
    String before = snapshots.out().lines().skip(1).findFirst().orElseThrow();
    Cli.Result version = Cli.run("sql", "--warehouse", wh.toString(), "--format", "csv",
        "SELECT model FROM zoobench.results.runs VERSION AS OF " + before);
    assertThat(version.out().lines().toList()).as("%s", version)
        .containsExactly("model", "first");

    Cli.Result beforeAll = Cli.run("sql", "--warehouse", wh.toString(), "--as-of",
        "2000-01-01 00:00:00", "SELECT * FROM runs");
    assertThat(beforeAll.exit()).isEqualTo(Zoobench.EXIT_BAD_INPUT);
    assertThat(beforeAll.err().strip()).startsWith("zoobench sql: ").doesNotContain("\n");
  }

  @Test
  void helpExample() throws Exception {
    List<JsonNode> out = jsonLines(sql("--format", "jsonl", SqlCommand.EXAMPLE));
    assertThat(out).hasSize(2);
  }

  @Test
  void statementIsRequired() {
    Cli.Result r = sql();
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--file");
  }
}
