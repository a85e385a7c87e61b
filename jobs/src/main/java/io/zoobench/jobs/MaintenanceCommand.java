package io.zoobench.jobs;

import io.zoobench.jobs.spark.SparkSupport;
import io.zoobench.jobs.tables.TableRepair;
import io.zoobench.jobs.tables.TableSchema;
import io.zoobench.jobs.tables.Tables;
import io.zoobench.jobs.tables.Warehouse;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.iceberg.actions.DeleteOrphanFiles;
import org.apache.iceberg.spark.actions.SparkActions;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code zoobench maintenance}: keeps a warehouse small and tidy. Cleans the rows of attempts
 * whose process died (their run ids' locks are taken one by one; a live writer's run id is
 * left alone), expires old snapshots (history for {@code sql --as-of} goes back
 * {@code --older-than}), removes files no snapshot references (what killed writers left), and
 * old checkpoints of runs that never finished. Prints what it did.
 */
@Command(
    name = "maintenance",
    mixinStandardHelpOptions = true,
    description = {"Cleans abandoned attempts, expires old snapshots, removes orphan files and"
        + " stale checkpoints."})
public final class MaintenanceCommand implements Callable<Integer> {
  @CommandLine.Mixin
  WarehouseReadOptions store = new WarehouseReadOptions();

  @Option(names = "--older-than", defaultValue = "7d", paramLabel = "AGE",
      description = "Expire snapshots and checkpoints older than this: 7d, 12h, 30m (default"
          + " ${DEFAULT-VALUE}).")
  String olderThan;

  @Option(names = "--retain-last", defaultValue = "10", paramLabel = "N",
      description = "Snapshots of each table kept whatever their age (default ${DEFAULT-VALUE}).")
  int retainLast;

  @Option(names = "--orphans-older-than", defaultValue = "1d", paramLabel = "AGE",
      description = "Only files older than this count as orphans: a writer's files are"
          + " unreferenced until it commits (default ${DEFAULT-VALUE}).")
  String orphansOlderThan;

