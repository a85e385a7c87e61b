package io.zoobench.jobs.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * Progress lines of a real Spark job whose every task fails once (the shared session tries a
 * task twice): finished partitions are counted, never task ends, so a line never says more
 * tasks than the stage has, nor a negative ETA.
 */
class ProgressListenerTest {
  private static final Pattern LINE = Pattern.compile(
      "\\[(\\S+)] stage \\d+: (\\d+)/(\\d+) tasks, [0-9.]+s, [0-9.]+ tasks/s, ETA (\\S+)");

  @Test
  void retriedTasksCountOnce() throws Exception {
    SparkSession spark = LocalSpark.get();
    StringWriter text = new StringWriter();
    // no quiet period: a line at every task end, the failed attempts' included
    ProgressListener listener = new ProgressListener(new PrintWriter(text, true), 0);
    spark.sparkContext().addSparkListener(listener);
    try {
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      long sum = SparkSupport.withJobGroup(spark, "RETRIED", "every task fails once",
          () -> jsc.parallelize(List.of(1, 2, 3), 3).map(x -> {
            if (TaskContext.get().attemptNumber() == 0) {
              throw new IllegalStateException("test: first attempt fails");
            }
            return x;
          }).reduce(Integer::sum));
      assertThat(sum).isEqualTo(6);
      // listener events arrive after the job: wait for the stage's last line
      for (int i = 0; i < 200 && !text.toString().contains(" 3/3 tasks"); i++) {
        Thread.sleep(50);
      }
    } finally {
      spark.sparkContext().removeSparkListener(listener);
    }
    List<String> lines = text.toString().lines().filter(l -> l.startsWith("[RETRIED]"))
        .toList();
    // 3 failed attempts and 3 successes, each a line
    assertThat(lines).as(text.toString()).hasSize(6);
    for (String l : lines) {
      Matcher m = LINE.matcher(l);
      assertThat(m.matches()).as(l).isTrue();
      assertThat(Integer.parseInt(m.group(3))).as(l).isEqualTo(3);
      assertThat(Integer.parseInt(m.group(2))).as(l).isBetween(0, 3);
      assertThat(m.group(4)).as(l).doesNotStartWith("-");
    }
    assertThat(lines.get(lines.size() - 1)).contains(" 3/3 tasks", "ETA 0s");
    assertThat(lines.stream().filter(l -> l.contains(" 0/3 tasks"))).as(text.toString())
        .allSatisfy(l -> assertThat(l).endsWith("ETA ?"));
  }
}
