package io.zoobench.jobs.spark;

import io.zoobench.coco.InvalidInputException;
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
    Path dir = new Path(root, table);
    try {
      if (fs().exists(dir) && hasRun(dir)) {
        Dataset<Row> df = spark.read().option("basePath", dir.toString())
            .schema(Tables.readSchema(table)).parquet(dir.toString());
        List<Column> cols = new ArrayList<>();
        for (StructField f : Tables.readSchema(table).fields()) {
          cols.add(functions.col(f.name()));
        }
        return df.select(cols.toArray(Column[]::new));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return spark.createDataFrame(List.of(), Tables.readSchema(table));
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
    for (String t : Tables.names()) {
      table(t).createOrReplaceTempView(t);
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

    /** Where table {@code table} of this run is staged. */
    public Path path(String table) {
      return new Path(dir, table);
    }

    /** Writes {@code rows} (in the table's schema, without run_id) as this run's table. */
    public void write(String table, Dataset<Row> rows) {
      List<Column> cols = new ArrayList<>();
      for (StructField f : Tables.schema(table).fields()) {
        cols.add(functions.col(f.name()).cast(f.dataType()).as(f.name()));
      }
      rows.select(cols.toArray(Column[]::new)).write().mode(SaveMode.Overwrite)
          .parquet(path(table).toString());
      written.add(table);
    }

    /** Writes an import's checked chunks as this run's predictions table. */
    void writePredictions(org.apache.spark.api.java.JavaRDD<PredictionChunk> chunks,
        PredictionChunk.Counts counts) {
      PredictionsParquet.write(chunks, path(Tables.PREDICTIONS),
          spark.sparkContext().hadoopConfiguration(), counts);
      written.add(Tables.PREDICTIONS);
    }

    /** Writes small driver-side rows as this run's table. */
    public void write(String table, List<Row> rows) {
      write(table, spark.createDataFrame(rows, Tables.schema(table)).coalesce(1));
    }

    /** Writes a succeeded run's small tables (everything but its predictions). */
    public void writeRunTables(List<Row> metrics, List<Row> perCategory, List<Row> timings,
        List<Row> failures, Row run) {
      java.util.Map<String, List<Row>> tables = new java.util.LinkedHashMap<>();
      tables.put(Tables.METRICS, metrics);
      tables.put(Tables.PER_CATEGORY, perCategory);
      tables.put(Tables.TIMINGS, timings);
      tables.put(Tables.FAILURES, failures);
      tables.put(Tables.RUNS, List.of(run));
      writeSideBySide(tables);
    }

    /**
     * Writes several small tables side by side (a thread each, on threads of their own rather
     * than a shared pool): each write is a short Spark job whose planning and commit dominate,
     * so overlapping them saves most of their wall time. Fails with the first table's failure.
     */
    public void writeSideBySide(java.util.Map<String, List<Row>> tables) {
      List<Thread> threads = new ArrayList<>();
      java.util.concurrent.atomic.AtomicReference<RuntimeException> failure =
          new java.util.concurrent.atomic.AtomicReference<>();
      tables.forEach((table, rows) -> {
        Thread t = new Thread(() -> {
          try {
            write(table, rows);
          } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
          }
        }, "zoobench-write-" + table);
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
    public void commitFailedRun(List<Row> failures, Row run) {
      write(Tables.FAILURES, failures);
      write(Tables.RUNS, List.of(run));
      for (String t : Tables.names()) {
        if (!written.contains(t)) {
          write(t, List.of());
        }
      }
      commit();
    }

    /** Tables written so far. */
    public List<String> written() {
      return List.copyOf(written);
    }

    /**
     * Publishes every staged table of the run: the previous partition of the same run id is
     * removed, then the staged folder takes its place; the staging folder goes away.
     */
    public void commit() {
      FileSystem fs = fs();
      try {
        for (String table : written()) {
          Path target = new Path(root, table + "/run_id=" + runId);
          fs.mkdirs(target.getParent());
          if (fs.exists(target)) {
            fs.delete(target, true);
          }
          if (!fs.rename(path(table), target)) {
            throw new IOException("could not move " + path(table) + " to " + target);
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
