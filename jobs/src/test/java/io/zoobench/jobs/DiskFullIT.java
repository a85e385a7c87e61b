package io.zoobench.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.zoobench.jobs.spark.LocalSpark;
import io.zoobench.jobs.tables.Tables;
import io.zoobench.jobs.tables.Warehouse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A warehouse on a file system that fills up during a run (a 2 MB tmpfs, mounted by the test:
 * it runs as root, as CI does): the run ends with one line naming the file system and what to
 * do, no stack trace; its attempt is recorded as failed and what it wrote, committed or not, is
 * deleted first so that the recording fits; the earlier run stays published; maintenance
 * works; and a run that fits succeeds afterwards. Also: a warehouse on a read-only mount can
 * be read ({@code sql}, {@code export}) and is refused for writing in one line.
 */
class DiskFullIT {
  @TempDir static Path tmp;
  static Path mount;

  @BeforeAll
  static void smallFileSystem() throws Exception {
    LocalSpark.get();
    // outside the @TempDir, which JUnit deletes before a busy mount could go
    mount = Files.createTempDirectory("zoobench-tmpfs");
    Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs",
        mount.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as("mounting a 2 MB tmpfs needs root: %s", out).isZero();
  }

  @AfterAll
  static void unmount() throws Exception {
    // lazily: this JVM's catalog connection may still hold a file there
    new ProcessBuilder("umount", "-l", mount.toString()).start().waitFor();
    Files.deleteIfExists(mount);
  }

  private static Cli.Result importRun(Path gt, Path dt, String runId) {
    return Cli.run("import", "--annotations", gt.toString(), "--results", dt.toString(),
        "--iou", "bbox", "--warehouse", mount.resolve("w").toString(), "--run-id", runId);
  }

  @Test
  void aRunThatFillsTheDiskIsOneLineAndLeavesTheWarehouseUsable() throws Exception {
    Path small = Path.of("..", "..", "shared", "coco-reference", "01_perfect_match")
        .toAbsolutePath().normalize();
    Cli.Result first = importRun(small.resolve("gt.json"), small.resolve("dt.json"), "small");
    assertThat(first.exit()).as("%s", first).isZero();
    Path big = tmp.resolve("synth");
    Cli.Result synth = Cli.run("synth", "--images", "300", "--seed", "1", "--masks", "--out",
        big.toString());
    assertThat(synth.exit()).as("%s", synth).isZero();

    // in a process of its own, as users run it: a failed task's open files (which keep their
    // space until closed) die with that process's failed tasks, not with this test JVM's
    CliProcess.Result full = CliProcess.run(tmp.resolve("full.log"), "import", "--annotations",
        big.resolve("gt.json").toString(), "--results", big.resolve("dt.json").toString(),
        "--iou", "bbox", "--warehouse", mount.resolve("w").toString(), "--run-id", "big",
        "--master", "local[2]");

    assertThat(full.exit()).as("%s", full).isEqualTo(Zoobench.EXIT_BAD_INPUT);
    List<String> lines = full.output().strip().lines().toList();
    assertThat(lines.get(lines.size() - 1)).startsWith("zoobench import: the file system of"
        + " the warehouse file:" + mount.resolve("w") + " (file system tmpfs, tmpfs, ")
        .contains("is full (No space left on device) while the run wrote its tables: nothing"
            + " was published; free space there (zoobench maintenance");
    assertThat(full.output()).as("%s", listing()).doesNotContain("\tat ")
        .doesNotContain("FSError").doesNotContain("could not record");
    Warehouse w = Warehouse.open(LocalSpark.get(), mount.resolve("w").toString());
    List<Row> attempts = w.table(Tables.RUN_ATTEMPTS).where("run_id = 'big'").collectAsList();
    assertThat(attempts).extracting(r -> r.<String>getAs("status")).containsExactly("failed");
    assertThat(w.table(Tables.RUNS).where("status = 'succeeded'").collectAsList())
        .extracting(r -> r.<String>getAs("run_id")).containsExactly("small");
    try (var files = Files.walk(mount.resolve("w"))) {
      // its status (run_attempts) and failures rows stay, its results go
      assertThat(files.filter(f -> f.toString().contains("run_id=big/attempt_id=")
          && !f.toString().contains("/run_attempts/") && !f.toString().contains("/failures/"))
          .toList()).as("the failed attempt's files, committed or not, are gone").isEmpty();
    }

    Cli.Result maintenance = Cli.run("maintenance", "--warehouse", mount.resolve("w")
        .toString());
    assertThat(maintenance.exit()).as("%s", maintenance).isZero();
    Cli.Result again = importRun(small.resolve("gt.json"), small.resolve("dt.json"), "small2");
    assertThat(again.exit()).as("%s", again).isZero();
  }

  @Test
  void aReadOnlyWarehouseCanBeReadAndIsRefusedForWriting() throws Exception {
    Path small = Path.of("..", "..", "shared", "coco-reference", "01_perfect_match")
        .toAbsolutePath().normalize();
    Path source = tmp.resolve("rw");
    Cli.Result made = Cli.run("import", "--annotations", small.resolve("gt.json").toString(),
        "--results", small.resolve("dt.json").toString(), "--iou", "bbox", "--warehouse",
        source.toString(), "--run-id", "kept");
    assertThat(made.exit()).as("%s", made).isZero();
    Path readOnly = Files.createTempDirectory("zoobench-ro");
    try {
      for (List<String> cmd : List.of(List.of("mount", "--bind", source.toString(),
          readOnly.toString()), List.of("mount", "-o", "remount,ro,bind", readOnly.toString()))) {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("%s: %s", cmd, out).isZero();
      }

      Cli.Result sql = Cli.run("sql", "--warehouse", readOnly.toString(), "--format", "csv",
          "SELECT run_id, status FROM runs");
      Cli.Result export = Cli.run("export", "--warehouse", readOnly.toString(), "--out",
          tmp.resolve("ro-export").toString());
      Cli.Result write = Cli.run("import", "--annotations", small.resolve("gt.json").toString(),
          "--results", small.resolve("dt.json").toString(), "--iou", "bbox", "--warehouse",
          readOnly.toString(), "--run-id", "refused");

      assertThat(sql.exit()).as("%s", sql).isZero();
      assertThat(sql.out().lines().toList()).containsExactly("run_id,status", "kept,succeeded");
      assertThat(export.exit()).as("%s", export).isZero();
      assertThat(write.exit()).as("%s", write).isEqualTo(Zoobench.EXIT_BAD_INPUT);
      assertThat(write.err().strip()).contains(readOnly + ": not writable")
          .doesNotContain("\n");
    } finally {
      new ProcessBuilder("umount", "-l", readOnly.toString()).start().waitFor();
      Files.deleteIfExists(readOnly);
    }
  }

  /** The tmpfs's files of over 50 kB, for a failure's message. */
  private static String listing() throws Exception {
    try (var files = Files.walk(mount)) {
      return String.join("\n", files.filter(Files::isRegularFile).filter(f -> {
        try {
          return Files.size(f) > 50_000;
        } catch (java.io.IOException e) {
          return false;
        }
      }).map(f -> {
        try {
          return Files.size(f) + " " + mount.relativize(f);
        } catch (java.io.IOException e) {
          return f.toString();
        }
      }).toList());
    }
  }
}