  @Option(names = "--repair",
      description = "Repair instead of cleaning: register the tables again when catalog.db is"
          + " missing or empty, and roll each table whose files are missing back to its newest"
          + " whole snapshot, saying which runs lose rows.")
  boolean repair;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** {@code --repair}: the catalog, then each table; prints what it did. */
  private int repair(PrintWriter out) {
    SparkSession spark = store.session("maintenance");
    List<String> registered = Warehouse.recoverCatalog(spark, store.warehouse);
    if (!registered.isEmpty()) {
      out.printf(Locale.ROOT, "catalog.db was missing or empty: a new catalog, with %d tables"
          + " registered again from their metadata (%s)%n", registered.size(),
          String.join(", ", registered));
    }
    Warehouse w = Warehouse.openExisting(spark, store.warehouse);
    TableRepair.Outcome o = w.repair();
    if (o.whole()) {
      out.println("every table is whole: nothing to repair");
    } else {
      o.missingFiles().forEach((table, n) -> out.printf(Locale.ROOT, "%-14s %d files"
          + " missing%n", table, n));
      if (o.runsSnapshot() == null) {
        out.println("no published state with every file is left: restore the missing files"
            + " from a backup");
        out.flush();
        return Zoobench.EXIT_BAD_INPUT;
      }
      out.printf(Locale.ROOT, "every table rolled back to the warehouse as published at %s"
          + " (runs snapshot %d); runs no longer published as they were: %s%n",
          java.time.Instant.ofEpochMilli(o.stateMillis()), o.runsSnapshot(),
          o.runsLost().isEmpty() ? "none" : String.join(", ", o.runsLost()));
    }
    out.flush();
    return 0;
  }

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    Duration age = age(olderThan, "--older-than");
    Duration orphanAge = age(orphansOlderThan, "--orphans-older-than");
    if (retainLast < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--retain-last must be at least 1, got " + retainLast);
    }
    if (repair) {
      return repair(out);
    }
    Warehouse w = store.openExisting("maintenance");
    List<String> cleaned = w.tidyAbandoned();
    // the orphan search joins small file lists: Spark's default 200 shuffle partitions made it
    // 90 s on a small warehouse (~10 s with 4)
    SparkSession session = w.session();
    session.conf().set("spark.sql.shuffle.partitions", "4");
    out.printf(Locale.ROOT, "abandoned attempts cleaned in %d run ids%s%n", cleaned.size(),
        cleaned.isEmpty() ? "" : ": " + String.join(", ", cleaned));
    long now = System.currentTimeMillis();
    out.printf(Locale.ROOT, "%-14s %10s %10s %10s%n", "table", "snapshots", "expired",
        "orphans");
    for (TableSchema<?> t : Tables.all()) {
      org.apache.iceberg.Table table = w.iceberg(t);
      int before = size(table.snapshots());
      // Iceberg's core expiry: the tables' metadata is small, no Spark job is worth it
      java.util.concurrent.atomic.AtomicInteger deletedData =
          new java.util.concurrent.atomic.AtomicInteger();
      table.expireSnapshots().expireOlderThan(now - age.toMillis()).retainLast(retainLast)
          .deleteWith(file -> {
            if (file.contains("/data/")) {
              deletedData.incrementAndGet();
            }
            table.io().deleteFile(file);
          }).commit();
      DeleteOrphanFiles.Result orphans = SparkActions.get(session).deleteOrphanFiles(table)
          .olderThan(now - orphanAge.toMillis()).execute();
      table.refresh();
      long removed = before - size(table.snapshots());
      out.printf(Locale.ROOT, "%-14s %10d %10d %10d%n", t.name(), size(table.snapshots()),
          removed, size(orphans.orphanFileLocations()));
      // the expired snapshots' files are gone: say how many data files went with them
      if (deletedData.get() > 0) {
        out.printf(Locale.ROOT, "%-14s %d data files of expired snapshots deleted%n", "",
            deletedData.get());
      }
    }
    out.printf(Locale.ROOT, "stale checkpoints removed: %d%n", checkpoints(session, now
        - age.toMillis()));
    out.flush();
    return 0;
  }

  /** Removes checkpoint folders of runs not touched since {@code before} (millis). */
  private int checkpoints(SparkSession spark, long before) throws IOException {
    Path root = new Path(store.warehouse, "_checkpoints");
    FileSystem fs = SparkSupport.fileSystem(root, spark.sparkContext().hadoopConfiguration());
    if (!fs.exists(root)) {
      return 0;
    }
    int n = 0;
    for (FileStatus run : fs.listStatus(root)) {
      if (run.isDirectory() && run.getModificationTime() < before) {
        fs.delete(run.getPath(), true);
        n++;
      }
    }
    return n;
  }

  private static int size(Iterable<?> it) {
    int n = 0;
    for (Object ignored : it) {
      n++;
    }
    return n;
  }

  private static final long MAX_AGE_DAYS = 36_500;

  /** {@code 7d}, {@code 12h}, {@code 30m}, {@code 90s}; at most a century. */
  private Duration age(String text, String flag) {
    var m = java.util.regex.Pattern.compile("(\\d+)([dhms])").matcher(text.trim());
    if (!m.matches()) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          flag + " must be a number and d, h, m or s (e.g. 7d), got '" + text + "'");
    }
    long v;
    try {
      v = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      v = Long.MAX_VALUE;
    }
    long days = switch (m.group(2)) {
      case "d" -> v;
      case "h" -> v / 24;
      case "m" -> v / (24 * 60);
      default -> v / (24 * 3600);
    };
    // beyond a century nothing is older: and Duration would overflow far beyond it
    if (days > MAX_AGE_DAYS) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          flag + " must be at most " + MAX_AGE_DAYS + "d (100 years), got '" + text + "'");
    }
    return switch (m.group(2)) {
      case "d" -> Duration.ofDays(v);
      case "h" -> Duration.ofHours(v);
      case "m" -> Duration.ofMinutes(v);
      default -> Duration.ofSeconds(v);
    };
  }
}
