package io.zoobench.jobs.tables;

import io.zoobench.jobs.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Test-only fault injection for the fault-injection tests: halts the driver process at a named
 * point of publishing a run, as {@code kill -9} would, when
 * {@link Settings#TEST_KILL_AT} names that point. Production runs never set it.
 */
final class TestFaults {
  private static final Logger LOG = LoggerFactory.getLogger(TestFaults.class);

  /** The attempt's rows are written, the runs row is not. */
  static final String BEFORE_PUBLISH = "before-publish";
  /** The runs row is replaced, the attempt's status and the cleaning are not done. */
  static final String AFTER_PUBLISH = "after-publish";
  /** Everything is done but the lock's release. */
  static final String AFTER_CLEANUP = "after-cleanup";

  private TestFaults() {}

  static void killIf(Warehouse w, String point) {
    String at = Settings.TEST_KILL_AT.get(k -> w.session().conf().get(k, null));
    if (point.equals(at)) {
      LOG.warn("test fault: halting the driver at {}", point);
      Runtime.getRuntime().halt(137);
    }
  }
}
