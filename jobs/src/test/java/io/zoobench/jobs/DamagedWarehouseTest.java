package io.zoobench.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.zoobench.jobs.spark.LocalSpark;
import io.zoobench.testing.ReferenceCases;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged warehouses are named, never reported as internal errors, and repaired: a data file
 * deleted from under {@code predictions} and {@code metrics} makes {@code export},
 * {@code report} and {@code gate} say which table and file and what to do;
 * {@code maintenance --repair} rolls every table back to the newest published state whose
 * files are all there (before the damaged run) and names the run it loses; the other run stays
 * as it was. An emptied {@code catalog.db} is never silently replaced by a new
 * catalog (read verbs and imports refuse it and write nothing) and {@code --repair} registers
 * the tables again with their history; a truncated one is one line.
 */
class DamagedWarehouseTest {
  @TempDir static Path tmp;
  static ReferenceCases.Mode first;
  static ReferenceCases.Mode second;

  @BeforeAll
  static void spark() {
    LocalSpark.get();
    first = ImportCommandTest.mode("01_", "bbox");
    second = ImportCommandTest.mode("08_", "bbox");
  }

  private static Cli.Result importRun(Path w, ReferenceCases.Mode m, String runId) {
    return Cli.run("import", "--annotations", m.gt().toString(), "--results",
        m.dt().toString(), "--iou", "bbox", "--warehouse", w.toString(), "--run-id", runId,
        "--model", runId);
  }

  private static Path dataFileOf(Path w, String table, String runId) throws Exception {
    try (Stream<Path> files = Files.walk(w.resolve("results").resolve(table).resolve("data"))) {
      return files.filter(f -> f.toString().contains("run_id=" + runId + "/")
          && f.toString().endsWith(".parquet")).findFirst().orElseThrow();
    }
  }

  private static void assertNamesTheDamage(Cli.Result r, String verb) {
    assertThat(r.exit()).as("%s", r).isEqualTo(Zoobench.EXIT_BAD_INPUT);
    assertThat(r.err().strip()).as("%s", r)
        .containsPattern("^zoobench " + verb + ": table (predictions|metrics) of the warehouse"
            + " is damaged: its file file:\\S+/results/(predictions|metrics)/data/run_id=b/\\S+"
            + "\\.parquet is missing")
        .contains(" is missing. Restore the file, or run zoobench maintenance --repair")
        .doesNotContain("\n").doesNotContain("internal error").doesNotContain("Exception");
  }

  @Test
  void aMissingDataFileIsNamedAndRepairRollsTheTableBack() throws Exception {
    Path w = tmp.resolve("missing-file");
    assertThat(importRun(w, first, "a").exit()).isZero();
    assertThat(importRun(w, second, "b").exit()).isZero();
    String countA = "SELECT count(*) AS n FROM predictions WHERE run_id = 'a'";
    List<String> before = Cli.run("sql", "--warehouse", w.toString(), "--format", "csv",
        countA).out().lines().toList();
    Files.delete(dataFileOf(w, "predictions", "b"));
    Files.delete(dataFileOf(w, "metrics", "b"));

    assertNamesTheDamage(Cli.run("export", "--warehouse", w.toString(), "--out",
        tmp.resolve("export").toString()), "export");
    Cli.Result report = Cli.run("report", "--warehouse", w.toString(), "--out",
        tmp.resolve("report").toString());
    assertThat(report.err()).as("%s", report).contains("is damaged: its file ")
        .doesNotContain("internal error");
    Cli.Result gate = Cli.run("gate", "--warehouse", w.toString(), "--against", "previous");
    assertThat(gate.err()).as("%s", gate).contains("table metrics of the warehouse is damaged")
        .doesNotContain("internal error");

    Cli.Result repair = Cli.run("maintenance", "--warehouse", w.toString(), "--repair");

    assertThat(repair.exit()).as("%s", repair).isZero();
    assertThat(repair.out()).containsPattern("predictions +1 files missing")
        .containsPattern("metrics +1 files missing")
        .containsPattern("every table rolled back to the warehouse as published at \\S+ \\(runs"
            + " snapshot \\d+\\); runs no longer published as they were: b");
    Cli.Result export = Cli.run("export", "--warehouse", w.toString(), "--out",
        tmp.resolve("export-after").toString());
    assertThat(export.exit()).as("%s", export).isZero();
    assertThat(Cli.run("sql", "--warehouse", w.toString(), "--format", "csv", countA).out()
        .lines().toList()).as("run a is untouched").isEqualTo(before).hasSize(2);
    assertThat(Cli.run("sql", "--warehouse", w.toString(), "--format", "csv",
        "SELECT run_id FROM runs").out().lines().toList()).containsExactly("run_id", "a");
  }

  @Test
  void anEmptiedCatalogIsRefusedUntilRepairRegistersTheTablesAgain() throws Exception {
    Path w = tmp.resolve("emptied");
    assertThat(importRun(w, first, "a").exit()).isZero();
    Path db = w.resolve("catalog.db");
    Files.write(db, new byte[0]);

    for (Cli.Result r : List.of(
        Cli.run("sql", "--warehouse", w.toString(), "SELECT * FROM runs"),
        importRun(w, second, "b"))) {
      assertThat(r.exit()).as("%s", r).isEqualTo(Zoobench.EXIT_BAD_INPUT);
      assertThat(r.err().strip()).as("%s", r).contains(": holds tables (results/) but its"
          + " catalog catalog.db is missing or empty; zoobench never makes a new catalog over"
          + " existing tables").contains("maintenance --repair").doesNotContain("\n");
    }
    assertThat(Files.size(db)).as("nothing wrote a new catalog").isZero();

    Cli.Result repair = Cli.run("maintenance", "--warehouse", w.toString(), "--repair");

    assertThat(repair.exit()).as("%s", repair).isZero();
    assertThat(repair.out()).contains("catalog.db was missing or empty: a new catalog, with 8"
        + " tables registered again from their metadata");
    Cli.Result runs = Cli.run("sql", "--warehouse", w.toString(), "--format", "csv",
        "SELECT run_id, status FROM runs");
    assertThat(runs.out().lines().toList()).as("%s", runs).containsExactly("run_id,status",
        "a,succeeded");
    assertThat(importRun(w, second, "b").exit()).isZero();
  }

  @Test
  void aTruncatedCatalogIsOneLine() throws Exception {
    Path w = tmp.resolve("truncated");
    assertThat(importRun(w, first, "a").exit()).isZero();
    Path db = w.resolve("catalog.db");
    try (RandomAccessFile f = new RandomAccessFile(db.toFile(), "rw")) {
      f.setLength(f.length() / 2);
    }
    Cli.Result r = Cli.run("sql", "--warehouse", w.toString(), "SELECT * FROM runs");

    assertThat(r.exit()).as("%s", r).isEqualTo(Zoobench.EXIT_BAD_INPUT);
    assertThat(r.err().strip()).as("%s", r).contains("catalog.db cannot be used (")
        .contains("restore it from a backup").doesNotContain("\n")
        .doesNotContain("internal error");
  }
}
