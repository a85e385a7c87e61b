package io.zoobench.jobs.spark;

import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * The one local SparkSession ({@code local[2,2]}: two cores, a failed task is tried twice) that
 * every Spark test class of the JVM shares.
 */
public final class LocalSpark {
  private static SparkSession session;

  private LocalSpark() {}

  /**
   * The shared session, created on first use through {@link SparkSupport#session} (so it has the
   * job's settings) and made the active one of the calling thread. Never stop it: other test
   * classes run in the same JVM after this one.
   */
  public static synchronized SparkSession get() {
    if (session == null || session.sparkContext().isStopped()) {
      session = SparkSupport.session("zoobench tests", "local[2,2]",
          Map.of("spark.sql.shuffle.partitions", "4"));
    }
    SparkSession.setActiveSession(session);
    return session;
  }
}
