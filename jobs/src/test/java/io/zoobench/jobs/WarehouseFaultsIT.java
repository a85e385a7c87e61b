package io.zoobench.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.zoobench.jobs.spark.LocalSpark;
import io.zoobench.jobs.tables.Tables;
import io.zoobench.jobs.tables.Warehouse;
import io.zoobench.testing.ReferenceCases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Fault injection on the warehouse: drivers killed (halted, as {@code kill -9}) before,
 * during and after the publication of a fresh run and of a rerun; a failed rerun; two writers
 * of one run id at once; an interrupted {@code evaluate} resumed. Afterwards every view must
 * show the old run or the new one, whole — never a mixture, never nothing where a good run was.
 */
class WarehouseFaultsIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path tmp;
  static Path gt;
  /** The "old" and "new" results of one run id: 6000 and 3000 records of one ground truth. */
  static Path oldResults;
  static Path newResults;
  static SparkSession spark;

  @BeforeAll
  static void files() throws Exception {
    spark = LocalSpark.get();
    ReferenceCases.Mode m = ReferenceCases.all()
        .filter(x -> x.caseName().startsWith("17") && x.mode().equals("segm"))
        .findFirst().orElseThrow();
    gt = m.gt();
    ArrayNode all;
    try (var in = new GZIPInputStream(Files.newInputStream(m.dt()))) {
      all = (ArrayNode) JSON.readTree(in);
    }
    oldResults = tmp.resolve("old.json");
    newResults = tmp.resolve("new.json");
    JSON.writeValue(oldResults.toFile(), slice(all, 6000));
    JSON.writeValue(newResults.toFile(), slice(all, 3000));
  }

  private static ArrayNode slice(ArrayNode a, int n) {
    ArrayNode out = JSON.createArrayNode();
    for (int i = 0; i < n; i++) {
      out.add(a.get(i));
    }
    return out;
  }

  static CliProcess.Result importRun(Path warehouse, String runId, Path results, String... conf)
      throws Exception {
    List<String> args = new java.util.ArrayList<>(List.of("import", "--annotations",
        gt.toString(), "--results", results.toString(), "--iou", "bbox,segm", "--warehouse",
        warehouse.toString(), "--run-id", runId, "--model", runId, "--partitions", "2",
        "--master", "local[2]"));
    for (String c : conf) {
      args.add("--conf");
      args.add(c);
    }
    return CliProcess.run(tmp.resolve(runId + "-" + System.nanoTime() + ".log"),
        args.toArray(String[]::new));
  }

  /** What the views show of a run: its predictions, metrics and AP, or none. */
  record Visible(long runs, long predictions, long metrics, Double bboxAp, String attempt) {}

  static Visible visible(Path warehouse, String runId) {
    Warehouse w = Warehouse.open(spark, warehouse.toString());
    List<Row> runs = w.table(Tables.RUNS).where("run_id = '" + runId + "'").collectAsList();
    List<Row> ap = w.table(Tables.METRICS).where("run_id = '" + runId
        + "' AND iou_type = 'bbox' AND metric = 'AP'").collectAsList();
    return new Visible(runs.size(),
        w.table(Tables.PREDICTIONS).where("run_id = '" + runId + "'").count(),
        w.table(Tables.METRICS).where("run_id = '" + runId + "'").count(),
        ap.isEmpty() ? null : ap.get(0).<Double>getAs("value"),
        runs.isEmpty() ? null : runs.get(0).getAs("attempt_id"));
  }

  @ParameterizedTest(name = "killed {0}")
  @ValueSource(strings = {"before-publish", "after-publish", "after-cleanup"})
  void aFreshRunIsWholeOrAbsent(String point) throws Exception {
    Path w = tmp.resolve("fresh-" + point);
    CliProcess.Result r = importRun(w, "fresh", newResults,
        "spark.zoobench.faults.killDriverAt=" + point);
    assertThat(r.exit()).as("%s", r).isEqualTo(137);
    Visible v = visible(w, "fresh");
    if (point.equals("before-publish")) {
      assertThat(v).isEqualTo(new Visible(0, 0, 0, null, null));
    } else {
      assertThat(v.runs()).isEqualTo(1);
      assertThat(v.predictions()).isEqualTo(3000);
      assertThat(v.metrics()).isEqualTo(24);
    }
    // the next run of the id takes the dead driver's lock over and lands whole
    CliProcess.Result again = importRun(w, "fresh", newResults);
    assertThat(again.exit()).as("%s", again).isZero();
    Visible after = visible(w, "fresh");
    assertThat(after.predictions()).isEqualTo(3000);
    assertThat(after.metrics()).isEqualTo(24);
    assertThat(rawPredictions(w, "fresh")).as("no rows of the dead attempt left").isEqualTo(3000);
  }

  @ParameterizedTest(name = "killed {0}")
  @ValueSource(strings = {"before-publish", "after-publish", "after-cleanup"})
  void aRerunShowsTheOldRunOrTheNewOneWhole(String point) throws Exception {
    Path w = tmp.resolve("rerun-" + point);
    assertThat(importRun(w, "good", oldResults).exit()).isZero();
    Visible old = visible(w, "good");
    assertThat(old.predictions()).isEqualTo(6000);
    CliProcess.Result r = importRun(w, "good", newResults,
        "spark.zoobench.faults.killDriverAt=" + point);
    assertThat(r.exit()).as("%s", r).isEqualTo(137);
    Visible v = visible(w, "good");
    if (point.equals("before-publish")) {
      assertThat(v).as("the old run, untouched").isEqualTo(old);
    } else {
      assertThat(v.attempt()).isNotEqualTo(old.attempt());
      assertThat(v.predictions()).as("the new run, whole").isEqualTo(3000);
      assertThat(v.metrics()).isEqualTo(24);
      assertThat(v.bboxAp()).isNotEqualTo(old.bboxAp());
    }
  }

  @Test
  void aFailedRerunKeepsTheGoodRun() throws Exception {
    Path w = tmp.resolve("failed-rerun");
    CliProcess.Result good = importRun(w, "good", oldResults);
    assertThat(good.exit()).isZero();
    assertOnlyCliLines(good);
    Visible old = visible(w, "good");
    // a file that does not exist is refused before the run starts: nothing recorded
    CliProcess.Result typo = importRun(w, "good", tmp.resolve("typo.json"));
    assertThat(typo.exit()).as("%s", typo).isEqualTo(1);
    assertThat(typo.output()).contains("typo.json: no such file");
    assertOnlyCliLines(typo);
    assertThat(visible(w, "good")).isEqualTo(old);
    // a bad record found by a task fails the rerun: recorded as a failed attempt, good run kept
    String text = Files.readString(newResults);
    int last = text.lastIndexOf("\"score\"");
    Path bad = tmp.resolve("bad-record.json");
    Files.writeString(bad, text.substring(0, last) + text.substring(last)
        .replaceFirst("\"score\"\\s*:\\s*[0-9.eE+-]+", "\"score\": \"high\""));
    CliProcess.Result r = importRun(w, "good", bad);
    assertThat(r.exit()).as("%s", r).isEqualTo(1);
    assertThat(r.output()).contains("bad-record.json: results[");
    assertOnlyCliLines(r);
    assertThat(visible(w, "good")).isEqualTo(old);
    Warehouse wh = Warehouse.open(spark, w.toString());
    assertThat(wh.table(Tables.RUN_ATTEMPTS).where("run_id = 'good'").collectAsList())
        .extracting(x -> x.<String>getAs("status"))
        .containsExactlyInAnyOrder("succeeded", "failed");
    assertThat(wh.table(Tables.FAILURES).where("run_id = 'good'").collectAsList())
        .singleElement().satisfies(f -> assertThat(f.<String>getAs("message"))
            .contains("score"));
  }

  /** Spark's, Hadoop's and Iceberg's log lines and stack traces go to the log file only. */
  private static void assertOnlyCliLines(CliProcess.Result r) {
    assertThat(r.output().lines())
        .as("%s", r)
        .noneMatch(l -> l.matches("^\\d\\d:\\d\\d:\\d\\d (WARN|ERROR|INFO) .*"))
        .noneMatch(l -> l.startsWith("\tat ") || l.startsWith("Caused by:"));
  }

  @Test
  void twoWritersOfOneRunIdOneIsRefused() throws Exception {
    Path w = tmp.resolve("two-writers");
    Process first = CliProcess.start(tmp.resolve("first.log"), "import", "--annotations",
        gt.toString(), "--results", oldResults.toString(), "--iou", "bbox", "--warehouse",
        w.toString(), "--run-id", "same", "--master", "local[2]", "--conf",
        "spark.zoobench.faults.holdLockSeconds=15");
    // the first holds the lock: its lease is on the runs table
    for (int i = 0; i < 600 && !leased(w, "same"); i++) {
      assertThat(first.isAlive()).as(Files.readString(tmp.resolve("first.log"))).isTrue();
      Thread.sleep(200);
    }
    CliProcess.Result second = importRun(w, "same", newResults);
    assertThat(second.exit()).as("%s", second).isEqualTo(1);
    assertThat(second.output()).contains("run id same is being written by another zoobench");
    assertThat(first.waitFor(300, TimeUnit.SECONDS)).isTrue();
    assertThat(first.exitValue()).as(Files.readString(tmp.resolve("first.log"))).isZero();
    Visible v = visible(w, "same");
    assertThat(v.predictions()).as("the first writer's rows, once").isEqualTo(6000);
    assertThat(rawPredictions(w, "same")).isEqualTo(6000);
  }

  /** The embedded catalog with three processes committing at once: every run lands whole. */
  @Test
  void writersOfDifferentRunIdsRunSideBySide() throws Exception {
    Path w = tmp.resolve("side-by-side");
    List<String> ids = List.of("one", "two", "three");
    List<Process> writers = new java.util.ArrayList<>();
    for (String id : ids) {
      writers.add(CliProcess.start(tmp.resolve("side-" + id + ".log"), "import",
          "--annotations", gt.toString(), "--results", oldResults.toString(), "--iou", "bbox",
          "--warehouse", w.toString(), "--run-id", id, "--model", id, "--partitions", "2",
          "--master", "local[1]"));
    }
    for (int i = 0; i < ids.size(); i++) {
      Path log = tmp.resolve("side-" + ids.get(i) + ".log");
      assertThat(writers.get(i).waitFor(300, TimeUnit.SECONDS)).isTrue();
      assertThat(writers.get(i).exitValue()).as(Files.readString(log)).isZero();
    }
    Double ap = null;
    for (String id : ids) {
      Visible v = visible(w, id);
      assertThat(v.runs()).isEqualTo(1);
      assertThat(v.predictions()).as(id).isEqualTo(6000);
      assertThat(rawPredictions(w, id)).as(id).isEqualTo(6000);
      assertThat(v.metrics()).isEqualTo(12);
      if (ap != null) {
        assertThat(v.bboxAp()).isEqualTo(ap);
      }
      ap = v.bboxAp();
    }
  }

  /** What a killed writer left: invisible, then cleaned by {@code zoobench maintenance}. */
  @Test
  void maintenanceCleansWhatAKilledWriterLeft() throws Exception {
    Path w = tmp.resolve("maintenance");
    assertThat(importRun(w, "kept", oldResults).exit()).isZero();
    CliProcess.Result r = importRun(w, "dead", newResults,
        "spark.zoobench.faults.killDriverAt=before-publish");
    assertThat(r.exit()).as("%s", r).isEqualTo(137);
    assertThat(rawPredictions(w, "dead")).as("written, unpublished").isEqualTo(3000);
    assertThat(visible(w, "dead").predictions()).isZero();
    Path stray = Files.writeString(w.resolve("results/metrics/data/stray.parquet"), "junk");

    Cli.Result m = Cli.run("maintenance", "--warehouse", w.toString(),
        "--orphans-older-than", "0s");
    assertThat(m.exit()).as("%s", m).isZero();
    assertThat(m.out()).contains("abandoned attempts cleaned in 1 run ids: dead");
    assertThat(rawPredictions(w, "dead")).isZero();
    assertThat(stray).doesNotExist();
    Warehouse wh = Warehouse.open(spark, w.toString());
    assertThat(wh.table(Tables.RUN_ATTEMPTS).where("run_id = 'dead'").collectAsList())
        .extracting(x -> x.<String>getAs("status")).containsExactly("abandoned");
    assertThat(visible(w, "kept").predictions()).as("the good run untouched").isEqualTo(6000);
  }

  @Test
  void anInterruptedEvaluateResumesFromItsFinishedShards() throws Exception {
    Path w = tmp.resolve("resume");
    Path root = Path.of("..").toAbsolutePath().normalize();
    String[] evaluate = {"evaluate", "--annotations",
        root.resolve("fixtures/shapes-val/instances.json").toString(), "--images",
        root.resolve("fixtures/shapes-val/images").toString(), "--model",
        root.resolve("conf/zoo/demo.yaml") + "#shapes-maskrcnn-tiny", "--warehouse",
        w.toString(), "--shards", "5", "--master", "local[1]"};
    CliProcess.Result clean = CliProcess.run(tmp.resolve("clean.log"),
        concat(evaluate, "--run-id", "clean"));
    assertThat(clean.exit()).as("%s", clean).isZero();
    CliProcess.Result killed = CliProcess.run(tmp.resolve("killed.log"), concat(evaluate,
        "--run-id", "resumed", "--conf", "spark.zoobench.faults.killDriverAt=after-first-shard"));
    assertThat(killed.exit()).as("%s", killed).isEqualTo(137);
    assertThat(visible(w, "resumed").runs()).isZero();
    CliProcess.Result resumed = CliProcess.run(tmp.resolve("resumed.log"),
        concat(evaluate, "--run-id", "resumed"));
    assertThat(resumed.exit()).as("%s", resumed).isZero();
    assertThat(resumed.output()).containsPattern("reusing [1-5] of 5 shards");
    Warehouse wh = Warehouse.open(spark, w.toString());
    List<Row> a = wh.table(Tables.METRICS).where("run_id = 'clean'").orderBy("iou_type", "slot")
        .select("iou_type", "slot", "value").collectAsList();
    List<Row> b = wh.table(Tables.METRICS).where("run_id = 'resumed'")
        .orderBy("iou_type", "slot").select("iou_type", "slot", "value").collectAsList();
    assertThat(b).hasSize(24).isEqualTo(a);
    assertThat(visible(w, "resumed").predictions()).isEqualTo(visible(w, "clean").predictions());
    assertThat(w.resolve("_checkpoints/resumed")).doesNotExist();
  }

  private static boolean leased(Path w, String runId) {
    if (!Files.exists(w.resolve("catalog.db"))) {
      return false;
    }
    try {
      return Warehouse.open(spark, w.toString()).iceberg(io.zoobench.jobs.tables.RunRow.TABLE)
          .properties().containsKey("zoobench.lease." + runId);
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static long rawPredictions(Path w, String runId) {
    return Warehouse.open(spark, w.toString()).session()
        .table(Warehouse.name(io.zoobench.jobs.tables.PredictionRow.TABLE))
        .where("run_id = '" + runId + "'").count();
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
