package io.zoobench.jobs.spark;

import io.zoobench.jobs.Settings;
import java.io.PrintWriter;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a cluster run for the one fault Spark waits out silently: no executor at all (the
 * only worker lost, or none ever started). After half a minute without one it prints a
 * warning; after {@link Settings#NO_EXECUTOR_TIMEOUT_SECONDS} it cancels the run's jobs, and
 * {@link #message()} says why in one line. Local mode needs none.
 */
public final class ExecutorWatchdog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ExecutorWatchdog.class);
  private static final long WARN_AFTER_MS = 30_000;

  private final SparkSession spark;
  private final PrintWriter log;
  private final long timeoutMs;
  private final Thread thread;
  private volatile String message;
  private volatile boolean closed;

  private ExecutorWatchdog(SparkSession spark, PrintWriter log, long timeoutMs) {
    this.spark = spark;
    this.log = log;
    this.timeoutMs = timeoutMs;
    this.thread = new Thread(this::watch, "zoobench-executor-watchdog");
    this.thread.setDaemon(true);
  }

  /** Starts watching {@code spark} (nothing to watch in local mode). */
  public static ExecutorWatchdog start(SparkSession spark, PrintWriter log) {
    long timeout = 1000L * Settings.NO_EXECUTOR_TIMEOUT_SECONDS.getLong(
        k -> spark.conf().get(k, null));
    ExecutorWatchdog w = new ExecutorWatchdog(spark, log, timeout);
    if (!spark.sparkContext().isLocal()) {
      w.thread.start();
    }
    return w;
  }

  /** Why the run was stopped, or null when the watchdog did not stop it. */
  public String message() {
    return message;
  }

  private void watch() {
    long since = 0;
    boolean warned = false;
    while (!closed) {
      try {
        Thread.sleep(2000);
      } catch (InterruptedException e) {
        return;
      }
      if (SparkSupport.executors(spark) > 0) {
        since = 0;
        warned = false;
        continue;
      }
      long now = System.currentTimeMillis();
      since = since == 0 ? now : since;
      long idle = now - since;
      if (!warned && idle >= WARN_AFTER_MS) {
        warned = true;
        say(String.format(Locale.ROOT, "warning: no executor has been available for %d s (is a"
            + " worker up?); the run stops after %d s without one (%s)", idle / 1000,
            timeoutMs / 1000, Settings.NO_EXECUTOR_TIMEOUT_SECONDS.key()));
      }
      if (idle >= timeoutMs) {
        message = String.format(Locale.ROOT, "no executor for %d s (the cluster lost its"
            + " workers, or none started): the run is stopped; start a worker, or raise %s",
            idle / 1000, Settings.NO_EXECUTOR_TIMEOUT_SECONDS.key());
        LOG.error(message);
        spark.sparkContext().cancelAllJobs();
        return;
      }
    }
  }

  private void say(String line) {
    LOG.warn(line);
    if (log != null) {
      log.println(line);
      log.flush();
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
  }
}
