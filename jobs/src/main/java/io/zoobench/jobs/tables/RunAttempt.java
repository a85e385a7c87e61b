package io.zoobench.jobs.tables;

import io.zoobench.coco.InvalidInputException;
import io.zoobench.jobs.Settings;
import io.zoobench.jobs.TestFaults;
import io.zoobench.jobs.spark.Redact;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Table;
import org.apache.iceberg.Transaction;
import org.apache.iceberg.Transactions;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt at writing a run, and the protocol that makes a run visible whole or not at all
 * (write-audit-publish over the warehouse's Iceberg tables):
 *
 * <ol>
 *   <li><b>Lock.</b> The run id's lock is a branch {@code lock-<run id>} of the {@code runs}
 *   table: creating a ref that exists fails (Iceberg commits are compare-and-swap), so one
 *   writer holds it; a second is refused in one line. A lease (a table property refreshed
 *   every few seconds) lets a later writer break the lock of a process that died.</li>
 *   <li><b>Write.</b> Every row this attempt appends carries its {@code attempt_id}; appends
 *   are atomic per table and invisible, since readers only see the attempt a {@code runs} row
 *   names.</li>
 *   <li><b>Publish.</b> The {@code runs} row is replaced in one commit: from that instant the
 *   views show the new attempt's rows, all of them, and none of the old.</li>
 *   <li><b>Clean.</b> Rows of superseded, failed or abandoned attempts are dropped (whole
 *   partitions: metadata-only deletes); a failed attempt's {@code failures} rows stay.</li>
 * </ol>
 *
 * <p>A failed attempt ({@link #fail}) removes what it appended, records its failures and its
 * status in {@code run_attempts}, and replaces the {@code runs} row only when the run id has
 * no succeeded run: a failed rerun never hides a good run. A process killed anywhere leaves
 * either the old run or the new one visible; what it left behind is invisible and cleaned by
 * the next attempt of the run id or by {@code zoobench maintenance}.
 */
public final class RunAttempt implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RunAttempt.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String LEASE = "zoobench.lease.";

  private final Warehouse warehouse;
  private final String runId;
  private final String attemptId;
  private final String verb;
  private final Timestamp startedAt;
  private final String host;
  private final Thread heartbeat;
  private final long leaseMillis;
  private volatile boolean released;
  /** Set once another attempt has taken this attempt's lock (its lease had expired). */
  private volatile RunTakenOverException takenOver;

  private RunAttempt(Warehouse warehouse, String runId, String attemptId, String verb) {
    this.warehouse = warehouse;
    this.runId = runId;
    this.attemptId = attemptId;
    this.verb = verb;
    this.startedAt = Timestamp.from(Instant.now());
    this.host = hostName();
    this.leaseMillis = leaseMillis(warehouse);
    this.heartbeat = new Thread(this::beat, "zoobench-lease-" + runId);
    this.heartbeat.setDaemon(true);
  }

  static RunAttempt begin(Warehouse w, String runId, String verb) {
    String attemptId = HexFormat.of().formatHex(RANDOM.generateSeed(6));
    lock(w, runId, attemptId);
    RunAttempt a = new RunAttempt(w, runId, attemptId, verb);
    try {
      a.heartbeat.start();
      a.setStatus(RunAttemptRow.RUNNING, null, null);
      a.tidyEarlierAttempts();
      LOG.info("run {} attempt {} ({}) holds the lock", runId, attemptId, verb);
      sleep(1000L * Settings.TEST_HOLD_LOCK_SECONDS.getLong(
          k -> w.session().conf().get(k, null)));
      return a;
    } catch (RuntimeException e) {
      a.release();
      throw e;
    }
  }

  /**
   * Cleans what dead attempts of {@code runId} left (see {@link #begin}), under the run id's
   * lock and without starting an attempt; false when a live writer holds the lock.
   */
  static boolean tidy(Warehouse w, String runId) {
    try {
      lock(w, runId, "maintenance");
    } catch (InvalidInputException refused) {
      return false;
    }
    RunAttempt a = new RunAttempt(w, runId, "maintenance", "maintenance");
    try {
      a.tidyEarlierAttempts();
      return true;
    } finally {
      a.release();
    }
  }

  public String runId() {
    return runId;
  }

  /** This attempt's id: the {@code attempt_id} of every row it writes. */
  public String attemptId() {
    return attemptId;
  }

  public Warehouse warehouse() {
    return warehouse;
  }

  // ---- the lock -------------------------------------------------------------------------------

  private static String ref(String runId) {
    return "lock-" + runId;
  }

  /**
   * The lease this process gives its locks: {@code spark.zoobench.lock.staleSeconds}. Written
   * into the lock by its holder, so a breaker goes by the holder's terms, never its own.
   */
  static long leaseMillis(Warehouse w) {
    String v = w.session().conf().get(Settings.LOCK_STALE_SECONDS.key(),
        Settings.LOCK_STALE_SECONDS.defaultValue());
    // the same range as --conf has: a value from spark-defaults.conf is checked here
    Settings.checkNumbers(java.util.Map.of(Settings.LOCK_STALE_SECONDS.key(), v));
    return 1000L * Settings.LOCK_STALE_SECONDS.getLong(k -> v);
  }

  /** {@code attempt host:pid renewed-at-millis lease-millis}: the lease as its holder wrote it. */
  private record Lease(String attemptId, String holder, long renewedAt, long millis) {
    static Lease parse(String value, long fallbackMillis) {
      if (value == null) {
        return null;
      }
      String[] l = value.split(" ");
      try {
        return new Lease(l[0], l.length > 1 ? l[1] : "?", Long.parseLong(l[2]),
            l.length > 3 ? Long.parseLong(l[3]) : fallbackMillis);
      } catch (RuntimeException e) {
        return new Lease(l[0], l.length > 1 ? l[1] : "?", 0, fallbackMillis);
      }
    }

    String value() {
      return attemptId + " " + holder + " " + renewedAt + " " + millis;
    }

    long age() {
      return System.currentTimeMillis() - renewedAt;
    }
  }

  private static void lock(Warehouse w, String runId, String attemptId) {
    long leaseMillis = leaseMillis(w);
    boolean waited = false;
    for (int tries = 0; tries < 10; tries++) {
      Table runs = w.iceberg(RunRow.TABLE);
      try {
        // the branch and the lease in one commit: no instant where the old holder's lease
        // still names it while the lock is already ours
        Transaction t = runs.newTransaction();
        t.manageSnapshots().createBranch(ref(runId)).commit();
        t.updateProperties().set(LEASE + runId, new Lease(attemptId, hostName(),
            System.currentTimeMillis(), leaseMillis).value()).commit();
        t.commitTransaction();
        return;
      } catch (IllegalArgumentException e) {
        if (!String.valueOf(e.getMessage()).contains("already exists")) {
          throw e;
        }
      }
      runs.refresh();
      Lease lease = Lease.parse(runs.properties().get(LEASE + runId), leaseMillis);
      if (lease != null && lease.age() < lease.millis() && holderAlive(lease.holder())) {
        throw new InvalidInputException("run id " + runId + " is being written by another"
            + " zoobench (attempt " + lease.attemptId() + " on " + lease.holder()
            + ", last heard " + (lease.age() / 1000) + " s ago, lease " + lease.millis() / 1000
            + " s); wait for it to finish or use another --run-id");
      }
      if (lease == null && !waited) {
        // a lock from before leases were written with the branch: its holder may be between
        // the two
        waited = true;
        sleep(3000);
        continue;
      }
      LOG.warn("breaking the stale lock of run {} ({})", runId,
          lease == null ? "no lease" : lease.value());
      try {
        Transaction t = runs.newTransaction();
        t.manageSnapshots().removeBranch(ref(runId)).commit();
        t.updateProperties().remove(LEASE + runId).commit();
        t.commitTransaction();
      } catch (IllegalArgumentException e) {
        // another writer broke it first
      }
    }
    throw new IllegalStateException("could not take the lock of run " + runId);
  }

  /**
   * Whether a lease's holder may still run: always, unless it is a process of this host that
   * is gone (a killed driver need not make the next run wait for the lease to go stale).
   */
  private static boolean holderAlive(String holder) {
    String me = hostName();
    int colon = holder.lastIndexOf(':');
    if (colon < 0 || !holder.substring(0, colon).equals(me.substring(0, me.lastIndexOf(':')))) {
      return true;
    }
    try {
      long pid = Long.parseLong(holder.substring(colon + 1));
      return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    } catch (NumberFormatException e) {
      return true;
    }
  }

  /**
   * Commits {@code updates} to the {@code runs} table only while this attempt holds the lease,
   * checked inside the commit ({@link FencedOperations}).
   *
   * @throws RunTakenOverException when another attempt has taken the lock (the updates are not
   *     committed)
   */
  private void fenced(java.util.function.Consumer<Transaction> updates) {
    Table runs = warehouse.iceberg(RunRow.TABLE);
    FencedOperations ops = new FencedOperations(((HasTableOperations) runs).operations(),
        LEASE + runId, attemptId);
    Transaction t = Transactions.newTransaction(runs.name(), ops);
    try {
      updates.accept(t);
      t.commitTransaction();
    } catch (RuntimeException e) {
      for (Throwable c = e; c != null; c = c.getCause()) {
        if (c instanceof FencedOperations.LeaseLost lost) {
          Lease now = Lease.parse(lost.holder(), 0);
          takenOver = new RunTakenOverException(runId, attemptId,
              now != null ? now.attemptId() : publishedAttempt());
          throw takenOver;
        }
      }
      throw e;
    }
  }

  private void beat() {
    long every = Math.max(1000, leaseMillis / 4);
    while (!released && takenOver == null) {
      sleep(every);
      if (released) {
        return;
      }
      try {
        fenced(t -> t.updateProperties().set(LEASE + runId, new Lease(attemptId, host,
            System.currentTimeMillis(), leaseMillis).value()).commit());
      } catch (RunTakenOverException e) {
        LOG.warn("run {}: {}", runId, e.getMessage());
        return;
      } catch (RuntimeException e) {
        LOG.warn("run {}: could not renew the lease: {}", runId, e.toString());
      }
    }
  }

  /** Gives the lock up, if this attempt still holds it (idempotent). */
  private void release() {
    if (released) {
      return;
    }
    released = true;
    heartbeat.interrupt();
    if (takenOver != null) {
      return; // the lock is another attempt's now
    }
    try {
      fenced(t -> {
        t.manageSnapshots().removeBranch(ref(runId)).commit();
        t.updateProperties().remove(LEASE + runId).commit();
      });
    } catch (RunTakenOverException e) {
      LOG.warn("run {}: {}", runId, e.getMessage());
    } catch (RuntimeException | org.apache.hadoop.fs.FSError e) {
      // a full disk, say: the lease then expires by its own terms and the next writer goes on
      LOG.warn("run {}: could not release the lock: {}", runId, e.toString());
    }
  }

  @Override
  public void close() {
    release();
  }

  // ---- writing ----------------------------------------------------------------------------

  /** Appends {@code rows} (in {@code t}'s record schema, any session) as this attempt's. */
  public void append(TableSchema<?> t, JavaRDD<Row> rows) {
    String id = attemptId;
    JavaRDD<Row> tagged = rows.map(r -> withAttempt(r, id));
    Warehouse.append(warehouse.session().createDataFrame(tagged, Warehouse.storedSchema(t))
        , t);
  }

  /** Appends small driver-side records as this attempt's (no Spark job: {@link SmallTables}). */
  public <R extends Record> void append(TableSchema<R> t, List<R> records) {
    if (records.isEmpty()) {
      return;
    }
    List<Row> rows = new ArrayList<>(records.size());
    for (R r : records) {
      rows.add(withAttempt(t.toRow(r), attemptId));
    }
    SmallTables.append(warehouse.iceberg(t), Warehouse.storedSchema(t), rows);
  }

  private static Row withAttempt(Row r, String attemptId) {
    Object[] v = new Object[r.length() + 1];
    v[0] = r.get(0);
    v[1] = attemptId;
    for (int i = 1; i < r.length(); i++) {
      v[i + 1] = r.get(i);
    }
    return RowFactory.create(v);
  }

  /** This attempt's rows of {@code t} so far, in its record schema. */
  public Dataset<Row> read(TableSchema<?> t) {
    return warehouse.session().table(Warehouse.name(t))
        .where(functions.col("run_id").equalTo(runId)
            .and(functions.col(Warehouse.ATTEMPT_ID).equalTo(attemptId)))
        .select(columns(t.schema()));
  }

  private static org.apache.spark.sql.Column[] columns(StructType s) {
    return java.util.Arrays.stream(s.fieldNames()).map(functions::col)
        .toArray(org.apache.spark.sql.Column[]::new);
  }

  /**
   * Publishes this attempt: its {@code runs} row replaces the run id's in one commit, then
   * every other attempt's rows of the run id are dropped and the lock released.
   */
  public void publish(RunRow run) {
    TestFaults.killIf(warehouse.session(), TestFaults.BEFORE_PUBLISH);
    try {
      replaceRunsRow(run);
    } catch (RunTakenOverException e) {
      abandon(e);
      throw e;
    }
    TestFaults.killIf(warehouse.session(), TestFaults.AFTER_PUBLISH);
    setStatus(RunAttemptRow.SUCCEEDED, null, now());
    dropOtherAttempts(attemptId);
    TestFaults.killIf(warehouse.session(), TestFaults.AFTER_CLEANUP);
    release();
    LOG.info("run {} attempt {} published", runId, attemptId);
  }

  /**
   * Records this attempt's failure: what it appended goes, its {@code failures} rows and its
   * status stay; the {@code runs} row becomes {@code run} only when the run id has no
   * succeeded run. Then the lock is released. An attempt whose lock was taken over records
   * itself abandoned instead and touches no runs row.
   */
  public void fail(RunRow run, List<FailureRow> failures) {
    try {
      if (takenOver != null) {
        abandon(takenOver);
        return;
      }
      dropAttempt(attemptId);
      append(FailureRow.TABLE, failures);
      org.apache.iceberg.data.Record current = currentRunsRow();
      if (current == null || !RunRow.SUCCEEDED.equals(current.getField("status"))) {
        replaceRunsRow(run);
      }
      setStatus(RunAttemptRow.FAILED, run.outcome().message(), now());
    } catch (RunTakenOverException e) {
      abandon(e);
    } finally {
      release();
    }
  }

  /** The lock was taken over: this attempt's rows go, its status is {@code abandoned}. */
  private void abandon(RunTakenOverException why) {
    LOG.warn("{}", why.getMessage());
    dropAttempt(attemptId);
    setStatus(RunAttemptRow.ABANDONED, why.getMessage(), now());
  }

  /** Whether another attempt has taken this attempt's lock. */
  public boolean takenOver() {
    return takenOver != null;
  }

  /** Replaces the run id's runs row, only while this attempt holds the lock. */
  private void replaceRunsRow(RunRow run) {
    if (!run.runId().equals(runId) || !attemptId.equals(run.attemptId())) {
      throw new IllegalArgumentException("runs row of " + run.runId() + "/" + run.attemptId()
          + " published by attempt " + runId + "/" + attemptId);
    }
    fenced(t -> SmallTables.replacePartitions(t.table(), RunRow.TABLE.schema(),
        List.of(RunRow.TABLE.toRow(run))));
  }

  /**
   * Whether the lease still names this attempt: checked before a holder deletes other
   * attempts' rows, which no runs-table commit can fence. Null when it does, else the lease's
   * value now (empty when there is none).
   */
  private String leaseIfLost() {
    Table runs = warehouse.iceberg(RunRow.TABLE);
    runs.refresh();
    String lease = runs.properties().get(LEASE + runId);
    return lease != null && lease.startsWith(attemptId + " ") ? null
        : lease == null ? "" : lease;
  }

  /** The attempt the run id's runs row names (the one that took over and finished), or null. */
  private String publishedAttempt() {
    try {
      org.apache.iceberg.data.Record r = currentRunsRow();
      String a = r == null ? null : (String) r.getField("attempt_id");
      return attemptId.equals(a) ? null : a;
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** The run id's runs row as stored (published attempt and status), or null. */
  private org.apache.iceberg.data.Record currentRunsRow() {
    List<org.apache.iceberg.data.Record> rows = SmallTables.read(warehouse.iceberg(RunRow.TABLE),
        Expressions.equal("run_id", runId));
    return rows.isEmpty() ? null : rows.get(0);
  }

  /** The run id's attempts as stored. */
  private List<RunAttemptRow> attempts() {
    List<RunAttemptRow> out = new ArrayList<>();
    for (org.apache.iceberg.data.Record r : SmallTables.read(
        warehouse.iceberg(RunAttemptRow.TABLE), Expressions.equal("run_id", runId))) {
      out.add(new RunAttemptRow((String) r.getField("run_id"), (String) r.getField("attempt_id"),
          (String) r.getField("verb"), (String) r.getField("status"),
          (String) r.getField("message"), timestamp(r.getField("started_at")),
          timestamp(r.getField("finished_at")), (String) r.getField("host")));
    }
    return out;
  }

  private static Timestamp timestamp(Object v) {
    if (v instanceof java.time.OffsetDateTime t) {
      return Timestamp.from(t.toInstant());
    }
    if (v instanceof java.time.LocalDateTime t) {
      return Timestamp.valueOf(t);
    }
    return null;
  }

  private void setStatus(String status, String message, Timestamp finished) {
    write(new RunAttemptRow(runId, attemptId, verb, status, message, startedAt, finished, host));
  }

  private void write(RunAttemptRow row) {
    SmallTables.replacePartitions(warehouse.iceberg(RunAttemptRow.TABLE),
        RunAttemptRow.TABLE.schema(), List.of(RunAttemptRow.TABLE.toRow(row)));
  }

  // ---- cleaning -----------------------------------------------------------------------------

  /**
   * With the lock held: attempts of this run id left {@code running} by a process that died
   * are marked (succeeded when the runs row names them: the process died after publishing),
   * and rows of attempts no view shows are dropped.
   */
  private void tidyEarlierAttempts() {
    List<RunAttemptRow> earlier = attempts();
    if (earlier.stream().allMatch(a -> a.attemptId().equals(attemptId))) {
      return; // a new run id (this attempt's own row at most): nothing to tidy
    }
    // a paused attempt whose lock was broken while it slept must not clean the new holder's
    // rows: it tidies only while the lease still names it, and gives up otherwise
    String lost = leaseIfLost();
    if (lost != null) {
      Lease now = Lease.parse(lost.isEmpty() ? null : lost, 0);
      takenOver = new RunTakenOverException(runId, attemptId,
          now != null ? now.attemptId() : publishedAttempt());
      abandon(takenOver);
      throw takenOver;
    }
    org.apache.iceberg.data.Record current = currentRunsRow();
    String published = current == null ? null : (String) current.getField("attempt_id");
    for (RunAttemptRow a : earlier) {
      if (a.status().equals(RunAttemptRow.RUNNING) && !a.attemptId().equals(attemptId)) {
        String status = a.attemptId().equals(published) ? RunAttemptRow.SUCCEEDED
            : RunAttemptRow.ABANDONED;
        LOG.info("run {}: attempt {} was left running; now {}", runId, a.attemptId(), status);
        if (status.equals(RunAttemptRow.ABANDONED)) {
          dropAttempt(a.attemptId());
        }
        write(new RunAttemptRow(a.runId(), a.attemptId(), a.verb(), status, a.message(),
            a.startedAt(), now(), a.host()));
      }
    }
    dropOtherAttempts(published);
  }

  /**
   * Drops this run id's rows of every attempt but {@code keep} (null: none), except the
   * {@code failures} rows of failed attempts and the rows of attempts still {@code running}:
   * after a publish, a running attempt is the one that broke this attempt's expired lock, alive
   * and writing; attempts that died running are marked abandoned (and dropped) by the next
   * attempt to take the lock ({@link #tidyEarlierAttempts}).
   */
  private void dropOtherAttempts(String keep) {
    if (leaseIfLost() != null) {
      // the lock was taken over since: the new holder (or maintenance) cleans up
      LOG.warn("run {}: lock taken over before cleaning; left to the next holder", runId);
      return;
    }
    Set<String> failed = new TreeSet<>();
    Set<String> live = new TreeSet<>();
    for (RunAttemptRow a : attempts()) {
      if (a.status().equals(RunAttemptRow.FAILED)) {
        failed.add(a.attemptId());
      } else if (a.status().equals(RunAttemptRow.RUNNING) && !a.attemptId().equals(attemptId)) {
        live.add(a.attemptId());
      }
    }
    for (TableSchema<?> t : Tables.attemptData()) {
      Set<String> kept = new TreeSet<>(live);
      if (keep != null) {
        kept.add(keep);
      }
      if (t == FailureRow.TABLE) {
        kept.addAll(failed);
      }
      Expression filter = Expressions.equal("run_id", runId);
      if (!kept.isEmpty()) {
        filter = Expressions.and(filter, Expressions.notIn(Warehouse.ATTEMPT_ID, kept.toArray()));
      }
      dropFiles(t, filter);
    }
  }

  /**
   * Removes the rows of an attempt that was never published, files first: its data files are
   * deleted before the (small, metadata-only) commit that drops them, so an attempt that failed
   * on a full disk frees its space before anything is written. No view ever showed them (views
   * read the published attempt only), so no history loses a row.
   */
  private void dropAttempt(String attempt) {
    Expression filter = Expressions.and(Expressions.equal("run_id", runId),
        Expressions.equal(Warehouse.ATTEMPT_ID, attempt));
    for (TableSchema<?> t : Tables.attemptData()) {
      Table table = warehouse.iceberg(t);
      // files a failed write never committed (a task that died on a full disk) are there too
      deletePartitionFolder(table, attempt);
      if (table.currentSnapshot() == null) {
        continue;
      }
      try (CloseableIterable<org.apache.iceberg.FileScanTask> files = table.newScan()
          .filter(filter).planFiles()) {
        for (org.apache.iceberg.FileScanTask f : files) {
          table.io().deleteFile(f.file().location());
        }
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      dropFiles(t, filter);
    }
  }

  /**
   * Deletes the folder of {@code attempt}'s partition of {@code table} ({@code
   * data/run_id=R/attempt_id=A/}), committed files and leftovers of failed writes alike.
   */
  private void deletePartitionFolder(Table table, String attempt) {
    if (!(table.io() instanceof org.apache.iceberg.io.SupportsPrefixOperations io)
        || table.spec().fields().size() != 2) {
      return;
    }
    org.apache.iceberg.PartitionData key = new org.apache.iceberg.PartitionData(
        table.spec().partitionType());
    key.set(0, runId);
    key.set(1, attempt);
    String probe = table.locationProvider().newDataLocation(table.spec(), key, "probe");
    String folder = probe.substring(0, probe.length() - "/probe".length());
    try {
      io.deletePrefix(folder);
    } catch (RuntimeException e) {
      LOG.warn("run {}: could not delete {}: {}", runId, Redact.path(folder), e.toString());
    }
  }

  /** Deletes the files of whole partitions matching {@code filter}: metadata only. */
  private void dropFiles(TableSchema<?> t, Expression filter) {
    Table table = warehouse.iceberg(t);
    if (table.currentSnapshot() == null) {
      return;
    }
    try (CloseableIterable<?> files = table.newScan().filter(filter).planFiles()) {
      if (!files.iterator().hasNext()) {
        return;
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    table.newDelete().deleteFromRowFilter(filter).commit();
  }

  // ---- helpers ------------------------------------------------------------------------------

  private static Timestamp now() {
    return Timestamp.from(Instant.now());
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName() + ":" + ProcessHandle.current().pid();
    } catch (java.io.IOException e) {
      return "unknown:" + ProcessHandle.current().pid();
    }
  }

  /** For messages: {@code run x attempt a1b2}. */
  @Override
  public String toString() {
    return String.format(Locale.ROOT, "run %s attempt %s", runId, attemptId);
  }
}
