package io.zoobench.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.zoobench.coco.CocoJsonReader;
import io.zoobench.eval.CocoEvaluator;
import io.zoobench.eval.EvalParams;
import io.zoobench.jobs.Zoobench;
import io.zoobench.jobs.spark.SparkSupport;
import io.zoobench.jobs.tables.Tables;
import io.zoobench.jobs.tables.Warehouse;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster path as the docs give it: {@code bin/zoobench-cluster start} (a standalone Master
 * and Worker from the Maven-built spark-home, which holds Spark's jars and nothing of
 * zoobench's), then {@code bin/zoobench-cluster submit} of the built, shaded
 * {@code zoobench-cluster.jar} through Spark's own {@code SparkSubmit} (the driver in its own JVM
 * from that jar alone), with paths relative to the driver's working directory, and
 * {@code stop}. The tables must equal what the single-process evaluator and an embedded run
 * compute.
 */
class ClusterJarIT {
  static final Path ROOT = Path.of(System.getProperty("zoobench.home", "..")).toAbsolutePath()
      .normalize();

  @TempDir static Path tmp;
  static Map<String, String> env;
  static String masterUrl;
  static SparkSession spark;

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  record Result(int exit, String output) {
    @Override
    public String toString() {
      return "exit " + exit + "\n" + output;
    }
  }

