package io.zoobench.jobs;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Test-only fault injection for the fault-injection tests: halts the driver process at a named
 * point of publishing a run, as {@code kill -9} would, when
 * {@link Settings#TEST_KILL_AT} names that point. Production runs never set it.
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

  private TestFaults() {}

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
