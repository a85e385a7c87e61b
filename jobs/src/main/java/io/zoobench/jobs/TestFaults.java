package io.zoobench.jobs;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Test-only fault injection for the fault-injection tests: halts the driver process at a named
 * point of publishing a run, as {@code kill -9} would, when {@link Settings#TEST_KILL_AT} names
 * that point; halts an executor's JVM half-way through the first task of inference or of
 * evaluation when {@link Settings#TEST_HALT_EXECUTOR} names it. Production runs never set them.
 */
public final class TestFaults {
  private static final Logger LOG = LoggerFactory.getLogger(TestFaults.class);

  /** The attempt's rows are written, the runs row is not. */
  public static final String BEFORE_PUBLISH = "before-publish";
  /** The runs row is replaced, the attempt's status and the cleaning are not done. */
  public static final String AFTER_PUBLISH = "after-publish";
  /** Everything is done but the lock's release. */
  public static final String AFTER_CLEANUP = "after-cleanup";
  /** The first inference shard of {@code evaluate} is finished (checkpointed). */
  public static final String AFTER_FIRST_SHARD = "after-first-shard";

  /** Executor halted half-way through evaluate's first inference shard. */
  public static final String INFERENCE = "inference";
  /** Executor halted half-way through the first partition of the evaluation (matching). */
  public static final String EVALUATION = "evaluation";

  private TestFaults() {}

  /** Whether the session's setting asks for an executor halted at {@code point}. */
  public static boolean haltsExecutorAt(org.apache.spark.sql.SparkSession spark, String point) {
    return point.equals(Settings.TEST_HALT_EXECUTOR.get(k -> spark.conf().get(k, null)));
  }

  /**
   * In a task: halts this executor's JVM, as {@code kill -9} of the executor would, when
   * {@code armed} and this is the first attempt of partition 0 of the stage's first attempt.
   * Never in local mode, where the executor is the driver.
   */
  public static void haltExecutorIf(boolean armed) {
    org.apache.spark.TaskContext task = org.apache.spark.TaskContext.get();
    if (armed && task != null && task.partitionId() == 0 && task.attemptNumber() == 0
        && task.stageAttemptNumber() == 0
        && !"driver".equals(org.apache.spark.SparkEnv.get().executorId())) {
      LOG.warn("test fault: halting executor {}", org.apache.spark.SparkEnv.get().executorId());
      Runtime.getRuntime().halt(137);
    }
  }

  /** The point the setting names, or "". */
  public static String at(org.apache.spark.sql.SparkSession spark) {
    return Settings.TEST_KILL_AT.get(k -> spark.conf().get(k, null));
  }

  /** Halts the process at {@code point} when the session's setting names it. */
  public static void killIf(org.apache.spark.sql.SparkSession spark, String point) {
    if (point.equals(at(spark))) {
      LOG.warn("test fault: halting the driver at {}", point);
      Runtime.getRuntime().halt(137);
    }
  }
}
