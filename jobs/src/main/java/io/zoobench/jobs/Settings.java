package io.zoobench.jobs;

import java.util.List;
import java.util.function.Function;

/**
 * Every setting zoobench reads, in one place: the {@code spark.zoobench.*} keys (Spark
 * configuration: {@code --conf KEY=VALUE}, spark-defaults.conf, {@code spark-submit --conf})
 * and the {@code ZOOBENCH_*} environment variables of the launcher and the tools, each with its
 * default and what it changes. docs/settings.md lists them (a test checks the page, and that no
 * other such key or variable appears anywhere in the sources).
 */
public final class Settings {
  private Settings() {}

  /** A Spark configuration key of zoobench's. */
  public record Key(String key, String defaultValue, String doc) {
    /** The value in {@code conf} (a Spark conf's or system properties' getter), or the default. */
    public String get(Function<String, String> conf) {
      String v = conf.apply(key);
      return v == null || v.isBlank() ? defaultValue : v.trim();
    }

    /** {@link #get} as a whole number; a value that is not one is a one-line error. */
    public long getLong(Function<String, String> conf) {
      String v = get(conf);
      try {
        return Long.parseLong(v);
      } catch (NumberFormatException e) {
        throw new io.zoobench.coco.InvalidInputException("--conf " + key + "=" + v
            + ": not a whole number");
      }
    }
  }

  /** An environment variable read by the launcher or the tools. */
  public record Variable(String name, String defaultValue, String doc) {}

  /** The device inference tasks run on: auto, cpu or gpu (docs/gpu.md). */
  public static final Key INFERENCE_DEVICE = new Key("spark.zoobench.inference.device", "auto",
      "Device of inference tasks: auto (the task's Spark gpu resource when the PyTorch engine"
          + " has CUDA, else the CPU), cpu, or gpu (the task's GPU, GPU 0 without one; an error"
          + " when the engine has no CUDA).");

  /** Smallest byte range of a results file worth an import task of its own. */
  public static final Key IMPORT_MIN_SPLIT_BYTES = new Key("spark.zoobench.import.minSplitBytes",
      String.valueOf(16L << 20), "Smallest byte range of a plain results file that import"
          + " reads in a task of its own (default 16 MB; gzip files are one task).");

  /** Most bytes of a plain results file one import task reads. */
  public static final Key IMPORT_MAX_TASK_BYTES = new Key("spark.zoobench.import.maxTaskBytes",
      String.valueOf(128L << 20), "Most bytes of a plain results file that one import task"
          + " reads (default 128 MB): a large file gets more tasks than cores, so that no task"
          + " holds much of it at once.");

  /** Largest results file import keeps in memory between its two passes. */
  public static final Key IMPORT_MEMORY_CACHE_MAX_BYTES = new Key(
      "spark.zoobench.import.memoryCacheMaxBytes", String.valueOf(1L << 30), "Results files up"
          + " to this size (default 1 GB) are kept in memory (spilling to disk when short) between"
          + " import's two passes (writing predictions, evaluating); larger ones on the"
          + " executors' local disks only, so that memory does not grow with the file.");

  /**
   * Test-only fault hook: the first attempt of this inference shard fails half-way, so tests
   * can check that a retried task never duplicates predictions. Never set it in production.
   */
  public static final Key TEST_FAIL_SHARD_ONCE = new Key("spark.zoobench.faults.failShardOnce",
      "-1", "Test-only fault injection: the first attempt of inference shard N fails half-way"
          + " (-1: none).");

  /** How long a run id's lock outlives the last sign of life of its holder. */
  public static final Key LOCK_STALE_SECONDS = new Key("spark.zoobench.lock.staleSeconds", "120",
      "The lease a writer gives its run id's lock, 4 to 86400 seconds: it renews it every"
          + " quarter of that, and another writer may take the lock over only once the lease"
          + " has expired by the holder's own terms (its process died or stopped).");

