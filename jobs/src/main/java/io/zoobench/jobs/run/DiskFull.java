package io.zoobench.jobs.run;

import io.zoobench.jobs.spark.Redact;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A run that stopped because the warehouse's file system is full: recognised by Hadoop's
 * {@code FSError} or an {@code IOException} whose text is the system's ENOSPC message, anywhere
 * in the cause chain (Spark carries executors' failures as text), and said in one line that
 * names the file system, what was being written and how to free space, instead of a 100-line
 * {@code FSError} trace.
 */
final class DiskFull {
  private static final String ENOSPC = "No space left on device";

  private DiskFull() {}

  /** The one line for {@code e} when it comes from a full file system, else null. */
  static String describe(Throwable e, String warehouse) {
    boolean full = false;
    for (Throwable t = e; t != null && !full; t = t.getCause()) {
      full = t instanceof org.apache.hadoop.fs.FSError
          || (t instanceof IOException || t.getClass().getName().contains("SparkException"))
          && String.valueOf(t.getMessage()).contains(ENOSPC);
    }
    if (!full) {
      return null;
    }
    return "the file system of the warehouse " + Redact.path(warehouse) + store(warehouse)
        + " is full (" + ENOSPC + ") while the run wrote its tables: nothing was published;"
        + " free space there (zoobench maintenance --warehouse " + Redact.path(warehouse)
        + " deletes what failed and abandoned attempts left), then run it again";
  }

  /**
   * Lets the JVM close the files that the failed writers left open: a task that died on a
   * full disk does not close its output stream, and a deleted file's space comes back only
   * when its last descriptor closes. A collection runs the streams' cleaners, which close them;
   * without it, deleting the failed attempt's files freed nothing and recording the failure
   * hit the full disk again.
   */
  static void closeAbandonedFiles() {
    System.gc();
    try {
      Thread.sleep(300);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** {@code " (file system tmpfs, tmpfs, 0 MB free)"} for a local warehouse, else empty. */
  private static String store(String warehouse) {
    try {
      org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(warehouse);
      if (p.toUri().getScheme() != null && !p.toUri().getScheme().equals("file")) {
        return "";
      }
      Path local = Path.of(p.toUri().getPath());
      while (local != null && !Files.exists(local)) {
        local = local.getParent();
      }
      FileStore fs = Files.getFileStore(local);
      return String.format(Locale.ROOT, " (file system %s, %s, %d MB free)", fs.name(),
          fs.type(), fs.getUsableSpace() >> 20);
    } catch (IOException | RuntimeException x) {
      return "";
    }
  }
}
