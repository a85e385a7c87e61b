package io.zoobench.jobs.tables;

import io.zoobench.jobs.spark.Redact;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.iceberg.ContentFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;

/**
 * Damaged tables: what to say when a published table's file is gone, and
 * {@code zoobench maintenance --repair}, which rolls the warehouse back to its newest published
 * state whose files are all there, every table together, reporting the runs it loses. A file
 * deleted from under a table (a cleaning script, a lost disk) otherwise surfaces as a Spark
 * stage failure in every read verb.
 */
public final class TableRepair {
  /** A missing file as Hadoop, Java and Iceberg name it in their messages. */
  private static final Pattern MISSING = Pattern.compile(
      "(?:File (\\S+) does not exist|FileNotFoundException: (?:File )?(\\S+?)(?: \\(|$|\\s)"
          + "|NotFoundException: (?:File does not exist|Failed to open input stream for file):"
          + " (\\S+))");
  private static final Pattern TABLE_PATH = Pattern.compile("/" + Warehouse.NAMESPACE
      + "/([a-z_]+)/(?:data|metadata)/");

  /**
   * What a repair did: the damaged tables and how many of their files are missing; the
   * warehouse state it went back to (the {@code runs} snapshot and its time; null when no
   * whole state is left, or when nothing was damaged); the run ids that are no longer
   * published as they were.
   */
  public record Outcome(java.util.Map<String, Integer> missingFiles, Long runsSnapshot,
      Long stateMillis, Set<String> runsLost) {
    /** Whether every table was whole (nothing to do). */
    public boolean whole() {
      return missingFiles.isEmpty();
    }
  }

  private TableRepair() {}

  /**
   * One line for an exception that comes from a missing file of a warehouse table (anywhere in
   * its cause chain or, for failures Spark serialised from executors, its messages), or null.
   */
  public static String describeMissingFile(Throwable e, String warehouse) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      Matcher m = MISSING.matcher(String.valueOf(t.getMessage()));
      if (m.find()) {
        String file = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2)
            : m.group(3);
        Matcher table = TABLE_PATH.matcher(file);
        if (!table.find()) {
          return null;
        }
        return "table " + table.group(1) + " of the warehouse is damaged: its file "
            + Redact.path(file) + " is missing. Restore the file, or run zoobench maintenance"
            + " --repair" + (warehouse == null ? "" : " --warehouse " + Redact.path(warehouse))
            + " to roll the table back to its newest whole snapshot (the runs published since"
            + " lose their rows of that table; it says which)";
      }
    }
    return null;
  }

  /**
   * Rolls every table of {@code w} back to the newest published state of the warehouse in
   * which all of them are whole: the newest {@code runs} snapshot such that each table's
   * snapshot as of its time has all its files. Every table goes back together, so a run stays
   * visible whole or not at all; the runs published (or republished) since are reported.
   */
  static Outcome repair(Warehouse w) {
    java.util.Map<String, Integer> missing = new java.util.TreeMap<>();
    for (TableSchema<?> t : Tables.all()) {
      Table table = w.iceberg(t);
      table.refresh();
      if (table.currentSnapshot() != null) {
        int n = missingFiles(table, table.currentSnapshot().snapshotId()).size();
        if (n > 0) {
          missing.put(t.name(), n);
        }
      }
    }
    if (missing.isEmpty()) {
      return new Outcome(missing, null, null, Set.of());
    }
    Table runs = w.iceberg(RunRow.TABLE);
    Snapshot current = runs.currentSnapshot();
    for (Snapshot s = current; s != null; s = parent(runs, s)) {
      java.util.Map<TableSchema<?>, Long> at = w.snapshotsAsOf(s.timestampMillis());
      if (at != null && at.get(RunRow.TABLE) != null && at.get(RunRow.TABLE) == s.snapshotId()
          && wholeAt(w, at)) {
        Set<String> lost = runsOnlyIn(runs, current.snapshotId(), s.snapshotId());
        for (TableSchema<?> t : Tables.all()) {
          Table table = w.iceberg(t);
          Long id = at.get(t);
          if (id == null) {
            table.newDelete().deleteFromRowFilter(
                org.apache.iceberg.expressions.Expressions.alwaysTrue()).commit();
          } else if (table.currentSnapshot() == null
              || table.currentSnapshot().snapshotId() != id) {
            table.manageSnapshots().setCurrentSnapshot(id).commit();
          }
        }
        return new Outcome(missing, s.snapshotId(), s.timestampMillis(), lost);
      }
    }
    return new Outcome(missing, null, null, Set.of());
  }

  private static boolean wholeAt(Warehouse w, java.util.Map<TableSchema<?>, Long> at) {
    for (TableSchema<?> t : Tables.all()) {
      Long id = at.get(t);
      if (id != null && !missingFiles(w.iceberg(t), id).isEmpty()) {
        return false;
      }
    }
    return true;
  }

  private static Snapshot parent(Table table, Snapshot s) {
    return s.parentId() == null ? null : table.snapshot(s.parentId());
  }

  /** The data and delete files of {@code snapshot} that are not there. */
  private static List<String> missingFiles(Table table, long snapshot) {
    List<String> missing = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().useSnapshot(snapshot)
        .planFiles()) {
      for (FileScanTask task : tasks) {
        check(table, task.file(), missing);
        for (ContentFile<?> d : task.deletes()) {
          check(table, d, missing);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      // a manifest of this snapshot is gone: the snapshot is not whole either
      missing.add("manifests of snapshot " + snapshot);
    }
    return missing;
  }

  private static void check(Table table, ContentFile<?> f, List<String> missing) {
    if (!table.io().newInputFile(f.location()).exists()) {
      missing.add(f.location());
    }
  }

  /**
   * Run ids with files in {@code from} that {@code to} does not have: for the {@code runs}
   * table, the runs published or republished between the two.
   */
  private static Set<String> runsOnlyIn(Table table, long from, long to) {
    Set<String> kept = new TreeSet<>();
    Set<String> runs = new TreeSet<>();
    try (CloseableIterable<FileScanTask> a = table.newScan().useSnapshot(to).planFiles();
        CloseableIterable<FileScanTask> b = table.newScan().useSnapshot(from).planFiles()) {
      for (FileScanTask t : a) {
        kept.add(t.file().location());
      }
      for (FileScanTask t : b) {
        if (!kept.contains(t.file().location())) {
          runs.add(String.valueOf(t.file().partition().get(0, Object.class)));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return runs;
  }
}