  /**
   * Test-only fault hook: the driver process halts at this point of publishing a run
   * (before-publish, after-publish, after-cleanup) or of evaluate's inference
   * (after-first-shard), as a killed driver would.
   */
  public static final Key TEST_KILL_AT = new Key("spark.zoobench.faults.killDriverAt", "",
      "Test-only fault injection: the driver halts at this point: before-publish,"
          + " after-publish, after-cleanup (of publishing a run) or after-first-shard (of"
          + " evaluate's inference).");

  /** How long a cluster run waits without any executor before it stops. */
  public static final Key NO_EXECUTOR_TIMEOUT_SECONDS = new Key(
      "spark.zoobench.executors.timeoutSeconds", "600", "A cluster run with no executor at all"
          + " (its only worker lost) warns after 30 s and stops after this many seconds.");

  /**
   * Test-only fault hook: a run holds its run id's lock this many seconds before it starts its
   * work, so a test can start a second writer of the same id while the first surely runs.
   */
  public static final Key TEST_HOLD_LOCK_SECONDS = new Key(
      "spark.zoobench.faults.holdLockSeconds", "0", "Test-only: a run holds its run id's lock"
          + " this many seconds before it starts its work.");

  /**
   * Test-only fault hook: an executor's JVM halts half-way through the first task of evaluate's
   * inference or of an evaluation, as a killed executor would.
   */
  public static final Key TEST_HALT_EXECUTOR = new Key("spark.zoobench.faults.haltExecutorAt",
      "", "Test-only fault injection: on a cluster, the executor running the first task of this"
          + " stage halts half-way through it, once: inference (evaluate's shards) or evaluation"
          + " (the matching of import and evaluate).");

  /** Heap of the launcher's JVM for Spark verbs. */
  public static final Variable DRIVER_MEMORY = new Variable("ZOOBENCH_DRIVER_MEMORY", "4g",
      "Heap of the JVM bin/zoobench starts for Spark verbs: the Spark driver (and, on the"
          + " embedded local[*], its executors).");

  /** Extra JVM options of the launcher. */
  public static final Variable JAVA_OPTS = new Variable("ZOOBENCH_JAVA_OPTS", "",
      "Extra JVM options for bin/zoobench; they come last, so they win (e.g."
          + " -XX:TieredStopAtLevel=4 for C2 on long runs).");

  /** Class-data sharing of the launcher. */
  public static final Variable CDS = new Variable("ZOOBENCH_CDS", "1",
      "0 turns off the launcher's per-verb class-data archive (jobs/target/cds/).");

  /** Heap of each executor of bin/zoobench-cluster's submitted runs. */
  public static final Variable EXECUTOR_MEMORY = new Variable("ZOOBENCH_EXECUTOR_MEMORY", "2g",
      "Heap of each executor of a run started with bin/zoobench-cluster submit"
          + " (spark.executor.memory).");

  /** Where bin/zoobench-cluster keeps its state. */
  public static final Variable CLUSTER_DIR = new Variable("ZOOBENCH_CLUSTER_DIR", "./cluster-run",
      "Pids, logs and worker folders of bin/zoobench-cluster's local standalone cluster.");

  /** The address of bin/zoobench-cluster's master, workers and driver. */
  public static final Variable CLUSTER_HOST = new Variable("ZOOBENCH_CLUSTER_HOST", "127.0.0.1",
      "Address bin/zoobench-cluster's master, workers and submitted drivers bind.");

  /** The port of bin/zoobench-cluster's master. */
  public static final Variable CLUSTER_PORT = new Variable("ZOOBENCH_CLUSTER_PORT", "7077",
      "Port of bin/zoobench-cluster's master (spark://HOST:PORT).");

  /** The web UI port of bin/zoobench-cluster's master. */
  public static final Variable CLUSTER_UI_PORT = new Variable("ZOOBENCH_CLUSTER_UI_PORT", "8080",
      "Web UI port of bin/zoobench-cluster's master.");

