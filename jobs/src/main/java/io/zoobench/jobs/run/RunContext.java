package io.zoobench.jobs.run;

import io.zoobench.jobs.spark.Redact;
import io.zoobench.jobs.spark.SparkSupport;
import io.zoobench.jobs.tables.FailureRow;
import io.zoobench.jobs.tables.RunAttempt;
import io.zoobench.jobs.tables.RunRow;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;

/**
 * What the lifecycle hands a running job: the session, the run's attempt (where it appends
 * its predictions, invisible until published), a log for the user's progress lines, named
 * Spark job groups, and a place for the facts the run learns as it goes (the annotations',
 * results' and model file's sha256, the image count, bad images, the share of results on
 * unknown categories), which the runs row records whether the run succeeds or fails.
 */
public final class RunContext {
  private final SparkSession spark;
  private final RunAttempt attempt;
  private final PrintWriter log;
  private final String runId;
  private volatile String annotationsSha256;
  private volatile String resultsSha256;
  private volatile long images;
  private volatile RunRow.ModelFile modelFile = RunRow.ModelFile.NONE;
  private volatile Double unknownCategoryShare;
  private final List<FailureRow> failures = new ArrayList<>();

  RunContext(SparkSession spark, RunAttempt attempt, PrintWriter log, String runId) {
    this.spark = spark;
    this.attempt = attempt;
    this.log = log;
    this.runId = runId;
  }

  public SparkSession spark() {
    return spark;
  }

  public String runId() {
    return runId;
  }

  /** The run's attempt: its predictions are appended there, invisible until published. */
  public RunAttempt attempt() {
    return attempt;
  }

  /** Prints a progress line for the user (stderr of the CLI). */
  public void log(String line) {
    if (log != null) {
      log.println(Redact.text(line));
      log.flush();
    }
  }

  /** Runs {@code body} under a named Spark job group, so the UI and progress lines say what. */
  public <T> T jobGroup(String group, String description, Supplier<T> body) {
    return SparkSupport.withJobGroup(spark, group, description, body);
  }

  /** The annotations file's sha256, once read. */
  public void annotationsSha256(String sha256) {
    this.annotationsSha256 = sha256;
  }

  /** The results file's sha256 (import). */
  public void resultsSha256(String sha256) {
    this.resultsSha256 = sha256;
  }

  /** The number of images evaluated. */
  public void images(long count) {
    this.images = count;
  }

  /** The model file the run read: its sha256 and size in bytes. */
  public void modelFile(String sha256, long bytes) {
    this.modelFile = new RunRow.ModelFile(sha256, bytes);
  }

  /** The share of the results whose category the annotations do not have (import). */
  public void unknownCategoryShare(double share) {
    this.unknownCategoryShare = share;
  }

  /** Bad inputs found (images that failed), kept in a failed run's record too. */
  public synchronized void addFailures(List<FailureRow> rows) {
    failures.addAll(rows);
  }

  String annotationsSha256() {
    return annotationsSha256;
  }

  String resultsSha256() {
    return resultsSha256;
  }

  long images() {
    return images;
  }

  RunRow.ModelFile modelFile() {
    return modelFile;
  }

  Double unknownCategoryShare() {
    return unknownCategoryShare;
  }

  synchronized List<FailureRow> failures() {
    return List.copyOf(failures);
  }
}
