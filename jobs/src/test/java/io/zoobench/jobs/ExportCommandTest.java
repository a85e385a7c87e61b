package io.zoobench.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zoobench.jobs.spark.LocalSpark;
import io.zoobench.jobs.tables.TableSchema;
import io.zoobench.jobs.tables.Tables;
import io.zoobench.jobs.tables.Warehouse;
import io.zoobench.testing.ReferenceCases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code zoobench export}: the published rows as plain Parquet or CSV, read back by DuckDB
 * (through JDBC, without its Iceberg extension) as a tool that does not speak Iceberg would.
 */
class ExportCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path warehouse;
  @TempDir Path tmp;
  static ReferenceCases.Mode perfect;
  static ReferenceCases.Mode boxes;

  /** Run a (case 01, bbox and segm), run b rerun (the first attempt's rows are not shown). */
  @BeforeAll
  static void importRuns() {
    LocalSpark.get();
    perfect = ImportCommandTest.mode("01_", "bbox");
    boxes = ImportCommandTest.mode("08_", "bbox");
    for (String[] run : new String[][] {{"a", "01"}, {"b", "01"}, {"b", "08"}}) {
      ReferenceCases.Mode m = run[1].equals("01") ? perfect : boxes;
      Cli.Result r = Cli.run("import", "--annotations", m.gt().toString(), "--results",
          m.dt().toString(), "--iou", run[0].equals("a") ? "bbox,segm" : "bbox",
          "--warehouse", warehouse.toString(), "--run-id", run[0], "--model", run[0]);
      assertThat(r.exit()).as("%s", r).isZero();
    }
  }

  static List<List<Object>> duckdb(String query) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
      List<List<Object>> rows = new ArrayList<>();
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          row.add(rs.getObject(i));
        }
        rows.add(row);
      }
      return rows;
    }
  }

  @Test
  void parquetExportIsWhatTheViewsShowReadableByDuckDb() throws Exception {
    Path out = tmp.resolve("export");
    Cli.Result r = Cli.run("export", "--warehouse", warehouse.toString(), "--out",
        out.toString());
    assertThat(r.exit()).as("%s", r).isZero();
    Warehouse w = Warehouse.open(LocalSpark.get(), warehouse.toString());
    JsonNode manifest = JSON.readTree(out.resolve("snapshot.json").toFile());
    for (TableSchema<?> t : Tables.all()) {
      String files = "'" + out.resolve(t.name()) + "/*.parquet'";
      long rows = ((Number) duckdb("SELECT count(*) FROM read_parquet(" + files + ")").get(0)
          .get(0)).longValue();
      assertThat(rows).as(t.name()).isEqualTo(w.table(t).count());
      assertThat(manifest.get("rows").get(t.name()).asLong()).isEqualTo(rows);
      List<String> columns = new ArrayList<>();
      for (List<Object> c : duckdb("DESCRIBE SELECT * FROM read_parquet(" + files + ")")) {
        columns.add((String) c.get(0));
      }
      assertThat(columns).as(t.name()).containsExactly(w.table(t).columns());
    }
    assertThat(manifest.get("snapshots").get(Tables.RUNS).asLong()).isEqualTo(
        w.iceberg(Tables.named(Tables.RUNS)).currentSnapshot().snapshotId());
    assertThat(r.out()).contains("predictions").contains("335 rows");
    // the attempts' log as it is now: an attempt's end is written after the runs row it
    // publishes, so at that row's snapshot the last attempt still read "running"
    assertThat(duckdb("SELECT DISTINCT status FROM read_parquet('" + out.resolve("run_attempts")
        + "/*.parquet')")).extracting(row -> row.get(0)).containsOnly("succeeded");

    // the values themselves: metrics bit for bit, boxes as lists of doubles
    List<String> expected = new ArrayList<>();
    for (Row m : w.table(Tables.METRICS).orderBy("run_id", "iou_type", "slot").collectAsList()) {
      expected.add(m.getAs("run_id") + " " + m.getAs("iou_type") + " " + m.getAs("slot") + " "
          + Double.toString(m.<Double>getAs("value")));
    }
    List<String> actual = new ArrayList<>();
    for (List<Object> m : duckdb("SELECT run_id, iou_type, slot, value FROM read_parquet('"
        + out.resolve("metrics") + "/*.parquet') ORDER BY run_id, iou_type, slot")) {
      actual.add(m.get(0) + " " + m.get(1) + " " + m.get(2) + " "
          + Double.toString((Double) m.get(3)));
    }
    assertThat(actual).hasSize(36).isEqualTo(expected);
    JsonNode first = JSON.readTree(boxes.dt().toFile()).get(0);
    List<List<Object>> box = duckdb("SELECT bbox[1], bbox[2], bbox[3], bbox[4], score FROM"
        + " read_parquet('" + out.resolve("predictions") + "/*.parquet')"
        + " WHERE run_id = 'b' AND det_index = 0");
    assertThat(box).hasSize(1);
    for (int c = 0; c < 4; c++) {
      assertThat((Double) box.get(0).get(c)).isEqualTo(first.get("bbox").get(c).asDouble());
    }
    assertThat((Double) box.get(0).get(4)).isEqualTo(first.get("score").asDouble());
  }

  /**
   * Any engine, the same rows: DuckDB over the export (views over its Parquet folders, the
   * {@code zoo} and {@code zoo_history} views included) answers the same SQL text with the same
   * rows as Spark SQL over the Iceberg tables, every column of {@code metrics} bit for bit.
   */
  @Test
  void duckDbOnTheExportAnswersLikeSparkSql() throws Exception {
    Path out = tmp.resolve("engines");
    Cli.Result r = Cli.run("export", "--warehouse", warehouse.toString(), "--out",
        out.toString());
    assertThat(r.exit()).as("%s", r).isZero();
    assertThat(r.out()).contains("zoo_history").contains("zoo ");
    Warehouse w = Warehouse.open(LocalSpark.get(), warehouse.toString());
    w.registerViews(null);
    List<String> names = new ArrayList<>();
    Tables.all().forEach(t -> names.add(t.name()));
    names.addAll(ExportCommand.VIEWS);
    String[] queries = {
        "SELECT * FROM metrics ORDER BY run_id, iou_type, slot",
        "SELECT model, run_id, box_ap, box_ap_ref, box_ap_delta, mask_ap, ar1000, fps,"
            + " images_total FROM zoo ORDER BY model",
        "SELECT model, run_id, box_ap, mask_ap FROM zoo_history ORDER BY model, run_id"};
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement()) {
      for (String name : names) {
        s.execute("CREATE VIEW " + name + " AS SELECT * FROM read_parquet('"
            + out.resolve(name) + "/*.parquet')");
      }
      for (String q : queries) {
        List<String> spark = new ArrayList<>();
        for (Row row : w.session().sql(q).collectAsList()) {
          List<Object> values = new ArrayList<>();
          for (int i = 0; i < row.length(); i++) {
            values.add(row.get(i));
          }
          spark.add(text(values));
        }
        List<String> duck = new ArrayList<>();
        try (ResultSet rs = s.executeQuery(q)) {
          while (rs.next()) {
            List<Object> values = new ArrayList<>();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
              values.add(rs.getObject(i));
            }
            duck.add(text(values));
          }
        }
        assertThat(duck).as(q).isNotEmpty().isEqualTo(spark);
      }
    }
    assertThat(w.session().sql("SELECT * FROM metrics").count()).isEqualTo(36);
  }

  /** One row as text: numbers as doubles (bit for bit), the rest as strings. */
  private static String text(List<Object> values) {
    List<String> cells = new ArrayList<>();
    for (Object v : values) {
      cells.add(v instanceof Number n ? Double.toString(n.doubleValue()) : String.valueOf(v));
    }
    return String.join(" | ", cells);
  }

  @Test
  void csvExportKeepsNestedColumnsAsJson() throws Exception {
    Path out = tmp.resolve("csv");
    Cli.Result r = Cli.run("export", "--warehouse", warehouse.toString(), "--out",
        out.toString(), "--format", "csv");
    assertThat(r.exit()).as("%s", r).isZero();
    String files = "'" + out.resolve("predictions") + "/*.csv'";
    List<List<Object>> rows = duckdb("SELECT count(*), count(DISTINCT run_id) FROM read_csv("
        + files + ", header = true)");
    assertThat(((Number) rows.get(0).get(0)).longValue()).isEqualTo(335);
    assertThat(((Number) rows.get(0).get(1)).longValue()).isEqualTo(2);
    List<List<Object>> bbox = duckdb("SELECT bbox FROM read_csv(" + files + ", header = true,"
        + " all_varchar = true) WHERE run_id = 'b' AND det_index = '0'");
    JsonNode box = JSON.readTree((String) bbox.get(0).get(0));
    JsonNode first = JSON.readTree(boxes.dt().toFile()).get(0);
    assertThat(box.isArray()).isTrue();
    for (int c = 0; c < 4; c++) {
      assertThat(box.get(c).asDouble()).isEqualTo(first.get("bbox").get(c).asDouble());
    }
    List<List<Object>> ap = duckdb(String.format(Locale.ROOT, "SELECT value FROM read_csv('%s/"
        + "*.csv', header = true) WHERE run_id = 'a' AND iou_type = 'bbox' AND slot = 0",
        out.resolve("metrics")));
    assertThat((Double) ap.get(0).get(0)).isEqualTo(perfect.stats()[0]);
  }

  @Test
  void aFolderInTheWayOrNoWarehouseIsOneLine() throws Exception {
    Path full = Files.createDirectories(tmp.resolve("full"));
    Files.writeString(full.resolve("keep.txt"), "mine");
    Cli.Result r = Cli.run("export", "--warehouse", warehouse.toString(), "--out",
        full.toString());
    assertThat(r.exit()).isEqualTo(Zoobench.EXIT_BAD_INPUT);
    assertThat(r.err().strip()).contains("exists and is not an empty folder")
        .doesNotContain("\n");
    assertThat(Files.readString(full.resolve("keep.txt"))).isEqualTo("mine");

    Cli.Result none = Cli.run("export", "--warehouse", tmp.resolve("typo").toString(),
        "--out", tmp.resolve("x").toString());
    assertThat(none.exit()).isEqualTo(Zoobench.EXIT_BAD_INPUT);
    assertThat(none.err()).contains("no zoobench warehouse there");
    assertThat(tmp.resolve("typo")).doesNotExist();
  }
}
