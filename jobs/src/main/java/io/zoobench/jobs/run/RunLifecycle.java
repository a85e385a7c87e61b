package io.zoobench.jobs.run;

import io.zoobench.coco.InvalidInputException;
import io.zoobench.eval.EvalResult;
import io.zoobench.jobs.spark.ExecutorWatchdog;
import io.zoobench.jobs.spark.ProgressListener;
import io.zoobench.jobs.spark.Redact;
import io.zoobench.jobs.spark.SparkSupport;
import io.zoobench.jobs.tables.CurveRow;
import io.zoobench.jobs.tables.FailureRow;
import io.zoobench.jobs.tables.MetricRow;
import io.zoobench.jobs.tables.PerCategoryRow;
import io.zoobench.jobs.tables.RunAttempt;
import io.zoobench.jobs.tables.RunRow;
import io.zoobench.jobs.tables.TimingRow;
import io.zoobench.jobs.tables.Warehouse;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hadoop.fs.FSError;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one lifecycle every run goes through, whatever its kind ({@link RunJob}): open the
 * warehouse and take the run id's lock ({@link RunAttempt}), check the paths, let the job plan,
 * write its predictions and evaluate, append the run's other rows (metrics, per-category AP,
 * timings, failures), then publish the {@code runs} row last, so the run is visible whole; or,
 * when anything fails, drop what the attempt wrote and record its failure (a failed rerun never
 * hides a good run), and rethrow one line. Progress lines and named job groups come with it.
 * Import, evaluate and each model of a zoo run share it, so they cannot drift apart.
 *
 * <pre>{@code
 * RunLifecycle.Completed c = new RunLifecycle(spark, err).run(new ImportJob(options, gt, survey));
 * }</pre>
 */
public final class RunLifecycle {
  private static final Logger LOG = LoggerFactory.getLogger(RunLifecycle.class);

  /** What a succeeded run left: its result, images and failures, and its wall time. */
  public record Completed(String runId, RunResult result, long images, long imagesFailed,
      double totalSeconds) {}

  private final SparkSession spark;
  private final PrintWriter log;

  /** @param log where progress lines go (the CLI's stderr), or null for none */
  public RunLifecycle(SparkSession spark, PrintWriter log) {
    this.spark = spark;
    this.log = log;
  }

  /** Runs {@code job} to a published run, or records its failure and throws. */
  public Completed run(RunJob job) {
    return ProgressListener.around(spark, log, () -> runQuietly(job));
  }

  private Completed runQuietly(RunJob job) {
    RunJob.Spec spec = job.spec();
    Warehouse.checkRunId(spec.runId());
    Warehouse warehouse = Warehouse.open(spark, spec.warehouse());
    long t0 = System.nanoTime();
    Timestamp started = Timestamp.from(Instant.now());
    String config = job.config().toString();
    try (RunAttempt attempt = warehouse.begin(spec.runId(), spec.verb());
        ExecutorWatchdog watchdog = ExecutorWatchdog.start(spark, log)) {
      RunContext ctx = new RunContext(spark, attempt, log, spec.runId());
      LOG.info("run {} ({} of {}) starts, attempt {}", spec.runId(), spec.verb(), spec.model(),
          attempt.attemptId());
      try {
        // a path with credentials is refused before anything reads (and logs) it, on record
        spec.inputs().forEach(Redact::checkNoCredentials);
        return complete(job, spec, job.execute(ctx), ctx, attempt, config, started, t0);
      } catch (Exception | OutOfMemoryError | FSError e) {
        // FSError: Hadoop's local file system reports a full disk as an Error
        String full = DiskFull.describe(e, spec.warehouse());
        if (full != null) {
          DiskFull.closeAbandonedFiles();
        }
        RuntimeException cause = watchdog.message() != null
            ? new InvalidInputException(watchdog.message())
            : full != null ? new InvalidInputException(full) : cause(e);
        LOG.warn("run {} failed", spec.runId(), e);
        if (!attempt.takenOver()) {
          // an attempt whose lock was taken over has recorded itself abandoned already
          recordFailure(attempt, spec, ctx, config, started, cause);
        }
        throw cause;
      }
    }
  }

  /** Appends the run's own rows and publishes its runs row. */
  private Completed complete(RunJob job, RunJob.Spec spec, RunResult r, RunContext ctx,
      RunAttempt attempt,
      String config, Timestamp started, long t0) {
    List<MetricRow> metrics = new ArrayList<>();
    List<PerCategoryRow> perCategory = new ArrayList<>();
    List<CurveRow> curves = new ArrayList<>();
    for (EvalResult e : r.evaluations()) {
      ctx.log(String.format(Locale.ROOT, "%s: AP %.4f", e.params().label(), e.stats()[0]));
      e.summaryLines().forEach(ctx::log);
      metrics.addAll(MetricRow.of(spec.runId(), spec.model(), e));
      perCategory.addAll(PerCategoryRow.of(spec.runId(), spec.model(), e));
      curves.addAll(CurveRow.of(spec.runId(), spec.model(), e));
    }
    List<FailureRow> failures = ctx.failures();
    long tw = System.nanoTime();
    sideBySide(spec.runId(), List.of(
        () -> attempt.append(MetricRow.TABLE, metrics),
        () -> attempt.append(PerCategoryRow.TABLE, perCategory),
        () -> attempt.append(CurveRow.TABLE, curves),
        () -> attempt.append(TimingRow.TABLE, r.timings()),
        () -> attempt.append(FailureRow.TABLE, failures)));
    double total = (System.nanoTime() - t0) / 1e9;
    String iouTypes = String.join(",", r.evaluations().stream()
        .map(e -> e.params().label()).toList());
    long tc = System.nanoTime();
    attempt.publish(runRow(spec, attempt, ctx, config, iouTypes,
        new RunRow.Outcome(RunRow.SUCCEEDED, null, started, now()), r.devices(),
        new RunRow.Counts(ctx.images(), imageFailures(failures), r.predictions(),
            r.evalSeconds(), total, ctx.unknownCategoryShare())));
    job.afterPublish(ctx);
    ctx.log(String.format(Locale.ROOT, "tables written in %.1fs, published in %.1fs",
        (tc - tw) / 1e9, (System.nanoTime() - tc) / 1e9));
    LOG.info("run {} succeeded in {} s", spec.runId(), total);
    return new Completed(spec.runId(), r, ctx.images(), imageFailures(failures),
        (System.nanoTime() - t0) / 1e9);
  }

