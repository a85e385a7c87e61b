package io.zoobench.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zoobench.jobs.tables.Warehouse;
import java.io.PrintWriter;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Row;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code zoobench gate}: the regression gate of scheduled runs. Reads the warehouse (never
 * writes it), compares the latest succeeded run of each selected model with its baseline -
 * the zoo manifest's reference figures, the model's previous succeeded run, or a named run -
 * on box AP, mask AP, AR@1000 (absolute drops) and fps end to end (a relative drop), prints
 * one line per model and metric, and exits 0 when nothing dropped beyond tolerance, 1 when
 * something did, 2 for usage errors and missing data (an empty warehouse, an unknown run id,
 * a glob that matches no model, no selected model with any baseline). The decision is
 * {@link Gate}'s; this class reads {@code zoo_history} and prints.
 *
 * <pre>
 * zoobench gate --warehouse warehouse --against previous --models 'mask_rcnn_*'
 * </pre>
 */
@Command(
    name = "gate",
    mixinStandardHelpOptions = true,
    // 1 is the verdict "dropped": anything that goes wrong exits 2 (Zoobench.VerdictVerb)
    exitCodeOnExecutionException = Gate.EXIT_NO_DATA,
    description = {"Compares each model's latest succeeded run with a baseline (box AP, mask AP,"
        + " AR@1000, fps end to end) and fails when a metric dropped beyond tolerance.",
        "Exit status: 0 nothing dropped, 1 a metric dropped (the table names it),"
            + " 2 usage error or missing data (no run, unknown run id, no model matches,"
            + " no model has a baseline).",
        "Reads the warehouse only."},
    exitCodeListHeading = "Exit status:%n",
    exitCodeList = {"0:nothing dropped beyond tolerance",
        "1:a metric dropped beyond tolerance, or the baseline has a metric the run lacks",
        "2:usage error or missing data"})
public final class GateCommand implements Callable<Integer>, Zoobench.VerdictVerb {
  /** Output format of {@code --format}. */
  enum Format { table, jsonl }

  @Option(names = "--against", defaultValue = "reference", paramLabel = "reference|previous|RUN",
      description = "Baseline: the manifest's reference figures recorded with each run"
          + " (default), the model's previous succeeded run, or a run id (that run's model"
          + " only).")
  String against;

  @Option(names = "--models", defaultValue = "*", paramLabel = "GLOB",
      description = "Models to gate, a glob over their names (default all).")
  String models;

  @Option(names = "--tolerance", defaultValue = "0.002", paramLabel = "AP",
      description = "Largest absolute drop of box AP, mask AP or AR@1000 that holds"
          + " (default 0.002, i.e. 0.2 points).")
  double tolerance;

  @Option(names = "--fps-tolerance", defaultValue = "0.10", paramLabel = "SHARE",
      description = "Largest relative drop of fps end to end that holds (default 0.10).")
  double fpsTolerance;

  @Option(names = "--format", defaultValue = "table", paramLabel = "table|jsonl",
      description = "table (default), or one JSON object per comparison for machines.")
  Format format;

