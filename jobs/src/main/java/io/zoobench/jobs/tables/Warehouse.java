package io.zoobench.jobs.tables;

import io.zoobench.coco.InvalidInputException;
import io.zoobench.jobs.spark.SparkSupport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The Parquet warehouse: one folder per table under a root ({@code ./warehouse} or any Hadoop
 * path such as {@code s3a://bucket/zoobench}), one partition folder per run.
 *
 * <p>A run writes its tables into a staging folder of its own ({@link Staging}); only when
 * the run has succeeded does {@link Staging#commit()} move each table's folder to
 * {@code <table>/run_id=<id>}, replacing what a previous run of the same id left (never
 * duplicating it). Runs with different ids never touch the same folder, so concurrent runs
 * both land intact; readers never see a half-written run.
 */
public final class Warehouse {
  private final SparkSession spark;
  private final Path root;

  public Warehouse(SparkSession spark, String root) {
    this.spark = spark;
    this.root = new Path(root);
  }

  public Path root() {
    return root;
  }

  private FileSystem fs() {
    return SparkSupport.fileSystem(root, hadoopConf());
  }

  private Configuration hadoopConf() {
    return spark.sparkContext().hadoopConfiguration();
  }

  /** Starts writing run {@code runId}. */
  public Staging stage(String runId) {
    checkRunId(runId);
    return new Staging(runId, new Path(root, "_staging/" + runId + "-" + UUID.randomUUID()));
  }

  /** Run ids become folder names: keep them to a safe alphabet. */
  public static void checkRunId(String runId) {
    if (!runId.matches("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")) {
      throw new InvalidInputException("run id '" + runId + "': use letters, digits and . _ : -"
          + " (at most 128, starting with a letter or digit)");
    }
  }

  /** The rows of one table across all runs, {@code run_id} first; empty with its schema if none. */
  public Dataset<Row> table(String table) {
    return table(Tables.named(table));
  }

  /** The rows of {@code t} across all runs, in {@link TableSchema#schema()}. */
  public Dataset<Row> table(TableSchema<?> t) {
    Path dir = new Path(root, t.name());
    try {
      if (fs().exists(dir) && hasRun(dir)) {
        Dataset<Row> df = spark.read().option("basePath", dir.toString())
            .schema(t.schema()).parquet(dir.toString());
        List<Column> cols = new ArrayList<>();
        for (String f : t.schema().fieldNames()) {
          cols.add(functions.col(f));
        }
        return df.select(cols.toArray(Column[]::new));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return spark.createDataFrame(List.of(), t.schema());
  }

  /** {@code schema}'s columns, by name, cast to its types (for writing rows of any origin). */
  private static Column[] columns(StructType schema) {
    List<Column> cols = new ArrayList<>();
    for (StructField f : schema.fields()) {
      cols.add(functions.col(f.name()).cast(f.dataType()).as(f.name()));
    }
    return cols.toArray(Column[]::new);
  }

  private boolean hasRun(Path dir) throws IOException {
    for (FileStatus s : fs().listStatus(dir)) {
      if (s.isDirectory() && s.getPath().getName().startsWith("run_id=")) {
        return true;
      }
    }
    return false;
  }

  /**
   * The model-zoo table people know from MMDetection's and Detectron2's pages, one row per
   * succeeded run: model, arch, backbone, style, lr schedule, fps per task (end-to-end and
   * compute, warm-up excluded, from the shards' timings), peak device memory, box AP, mask AP,
   * AR@1000. Runs of {@code import} have no fps.
   */
  public static final String ZOO_VIEW = String.join("\n",
      "SELECT r.run_id, r.model, r.arch, r.backbone, r.style, r.lr_schedule,",
      "  t.fps_end_to_end, t.fps_compute, t.peak_device_memory_mb,",
      "  max(CASE WHEN m.iou_type = 'bbox' AND m.metric = 'AP' THEN m.value END) AS box_ap,",
      "  max(CASE WHEN m.iou_type = 'segm' AND m.metric = 'AP' THEN m.value END) AS mask_ap,",
      "  max(CASE WHEN m.iou_type = 'proposal' AND m.metric = 'AR@1000' THEN m.value END)"
          + " AS ar1000,",
      "  r.images_total, r.images_failed, r.devices, r.finished_at",
      "FROM runs r",
      "LEFT JOIN (SELECT run_id,",
      "    sum(images - warmup_images) / sum((images - warmup_images) / fps_end_to_end)"
          + " AS fps_end_to_end,",
      "    sum(images - warmup_images) / sum((images - warmup_images) / fps_compute)"
          + " AS fps_compute,",
      "    max(peak_device_memory_bytes) / 1048576.0 AS peak_device_memory_mb",
      "  FROM timings WHERE images > warmup_images GROUP BY run_id) t ON t.run_id = r.run_id",
      "LEFT JOIN metrics m ON m.run_id = r.run_id",
      "WHERE r.status = 'succeeded'",
      "GROUP BY r.run_id, r.model, r.arch, r.backbone, r.style, r.lr_schedule,",
      "  t.fps_end_to_end, t.fps_compute, t.peak_device_memory_mb, r.images_total,",
      "  r.images_failed, r.devices, r.finished_at");

  /** Registers every table as a temporary view of its name, and the {@code zoo} view. */
  public void registerViews() {
    for (TableSchema<?> t : Tables.all()) {
      table(t).createOrReplaceTempView(t.name());
    }
    spark.sql(ZOO_VIEW).createOrReplaceTempView("zoo");
  }

  /** A run's tables being written; invisible to readers until {@link #commit()}. */
  public final class Staging {
    private final String runId;
    private final Path dir;
    private final List<String> written = java.util.Collections.synchronizedList(new ArrayList<>());

    Staging(String runId, Path dir) {
      this.runId = runId;
      this.dir = dir;
    }

    public String runId() {
      return runId;
    }

    /** Where table {@code t} of this run is staged (for writers of their own files). */
    public Path path(TableSchema<?> t) {
      return new Path(dir, t.name());
    }

    /** Marks {@code t} as staged by a writer of its own files under {@link #path}. */
    public void written(TableSchema<?> t) {
      written.add(t.name());
    }

    /**
     * Writes {@code rows} (holding {@code t}'s columns, by name; {@code run_id} is the
     * partition) as this run's table {@code t}.
     */
    public void write(TableSchema<?> t, Dataset<Row> rows) {
      rows.select(columns(t.dataSchema())).write().mode(SaveMode.Overwrite)
          .parquet(path(t).toString());
      written(t);
    }

    /** Writes small driver-side records as this run's table {@code t}. */
    public <R extends Record> void write(TableSchema<R> t, List<R> rows) {
      List<Row> data = new ArrayList<>(rows.size());
      for (R r : rows) {
        data.add(t.toDataRow(r));
      }
      rows(t, data);
    }

    private void rows(TableSchema<?> t, List<Row> data) {
      spark.createDataFrame(data, t.dataSchema()).coalesce(1).write().mode(SaveMode.Overwrite)
          .parquet(path(t).toString());
      written(t);
    }

    /** Table {@code t} as staged so far (its data columns). */
    public Dataset<Row> read(TableSchema<?> t) {
      return spark.read().schema(t.dataSchema()).parquet(path(t).toString());
    }

    /** Writes a succeeded run's small tables (everything but its predictions), side by side. */
    public void writeRunTables(List<MetricRow> metrics, List<PerCategoryRow> perCategory,
        List<TimingRow> timings, List<FailureRow> failures, RunRow run) {
      java.util.Map<TableSchema<?>, List<Row>> tables = new java.util.LinkedHashMap<>();
      tables.put(MetricRow.TABLE, dataRows(MetricRow.TABLE, metrics));
      tables.put(PerCategoryRow.TABLE, dataRows(PerCategoryRow.TABLE, perCategory));
      tables.put(TimingRow.TABLE, dataRows(TimingRow.TABLE, timings));
      tables.put(FailureRow.TABLE, dataRows(FailureRow.TABLE, failures));
      tables.put(RunRow.TABLE, dataRows(RunRow.TABLE, List.of(run)));
      writeSideBySide(tables);
    }

    private <R extends Record> List<Row> dataRows(TableSchema<R> t, List<R> records) {
      List<Row> out = new ArrayList<>(records.size());
      for (R r : records) {
        out.add(t.toDataRow(r));
      }
      return out;
    }

    /**
     * Writes several small tables side by side (a thread each, on threads of their own rather
     * than a shared pool): each write is a short Spark job whose planning and commit dominate,
     * so overlapping them saves most of their wall time. Fails with the first table's failure.
     */
    private void writeSideBySide(java.util.Map<TableSchema<?>, List<Row>> tables) {
      List<Thread> threads = new ArrayList<>();
      java.util.concurrent.atomic.AtomicReference<RuntimeException> failure =
          new java.util.concurrent.atomic.AtomicReference<>();
      tables.forEach((table, rows) -> {
        Thread t = new Thread(() -> {
          try {
            rows(table, rows);
          } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
          }
        }, "zoobench-write-" + table.name());
        t.setDaemon(true);
        t.start();
        threads.add(t);
      });
      try {
        for (Thread t : threads) {
          t.join();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while writing run " + runId, e);
      }
      if (failure.get() != null) {
        throw failure.get();
      }
    }

    /**
     * Publishes a failed run: its {@code failures} rows and {@code runs} row, every other table
     * empty (so readers see the run's schema, and no rows of an earlier run of the same id).
     */
    public void commitFailedRun(List<FailureRow> failures, RunRow run) {
      write(FailureRow.TABLE, failures);
      write(RunRow.TABLE, List.of(run));
      for (TableSchema<?> t : Tables.all()) {
        if (!written.contains(t.name())) {
          rows(t, List.of());
        }
      }
      commit();
    }

    /**
     * Publishes every staged table of the run: the previous partition of the same run id is
     * removed, then the staged folder takes its place; the staging folder goes away.
     */
    public void commit() {
      FileSystem fs = fs();
      try {
        for (String table : List.copyOf(written)) {
          Path target = new Path(root, table + "/run_id=" + runId);
          fs.mkdirs(target.getParent());
          if (fs.exists(target)) {
            fs.delete(target, true);
          }
          if (!fs.rename(new Path(dir, table), target)) {
            throw new IOException("could not move " + new Path(dir, table) + " to " + target);
          }
        }
        fs.delete(dir, true);
      } catch (IOException e) {
        throw new UncheckedIOException("committing run " + runId + " to " + root, e);
      }
    }

    /** Removes the staged tables (a failed run). */
    public void abort() {
      try {
        fs().delete(dir, true);
      } catch (IOException e) {
        // best effort: an orphan staging folder is invisible to readers
      }
    }
  }
}
