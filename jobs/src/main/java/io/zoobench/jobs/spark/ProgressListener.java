package io.zoobench.jobs.spark;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.StageInfo;

/**
 * Progress lines for long stages, as a user expects from a batch tool:
 * {@code [EVALUATE-SEGM] stage 7: 12/16 tasks, 3.1 tasks/s, ETA 1s}. A stage prints when it has
 * run for a few seconds, then at most every few seconds, and once when it completes.
 */
public final class ProgressListener extends SparkListener {
  private static final long QUIET_NANOS = 3_000_000_000L;

  private final PrintWriter out;
  private final Map<Integer, Progress> stages = new ConcurrentHashMap<>();

  /** Per-stage counters. */
  private static final class Progress {
    final long started = System.nanoTime();
    final int total;
    final String name;
    int done;
    int printedDone;
    long lastPrinted;

    Progress(int total, String name) {
      this.total = total;
      this.name = name;
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
    this.out = out;
  }

  @Override
  public void onStageSubmitted(SparkListenerStageSubmitted e) {
    StageInfo s = e.stageInfo();
    String group = e.properties() == null ? null
        : e.properties().getProperty("spark.jobGroup.id");
    stages.put(s.stageId(), new Progress(s.numTasks(), group == null ? "spark" : group));
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd e) {
    Progress p = stages.get(e.stageId());
    if (p == null) {
      return;
    }
    synchronized (p) {
      p.done++;
      long now = System.nanoTime();
      if (now - p.started > QUIET_NANOS && now - p.lastPrinted > QUIET_NANOS) {
        p.lastPrinted = now;
        print(e.stageId(), p, now);
      }
    }
  }

  @Override
  public void onStageCompleted(SparkListenerStageCompleted e) {
    Progress p = stages.remove(e.stageInfo().stageId());
    if (p != null && p.lastPrinted != 0 && p.printedDone != p.done) {
      synchronized (p) {
        print(e.stageInfo().stageId(), p, System.nanoTime());
      }
    }
  }

  private void print(int stage, Progress p, long now) {
    p.printedDone = p.done;
    double seconds = (now - p.started) / 1e9;
    double rate = p.done / Math.max(seconds, 1e-9);
    double eta = (p.total - p.done) / Math.max(rate, 1e-9);
    out.println(String.format(Locale.ROOT, "[%s] stage %d: %d/%d tasks, %.1fs, %.2f tasks/s, ETA %.0fs",
        p.name, stage, p.done, p.total, seconds, rate, eta));
    out.flush();
  }
}
