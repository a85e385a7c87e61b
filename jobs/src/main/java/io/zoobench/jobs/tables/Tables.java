package io.zoobench.jobs.tables;

import java.util.List;

/**
 * The result tables, in a stable order (a contract: users, views and acceptance checks query
 * these names and columns; docs/tables.md documents them and a test checks it against the
 * schemas). Each table is described by its row record's {@link TableSchema}.
 */
public final class Tables {
  public static final String RUNS = RunRow.TABLE.name();
  public static final String METRICS = MetricRow.TABLE.name();
  public static final String PER_CATEGORY = PerCategoryRow.TABLE.name();
  public static final String CURVES = CurveRow.TABLE.name();
  public static final String PREDICTIONS = PredictionRow.TABLE.name();
  public static final String TIMINGS = TimingRow.TABLE.name();
  public static final String FAILURES = FailureRow.TABLE.name();
  public static final String RUN_ATTEMPTS = RunAttemptRow.TABLE.name();

  private static final List<TableSchema<?>> ALL = List.of(RunRow.TABLE, MetricRow.TABLE,
      PerCategoryRow.TABLE, CurveRow.TABLE, PredictionRow.TABLE, TimingRow.TABLE, FailureRow.TABLE,
      RunAttemptRow.TABLE);

  /** The tables whose rows belong to an attempt and are shown through the runs row. */
  private static final List<TableSchema<?>> ATTEMPT_DATA = List.of(MetricRow.TABLE,
      PerCategoryRow.TABLE, CurveRow.TABLE, PredictionRow.TABLE, TimingRow.TABLE, FailureRow.TABLE);

  private Tables() {}

  /** Every table, runs first. */
  public static List<TableSchema<?>> all() {
    return ALL;
  }

  /**
   * The tables a run writes its results to, each row tagged with the attempt that wrote it
   * (an {@code attempt_id} column the views hide): everything but {@code runs} and
   * {@code run_attempts}.
   */
  public static List<TableSchema<?>> attemptData() {
    return ATTEMPT_DATA;
  }

  /** The table called {@code name}. */
  public static TableSchema<?> named(String name) {
    for (TableSchema<?> t : ALL) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException("no table " + name);
  }
}