  @CommandLine.Mixin
  WarehouseReadOptions warehouse = new WarehouseReadOptions();

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    if (!(tolerance >= 0 && tolerance < 1)) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--tolerance must be at least 0 and below 1 (an AP difference), got " + tolerance);
    }
    if (!(fpsTolerance >= 0 && fpsTolerance < 1)) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--fps-tolerance must be at least 0 and below 1 (a share of the baseline's fps), got "
              + fpsTolerance);
    }
    ModelGlob glob = ModelGlob.of(models);
    Gate.Against baseline = Gate.Against.parse(against);
    Warehouse w = warehouse.openExisting("gate");
    w.registerViews(null);
    Gate.Outcome outcome = Gate.compare(history(w), baseline, glob,
        new Gate.Tolerances(tolerance, fpsTolerance));
    PrintWriter out = spec.commandLine().getOut();
    if (format == Format.jsonl) {
      printJsonLines(out, outcome);
    } else {
      printTable(out, outcome);
    }
    out.flush();
    if (outcome.exitStatus() == Gate.EXIT_NO_DATA) {
      PrintWriter err = spec.commandLine().getErr();
      err.println(spec.qualifiedName(" ") + ": no selected model has a baseline for any metric"
          + " (against " + outcome.against() + "): nothing was gated");
      err.flush();
    }
    return outcome.exitStatus();
  }

  /** Every succeeded run's figures, from the {@code zoo_history} view. */
  private static List<Gate.RunFigures> history(Warehouse w) {
    List<Gate.RunFigures> out = new ArrayList<>();
    for (Row r : w.session().sql("SELECT * FROM zoo_history").collectAsList()) {
      Map<Gate.Metric, Double> measured = new EnumMap<>(Gate.Metric.class);
      Map<Gate.Metric, Double> reference = new EnumMap<>(Gate.Metric.class);
      for (Gate.Metric m : Gate.Metric.values()) {
        measured.put(m, r.getAs(m.column));
        reference.put(m, r.getAs(m.column + "_ref"));
      }
      Timestamp finished = r.getAs("finished_at");
      out.add(new Gate.RunFigures(r.getAs("model"), r.getAs("run_id"),
          finished == null ? null : finished.toInstant(), measured, reference));
    }
    return out;
  }

  private static void printTable(PrintWriter out, Gate.Outcome o) {
    int width = Math.max(5, o.comparisons().stream().mapToInt(c -> c.model().length()).max()
        .orElse(0));
    String fmt = "%-" + width + "s  %-8s %9s %9s %9s  %-12s  %s%n";
    out.printf(Locale.ROOT, fmt, "model", "metric", "baseline", "measured", "delta", "verdict",
        "run (against)");
    for (Gate.Comparison c : o.comparisons()) {
      out.printf(Locale.ROOT, fmt, c.model(), c.metric().label, figure(c.metric(), c.baseline()),
          figure(c.metric(), c.measured()), delta(c), c.verdict().label, c.runId()
              + (c.baselineSource() == null ? "" : " (" + c.baselineSource() + ")"));
    }
    long held = o.comparisons().stream().filter(c -> c.verdict() == Gate.Verdict.HELD).count();
    List<String> failed = o.failures().stream().map(c -> c.model() + " " + c.metric().label
        + (c.verdict() == Gate.Verdict.DROPPED ? "" : " (" + c.verdict().label + ")")).toList();
    StringBuilder summary = new StringBuilder(String.format(Locale.ROOT,
        "gate against %s: %d models, %d held, %d dropped", o.against(), o.models(), held,
        failed.size()));
    if (!failed.isEmpty()) {
      summary.append(": ").append(String.join(", ", failed));
    }
    if (!o.withoutBaseline().isEmpty()) {
      summary.append("; no baseline at all: ").append(String.join(", ", o.withoutBaseline()));
    }
    out.println(summary);
  }

  private static void printJsonLines(PrintWriter out, Gate.Outcome o) {
    ObjectMapper json = new ObjectMapper();
    for (Gate.Comparison c : o.comparisons()) {
      ObjectNode n = json.createObjectNode();
      n.put("model", c.model());
      n.put("metric", c.metric().label);
      n.put("run_id", c.runId());
      n.put("against", c.baselineSource());
      n.put("baseline", c.baseline());
      n.put("measured", c.measured());
      n.put("delta", c.delta());
      n.put("relative", c.metric().relative);
      n.put("verdict", c.verdict().label);
      out.println(n);
    }
  }

  private static String figure(Gate.Metric m, Double v) {
    return v == null ? "-" : String.format(Locale.ROOT, m.relative ? "%.1f" : "%.3f", v);
  }

  private static String delta(Gate.Comparison c) {
    if (c.delta() == null) {
      return "-";
    }
    // rounded first, so a difference of float noise prints +0.000, not -0.000
    return c.metric().relative
        ? String.format(Locale.ROOT, "%+.1f%%", Math.round(1000 * c.delta()) / 10.0 + 0.0)
        : String.format(Locale.ROOT, "%+.3f", Math.round(1000 * c.delta()) / 1000.0 + 0.0);
  }
}
