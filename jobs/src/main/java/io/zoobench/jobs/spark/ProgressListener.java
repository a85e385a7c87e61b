package io.zoobench.jobs.spark;

import java.io.PrintWriter;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.StageInfo;

/**
 * Progress lines for long stages, as a user expects from a batch tool:
 * {@code [EVALUATE-SEGM] stage 7: 12/16 tasks, 3.1 tasks/s, ETA 1s}. A stage prints when it has
 * run for a few seconds, then at most every few seconds, and once when it completes. The count
 * is of distinct partitions finished, so a retried or speculative task counts once and a line
 * never says more tasks than the stage has, nor a negative ETA.
 */
public final class ProgressListener extends SparkListener {
  private static final long QUIET_NANOS = 3_000_000_000L;

  private final PrintWriter out;
  private final long quietNanos;
  private final Map<Integer, Progress> stages = new ConcurrentHashMap<>();

  /** Per-stage counters, across the stage's attempts. */
  private static final class Progress {
    final long started = System.nanoTime();
    final int total;
    final String name;
    /** Partitions a task of the stage succeeded on. */
    final Set<Integer> finished = new HashSet<>();
    int printedDone = -1;
    long lastPrinted;

    Progress(int total, String name) {
      this.total = total;
      this.name = name;
    }

    int done() {
      return Math.min(finished.size(), total);
    }
  }

  /** Runs {@code body} with progress lines on {@code log} (none when {@code log} is null). */
  public static <T> T around(org.apache.spark.sql.SparkSession spark, PrintWriter log,
      java.util.function.Supplier<T> body) {
    ProgressListener progress = log == null ? null : new ProgressListener(log);
    if (progress != null) {
      spark.sparkContext().addSparkListener(progress);
    }
    try {
      return body.get();
    } finally {
      if (progress != null) {
        spark.sparkContext().removeSparkListener(progress);
      }
    }
  }

  public ProgressListener(PrintWriter out) {
    this(out, QUIET_NANOS);
  }

  /** @param quietNanos how long a stage runs before its first line, and between lines */
  ProgressListener(PrintWriter out, long quietNanos) {
    this.out = out;
    this.quietNanos = quietNanos;
  }

  @Override
  public void onStageSubmitted(SparkListenerStageSubmitted e) {
    StageInfo s = e.stageInfo();
    String group = e.properties() == null ? null
        : e.properties().getProperty("spark.jobGroup.id");
    // a resubmitted attempt runs only the partitions still missing: keep the first's total
    stages.putIfAbsent(s.stageId(), new Progress(s.numTasks(), group == null ? "spark" : group));
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd e) {
    Progress p = stages.get(e.stageId());
    if (p == null) {
      return;
    }
    synchronized (p) {
      if (e.taskInfo().successful()) {
        int partition = e.taskInfo().partitionId();
        p.finished.add(partition >= 0 ? partition : e.taskInfo().index());
      }
      long now = System.nanoTime();
      if (now - p.started >= quietNanos && now - p.lastPrinted >= quietNanos) {
        p.lastPrinted = now;
        print(e.stageId(), p, now);
      }
    }
  }

  @Override
  public void onStageCompleted(SparkListenerStageCompleted e) {
    StageInfo s = e.stageInfo();
    if (s.failureReason().isDefined()) {
      return; // Spark resubmits it: the next attempt goes on counting
    }
    Progress p = stages.remove(s.stageId());
    if (p != null) {
      synchronized (p) {
        if (p.lastPrinted != 0 && p.printedDone != p.done()) {
          print(s.stageId(), p, System.nanoTime());
        }
      }
    }
  }

  private void print(int stage, Progress p, long now) {
    int done = p.done();
    p.printedDone = done;
    double seconds = (now - p.started) / 1e9;
    double rate = done / Math.max(seconds, 1e-9);
    String eta = done == 0 ? "?" : String.format(Locale.ROOT, "%.0fs", (p.total - done) / rate);
    out.println(String.format(Locale.ROOT, "[%s] stage %d: %d/%d tasks, %.1fs, %.2f tasks/s,"
        + " ETA %s", p.name, stage, done, p.total, seconds, rate, eta));
    out.flush();
  }
}
