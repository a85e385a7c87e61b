package io.zoobench.jobs.run;

import io.zoobench.coco.InvalidInputException;
import io.zoobench.eval.EvalResult;
import io.zoobench.jobs.spark.ProgressListener;
import io.zoobench.jobs.spark.Redact;
import io.zoobench.jobs.spark.SparkSupport;
import io.zoobench.jobs.tables.FailureRow;
import io.zoobench.jobs.tables.MetricRow;
import io.zoobench.jobs.tables.PerCategoryRow;
import io.zoobench.jobs.tables.RunRow;
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
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one lifecycle every run goes through, whatever its kind ({@link RunJob}): check the run id
 * and the paths, stage, let the job plan, stage its predictions and evaluate, write the run's
 * tables (metrics, per-category AP, timings, failures, and the {@code runs} row last), commit;
 * or, when anything fails, drop what was staged and record the failed run (its {@code runs}
 * row and a {@code failures} row naming the input), and rethrow one line. Progress lines and
 * named job groups come with it. Import, evaluate and each model of a zoo run share it, so they
 * cannot drift apart.
 *
 * <pre>{@code
 * RunLifecycle.Completed c = new RunLifecycle(spark, err).run(new ImportJob(options, inputs));
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

  /** Runs {@code job} to a committed run, or records its failure and throws. */
  public Completed run(RunJob job) {
    return ProgressListener.around(spark, log, () -> runQuietly(job));
  }

  private Completed runQuietly(RunJob job) {
    RunJob.Spec spec = job.spec();
    Warehouse.checkRunId(spec.runId());
    Redact.checkNoCredentials("--warehouse", spec.warehouse());
    long t0 = System.nanoTime();
    Timestamp started = Timestamp.from(Instant.now());
    Warehouse warehouse = new Warehouse(spark, spec.warehouse());
    Warehouse.Staging staging = warehouse.stage(spec.runId());
    String config = job.config().toString();
    RunContext ctx = new RunContext(spark, staging, log, spec.runId());
    LOG.info("run {} ({} of {}) starts", spec.runId(), spec.verb(), spec.model());
    try {
      // a path with credentials is refused before anything reads (and logs) it, on record
      spec.inputs().forEach(Redact::checkNoCredentials);
      RunResult r = job.execute(ctx);
      List<MetricRow> metrics = new ArrayList<>();
      List<PerCategoryRow> perCategory = new ArrayList<>();
      for (EvalResult e : r.evaluations()) {
        ctx.log(String.format(Locale.ROOT, "%s: AP %.4f", e.params().label(), e.stats()[0]));
        e.summaryLines().forEach(ctx::log);
        metrics.addAll(MetricRow.of(spec.runId(), spec.model(), e));
        perCategory.addAll(PerCategoryRow.of(spec.runId(), spec.model(), e));
      }
      List<FailureRow> failures = ctx.failures();
      long tw = System.nanoTime();
      double total = (tw - t0) / 1e9;
      String iouTypes = String.join(",", r.evaluations().stream()
          .map(e -> e.params().label()).toList());
      RunRow run = runRow(spec, ctx, config, iouTypes, new RunRow.Outcome(RunRow.SUCCEEDED, null,
          started, now()), r.devices(), new RunRow.Counts(ctx.images(),
          imageFailures(failures), r.predictions(), r.evalSeconds(), total));
      staging.writeRunTables(metrics, perCategory, r.timings(), failures, run);
      long tc = System.nanoTime();
      staging.commit();
      ctx.log(String.format(Locale.ROOT, "tables written in %.1fs, committed in %.1fs",
          (tc - tw) / 1e9, (System.nanoTime() - tc) / 1e9));
      LOG.info("run {} succeeded in {} s", spec.runId(), total);
      return new Completed(spec.runId(), r, ctx.images(), imageFailures(failures),
          (System.nanoTime() - t0) / 1e9);
    } catch (Exception e) {
      // Spark 4's SparkException is checked, yet Scala code throws it undeclared
      RuntimeException cause = SparkSupport.unwrap(
          e instanceof RuntimeException re ? re : new IllegalStateException(e.getMessage(), e));
      LOG.warn("run {} failed", spec.runId(), e);
      staging.abort();
      recordFailure(warehouse, spec, ctx, config, started, cause);
      throw cause;
    }
  }

  private static long imageFailures(List<FailureRow> failures) {
    return failures.stream().filter(f -> f.imageId() != null).count();
  }

  /**
   * Publishes the failed run: its runs row and its failures rows (the images that failed, and
   * the input that stopped it), nothing else; a failure to record it is logged, not thrown.
   */
  private void recordFailure(Warehouse warehouse, RunJob.Spec spec, RunContext ctx,
      String config, Timestamp started, RuntimeException cause) {
    try {
      String message = Redact.path(String.valueOf(cause.getMessage()));
      List<FailureRow> failures = new ArrayList<>(ctx.failures());
      failures.add(new FailureRow(spec.runId(), null, Redact.path(spec.primaryInput()),
          cause instanceof InvalidInputException ? "input" : "job", message));
      RunRow run = runRow(spec, ctx, config, spec.plannedIouTypes(), new RunRow.Outcome(
          RunRow.FAILED, message,
          started, now()), null, new RunRow.Counts(ctx.images(), imageFailures(failures), 0L,
          0.0, 0.0));
      warehouse.stage(spec.runId()).commitFailedRun(failures, run);
    } catch (RuntimeException e) {
      ctx.log("could not record the failed run: " + Redact.path(String.valueOf(e.getMessage())));
    }
  }

  private RunRow runRow(RunJob.Spec spec, RunContext ctx, String config, String iouTypes,
      RunRow.Outcome outcome, String devices, RunRow.Counts counts) {
    RunRow.Subject subject = new RunRow.Subject(spec.model(), spec.dataset(),
        Redact.path(spec.inputs().get("--annotations")), ctx.annotationsSha256(),
        Redact.path(spec.resultsPath()), ctx.resultsSha256(), iouTypes, config, sha256(config));
    RunRow.Environment env = new RunRow.Environment(Redact.path(spark.sparkContext().master()),
        spark.version(), SparkSupport.executors(spark), devices);
    return new RunRow(spec.runId(), subject, outcome, env, counts, codeVersion(),
        spec.modelInfo());
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

  /** The version of the code that ran (the jar's manifest), or "dev". */
  public static String codeVersion() {
    String v = RunLifecycle.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
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
