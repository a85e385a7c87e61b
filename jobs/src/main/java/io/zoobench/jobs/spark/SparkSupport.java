package io.zoobench.jobs.spark;

import io.zoobench.coco.InvalidInputException;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/**
 * Spark plumbing shared by the jobs: the session (embedded {@code local[*]} unless a master is
 * given), named job groups so the UI says what runs, a serializable Hadoop configuration for
 * tasks that open files themselves, and the unwrapping of bad-input errors raised inside tasks.
 */
public final class SparkSupport {
  /** Master used when none is given: Spark embedded in this JVM, one task per core. */
  public static final String DEFAULT_MASTER = "local[*]";

  /** The executor id of the driver (Spark's {@code SparkContext.DRIVER_IDENTIFIER}). */
  static final String DRIVER_ID = "driver";

  /** Hadoop's implementation of {@code file:} paths, as a Spark setting. */
  static final String LOCAL_FS_KEY = "spark.hadoop.fs.file.impl";

  private SparkSupport() {}

  /**
   * The session for a job: reuses an active one (tests share a session), otherwise builds one.
   * {@code master} may be null for {@link #DEFAULT_MASTER} or whatever spark-submit set.
   */
  public static SparkSession session(String appName, String master, Map<String, String> conf) {
    SparkSession active = SparkSession.getActiveSession().getOrElse(() -> null);
    if (active != null && !active.sparkContext().isStopped()) {
      conf.forEach((k, v) -> {
        if (k.startsWith("spark.hadoop.")) {
          active.sparkContext().hadoopConfiguration().set(k.substring("spark.hadoop.".length()), v);
        } else {
          setChecked(active, k, v);
        }
      });
      return active;
    }
    SparkSession.Builder b = SparkSession.builder().appName(appName);
    if (master != null) {
      b.master(master);
    } else if (System.getProperty("spark.master") == null) {
      b.master(DEFAULT_MASTER);
    }
    b.config("spark.ui.showConsoleProgress", "false");
    b.config(LOCAL_FS_KEY, ForklessLocalFileSystem.class.getName());
    // the runs table has 28 columns: without this, every write of it warns that its plan's
    // text was truncated (the default is 25)
    b.config("spark.sql.debug.maxToStringFields", "64");
    // partition directories are run ids: keep them strings even when they look like numbers
    b.config("spark.sql.sources.partitionColumnTypeInference.enabled", "false");
    // import keeps its chunks (up to ~100 MB each) with MEMORY_AND_DISK: Spark measures a
    // partition it unrolls into memory every 16 elements by default, 1.6 GB of chunks between
    // two looks, and ran out of heap instead of spilling (import of 2.7 GB with a 4 GB driver)
    b.config("spark.storage.unrollMemoryCheckPeriod", "1");
    String effectiveMaster = master != null ? master
        : System.getProperty("spark.master", DEFAULT_MASTER);
    if (effectiveMaster.startsWith("local")) {
      // in local mode the executor is the driver: a task out of memory fails its job (the run
      // is recorded as failed, with what to raise) instead of halting the JVM as Spark does
      // to a cluster executor
      b.config("spark.executor.killOnFatalError.depth", "0");
    }
    conf.forEach(b::config);
    SparkSession started;
    try {
      started = b.getOrCreate();
    } catch (Exception e) {
      // SparkException is checked, yet thrown undeclared
      // a bad master URL or setting: Spark says which in its message; the trace goes to the log
      org.slf4j.LoggerFactory.getLogger(SparkSupport.class).error("Spark did not start", e);
      Throwable t = e;
      while (t.getCause() != null && t.getMessage() == null) {
        t = t.getCause();
      }
      String m = String.valueOf(t.getMessage()).lines().findFirst().orElse("");
      throw new InvalidInputException("Spark did not start: " + Redact.path(m)
          + " (check --master and --conf; details in logs/zoobench.log)");
    }
    checkSqlSettings(started, conf);
    return started;
  }

  /**
   * Refuses a {@code --conf spark.sql.*} value Spark's own check refuses
   * ({@code spark.sql.shuffle.partitions=-3}) in one line, before any job: the builder takes
   * any text, and the value would fail the first query with a stack trace. Setting a runtime
   * SQL setting runs that check.
   */
  private static void checkSqlSettings(SparkSession s, Map<String, String> conf) {
    conf.forEach((k, v) -> {
      if (k.startsWith("spark.sql.") && s.conf().isModifiable(k)) {
        setChecked(s, k, v);
      }
    });
  }

  private static void setChecked(SparkSession s, String key, String value) {
    try {
      s.conf().set(key, value);
    } catch (RuntimeException e) {
      throw new InvalidInputException("--conf " + key + "=" + value + ": "
          + String.valueOf(e.getMessage()).lines().findFirst().orElse("not a valid value")
          .replaceFirst("^\\[[A-Z_.]+\\] ", "").replaceFirst(" SQLSTATE: \\w+$", ""));
    }
  }

