package io.zoobench.jobs.tables;

import io.zoobench.coco.InvalidInputException;
import io.zoobench.jobs.spark.Redact;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.spark.Spark3Util;
import org.apache.iceberg.types.Types;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The warehouse: the result tables as Apache Iceberg tables ({@code zoobench.results.<table>},
 * partitioned by {@code run_id} and the {@code attempt_id} that wrote the rows) in an Iceberg
 * catalog. By default an embedded one that needs no server: Iceberg's JDBC catalog on an SQLite
 * file inside the warehouse folder ({@code <warehouse>/catalog.db}), safe for several
 * processes of one host committing at once. On clusters any Iceberg catalog configured with
 * the standard {@code spark.sql.catalog.zoobench.*} settings (JDBC/PostgreSQL, REST, Hive, Glue;
 * docs/tables.md), its data on HDFS or S3.
 *
 * <p>What readers see is decided by the {@code runs} table: a run's rows in every other table
 * are those of the attempt its {@code runs} row names ({@link #table}, the views of
 * {@code zoobench sql}). A run is written by a {@link RunAttempt}: rows first, the {@code runs}
 * row last, so a run is visible whole or not at all, and a rerun replaces it in one commit.
 *
 * <pre>{@code
 * Warehouse w = Warehouse.open(spark, "warehouse");
 * try (RunAttempt a = w.begin("my-run", "import")) { a.append(...); a.publish(runRow); }
 * Dataset<Row> metrics = w.table(MetricRow.TABLE);
 * }</pre>
 */
public final class Warehouse {
  /** The Spark catalog name zoobench's tables live in (stored in the embedded catalog). */
  public static final String CATALOG = "zoobench";
  /** The namespace of the tables. */
  public static final String NAMESPACE = "results";
  /** The column that ties a row to the attempt that wrote it (the views hide it). */
  public static final String ATTEMPT_ID = "attempt_id";

  private static final String CATALOG_KEY = "spark.sql.catalog." + CATALOG;

  private final SparkSession session;
  private final String root;

  private Warehouse(SparkSession session, String root) {
    this.session = session;
    this.root = root;
  }

  /**
   * Opens (creating when needed) the warehouse at {@code root}: a session of its own on
   * {@code spark}'s context, with the {@code zoobench} catalog bound to it.
   *
   * @throws InvalidInputException when the warehouse cannot be used (not writable, a file,
   *     remote without a catalog configuration)
   */
  public static Warehouse open(SparkSession spark, String root) {
    return open(spark, root, true, false);
  }

  /** Opens an existing warehouse only (for readers: a typo must not create an empty one). */
  public static Warehouse openExisting(SparkSession spark, String root) {
    return open(spark, root, false, false);
  }

  /**
   * {@code maintenance --repair} of a local warehouse whose {@code catalog.db} is missing or
   * empty while its tables are there: the empty file is moved aside, a new catalog made, and
   * every table registered again from its newest metadata file (Iceberg's
   * {@code register_table}), with all its snapshots. Returns the tables registered; none when
   * the catalog was fine.
   */
  public static List<String> recoverCatalog(SparkSession spark, String root) {
    Path local = localFolder(root);
    if (local == null || !holdsTables(local) || hasCatalog(local)) {
      return List.of();
    }
    try {
      if (Files.exists(local.resolve("catalog.db"))) {
        Files.move(local.resolve("catalog.db"), local.resolve("catalog.db.empty-"
            + System.currentTimeMillis()));
      }
    } catch (IOException e) {
      throw new InvalidInputException(Redact.path(local.toString()) + ": cannot move the empty"
          + " catalog.db aside: " + e.getMessage());
    }
    Warehouse w = open(spark, root, false, true);
    w.session.sql("CREATE NAMESPACE IF NOT EXISTS " + CATALOG + "." + NAMESPACE);
    List<String> registered = new ArrayList<>();
    try (var tables = Files.list(local.resolve(NAMESPACE))) {
      for (Path t : tables.sorted().toList()) {
        Path metadata = newestMetadata(t.resolve("metadata"));
        if (metadata != null) {
          w.session.sql("CALL " + CATALOG + ".system.register_table(table => '" + NAMESPACE
              + "." + t.getFileName() + "', metadata_file => '" + metadata.toUri() + "')");
          registered.add(t.getFileName().toString());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return registered;
  }

  /** The metadata file with the highest version number in {@code dir}, or null. */
  private static Path newestMetadata(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return null;
    }
    try (var files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().matches("\\d+-.*\\.metadata\\.json"))
          .max(Comparator.comparingLong(f -> Long.parseLong(
              f.getFileName().toString().substring(0, f.getFileName().toString().indexOf('-')))))
          .orElse(null);
    }
  }

  private static Warehouse open(SparkSession spark, String root, boolean create,
      boolean recovering) {
    Redact.checkNoCredentials("--warehouse", root);
    SparkSession s = spark.newSession();
    // catalog settings given to the parent at run time (--conf on a shared session)
    for (Map.Entry<String, String> e : scala.jdk.javaapi.CollectionConverters
        .asJava(spark.conf().getAll()).entrySet()) {
      if (e.getKey().startsWith(CATALOG_KEY)) {
        s.conf().set(e.getKey(), e.getValue());
      }
    }
    Path local = localFolder(root);
    boolean userCatalog = s.conf().contains(CATALOG_KEY);
    if (!userCatalog) {
      if (local == null) {
        throw new InvalidInputException("--warehouse " + Redact.path(root) + ": the embedded"
            + " catalog (SQLite) needs a local folder; for hdfs:// or s3a:// warehouses"
            + " configure an Iceberg catalog (--conf " + CATALOG_KEY + ".type=jdbc|rest|hive|glue"
            + " ...; docs/tables.md)");
      }
      checkFolder(local, create || recovering, recovering);
      s.conf().set(CATALOG_KEY, "org.apache.iceberg.spark.SparkCatalog");
      s.conf().set(CATALOG_KEY + ".type", "jdbc");
      s.conf().set(CATALOG_KEY + ".uri", "jdbc:sqlite:" + local.resolve("catalog.db"));
      s.conf().set(CATALOG_KEY + ".warehouse", local.toUri().toString());
      s.conf().set(CATALOG_KEY + ".jdbc.schema-version", "V1");
      // SQLITE_BUSY is not retried by Iceberg: wait for the other process's lock instead
      s.conf().set(CATALOG_KEY + ".jdbc.busy_timeout", "60000");
      if (!create && readOnly(local)) {
        s.conf().set(CATALOG_KEY + ".jdbc.open_mode", "1"); // SQLITE_OPEN_READONLY
      }
    } else if (!s.conf().contains(CATALOG_KEY + ".warehouse")) {
      s.conf().set(CATALOG_KEY + ".warehouse", root);
    }
    // another process's commits must be seen by the next read
    s.conf().set(CATALOG_KEY + ".cache-enabled", "false");
    Warehouse w = new Warehouse(s, root);
    try {
      if (recovering) {
        return w;
      }
      if (local != null && !userCatalog) {
        w.createTablesLocked(local, create);
      } else {
        w.createTables(create);
      }
    } catch (RuntimeException e) {
      throw catalogProblem(e, local != null && !userCatalog ? local.resolve("catalog.db")
          : null, root);
    }
    return w;
  }

  /**
   * One line for a catalog that cannot be opened (a truncated or corrupt {@code catalog.db},
   * a database the process may not write), or {@code e} itself when it is something else.
   */
  private static RuntimeException catalogProblem(RuntimeException e, Path catalogDb,
      String root) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.sql.SQLException || t.getClass().getSimpleName()
          .contains("UncheckedSQLException")) {
        String cause = String.valueOf(t.getMessage()).lines().findFirst().orElse("");
        String what = catalogDb != null ? Redact.path(catalogDb.toString())
            : "the catalog of " + Redact.path(root);
        return new InvalidInputException(what + " cannot be used (" + cause + "): restore it"
            + " from a backup" + (catalogDb == null ? "" : ", or move it away and run zoobench"
            + " maintenance --repair --warehouse " + Redact.path(root) + " to register the"
            + " tables again from their metadata files"));
      }
    }
    return e;
  }

  /**
   * Checks, before a run reads anything, that it can use {@code root}: with the embedded
   * catalog (no {@code spark.sql.catalog.zoobench} in {@code conf} or the system properties) a
   * local folder that exists or can be created, and is writable; creates nothing.
   *
   * @throws InvalidInputException naming what is wrong, in one line
   */
  public static void checkUsable(String root, Map<String, String> conf) {
    Redact.checkNoCredentials("--warehouse", root);
    if (conf.containsKey(CATALOG_KEY) || System.getProperty(CATALOG_KEY) != null) {
      return;
    }
    Path local = localFolder(root);
    if (local == null) {
      throw new InvalidInputException("--warehouse " + Redact.path(root) + ": the embedded"
          + " catalog (SQLite) needs a local folder; for hdfs:// or s3a:// warehouses"
          + " configure an Iceberg catalog (--conf " + CATALOG_KEY + ".type=jdbc|rest|hive|glue"
          + " ...; docs/tables.md)");
    }
    Path existing = local;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      throw new InvalidInputException("--warehouse " + local + ": cannot be created");
    }
    if (!Files.isDirectory(existing)) {
      throw new InvalidInputException("--warehouse " + local + ": "
          + (existing.equals(local) ? "is a file, not a folder" : existing + " is a file"));
    }
    if (!Files.isWritable(existing)) {
      throw new InvalidInputException("--warehouse " + local + ": not writable"
          + (existing.equals(local) ? "" : " (cannot create it in " + existing + ")"));
    }
    if (Files.isDirectory(local.resolve("runs")) && Files.isDirectory(local.resolve("metrics"))
        && !Files.exists(local.resolve("catalog.db"))) {
      throw new InvalidInputException("--warehouse " + local + ": holds plain Parquet tables of"
          + " an older zoobench; move them away or use another --warehouse");
    }
  }

  /** The local folder of {@code root} ({@code file:} or a plain path), else null. */
  static Path localFolder(String root) {
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(root);
    String scheme = p.toUri().getScheme();
    if (scheme != null && !scheme.equals("file")) {
      return null;
    }
    return Path.of(p.toUri().getPath()).toAbsolutePath().normalize();
  }

  private static void checkFolder(Path dir, boolean create, boolean recovering) {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new InvalidInputException("--warehouse " + dir + ": is a file, not a folder");
    }
    if (!recovering && holdsTables(dir) && !hasCatalog(dir)) {
      // a new catalog over them would make every published run vanish from the views
      throw new InvalidInputException("--warehouse " + dir + ": holds tables (" + NAMESPACE
          + "/) but its catalog catalog.db is missing or empty; zoobench never makes a new"
          + " catalog over existing tables: restore catalog.db from a backup, or run zoobench"
          + " maintenance --repair --warehouse " + dir + " to register the tables again from"
          + " their metadata files");
    }
    if (!Files.exists(dir.resolve("catalog.db"))) {
      if (!create) {
        throw new InvalidInputException("--warehouse " + dir + ": no zoobench warehouse there"
            + " (no catalog.db); run a job first or check the path");
      }
      if (Files.isDirectory(dir.resolve("runs")) && Files.isDirectory(dir.resolve("metrics"))) {
        throw new InvalidInputException("--warehouse " + dir + ": holds plain Parquet tables of"
            + " an older zoobench; move them away or use another --warehouse");
      }
      try {
        Files.createDirectories(dir);
      } catch (IOException e) {
        throw new InvalidInputException("--warehouse " + dir + ": cannot create it ("
            + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
      }
    }
    if (create && !Files.isWritable(dir)) {
      throw new InvalidInputException("--warehouse " + dir + ": not writable");
    }
  }

  /**
   * Whether a reader finds the warehouse read-only (a read-only mount, a folder or catalog it
   * may not write): it then reads the catalog in SQLite's read-only mode and writes nothing,
   * not even the lock file.
   */
  private static boolean readOnly(Path dir) {
    return !Files.isWritable(dir) || (Files.exists(dir.resolve("catalog.db"))
        && !Files.isWritable(dir.resolve("catalog.db")));
  }

  /** {@link TableRepair#repair}s this warehouse. */
  public TableRepair.Outcome repair() {
    return TableRepair.repair(this);
  }

  /** Whether {@code dir} holds Iceberg tables of a warehouse (their metadata folders). */
  static boolean holdsTables(Path dir) {
    try (var tables = Files.list(dir.resolve(NAMESPACE))) {
      return tables.anyMatch(t -> Files.isDirectory(t.resolve("metadata")));
    } catch (IOException e) {
      return false;
    }
  }

  /** Whether {@code dir} has a catalog database with something in it. */
  static boolean hasCatalog(Path dir) {
    Path db = dir.resolve("catalog.db");
    try {
      return Files.isRegularFile(db) && Files.size(db) > 0;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Creates the catalog and the tables under a file lock: two processes creating a new
   * {@code catalog.db} at the same instant can break it (../shared/ICEBERG.md).
   */
  private void createTablesLocked(Path dir, boolean create) {
    if (!create && readOnly(dir)) {
      // nobody can write here, so nobody can be creating the catalog either
      createTables(false);
      return;
    }
    // a file lock keeps other processes out; threads of this one queue on the path first
    synchronized (("zoobench-catalog:" + dir).intern()) {
      try (FileChannel ch = new RandomAccessFile(dir.resolve(".catalog.lock").toFile(), "rw")
          .getChannel(); FileLock lock = ch.lock()) {
        createTables(create);
      } catch (IOException e) {
        throw new UncheckedIOException("locking " + dir, e);
      }
    }
  }

  private void createTables(boolean create) {
    // a reader makes no warehouse, yet brings an existing one up to date (the tables and columns
    // added since it was written, empty: metadata only), so every view works on old warehouses
    if (!create && !session.catalog().tableExists(name(RunRow.TABLE))) {
      return;
    }
    session.sql("CREATE NAMESPACE IF NOT EXISTS " + CATALOG + "." + NAMESPACE);
    for (TableSchema<?> t : Tables.all()) {
      StructType schema = storedSchema(t);
      String partitions = t == RunRow.TABLE ? "run_id" : "run_id, " + ATTEMPT_ID;
      session.sql("CREATE TABLE IF NOT EXISTS " + name(t) + " (" + schema.toDDL() + ") USING"
          + " iceberg PARTITIONED BY (" + partitions + ") TBLPROPERTIES ("
          + "'format-version'='2', 'commit.retry.num-retries'='20',"
          + " 'write.distribution-mode'='none',"
          + " 'write.metadata.delete-after-commit.enabled'='true',"
          + " 'write.metadata.previous-versions-max'='100')");
      addMissingColumns(t, schema);
    }
  }

  /** A table written by an older zoobench gets the columns added since (all nullable). */
  private void addMissingColumns(TableSchema<?> t, StructType wanted) {
    Table table = iceberg(t);
    List<String> missing = new ArrayList<>();
    for (StructField f : wanted.fields()) {
      Types.NestedField existing = table.schema().findField(f.name());
      if (existing == null) {
        missing.add(f.toDDL());
      }
    }
    if (!missing.isEmpty()) {
      session.sql("ALTER TABLE " + name(t) + " ADD COLUMNS (" + String.join(", ", missing) + ")");
    }
  }

  /** The columns of {@code t} as stored: the record's, with {@code attempt_id} after run_id. */
  static StructType storedSchema(TableSchema<?> t) {
    StructType s = t.schema();
    if (t == RunRow.TABLE || t == RunAttemptRow.TABLE) {
      return s; // their records hold attempt_id
    }
    List<StructField> fields = new ArrayList<>(List.of(s.fields()));
    fields.add(1, new StructField(ATTEMPT_ID, org.apache.spark.sql.types.DataTypes.StringType,
        true, org.apache.spark.sql.types.Metadata.empty()));
    return new StructType(fields.toArray(StructField[]::new));
  }

  /** Appends {@code rows} (in {@code t}'s stored schema) to {@code t}: one atomic commit. */
  static void append(Dataset<Row> rows, TableSchema<?> t) {
    try {
      rows.writeTo(name(t)).append();
    } catch (org.apache.spark.sql.catalyst.analysis.NoSuchTableException e) {
      throw new IllegalStateException(name(t) + " vanished", e);
    }
  }

  /** Replaces the partitions {@code rows} fall in (dynamic overwrite): one atomic commit. */
  static void overwritePartitions(Dataset<Row> rows, TableSchema<?> t) {
    try {
      rows.writeTo(name(t)).overwritePartitions();
    } catch (org.apache.spark.sql.catalyst.analysis.NoSuchTableException e) {
      throw new IllegalStateException(name(t) + " vanished", e);
    }
  }

  /** {@code zoobench.results.<table>}. */
  public static String name(TableSchema<?> t) {
    return CATALOG + "." + NAMESPACE + "." + t.name();
  }

  /** The session bound to this warehouse's catalog. */
  public SparkSession session() {
    return session;
  }

  /** The warehouse as given ({@code --warehouse}). */
  public String root() {
    return root;
  }

  /** The local folder of the warehouse, or null when it is remote. */
  public Path localRoot() {
    return localFolder(root);
  }

  /** Iceberg's handle on table {@code t} (fresh: another process's commits are seen). */
  public Table iceberg(TableSchema<?> t) {
    // Spark resolves catalog names in the thread's active session: make it this one
    SparkSession before = SparkSession.getActiveSession().getOrElse(() -> null);
    SparkSession.setActiveSession(session);
    try {
      return Spark3Util.loadIcebergTable(session, name(t));
    } catch (Exception e) {
      throw new IllegalStateException("cannot load " + name(t) + ": " + e.getMessage(), e);
    } finally {
      if (before != null) {
        SparkSession.setActiveSession(before);
      } else {
        SparkSession.clearActiveSession();
      }
    }
  }

  /** Starts writing run {@code runId} (one writer per run id: a second is refused). */
  public RunAttempt begin(String runId, String verb) {
    checkRunId(runId);
    return RunAttempt.begin(this, runId, verb);
  }

  /**
   * Cleans the rows of attempts whose process died without a word (left {@code running} with
   * a lease gone stale), run id by run id; returns the run ids cleaned.
   */
  public List<String> tidyAbandoned() {
    java.util.Set<String> running = new java.util.TreeSet<>();
    for (org.apache.iceberg.data.Record r : SmallTables.read(iceberg(RunAttemptRow.TABLE),
        org.apache.iceberg.expressions.Expressions.equal("status", RunAttemptRow.RUNNING))) {
      running.add((String) r.getField("run_id"));
    }
    List<String> cleaned = new ArrayList<>();
    for (String runId : running) {
      if (RunAttempt.tidy(this, runId)) {
        cleaned.add(runId);
      }
    }
    return cleaned;
  }

  /** Run ids become partition values and lock names: keep them to a safe alphabet. */
  public static void checkRunId(String runId) {
    if (!runId.matches("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")) {
      throw new InvalidInputException("run id '" + runId + "': use letters, digits and . _ : -"
          + " (at most 128, starting with a letter or digit)");
    }
  }

  /** The published rows of {@code t} (what the views show), in {@link TableSchema#schema()}. */
  public Dataset<Row> table(TableSchema<?> t) {
    return session.sql(viewSql(t, null));
  }

  /**
   * Each model's latest succeeded {@code runs} row (by finished_at, then run id), by model
   * name: what {@code zoo run} compares with and a Fast R-CNN takes its proposals from.
   */
  public Map<String, Row> latestSucceededRuns() {
    Map<String, Row> latest = new HashMap<>();
    Comparator<Row> order = Comparator.comparing((Row r) ->
        r.<java.sql.Timestamp>getAs("finished_at")).thenComparing(r -> r.<String>getAs("run_id"));
    for (Row r : table(RunRow.TABLE).where("status = '" + RunRow.SUCCEEDED + "'")
        .collectAsList()) {
      latest.merge(r.<String>getAs("model"), r, (a, b) -> order.compare(a, b) >= 0 ? a : b);
    }
    return latest;
  }

  /** The published rows of the table called {@code name}. */
  public Dataset<Row> table(String name) {
    return table(Tables.named(name));
  }

  /**
   * The query of {@code t}'s view: its rows of the attempts the {@code runs} rows name (and,
   * for {@code failures}, of failed attempts too), each table read as it is now ({@code at}
   * null) or at the snapshot {@code at} names for it (a table without one: empty).
   */
  static String viewSql(TableSchema<?> t, Map<TableSchema<?>, Long> at) {
    List<String> cols = new ArrayList<>();
    for (String c : t.schema().fieldNames()) {
      cols.add("x.`" + c + "`");
    }
    String select = "SELECT " + String.join(", ", cols) + " FROM " + from(t, at) + " x";
    if (t == RunRow.TABLE || t == RunAttemptRow.TABLE) {
      return select;
    }
    String published = "EXISTS (SELECT 1 FROM " + from(RunRow.TABLE, at) + " r WHERE"
        + " r.run_id = x.run_id AND r.attempt_id = x.attempt_id)";
    if (t == FailureRow.TABLE) {
      return select + " WHERE " + published + " OR EXISTS (SELECT 1 FROM "
          + from(RunAttemptRow.TABLE, at) + " a WHERE a.run_id = x.run_id AND a.attempt_id ="
          + " x.attempt_id AND a.status = '" + RunAttemptRow.FAILED + "')";
    }
    return select + " WHERE " + published;
  }

  private static String from(TableSchema<?> t, Map<TableSchema<?>, Long> at) {
    if (at == null) {
      return name(t);
    }
    Long id = at.get(t);
    return id == null ? "(SELECT * FROM " + name(t) + " WHERE false)"
        : name(t) + " VERSION AS OF " + id;
  }

  /**
   * A consistent reading point: every table at the snapshot it had when the {@code runs} table
   * got its current one (a run's rows are committed before its runs row, and dropped only after
   * a later one), except {@code run_attempts}, the log of attempts, as it is now: an attempt's
   * end (succeeded, failed) is written just after the runs row it publishes, and at the runs
   * row's snapshot the last attempt would still read {@code running}. Null when no run was
   * ever published.
   */
  public Map<TableSchema<?>, Long> consistentSnapshots() {
    Snapshot current = iceberg(RunRow.TABLE).currentSnapshot();
    if (current == null) {
      return null;
    }
    Map<TableSchema<?>, Long> at = snapshotsAsOf(current.timestampMillis());
    Snapshot attempts = iceberg(RunAttemptRow.TABLE).currentSnapshot();
    at.put(RunAttemptRow.TABLE, attempts == null ? null : attempts.snapshotId());
    return at;
  }

  /**
   * Every table's snapshot current at {@code millis} (epoch milliseconds), null for a table
   * that had none then (empty); null when the {@code runs} table had none (nothing was
   * published by then, or its history from then on was expired).
   */
  public Map<TableSchema<?>, Long> snapshotsAsOf(long millis) {
    Map<TableSchema<?>, Long> out = new java.util.LinkedHashMap<>();
    for (TableSchema<?> t : Tables.all()) {
      Table table = iceberg(t);
      Long id = null;
      for (org.apache.iceberg.HistoryEntry h : table.history()) {
        if (h.timestampMillis() <= millis && table.snapshot(h.snapshotId()) != null) {
          id = h.snapshotId();
        }
      }
      if (t == RunRow.TABLE && id == null) {
        return null;
      }
      out.put(t, id);
    }
    return out;
  }

  /** When the oldest snapshot of {@code runs} still kept was made (epoch ms), or -1. */
  public long historyStartMillis() {
    long first = -1;
    Table runs = iceberg(RunRow.TABLE);
    for (org.apache.iceberg.HistoryEntry h : runs.history()) {
      if (runs.snapshot(h.snapshotId()) != null && (first < 0 || h.timestampMillis() < first)) {
        first = h.timestampMillis();
      }
    }
    return first;
  }

  /** The columns of the {@code zoo} and {@code zoo_history} views, in order. */
  private static final String ZOO_COLUMNS = String.join(" ", "model, family, arch, backbone,",
      "style, lr_schedule, run_id, finished_at, fps, fps_ref, fps_delta, memory, memory_ref,",
      "memory_delta, box_ap, box_ap_ref, box_ap_delta, mask_ap, mask_ap_ref, mask_ap_delta,",
      "ar1000, ar1000_ref, ar1000_delta, fps_end_to_end, fps_compute, peak_device_memory_mb,",
      "images_total, images_failed, devices");

  /**
   * The model-zoo table people know from MMDetection's and Detectron2's pages, one row per
   * succeeded run (the {@code zoo_history} view): the model's family, arch, backbone, style and
   * lr schedule; fps per task (end-to-end and compute, warm-up excluded, from the shards'
   * timings), peak device memory, box AP, mask AP and AR@1000 as measured; next to each the
   * figure the zoo manifest published ({@code _ref}, recorded with the run) and the difference
   * measured − published ({@code _delta}). {@code memory} is the peak device memory of
   * inference in GiB, {@code memory_ref} the published training memory: a hint, not a like for
   * like. Runs of {@code import} have no fps; a run that recorded no description or published
   * figures (an import, a manifest without them) shows the newest its model's earlier runs
   * recorded, since they describe the model, not the run.
   */
  public static final String ZOO_HISTORY_VIEW = String.join("\n",
      "SELECT z.model, z.family, z.arch, z.backbone, z.style, z.lr_schedule, z.run_id,",
      "  z.finished_at,",
      "  z.fps_end_to_end AS fps, z.fps_ref, z.fps_end_to_end - z.fps_ref AS fps_delta,",
      "  z.memory, z.memory_ref, z.memory - z.memory_ref AS memory_delta,",
      "  z.box_ap, z.box_ap_ref, z.box_ap - z.box_ap_ref AS box_ap_delta,",
      "  z.mask_ap, z.mask_ap_ref, z.mask_ap - z.mask_ap_ref AS mask_ap_delta,",
      "  z.ar1000, z.ar1000_ref, z.ar1000 - z.ar1000_ref AS ar1000_delta,",
      "  z.fps_end_to_end, z.fps_compute, z.peak_device_memory_mb, z.images_total,",
      "  z.images_failed, z.devices",
      "FROM (SELECT r.run_id, r.model, p.family, p.arch, p.backbone, p.style, p.lr_schedule,",
      "  t.fps_end_to_end, t.fps_compute, t.peak_device_memory_mb,",
      "  t.peak_device_memory_mb / 1024 AS memory,",
      "  max(CASE WHEN m.iou_type = 'bbox' AND m.metric = 'AP' THEN m.value END) AS box_ap,",
      "  max(CASE WHEN m.iou_type = 'segm' AND m.metric = 'AP' THEN m.value END) AS mask_ap,",
      "  max(CASE WHEN m.iou_type = 'proposal' AND m.metric = 'AR@1000' THEN m.value END)"
          + " AS ar1000,",
      "  p.fps_ref, p.memory_ref, p.box_ap_ref, p.mask_ap_ref, p.ar1000_ref,",
      "  r.images_total, r.images_failed, r.devices, r.finished_at",
      "FROM runs r",
      // the zoo's description and published figures belong to the model: a run that recorded
      // none (an import, a manifest without them) shows the newest its model's runs recorded
      "JOIN (SELECT run_id,",
      "    last(family, true) OVER w AS family, last(arch, true) OVER w AS arch,",
      "    last(backbone, true) OVER w AS backbone, last(style, true) OVER w AS style,",
      "    last(lr_schedule, true) OVER w AS lr_schedule,",
      "    last(ref_fps, true) OVER w AS fps_ref,",
      "    last(ref_train_mem_gb, true) OVER w AS memory_ref,",
      "    last(ref_box_ap, true) OVER w AS box_ap_ref,",
      "    last(ref_mask_ap, true) OVER w AS mask_ap_ref,",
      "    last(ref_ar1000, true) OVER w AS ar1000_ref",
      "  FROM runs WHERE status = 'succeeded'",
      "  WINDOW w AS (PARTITION BY model ORDER BY finished_at, run_id",
      "    ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)) p ON p.run_id = r.run_id",
      "LEFT JOIN (SELECT run_id,",
      "    sum(images - warmup_images) / sum((images - warmup_images) / fps_end_to_end)"
          + " AS fps_end_to_end,",
      "    sum(images - warmup_images) / sum((images - warmup_images) / fps_compute)"
          + " AS fps_compute,",
      "    CAST(max(peak_device_memory_bytes) AS DOUBLE) / 1048576 AS peak_device_memory_mb",
      "  FROM timings WHERE images > warmup_images GROUP BY run_id) t ON t.run_id = r.run_id",
      "LEFT JOIN metrics m ON m.run_id = r.run_id",
      "WHERE r.status = 'succeeded'",
      "GROUP BY r.run_id, r.model, p.family, p.arch, p.backbone, p.style, p.lr_schedule,",
      "  t.fps_end_to_end, t.fps_compute, t.peak_device_memory_mb, p.fps_ref,",
      "  p.memory_ref, p.box_ap_ref, p.mask_ap_ref, p.ar1000_ref, r.images_total,",
      "  r.images_failed, r.devices, r.finished_at) z");

  /**
   * The model-zoo table: {@link #ZOO_HISTORY_VIEW}'s row of each model's latest succeeded run
   * (by finished_at, then run id); the earlier runs stay in {@code zoo_history} and the tables.
   */
  public static final String ZOO_VIEW = String.join("\n",
      "SELECT " + ZOO_COLUMNS + " FROM (SELECT h.*, row_number() OVER"
          + " (PARTITION BY h.model ORDER BY h.finished_at DESC, h.run_id DESC) AS latest",
      "  FROM (" + ZOO_HISTORY_VIEW + ") h)",
      "WHERE latest = 1");

  /**
   * Registers every table as a temporary view of its name (published rows only) and the
   * {@code zoo} and {@code zoo_history} views: as the warehouse is now ({@code at} null) or at
   * the snapshots {@code at} names (see {@link #snapshotsAsOf(long)}).
   */
  public void registerViews(Map<TableSchema<?>, Long> at) {
    for (TableSchema<?> t : Tables.all()) {
      session.sql(viewSql(t, at)).createOrReplaceTempView(t.name());
    }
    session.sql(ZOO_HISTORY_VIEW).createOrReplaceTempView("zoo_history");
    session.sql(ZOO_VIEW).createOrReplaceTempView("zoo");
  }
}
