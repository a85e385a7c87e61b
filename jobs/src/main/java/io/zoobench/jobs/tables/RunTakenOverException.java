package io.zoobench.jobs.tables;

import io.zoobench.coco.InvalidInputException;

/**
 * This attempt lost its run id's lock: it stopped renewing its lease (a long pause: garbage
 * collection, a frozen VM, SIGSTOP) past the lease's end, and another attempt took the lock
 * over. Nothing of this attempt is published; it records itself {@code abandoned} and removes
 * what it wrote. Said in one line, like bad input, because there is nothing to report: the run
 * is the other attempt's now.
 */
public final class RunTakenOverException extends InvalidInputException {
  private static final long serialVersionUID = 1L;

  RunTakenOverException(String runId, String attemptId, String newHolder) {
    super("run " + runId + " was taken over by "
        + (newHolder == null ? "another attempt" : "attempt " + newHolder)
        + " after this attempt's lease expired (attempt " + attemptId + "); nothing published");
  }
}
