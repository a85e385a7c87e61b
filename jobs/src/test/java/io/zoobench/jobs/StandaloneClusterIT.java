package io.zoobench.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.zoobench.coco.CocoJsonReader;
import io.zoobench.eval.CocoEvaluator;
import io.zoobench.eval.EvalParams;
import io.zoobench.jobs.spark.LocalSpark;
import io.zoobench.jobs.tables.Tables;
import io.zoobench.jobs.tables.Warehouse;
import io.zoobench.testing.ReferenceCases;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code zoobench import} on a real Spark standalone cluster on 127.0.0.1: a Master and a
 * Worker started from the Maven-built SPARK_HOME (module spark-home), a driver in its own JVM,
 * executors in theirs; the metrics must equal the single-process evaluator's.
 */
class StandaloneClusterIT {
  /** Spark's launcher opens (JavaModuleOptions) for Java 17. */
  static final List<String> OPENS = List.of("-XX:+IgnoreUnrecognizedVMOptions",
      "--add-opens=java.base/java.lang=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
      "--add-opens=java.base/java.io=ALL-UNNAMED", "--add-opens=java.base/java.net=ALL-UNNAMED",
      "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/java.util=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
      "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
      "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
      "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
      "-Djdk.reflect.useDirectMethodHandle=false", "-Dio.netty.tryReflectionSetAccessible=true");

  @TempDir static Path tmp;
  static Process master;
  static Process worker;
  static String masterUrl;

  static Path sparkHome() {
    Path home = Path.of("..", "spark-home", "target", "spark-home").toAbsolutePath().normalize();
    assertThat(home.resolve("jars")).as("build from the repository root: mvn test").isDirectory();
    return home;
  }

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static ProcessBuilder sparkProcess(List<String> args, Path log) {
    List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx512m"));
    cmd.addAll(OPENS);
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    Map<String, String> env = pb.environment();
    env.put("SPARK_HOME", sparkHome().toString());
    env.put("SPARK_SCALA_VERSION", "2.13");
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
    env.put("JAVA_HOME", System.getProperty("java.home"));
    return pb;
  }

