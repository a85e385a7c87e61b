package io.zoobench.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.zoobench.jobs.tables.Tables;
import io.zoobench.testing.ReferenceCases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The notebooks' queries ({@code notebooks/sql/*.sql}) are the SQL both engines accept: each
 * file runs through {@code zoobench sql --file} (Spark SQL over the Iceberg tables) with its
 * expected columns, and through DuckDB over a {@code zoobench export} of the same warehouse
 * with the same columns and the same number of rows. A new file without expected columns here
 * fails the test. {@code curves.sql} needs the {@code curves} table: where this zoobench has
 * none, it must fail in one line naming it (and the notebook says so instead of charting).
 */
class SqlFilesTest {
  static final Path SQL = Path.of("..", "notebooks", "sql").toAbsolutePath().normalize();

  /** Every file's columns, in order. */
  static final Map<String, List<String>> COLUMNS = new LinkedHashMap<>();

  static {
    COLUMNS.put("zoo_table", List.of("family", "model", "backbone", "style", "lr_schedule",
        "fps", "fps_ref", "fps_delta", "memory", "memory_ref", "box_ap", "box_ap_ref",
        "box_ap_delta", "mask_ap", "mask_ap_ref", "mask_ap_delta", "ar1000", "ar1000_ref",
        "ar1000_delta", "run_id"));
    COLUMNS.put("metric_history", List.of("model", "run_id", "finished_at", "box_ap",
        "mask_ap", "ar1000", "fps"));
    COLUMNS.put("biggest_drops", List.of("model", "run_id", "previous_run_id", "finished_at",
        "box_ap_change", "mask_ap_change", "ar1000_change", "worst_change"));
    COLUMNS.put("weakest_categories", List.of("model", "iou_type", "category_id", "name", "AP",
        "AP50", "AP75", "APs", "APm", "APl"));
    COLUMNS.put("curves", List.of("model", "run_id", "iou_type", "category_id",
        "iou_threshold", "max_dets", "precision", "recall"));
    COLUMNS.put("speed", List.of("model", "family", "run_id", "fps_end_to_end", "fps_compute",
        "fps_ref", "peak_device_memory_mb", "devices", "images_total"));
    COLUMNS.put("shard_timings", List.of("model", "run_id", "shard_id", "host", "device",
        "images", "warmup_images", "read_s", "decode_s", "preprocess_s", "wait_s", "forward_s",
        "postprocess_s", "busy_s", "loading_share", "fps_end_to_end", "fps_compute",
        "peak_device_memory_bytes"));
    COLUMNS.put("failed_runs", List.of("run_id", "model", "kind", "status", "started_at",
        "message"));
    COLUMNS.put("failures_by_stage", List.of("stage", "failures", "runs", "images", "example"));
    COLUMNS.put("failure_rows", List.of("run_id", "model", "run_status", "stage", "image_id",
        "file", "message"));
    COLUMNS.put("images_per_run", List.of("run_id", "model", "status", "images_total",
        "images_failed", "started_at", "message"));
  }

  @TempDir static Path warehouse;
  @TempDir static Path export;

  /** Two runs: a (case 01, bbox and segm) published twice, and one that failed on bad input. */
  @BeforeAll
  static void warehouseAndExport() throws Exception {
    ReferenceCases.Mode m = ImportCommandTest.mode("01_", "bbox");
    for (String run : new String[] {"a", "a"}) {
      Cli.Result r = Cli.run("import", "--annotations", m.gt().toString(), "--results",
          m.dt().toString(), "--iou", "bbox,segm", "--warehouse", warehouse.toString(),
          "--run-id", run, "--model", "model-" + run);
      assertThat(r.exit()).as("%s", r).isZero();
    }
    Path bad = Files.writeString(export.resolve("bad.json"),
        "[{\"image_id\": 987654321, \"category_id\": 1, \"bbox\": [0, 0, 1, 1], \"score\": 1}]");
    Cli.Result failed = Cli.run("import", "--annotations", m.gt().toString(), "--results",
        bad.toString(), "--iou", "bbox", "--warehouse", warehouse.toString(), "--run-id",
        "broken", "--model", "broken");
    assertThat(failed.exit()).as("%s", failed).isEqualTo(Zoobench.EXIT_BAD_INPUT);
    Cli.Result r = Cli.run("export", "--warehouse", warehouse.toString(), "--out",
        export.resolve("out").toString());
    assertThat(r.exit()).as("%s", r).isZero();
  }

  static List<String> files() throws Exception {
    try (Stream<Path> s = Files.list(SQL)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".sql"))
          .map(n -> n.substring(0, n.length() - 4)).sorted().toList();
    }
  }

  static boolean hasCurves() {
    return Tables.all().stream().anyMatch(t -> t.name().equals("curves"));
  }

  @Test
  void everyFileRunsThroughZoobenchSqlWithItsColumns() throws Exception {
    assertThat(files()).containsExactlyInAnyOrderElementsOf(COLUMNS.keySet());
    for (String name : files()) {
      Cli.Result r = Cli.run("sql", "--warehouse", warehouse.toString(), "--format", "csv",
          "--file", SQL.resolve(name + ".sql").toString());
      if (name.equals("curves") && !hasCurves()) {
        assertThat(r.exit()).as("%s", r).isEqualTo(Zoobench.EXIT_BAD_INPUT);
        assertThat(r.err().strip()).contains("curves").doesNotContain("\n");
        continue;
      }
      assertThat(r.exit()).as("%s: %s", name, r).isZero();
      String header = r.out().lines().findFirst().orElse("");
      assertThat(List.of(header.split(","))).as(name).isEqualTo(COLUMNS.get(name));
    }
  }

  @Test
  void everyFileRunsInDuckDbOnTheExportWithTheSameColumnsAndRows() throws Exception {
    Path out = export.resolve("out");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement()) {
      try (Stream<Path> folders = Files.list(out)) {
        for (Path folder : folders.filter(Files::isDirectory).toList()) {
          s.execute("CREATE VIEW " + folder.getFileName() + " AS SELECT * FROM read_parquet('"
              + folder + "/*.parquet')");
        }
      }
      for (String name : files()) {
        if (name.equals("curves") && !hasCurves()) {
          continue;
        }
        String text = Files.readString(SQL.resolve(name + ".sql"));
        List<String> columns = new ArrayList<>();
        int rows = 0;
        try (ResultSet rs = s.executeQuery(text)) {
          ResultSetMetaData md = rs.getMetaData();
          for (int i = 1; i <= md.getColumnCount(); i++) {
            columns.add(md.getColumnLabel(i));
          }
          while (rs.next()) {
            rows++;
          }
        }
        assertThat(columns).as(name).isEqualTo(COLUMNS.get(name));
        Cli.Result spark = Cli.run("sql", "--warehouse", warehouse.toString(), "--format",
            "jsonl", "--file", SQL.resolve(name + ".sql").toString());
        assertThat(rows).as(name).isEqualTo((int) spark.out().lines().count());
      }
    }
    List<String> failedRuns = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT run_id, stage FROM read_parquet('"
            + out.resolve("failures") + "/*.parquet')")) {
      while (rs.next()) {
        failedRuns.add(rs.getString(1) + " " + rs.getString(2));
      }
    }
    assertThat(failedRuns).containsExactly("broken input");
  }
}