  /** {@code bin/zoobench-cluster args} from the repository root, as a user would type it. */
  static Result cluster(String name, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("bin/zoobench-cluster").toString()));
    cmd.addAll(List.of(args));
    Path log = tmp.resolve(name + ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    if (!p.waitFor(420, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(name + " did not finish: " + Files.readString(log));
    }
    return new Result(p.exitValue(), Files.readString(log));
  }

  @BeforeAll
  static void start() throws Exception {
    int port = freePort();
    env = Map.of("ZOOBENCH_CLUSTER_DIR", tmp.resolve("cluster").toString(),
        "ZOOBENCH_CLUSTER_PORT", Integer.toString(port),
        "ZOOBENCH_CLUSTER_UI_PORT", Integer.toString(freePort()),
        "ZOOBENCH_DRIVER_MEMORY", "1g", "ZOOBENCH_EXECUTOR_MEMORY", "1500m");
    masterUrl = "spark://127.0.0.1:" + port;
    Result r = cluster("start", "start", "--cores", "2", "--memory", "3g", "--gpus", "2",
        "--fake-gpus");
    assertThat(r.exit()).as("%s", r).isZero();
    assertThat(r.output()).contains("master " + masterUrl);
    spark = SparkSupport.session("cluster jar test", "local[1]", Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    Result r = cluster("stop", "stop");
    assertThat(r.exit()).as("%s", r).isZero();
    assertThat(cluster("status", "status").exit()).isEqualTo(3);
  }

  /** What a submitted driver printed holds zoobench's lines only: no log lines, no traces. */
  static void assertOnlyCliLines(Result r) {
    assertThat(r.output().lines()).as("%s", r)
        .noneMatch(l -> l.matches("^\\d\\d:\\d\\d:\\d\\d (WARN|ERROR|INFO) .*"))
        .noneMatch(l -> l.startsWith("\tat ") || l.startsWith("Caused by:"));
  }

  static String relative(Path p) {
    return ROOT.relativize(p.toAbsolutePath().normalize()).toString();
  }

  @Test
  void importSubmittedWithRelativePathsEqualsTheSingleProcessEvaluator() throws Exception {
    Path ref = ROOT.resolveSibling("shared").resolve("coco-reference").resolve("17_medium_seed1");
    Path gt = ref.resolve("gt.json");
    Path dt = ref.resolve("dt.json.gz");
    Path warehouse = tmp.resolve("warehouse-import");
    Result r = cluster("import", "submit", "import", "--annotations", relative(gt),
        "--results", relative(dt), "--iou", "bbox,segm", "--warehouse", relative(warehouse),
        "--run-id", "submitted", "--model", "m", "--partitions", "4");
    assertThat(r.exit()).as("%s", r).isZero();
    assertOnlyCliLines(r);

    Warehouse wh = Warehouse.open(spark, warehouse.toString());
    var gtData = CocoJsonReader.readDataset(gt);
    var dtData = CocoJsonReader.readResults(dt, true);
    for (EvalParams p : List.of(EvalParams.of(EvalParams.IouType.BBOX),
        EvalParams.of(EvalParams.IouType.SEGM))) {
      double[] expected = new CocoEvaluator(p, 2).evaluate(gtData, dtData).stats();
      List<Row> rows = wh.table(Tables.METRICS)
          .where("run_id = 'submitted' AND iou_type = '" + p.label() + "'")
          .orderBy("slot").collectAsList();
      assertThat(rows).hasSize(12);
      for (int i = 0; i < 12; i++) {
        assertThat(rows.get(i).<Double>getAs("value")).as("%s slot %d", p.label(), i)
            .isEqualTo(expected[i]);
      }
    }
    Row run = wh.table(Tables.RUNS).where("run_id = 'submitted'").first();
    assertThat(run.<String>getAs("status")).isEqualTo("succeeded");
    assertThat(run.<String>getAs("spark_master")).isEqualTo(masterUrl);
    long predictions = wh.table(Tables.PREDICTIONS).where("run_id = 'submitted'").count();
    assertThat(predictions).isEqualTo(dtData.size());
    assertThat(wh.table(Tables.PREDICTIONS).where("run_id = 'submitted'")
        .select("det_index").distinct().count()).as("no duplicates").isEqualTo(predictions);
  }

  @Test
  void evaluateSubmittedWithRelativePathsEqualsAnEmbeddedRun() throws Exception {
    Path warehouse = tmp.resolve("warehouse-evaluate");
    Result r = cluster("evaluate", "submit", "evaluate",
        "--annotations", "fixtures/shapes-val/instances.json",
        "--images", "fixtures/shapes-val/images",
        "--model", "conf/zoo/demo.yaml#shapes-maskrcnn-tiny",
        "--warehouse", relative(warehouse), "--run-id", "submitted", "--shards", "4",
        "--conf", "spark.executor.resource.gpu.amount=2",
        "--conf", "spark.executor.resource.gpu.discoveryScript="
            + ROOT.resolve("conf/gpu-discovery-fake.sh"),
        "--conf", "spark.task.resource.gpu.amount=1", "--conf", "spark.executor.cores=2");
    assertThat(r.exit()).as("%s", r).isZero();
    assertOnlyCliLines(r);
    // executors ran in JVMs of their own, started by the Worker
    try (Stream<Path> files = Files.walk(tmp.resolve("cluster"))) {
      assertThat(files.filter(p -> p.getFileName().toString().equals("stderr")).count())
          .as("executor logs under the worker's work dir").isPositive();
    }

    Path embedded = tmp.resolve("warehouse-embedded");
    int exit = Zoobench.execute("evaluate",
        "--annotations", ROOT.resolve("fixtures/shapes-val/instances.json").toString(),
        "--images", ROOT.resolve("fixtures/shapes-val/images").toString(),
        "--model", ROOT.resolve("conf/zoo/demo.yaml") + "#shapes-maskrcnn-tiny",
        "--warehouse", embedded.toString(), "--run-id", "embedded", "--shards", "4");
    assertThat(exit).isZero();

    Warehouse cluster = Warehouse.open(spark, warehouse.toString());
    Warehouse local = Warehouse.open(spark, embedded.toString());
    List<String> a = cluster.table(Tables.PREDICTIONS).where("run_id = 'submitted'")
        .drop("run_id").orderBy("image_id", "det_index").collectAsList().stream()
        .map(Row::toString).toList();
    List<String> b = local.table(Tables.PREDICTIONS).where("run_id = 'embedded'")
        .drop("run_id").orderBy("image_id", "det_index").collectAsList().stream()
        .map(Row::toString).toList();
    assertThat(a).isNotEmpty().isEqualTo(b);
    assertThat(cluster.table(Tables.METRICS).where("run_id = 'submitted'")
        .drop("run_id").orderBy("iou_type", "slot").collectAsList().stream()
        .map(Row::toString).toList())
        .hasSize(24)
        .isEqualTo(local.table(Tables.METRICS).where("run_id = 'embedded'")
            .drop("run_id").orderBy("iou_type", "slot").collectAsList().stream()
            .map(Row::toString).toList());
    List<Row> timings = cluster.table(Tables.TIMINGS).where("run_id = 'submitted'")
        .collectAsList();
    assertThat(timings).hasSize(4);
    assertThat(timings.stream().mapToLong(t -> t.<Long>getAs("images")).sum()).isEqualTo(50);
    assertThat(cluster.table(Tables.FAILURES).where("run_id = 'submitted'").count()).isZero();
  }
}
