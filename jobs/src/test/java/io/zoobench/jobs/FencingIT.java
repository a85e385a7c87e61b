package io.zoobench.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.zoobench.jobs.spark.LocalSpark;
import io.zoobench.jobs.tables.PredictionRow;
import io.zoobench.jobs.tables.RunRow;
import io.zoobench.jobs.tables.Tables;
import io.zoobench.jobs.tables.Warehouse;
import io.zoobench.testing.ReferenceCases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
 * A writer stopped past its lease (SIGSTOP, as a long GC pause or a frozen VM stops it) whose
 * lock a second writer takes over publishes nothing when it wakes up, whether it wakes while
 * the second writer runs or after it published: ten trials, each leaving exactly one published
 * attempt (the second writer's) with every row of an undisturbed run, the first attempt
 * {@code abandoned} and none of its rows left. A second writer with a short
 * {@code staleSeconds} cannot break a live writer's lock: the lease is the holder's word.
 */
class FencingIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int RECORDS = 400;

  @TempDir static Path tmp;
  static Path gt;
  static Path results;
  static SparkSession spark;

  @BeforeAll
  static void files() throws Exception {
    spark = LocalSpark.get();
    ReferenceCases.Mode m = ReferenceCases.all()
        .filter(x -> x.caseName().startsWith("17") && x.mode().equals("bbox"))
        .findFirst().orElseThrow();
    gt = m.gt();
    ArrayNode all;
    try (var in = m.dt().toString().endsWith(".gz")
        ? new GZIPInputStream(Files.newInputStream(m.dt())) : Files.newInputStream(m.dt())) {
      all = (ArrayNode) JSON.readTree(in);
    }
    ArrayNode some = JSON.createArrayNode();
    for (int i = 0; i < RECORDS; i++) {
      some.add(all.get(i));
    }
    results = tmp.resolve("results.json");
    JSON.writeValue(results.toFile(), some);
  }

  private static List<String> importArgs(Path w, String runId, String... conf) {
    List<String> args = new ArrayList<>(List.of("import", "--annotations", gt.toString(),
        "--results", results.toString(), "--iou", "bbox", "--warehouse", w.toString(),
        "--run-id", runId, "--model", runId, "--partitions", "1", "--master", "local[1]"));
    for (String c : conf) {
      args.add("--conf");
      args.add(c);
    }
    return args;
  }

  /** The lease's holder attempt of {@code runId}, or null when the lock is free. */
  private static String leaseHolder(Path w, String runId) {
    if (!Files.exists(w.resolve("catalog.db"))) {
      return null;
    }
    try {
      var runs = Warehouse.open(spark, w.toString()).iceberg(RunRow.TABLE);
      runs.refresh();
      String lease = runs.properties().get("zoobench.lease." + runId);
      return lease == null ? null : lease.split(" ")[0];
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String waitForHolder(Path w, String runId, String notThis, Process p,
      Path log) throws Exception {
    for (int i = 0; i < 1500; i++) {
      String h = leaseHolder(w, runId);
      if (h != null && !h.equals(notThis)) {
        return h;
      }
      assertThat(p.isAlive()).as("%s", Files.readString(log)).isTrue();
      Thread.sleep(100);
    }
    throw new AssertionError("no writer took the lock of " + runId + ": "
        + Files.readString(log));
  }

  private static void signal(Process p, String signal) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start();
    // a woken writer may already have ended (it gives up as soon as it sees the lock is gone)
    assertThat(kill.waitFor() == 0 || !p.isAlive()).as("kill -%s %d", signal, p.pid())
        .isTrue();
  }

  private static Map<String, String> attempts(Path w, String runId) {
    Map<String, String> out = new TreeMap<>();
    for (Row r : Warehouse.open(spark, w.toString()).table(Tables.RUN_ATTEMPTS)
        .where("run_id = '" + runId + "'").collectAsList()) {
      out.put(r.getAs("attempt_id"), r.getAs("status"));
    }
    return out;
  }

  private static long rawPredictions(Path w, String runId) {
    return Warehouse.open(spark, w.toString()).session()
        .table(Warehouse.name(PredictionRow.TABLE)).where("run_id = '" + runId + "'").count();
  }

  /**
   * Trial {@code k}: writer A (its own JVM; a 4 s lease, holding its lock 4 s before writing)
   * is stopped once it holds the lock; 5 s later writer B (in this JVM) takes the lock over.
   * Odd trials wake A while B runs, even ones after B has published.
   */
  @ParameterizedTest(name = "trial {0}")
  @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
  void aWriterPausedPastItsLeasePublishesNothing(int k) throws Exception {
    Path w = tmp.resolve("paused-" + k);
    String id = "paused";
    Path logA = tmp.resolve("a-" + k + ".log");
    Process a = CliProcess.start(logA, importArgs(w, id, "spark.zoobench.lock.staleSeconds=4",
        "spark.zoobench.faults.holdLockSeconds=4").toArray(String[]::new));
    String attemptA = waitForHolder(w, id, null, a, logA);
    signal(a, "STOP");
    Cli.Result b;
    try {
      Thread.sleep(5_000);
      var writerB = java.util.concurrent.CompletableFuture.supplyAsync(
          () -> Cli.run(importArgs(w, id).toArray(String[]::new)));
      if (k % 2 == 1) {
        for (int i = 0; i < 600 && !writerB.isDone(); i++) {
          String holder = leaseHolder(w, id);
          if (holder != null && !holder.equals(attemptA)) {
            break;
          }
          Thread.sleep(50);
        }
        signal(a, "CONT");
      }
      b = writerB.get(300, TimeUnit.SECONDS);
    } finally {
      signal(a, "CONT");
    }
    assertThat(b.exit()).as("%s", b).isZero();
    assertThat(a.waitFor(300, TimeUnit.SECONDS)).isTrue();
    String outA = Files.readString(logA);
    assertThat(a.exitValue()).as("%s", outA).isEqualTo(Zoobench.EXIT_BAD_INPUT);

    List<Row> runs = Warehouse.open(spark, w.toString()).table(Tables.RUNS).collectAsList();
    assertThat(runs).hasSize(1);
    String published = runs.get(0).getAs("attempt_id");
    assertThat(published).isNotEqualTo(attemptA);
    assertThat(outA).contains("zoobench import: run paused was taken over by attempt "
        + published + " after this attempt's lease expired (attempt " + attemptA
        + "); nothing published");
    assertThat(runs.get(0).<String>getAs("status")).isEqualTo("succeeded");
    Warehouse view = Warehouse.open(spark, w.toString());
    assertThat(view.table(Tables.PREDICTIONS).count()).as("every row, once").isEqualTo(RECORDS);
    assertThat(view.table(Tables.METRICS).count()).isEqualTo(12);
    assertThat(rawPredictions(w, id)).as("no row of the abandoned attempt left")
        .isEqualTo(RECORDS);
    assertThat(attempts(w, id)).containsEntry(attemptA, "abandoned")
        .containsEntry(published, "succeeded").hasSize(2);
    assertThat(leaseHolder(w, id)).as("the lock is free").isNull();
  }

  @Test
  void aShortStaleSecondsDoesNotBreakALiveWritersLock() throws Exception {
    Path w = tmp.resolve("short");
    Path logA = tmp.resolve("short-a.log");
    Process a = CliProcess.start(logA, importArgs(w, "live",
        "spark.zoobench.faults.holdLockSeconds=20").toArray(String[]::new));
    waitForHolder(w, "live", null, a, logA);
    // the lease was written at least 7 s ago, older than B's own 5 s (renewals: every 30 s)
    Thread.sleep(7_000);

    Cli.Result b;
    try {
      b = Cli.run(importArgs(w, "live", "spark.zoobench.lock.staleSeconds=5")
          .toArray(String[]::new));
    } finally {
      // --conf of an in-process run stays in the shared session
      spark.conf().unset("spark.zoobench.lock.staleSeconds");
    }

    assertThat(b.exit()).as("%s", b).isEqualTo(Zoobench.EXIT_BAD_INPUT);
    assertThat(b.err()).contains("run id live is being written by another zoobench")
        .contains("lease 120 s");
    assertThat(a.waitFor(300, TimeUnit.SECONDS)).isTrue();
    assertThat(a.exitValue()).as("%s", Files.readString(logA)).isZero();
    assertThat(Warehouse.open(spark, w.toString()).table(Tables.PREDICTIONS).count())
        .isEqualTo(RECORDS);
  }
}