  /**
   * Appends several small tables side by side (a thread each, of their own rather than a
   * shared pool): each is a short Spark job and an Iceberg commit whose planning dominates, so
   * overlapping them saves most of their wall time. Fails with the first failure.
   */
  private static void sideBySide(String runId, List<Runnable> writes) {
    List<Thread> threads = new ArrayList<>();
    AtomicReference<RuntimeException> failure = new AtomicReference<>();
    for (Runnable w : writes) {
      Thread t = new Thread(() -> {
        try {
          w.run();
        } catch (RuntimeException e) {
          failure.compareAndSet(null, e);
        }
      }, "zoobench-write-" + threads.size());
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
    try {
      for (Thread t : threads) {
        t.join();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while writing run " + runId, e);
    }
    if (failure.get() != null) {
      throw failure.get();
    }
  }

  /** One runtime exception saying what went wrong, in one line where the input was bad. */
  private static RuntimeException cause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof OutOfMemoryError) {
        return new InvalidInputException("the driver ran out of memory (" + t.getMessage()
            + "); raise ZOOBENCH_DRIVER_MEMORY (now " + Runtime.getRuntime().maxMemory()
            / (1 << 20) + " MB of heap; local runs execute their tasks in it) or, on a"
            + " cluster, --driver-memory");
      }
    }
    String text = String.valueOf(e.getMessage());
    if (text.contains("ExecutorLostFailure") && text.contains("exit code 52")
        || text.contains("java.lang.OutOfMemoryError")) {
      return new InvalidInputException("an executor ran out of memory; raise"
          + " spark.executor.memory (--executor-memory), or give each task less: more"
          + " --partitions / --shards");
    }
    // Spark 4's SparkException is checked, yet Scala code throws it undeclared
    return SparkSupport.unwrap(e instanceof RuntimeException re ? re
        : new IllegalStateException(e.getMessage(), e));
  }

  private static long imageFailures(List<FailureRow> failures) {
    return failures.stream().filter(f -> f.imageId() != null).count();
  }

  /**
   * Records the failed attempt (its failures: the images that failed and the input that stopped
   * it; the runs row only when the run id has no succeeded run); a failure to record it is
   * logged and said, not thrown.
   */
  private void recordFailure(RunAttempt attempt, RunJob.Spec spec, RunContext ctx,
      String config, Timestamp started, RuntimeException cause) {
    try {
      String message = Redact.text(String.valueOf(cause.getMessage()));
      List<FailureRow> failures = new ArrayList<>(ctx.failures());
      failures.add(new FailureRow(spec.runId(), null, Redact.path(spec.primaryInput()),
          cause instanceof InvalidInputException ? "input" : "job", message));
      attempt.fail(runRow(spec, attempt, ctx, config, spec.plannedIouTypes(),
          new RunRow.Outcome(RunRow.FAILED, message, started, now()), null,
          new RunRow.Counts(ctx.images(), imageFailures(failures), 0L, 0.0, 0.0,
              ctx.unknownCategoryShare())), failures);
    } catch (RuntimeException | FSError e) {
      LOG.warn("could not record the failed run {}", spec.runId(), e);
      ctx.log("could not record the failed run: " + Redact.text(String.valueOf(e.getMessage())));
    }
  }

  private RunRow runRow(RunJob.Spec spec, RunAttempt attempt, RunContext ctx, String config,
      String iouTypes, RunRow.Outcome outcome, String devices, RunRow.Counts counts) {
    RunRow.Subject subject = new RunRow.Subject(spec.model(), spec.dataset(),
        Redact.path(spec.inputs().get("--annotations")), ctx.annotationsSha256(),
        Redact.path(spec.resultsPath()), ctx.resultsSha256(), iouTypes, config, sha256(config));
    RunRow.Environment env = new RunRow.Environment(Redact.path(spark.sparkContext().master()),
        spark.version(), SparkSupport.executors(spark), devices);
    return new RunRow(spec.runId(), attempt.attemptId(), subject, outcome, env, counts,
        codeVersion(), spec.modelInfo(), ctx.modelFile(), spec.zooReference());
  }

  private static Timestamp now() {
    return Timestamp.from(Instant.now());
  }

  /** A run id from the model name and the current UTC time. */
  public static String defaultRunId(String model) {
    String safe = model.replaceAll("[^A-Za-z0-9._-]", "_");
    return safe + "-" + java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'",
        Locale.ROOT).withZone(java.time.ZoneOffset.UTC).format(Instant.now());
  }

  /**
   * The version of the code that runs with the git commit it was built from
   * ({@link BuildInfo#codeVersion()}): {@code 0.1.0-SNAPSHOT+g1a2b3c4[.dirty]}.
   */
  public static String codeVersion() {
    return BuildInfo.current().codeVersion();
  }

  /** Lower-case hex sha256 of {@code s}'s UTF-8 bytes. */
  public static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