  /** The python the tools' virtual environments are made from. */
  public static final Variable PYTHON = new Variable("ZOOBENCH_PYTHON", "python3",
      "The python tools/python/setup.sh makes the virtual environments (.venv/) with.");

  /** The checkout conf/schedule/nightly.sh runs (its launcher, default paths). */
  public static final Variable HOME = new Variable("ZOOBENCH_HOME", "the script's ../..",
      "The zoobench checkout or build conf/schedule/nightly.sh uses (bin/zoobench, default"
          + " warehouse, manifest, report and log folders); docs/scheduling.md.");

  /** The warehouse or export the notebooks read (their parameters cell's default). */
  public static final Variable NOTEBOOK_WAREHOUSE = new Variable("ZOOBENCH_WAREHOUSE",
      "../warehouse",
      "The warehouse, or `zoobench export` folder, the notebooks (notebooks/) read.");

  /** How the notebooks query: DuckDB on an export or zoobench sql on the warehouse. */
  public static final Variable NOTEBOOK_ENGINE = new Variable("ZOOBENCH_ENGINE", "duckdb",
      "How the notebooks query: duckdb (on an export) or spark (bin/zoobench sql --file).");

  /**
   * Refuses, before a run starts, a zoobench key in {@code conf} whose value is not a whole
   * number where its default is one.
   */
  public static void checkNumbers(java.util.Map<String, String> conf) {
    for (Key k : keys()) {
      if (conf.containsKey(k.key()) && k.defaultValue().matches("-?\\d+")) {
        long v = k.getLong(conf::get);
        long[] range = RANGES.getOrDefault(k, new long[] {Long.MIN_VALUE, Long.MAX_VALUE});
        if (v < range[0] || v > range[1]) {
          throw new io.zoobench.coco.InvalidInputException("--conf " + k.key() + "=" + v
              + ": expected " + (range[1] == Long.MAX_VALUE ? "at least " + range[0]
              : range[0] + " to " + range[1]));
        }
      }
    }
  }

  /** The values a number setting may take; a key not listed takes any whole number. */
  private static final java.util.Map<Key, long[]> RANGES = java.util.Map.of(
      IMPORT_MIN_SPLIT_BYTES, new long[] {1, Long.MAX_VALUE},
      IMPORT_MAX_TASK_BYTES, new long[] {1, Long.MAX_VALUE},
      IMPORT_MEMORY_CACHE_MAX_BYTES, new long[] {0, Long.MAX_VALUE},
      LOCK_STALE_SECONDS, new long[] {4, 86_400},
      NO_EXECUTOR_TIMEOUT_SECONDS, new long[] {1, Long.MAX_VALUE},
      TEST_HOLD_LOCK_SECONDS, new long[] {0, 3_600});

  /** Every Spark key, in the order of docs/settings.md. */
  public static List<Key> keys() {
    return List.of(INFERENCE_DEVICE, IMPORT_MIN_SPLIT_BYTES, IMPORT_MAX_TASK_BYTES,
        IMPORT_MEMORY_CACHE_MAX_BYTES, LOCK_STALE_SECONDS,
        NO_EXECUTOR_TIMEOUT_SECONDS, TEST_FAIL_SHARD_ONCE, TEST_KILL_AT,
        TEST_HOLD_LOCK_SECONDS, TEST_HALT_EXECUTOR);
  }

  /** Every environment variable, in the order of docs/settings.md. */
  public static List<Variable> variables() {
    return List.of(DRIVER_MEMORY, JAVA_OPTS, CDS, EXECUTOR_MEMORY, CLUSTER_DIR, CLUSTER_HOST,
        CLUSTER_PORT, CLUSTER_UI_PORT, PYTHON, HOME, NOTEBOOK_WAREHOUSE, NOTEBOOK_ENGINE);
  }
}