  /**
   * Refuses a standalone master ({@code spark://host:port[,host:port...]}) none of whose
   * addresses accepts a connection within 5 s: Spark itself would retry for a minute and then
   * report the master unresponsive in a stack trace.
   */
  public static void checkMaster(String master) {
    if (master == null || !master.startsWith("spark://")) {
      return;
    }
    String reason = "no address";
    for (String hostPort : master.substring("spark://".length()).split(",")) {
      int colon = hostPort.lastIndexOf(':');
      String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
      int port;
      try {
        port = colon < 0 ? 7077 : Integer.parseInt(hostPort.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new InvalidInputException("--master " + Redact.path(master) + ": '" + hostPort
            + "' is not host:port");
      }
      try (java.net.Socket s = new java.net.Socket()) {
        s.connect(new java.net.InetSocketAddress(host, port), 5000);
        return;
      } catch (IOException e) {
        reason = hostPort + ": " + (e.getMessage() == null ? e.getClass().getSimpleName()
            : e.getMessage());
      }
    }
    throw new InvalidInputException("--master " + Redact.path(master) + ": no Spark master"
        + " answers (" + reason + ")");
  }

  /** Runs {@code body} under a named job group, so the Spark UI tells what runs. */
  public static <T> T withJobGroup(SparkSession spark, String group, String description,
      Supplier<T> body) {
    spark.sparkContext().setJobGroup(group, description, false);
    try {
      return body.get();
    } finally {
      spark.sparkContext().clearJobGroup();
    }
  }

  /**
   * The {@link InvalidInputException} behind a failed Spark action, if bad input caused it (the
   * task's exception travels back as the cause, or only as text in some deploy modes).
   */
  public static RuntimeException unwrap(RuntimeException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof InvalidInputException iie) {
        return new InvalidInputException(iie.getMessage());
      }
    }
    String text = String.valueOf(e.getMessage());
    String marker = InvalidInputException.class.getName() + ": ";
    int i = text.indexOf(marker);
    if (i >= 0) {
      String rest = text.substring(i + marker.length());
      int eol = rest.indexOf('\n');
      return new InvalidInputException(eol < 0 ? rest : rest.substring(0, eol));
    }
    return e;
  }

  /** The value of a finished future; its failure rethrown as is (not wrapped). */
  public static <T> T join(java.util.concurrent.CompletableFuture<T> f) {
    try {
      return f.join();
    } catch (java.util.concurrent.CompletionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : e;
    }
  }

  /**
   * The executors the application has now: 1 in local mode (the driver runs the tasks), else
   * the live executors, the driver not counted. Told apart by id rather than by subtracting one
   * from the status tracker's list (which holds the driver too): the id says which entry is
   * the driver, whatever the list holds.
   */
  public static int executors(SparkSession spark) {
    if (spark.sparkContext().isLocal()) {
      return 1;
    }
    return (int) scala.jdk.javaapi.CollectionConverters.asJava(
        spark.sparkContext().statusStore().executorList(true)).stream()
        .filter(e -> !DRIVER_ID.equals(e.id()))
        .count();
  }

  /**
   * Runs {@code body} on a daemon thread of its own. Not the common fork-join pool: it has one
   * worker on two cores, and a job that blocks it (waiting on Spark) starves every other user.
   */
  public static <T> java.util.concurrent.CompletableFuture<T> async(String name,
      Supplier<T> body) {
    java.util.concurrent.CompletableFuture<T> f = new java.util.concurrent.CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        f.complete(body.get());
      } catch (Throwable e) {
        f.completeExceptionally(e);
      }
    }, name);
    t.setDaemon(true);
    t.start();
    return f;
  }

  /**
   * The file system of {@code path}, or a one-line {@link InvalidInputException} naming the
   * path without credentials (Hadoop refuses credentials in URIs with an
   * IllegalArgumentException, and an unknown scheme with an IOException).
   */
  public static org.apache.hadoop.fs.FileSystem fileSystem(
      org.apache.hadoop.fs.Path path, Configuration conf) {
    try {
      return path.getFileSystem(conf);
    } catch (IOException | IllegalArgumentException e) {
      throw new InvalidInputException(Redact.path(path.toString()) + ": "
          + Redact.text(String.valueOf(e.getMessage())));
    }
  }

  /** A Hadoop {@link Configuration} that tasks can carry (it is Writable, not Serializable). */
  public static final class HadoopConf implements Serializable {
    private static final long serialVersionUID = 1L;
    private transient Configuration conf;

    public HadoopConf(Configuration conf) {
      this.conf = conf;
    }

    public Configuration get() {
      return conf;
    }

    private void writeObject(ObjectOutputStream out) throws IOException {
      out.defaultWriteObject();
      conf.write(out);
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
      in.defaultReadObject();
      conf = new Configuration(false);
      conf.readFields(in);
    }
  }
}
