package io.zoobench.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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

  @Test
  void importOnStandaloneClusterEqualsSingleProcess() throws Exception {
    ReferenceCases.Mode m = ReferenceCases.all()
        .filter(x -> x.caseName().startsWith("17") && x.mode().equals("segm"))
        .findFirst().orElseThrow();
    Path warehouse = tmp.resolve("warehouse");
    String testClasspath = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    // executors need zoobench's classes only: Spark comes from the Worker's SPARK_HOME
    String executorClasspath = Path.of("..", "common", "target", "classes").toAbsolutePath()
        .normalize() + File.pathSeparator + Path.of("target", "classes").toAbsolutePath();
    Path driverLog = tmp.resolve("driver.log");
    List<String> args = new ArrayList<>(List.of("-Xmx1g",
        "-Dlog4j2.configurationFile=" + Path.of("..", "conf", "log4j2.properties").toAbsolutePath(),
        "-cp", testClasspath, "io.zoobench.jobs.Zoobench", "import",
        "--annotations", m.gt().toString(), "--results", m.dt().toString(),
        "--iou", "bbox,segm", "--warehouse", warehouse.toString(), "--run-id", "on-cluster",
        "--model", "m", "--master", masterUrl, "--partitions", "4",
        "--conf", "spark.executor.extraClassPath=" + executorClasspath,
        "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.driver.bindAddress=127.0.0.1",
        "--conf", "spark.executor.memory=1g", "--conf", "spark.cores.max=2",
        "--conf", "spark.ui.enabled=false"));
    Process driver = sparkProcess(args, driverLog).start();
    assertThat(driver.waitFor(300, TimeUnit.SECONDS)).as("driver finished").isTrue();
    assertThat(driver.exitValue()).as(Files.readString(driverLog)).isZero();

    // executors ran in JVMs of their own, started by the Worker
    try (Stream<Path> files = Files.walk(tmp.resolve("work"))) {
      assertThat(files.filter(p -> p.getFileName().toString().equals("stderr")).count())
          .as("executor logs under the worker's work dir").isPositive();
    }

    var gt = CocoJsonReader.readDataset(m.gt());
    var dt = CocoJsonReader.readResults(m.dt(), true);
    Warehouse wh = Warehouse.open(LocalSpark.get(), warehouse.toString());
    for (EvalParams p : List.of(EvalParams.of(EvalParams.IouType.BBOX),
        EvalParams.of(EvalParams.IouType.SEGM))) {
      double[] expected = new CocoEvaluator(p, 2).evaluate(gt, dt).stats();
      List<Row> rows = wh.table(Tables.METRICS)
          .where("run_id = 'on-cluster' AND iou_type = '" + p.label() + "'")
          .orderBy("slot").collectAsList();
      assertThat(rows).hasSize(12);
      for (int i = 0; i < 12; i++) {
        assertThat(rows.get(i).<Double>getAs("value")).as("%s slot %d", p.label(), i)
            .isCloseTo(expected[i], within(1e-12));
      }
    }
    List<Row> runs = wh.table(Tables.RUNS).where("run_id = 'on-cluster'").collectAsList();
    assertThat(runs.get(0).<String>getAs("spark_master")).isEqualTo(masterUrl);
  }

  @Test
  void evaluateTasksGetDistinctGpuAddresses() throws Exception {
    Path warehouse = tmp.resolve("warehouse-gpu");
    String testClasspath = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    // executors need zoobench's classes and DJL's jars: Spark comes from SPARK_HOME
    List<String> executorClasspath = new ArrayList<>(List.of(
        Path.of("..", "common", "target", "classes").toAbsolutePath().normalize().toString(),
        Path.of("..", "inference", "target", "classes").toAbsolutePath().normalize().toString(),
        Path.of("target", "classes").toAbsolutePath().toString()));
    for (String entry : testClasspath.split(File.pathSeparator)) {
      if (entry.contains("/ai/djl/") || entry.contains("/net/java/dev/jna/")
          || entry.contains("/com/google/code/gson/")) {
        executorClasspath.add(entry);
      }
    }
    Path root = Path.of("..").toAbsolutePath().normalize();
    String fakeGpus = root.resolve("conf/gpu-discovery-fake.sh").toString();
    Path driverLog = tmp.resolve("driver-gpu.log");
    List<String> args = new ArrayList<>(List.of("-Xmx1g",
        "-Dlog4j2.configurationFile=" + root.resolve("conf/log4j2.properties"),
        "-cp", testClasspath, "io.zoobench.jobs.Zoobench", "evaluate",
        "--annotations", root.resolve("fixtures/shapes-val/instances.json").toString(),
        "--images", root.resolve("fixtures/shapes-val/images").toString(),
        "--model", root.resolve("conf/zoo/demo.yaml") + "#shapes-maskrcnn-tiny",
        "--warehouse", warehouse.toString(), "--run-id", "fake-gpus", "--master", masterUrl,
        "--shards", "4",
        "--conf", "spark.executor.extraClassPath=" + String.join(File.pathSeparator,
            executorClasspath),
        "--conf", "spark.executor.resource.gpu.amount=2",
        "--conf", "spark.executor.resource.gpu.discoveryScript=" + fakeGpus,
        "--conf", "spark.task.resource.gpu.amount=1",
        "--conf", "spark.executor.cores=2", "--conf", "spark.cores.max=2",
        "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.driver.bindAddress=127.0.0.1",
        "--conf", "spark.executor.memory=1g", "--conf", "spark.ui.enabled=false"));
    Process driver = sparkProcess(args, driverLog).start();
    assertThat(driver.waitFor(300, TimeUnit.SECONDS)).as("driver finished").isTrue();
    assertThat(driver.exitValue()).as(Files.readString(driverLog)).isZero();

    Warehouse wh = Warehouse.open(LocalSpark.get(), warehouse.toString());
    List<Row> timings = wh.table(Tables.TIMINGS).where("run_id = 'fake-gpus'")
        .orderBy("shard_id").collectAsList();
    assertThat(timings).hasSize(4);
    // two concurrent tasks on one executor with two GPUs: each got its own address
    assertThat(timings.stream().map(r -> r.<String>getAs("task_gpu")).distinct().sorted()
        .toList()).containsExactly("0", "1");
    assertThat(timings).allSatisfy(r -> assertThat(r.<String>getAs("device")).startsWith("cpu"));
    assertThat(timings.stream().mapToLong(r -> r.<Long>getAs("images")).sum()).isEqualTo(50);
    Row run = wh.table(Tables.RUNS).where("run_id = 'fake-gpus'").collectAsList().get(0);
    assertThat(run.<String>getAs("status")).isEqualTo("succeeded");
  }
}
