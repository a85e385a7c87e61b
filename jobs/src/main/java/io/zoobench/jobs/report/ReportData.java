package io.zoobench.jobs.report;

import io.zoobench.coco.InvalidInputException;
import io.zoobench.jobs.spark.Redact;
import io.zoobench.jobs.tables.CurveRow;
import io.zoobench.jobs.tables.PerCategoryRow;
import io.zoobench.jobs.tables.TableSchema;
import io.zoobench.jobs.tables.TimingRow;
import io.zoobench.jobs.tables.Warehouse;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Everything a report shows, read once from a warehouse's published rows at one consistent set
 * of snapshots (the reading point of {@code zoobench export}): the model-zoo rows (the
 * {@code zoo} view), every run of those models ({@code zoo_history}), and the details of one
 * run (its per-category AP, its curves at area {@code all}, its shards' timings). A plain value:
 * drawing and writing it needs no Spark.
 *
 * <pre>{@code
 * ReportData data = ReportData.load(Warehouse.openExisting(spark, "warehouse"), glob, null);
 * }</pre>
 */
public record ReportData(String warehouse, List<ZooRow> zoo, List<ZooRow> history,
    RunDetail run) {

  /**
   * The run the per-run sections show: its per-category AP, its curves ({@code area = 'all'},
   * every maxDets) and its timings (none for {@code import} runs).
   */
  public record RunDetail(String runId, String model, List<PerCategoryRow> perCategory,
      List<CurveRow> curves, List<TimingRow> timings) {}

  public ReportData {
    zoo = List.copyOf(zoo);
    history = List.copyOf(history);
  }

  /**
   * Reads what the report shows (read-only).
   *
   * @param models which models to show (by name; its {@code toString()} names it in messages)
   * @param runId the run of the per-run sections, or null for the latest run among the models'
   * @throws InvalidInputException when there is nothing to show: no run published, no model
   *     selected, or {@code runId} not a succeeded run
   */
  public static ReportData load(Warehouse w, Predicate<String> models, String runId) {
    Map<TableSchema<?>, Long> at = w.consistentSnapshots();
    if (at == null) {
      throw new InvalidInputException("--warehouse " + Redact.path(w.root()) + ": no run"
          + " published yet; nothing to report");
    }
    w.registerViews(at);
    SparkSession s = w.session();
    List<ZooRow> all = rows(s, "SELECT * FROM zoo");
    if (all.isEmpty()) {
      throw new InvalidInputException("--warehouse " + Redact.path(w.root()) + ": no succeeded"
          + " run (only failed ones); nothing to report");
    }
    List<ZooRow> zoo = all.stream().filter(z -> models.test(z.model()))
        .sorted(Comparator.comparing(ZooRow::familyOrArch).thenComparing(ZooRow::model))
        .toList();
    if (zoo.isEmpty()) {
      throw new InvalidInputException("--models " + models + ": matches none of the "
          + all.size() + " models of the warehouse (e.g. " + all.get(0).model() + ")");
    }
    List<ZooRow> history = rows(s, "SELECT * FROM zoo_history").stream()
        .filter(z -> models.test(z.model()))
        .sorted(Comparator.comparing(ZooRow::finishedAt,
            Comparator.nullsFirst(Comparator.naturalOrder())).thenComparing(ZooRow::runId))
        .toList();
    ZooRow shown = runId == null ? latest(zoo) : history.stream()
        .filter(z -> z.runId().equals(runId)).findFirst()
        .orElseThrow(() -> new InvalidInputException("--run " + runId + ": not a succeeded"
            + " run of the models shown (--models " + models + ")"));
    return new ReportData(Redact.path(w.root()), zoo, history, detail(s, shown));
  }

  /** The most recently finished of {@code zoo}'s runs (ties: the larger run id). */
  private static ZooRow latest(List<ZooRow> zoo) {
    return zoo.stream().max(Comparator.comparing((ZooRow z) -> z.finishedAt() == null
        ? new Timestamp(0) : z.finishedAt()).thenComparing(ZooRow::runId)).orElseThrow();
  }

  private static RunDetail detail(SparkSession s, ZooRow run) {
    Object[] id = {run.runId()};
    List<PerCategoryRow> perCategory = new ArrayList<>();
    for (Row r : s.sql("SELECT * FROM per_category WHERE run_id = ? ORDER BY iou_type,"
        + " category_id", id).collectAsList()) {
      perCategory.add(PerCategoryRow.TABLE.fromRow(r));
    }
    List<CurveRow> curves = new ArrayList<>();
    for (Row r : s.sql("SELECT * FROM curves WHERE run_id = ? AND area = 'all' ORDER BY"
        + " iou_type, category_id, iou_threshold, max_dets", id).collectAsList()) {
      curves.add(CurveRow.TABLE.fromRow(r));
    }
    List<TimingRow> timings = new ArrayList<>();
    for (Row r : s.sql("SELECT * FROM timings WHERE run_id = ? ORDER BY shard_id", id)
        .collectAsList()) {
      timings.add(TimingRow.TABLE.fromRow(r));
    }
    return new RunDetail(run.runId(), run.model(), perCategory, curves, timings);
  }

  private static List<ZooRow> rows(SparkSession s, String sql) {
    return s.sql(sql).collectAsList().stream().map(ZooRow.VIEW::fromRow).toList();
  }
}