  static void awaitPort(int port, Process p, Path log) throws Exception {
    for (int i = 0; i < 600; i++) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException e) {
        assertThat(p.isAlive()).as("process died: %s", Files.readString(log)).isTrue();
        Thread.sleep(100);
      }
    }
    throw new AssertionError("port " + port + " never opened: " + Files.readString(log));
  }

  static void awaitLine(Path log, String text, Process p) throws Exception {
    for (int i = 0; i < 600; i++) {
      if (Files.exists(log) && Files.readString(log).contains(text)) {
        return;
      }
      assertThat(p.isAlive()).as("process died: %s", Files.readString(log)).isTrue();
      Thread.sleep(100);
    }
    throw new AssertionError("'" + text + "' never logged: " + Files.readString(log));
  }

  @BeforeAll
  static void startCluster() throws Exception {
    String jars = sparkHome().resolve("jars") + File.separator + "*";
    int port = freePort();
    masterUrl = "spark://127.0.0.1:" + port;
    Path masterLog = tmp.resolve("master.log");
    master = sparkProcess(List.of("-cp", jars, "org.apache.spark.deploy.master.Master",
        "--host", "127.0.0.1", "--port", Integer.toString(port), "--webui-port",
        Integer.toString(freePort())), masterLog).start();
    awaitPort(port, master, masterLog);
    Path work = Files.createDirectories(tmp.resolve("work"));
    // two fake GPUs: the resource plumbing is tested, the model runs on CPU
    String fakeGpus = Path.of("..", "conf", "gpu-discovery-fake.sh").toAbsolutePath()
        .normalize().toString();
    worker = sparkProcess(List.of("-Dspark.worker.resource.gpu.amount=2",
        "-Dspark.worker.resource.gpu.discoveryScript=" + fakeGpus,
        "-cp", jars, "org.apache.spark.deploy.worker.Worker",
        "--host", "127.0.0.1", "--cores", "2", "--memory", "2g", "--work-dir", work.toString(),
        "--webui-port", Integer.toString(freePort()), masterUrl), tmp.resolve("worker.log"))
        .start();
    awaitLine(masterLog, "Registering worker", master);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    for (Process p : new Process[] {worker, master}) {
      if (p != null) {
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
    }
  }

  /** The driver's classpath: the test classpath, as the launcher's. */
  static String driverClasspath() {
    return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
  }

  /**
   * What executors need beyond the Worker's SPARK_HOME: zoobench's classes, Iceberg's runtime
   * (they write the tables' data files) and, for inference, DJL's jars.
   */
  static String executorClasspath() {
    List<String> cp = new ArrayList<>(List.of(
        Path.of("..", "common", "target", "classes").toAbsolutePath().normalize().toString(),
        Path.of("..", "inference", "target", "classes").toAbsolutePath().normalize().toString(),
        Path.of("target", "classes").toAbsolutePath().toString()));
    for (String entry : driverClasspath().split(File.pathSeparator)) {
      if (entry.contains("/ai/djl/") || entry.contains("/net/java/dev/jna/")
          || entry.contains("/com/google/code/gson/") || entry.contains("/org/apache/iceberg/")) {
        cp.add(entry);
      }
    }
    return String.join(File.pathSeparator, cp);
  }

  /** Runs {@code zoobench} with {@code args} as the driver of an application on the cluster. */
  static void runDriver(String name, List<String> args) throws Exception {
    Path root = Path.of("..").toAbsolutePath().normalize();
    Path log = tmp.resolve(name + ".log");
    List<String> cmd = new ArrayList<>(List.of("-Xmx1g",
        "-Dlog4j2.configurationFile=" + root.resolve("conf/log4j2.properties"),
        "-Dzoobench.log.dir=" + tmp.resolve("logs-" + name),
        "-cp", driverClasspath(), "io.zoobench.jobs.Zoobench"));
    cmd.addAll(args);
    cmd.addAll(List.of("--master", masterUrl,
        "--conf", "spark.executor.extraClassPath=" + executorClasspath(),
        "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.driver.bindAddress=127.0.0.1",
        "--conf", "spark.executor.memory=1g", "--conf", "spark.ui.enabled=false"));
    Process driver = sparkProcess(cmd, log).start();
    assertThat(driver.waitFor(300, TimeUnit.SECONDS)).as("driver finished").isTrue();
    assertThat(driver.exitValue()).as(Files.readString(log)).isZero();
  }

  static ReferenceCases.Mode case17() {
    return ReferenceCases.all()
        .filter(x -> x.caseName().startsWith("17") && x.mode().equals("segm"))
        .findFirst().orElseThrow();
  }

  static List<String> importArgs(Path warehouse, String runId, String... conf) {
    ReferenceCases.Mode m = case17();
    List<String> args = new ArrayList<>(List.of("import",
        "--annotations", m.gt().toString(), "--results", m.dt().toString(),
        "--iou", "bbox,segm", "--warehouse", warehouse.toString(), "--run-id", runId,
        "--model", "m", "--partitions", "4", "--conf", "spark.cores.max=2"));
    for (String c : conf) {
      args.addAll(List.of("--conf", c));
    }
    return args;
  }

  /** The run's metrics equal the single-process evaluator's on the same files, exactly. */
  static void assertMetricsOfCase17(Warehouse wh, String runId) throws Exception {
    ReferenceCases.Mode m = case17();
    var gt = CocoJsonReader.readDataset(m.gt());
    var dt = CocoJsonReader.readResults(m.dt(), true);
    for (EvalParams p : List.of(EvalParams.of(EvalParams.IouType.BBOX),
        EvalParams.of(EvalParams.IouType.SEGM))) {
      double[] expected = new CocoEvaluator(p, 2).evaluate(gt, dt).stats();
      List<Row> rows = wh.table(Tables.METRICS)
          .where("run_id = '" + runId + "' AND iou_type = '" + p.label() + "'")
          .orderBy("slot").collectAsList();
      assertThat(rows).hasSize(12);
      for (int i = 0; i < 12; i++) {
        assertThat(rows.get(i).<Double>getAs("value")).as("%s slot %d", p.label(), i)
            .isEqualTo(expected[i]);
      }
    }
    long records = JSON_RECORDS.apply(m.dt());
    assertThat(wh.table(Tables.PREDICTIONS).where("run_id = '" + runId + "'").count())
        .isEqualTo(records);
    assertThat(wh.table(Tables.PREDICTIONS).where("run_id = '" + runId + "'")
        .select("det_index").distinct().count()).as("no duplicates").isEqualTo(records);
  }

  private static final java.util.function.Function<Path, Long> JSON_RECORDS = f -> {
    try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(f))) {
      return (long) new com.fasterxml.jackson.databind.ObjectMapper().readTree(in).size();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  };

  @Test
  void importOnStandaloneClusterEqualsSingleProcess() throws Exception {
    Path warehouse = tmp.resolve("warehouse");
    runDriver("import", importArgs(warehouse, "on-cluster"));

    // executors ran in JVMs of their own, started by the Worker
    try (Stream<Path> files = Files.walk(tmp.resolve("work"))) {
      assertThat(files.filter(p -> p.getFileName().toString().equals("stderr")).count())
          .as("executor logs under the worker's work dir").isPositive();
    }
    Warehouse wh = Warehouse.open(LocalSpark.get(), warehouse.toString());
    assertMetricsOfCase17(wh, "on-cluster");
    List<Row> runs = wh.table(Tables.RUNS).where("run_id = 'on-cluster'").collectAsList();
    assertThat(runs.get(0).<String>getAs("spark_master")).isEqualTo(masterUrl);
    // one Worker of 2 cores, spark.cores.max=2: one executor; the driver is not one
    assertThat(runs.get(0).<Integer>getAs("executors")).isEqualTo(1);
  }

  /** Executors of the Worker so far that halted on a test fault (their stderr says so). */
  static long haltedExecutors() throws IOException {
    try (Stream<Path> files = Files.walk(tmp.resolve("work"))) {
      return files.filter(p -> p.getFileName().toString().equals("stderr")).filter(p -> {
        try {
          return Files.readString(p).contains("test fault: halting executor");
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).count();
    }
  }

  @Test
  void anExecutorKilledDuringTheEvaluationChangesNothing() throws Exception {
    Path warehouse = tmp.resolve("warehouse-killed-eval");
    long halted = haltedExecutors();
    runDriver("import-killed", importArgs(warehouse, "killed",
        "spark.zoobench.faults.haltExecutorAt=evaluation"));
    assertThat(haltedExecutors()).as("an executor was killed").isEqualTo(halted + 1);
    Warehouse wh = Warehouse.open(LocalSpark.get(), warehouse.toString());
    assertMetricsOfCase17(wh, "killed");
  }

  /** evaluate of the shapes fixture. */
  static List<String> shapesArgs(Path warehouse, String runId) {
    Path root = Path.of("..").toAbsolutePath().normalize();
    return new ArrayList<>(List.of("evaluate",
        "--annotations", root.resolve("fixtures/shapes-val/instances.json").toString(),
        "--images", root.resolve("fixtures/shapes-val/images").toString(),
        "--model", root.resolve("conf/zoo/demo.yaml") + "#shapes-maskrcnn-tiny",
        "--warehouse", warehouse.toString(), "--run-id", runId, "--shards", "4"));
  }

  /** evaluate of the shapes fixture on the cluster: two (fake) GPUs, with {@code conf}. */
  static List<String> evaluateArgs(Path warehouse, String runId, String... conf) {
    Path root = Path.of("..").toAbsolutePath().normalize();
    String fakeGpus = root.resolve("conf/gpu-discovery-fake.sh").toString();
    List<String> args = shapesArgs(warehouse, runId);
    args.addAll(List.of("--conf", "spark.executor.resource.gpu.amount=2",
        "--conf", "spark.executor.resource.gpu.discoveryScript=" + fakeGpus,
        "--conf", "spark.task.resource.gpu.amount=1",
        "--conf", "spark.executor.cores=2", "--conf", "spark.cores.max=2"));
    for (String c : conf) {
      args.addAll(List.of("--conf", c));
    }
    return args;
  }

  @Test
  void evaluateTasksGetDistinctGpuAddresses() throws Exception {
    Path warehouse = tmp.resolve("warehouse-gpu");
    runDriver("evaluate", evaluateArgs(warehouse, "fake-gpus"));

    Warehouse wh = Warehouse.open(LocalSpark.get(), warehouse.toString());
    List<Row> timings = wh.table(Tables.TIMINGS).where("run_id = 'fake-gpus'")
        .orderBy("shard_id").collectAsList();
    assertThat(timings).hasSize(4);
    // two concurrent tasks on one executor with two GPUs: each got its own address
    assertThat(timings.stream().map(r -> r.<String>getAs("task_gpu")).distinct().sorted()
        .toList()).containsExactly("0", "1");
    assertThat(timings).allSatisfy(r -> assertThat(r.<String>getAs("device")).isEqualTo("cpu"));
    assertThat(timings.stream().mapToLong(r -> r.<Long>getAs("images")).sum()).isEqualTo(50);
    Row run = wh.table(Tables.RUNS).where("run_id = 'fake-gpus'").collectAsList().get(0);
    assertThat(run.<String>getAs("status")).isEqualTo("succeeded");
  }

  @Test
  void anExecutorKilledDuringInferenceChangesNothing() throws Exception {
    Path warehouse = tmp.resolve("warehouse-killed-inference");
    long halted = haltedExecutors();
    runDriver("evaluate-killed", evaluateArgs(warehouse, "killed",
        "spark.zoobench.faults.haltExecutorAt=inference"));
    assertThat(haltedExecutors()).as("an executor was killed").isEqualTo(halted + 1);
    Warehouse killed = Warehouse.open(LocalSpark.get(), warehouse.toString());

    // the same run in one process, nothing killed
    Path single = tmp.resolve("warehouse-single");
    List<String> args = shapesArgs(single, "single");
    args.addAll(List.of("--master", "local[2]"));
    Cli.Result r = Cli.run(args.toArray(String[]::new));
    assertThat(r.exit()).as("%s", r).isZero();
    Warehouse reference = Warehouse.open(LocalSpark.get(), single.toString());

    List<Row> a = killed.table(Tables.PREDICTIONS).where("run_id = 'killed'").drop("run_id")
        .orderBy("image_id", "det_index").collectAsList();
    List<Row> b = reference.table(Tables.PREDICTIONS).where("run_id = 'single'")
        .drop("run_id").orderBy("image_id", "det_index").collectAsList();
    assertThat(a).isNotEmpty().hasSameSizeAs(b);
    for (int i = 0; i < a.size(); i++) {
      assertThat(a.get(i).toString()).as("prediction %d", i).isEqualTo(b.get(i).toString());
    }
    List<Row> ma = killed.table(Tables.METRICS).where("run_id = 'killed'")
        .orderBy("iou_type", "slot").select("iou_type", "slot", "value").collectAsList();
    List<Row> mb = reference.table(Tables.METRICS).where("run_id = 'single'")
        .orderBy("iou_type", "slot").select("iou_type", "slot", "value").collectAsList();
    assertThat(ma).isNotEmpty().isEqualTo(mb);
  }
}
