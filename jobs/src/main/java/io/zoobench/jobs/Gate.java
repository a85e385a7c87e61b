package io.zoobench.jobs;

import io.zoobench.coco.InvalidInputException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The regression gate's decision, pure (no Spark): given every succeeded run's figures (the
 * {@code zoo_history} view's rows), compares the latest run of each selected model with its
 * baseline - the reference figures its manifest published (recorded with its runs; a run that
 * recorded none, an import or a manifest without figures, takes the newest the model's runs
 * recorded: a published figure belongs to the model), the model's previous succeeded run, or a
 * named run - metric by metric, and says what held, what dropped
 * beyond tolerance and what had nothing to compare with. {@code GateCommand} reads the rows and
 * prints the verdicts; this class decides them, so every rule is tested without a warehouse.
 *
 * <p>Rules. AP and AR are compared absolutely ({@code baseline - measured > tolerance} is a
 * drop), fps relatively ({@code (baseline - measured) / baseline > fpsTolerance}). A metric
 * neither run has (mask AP of a box-only model) is not compared. A metric the baseline has and
 * the latest run lacks is {@link Verdict#NOT_MEASURED}, a failure like a drop: a metric that
 * vanished is a regression. A metric without a baseline is {@link Verdict#NO_BASELINE},
 * reported, never a pass in disguise; when no selected model has a baseline for any metric
 * there is nothing to gate, and the exit status says so (2, as missing data).
 *
 * <pre>{@code
 * Gate.Outcome o = Gate.compare(history, Gate.Against.parse("previous"), ModelGlob.of("*"),
 *     new Gate.Tolerances(0.002, 0.10));
 * int exit = o.exitStatus();
 * }</pre>
 */
final class Gate {
  /** Exit status when nothing dropped. */
  static final int EXIT_HELD = 0;
  /** Exit status when a metric dropped beyond tolerance (or vanished). */
  static final int EXIT_DROPPED = 1;
  /** Exit status for usage errors and missing data (nothing to compare). */
  static final int EXIT_NO_DATA = 2;

  /**
   * Slack on the tolerance: a delta printed as exactly the tolerance holds, whatever the last
   * bits of the doubles it came from (0.345 - 0.343 is 0.0020000000000000018).
   */
  private static final double EPSILON = 1e-12;

  private Gate() {}

  /** The metrics the gate compares, with the {@code zoo_history} columns they come from. */
  enum Metric {
    BOX_AP("box AP", "box_ap", false),
    MASK_AP("mask AP", "mask_ap", false),
    AR1000("AR@1000", "ar1000", false),
    FPS("fps", "fps", true);

    final String label;
    final String column;
    /** Compared as a relative drop (fps) rather than an absolute one (AP, AR). */
    final boolean relative;

    Metric(String label, String column, boolean relative) {
      this.label = label;
      this.column = column;
      this.relative = relative;
    }
  }

  /** What one comparison found. */
  enum Verdict {
    HELD("held"),
    DROPPED("dropped"),
    NOT_MEASURED("not measured"),
    NO_BASELINE("no baseline");

    final String label;

    Verdict(String label) {
      this.label = label;
    }

    boolean fails() {
      return this == DROPPED || this == NOT_MEASURED;
    }
  }

  /**
   * One succeeded run: its model, id, end, measured figures and the reference figures recorded
   * with it. A figure that is absent (or undefined: pycocotools' -1) is not in the map.
   */
  record RunFigures(String model, String runId, Instant finishedAt,
      Map<Metric, Double> measured, Map<Metric, Double> reference) {
    RunFigures {
      measured = defined(measured);
      reference = defined(reference);
    }

    private static Map<Metric, Double> defined(Map<Metric, Double> figures) {
      Map<Metric, Double> out = new EnumMap<>(Metric.class);
      figures.forEach((k, v) -> {
        if (v != null && v >= 0 && Double.isFinite(v)) {
          out.put(k, v);
        }
      });
      return out;
    }
  }

  /** How much a metric may drop before it counts: AP/AR absolute, fps relative. */
  record Tolerances(double absolute, double fpsRelative) {}

  /** The baseline: {@code reference}, {@code previous} or a run id. */
  record Against(Kind kind, String runId) {
    /** Kinds of baseline. */
    enum Kind { REFERENCE, PREVIOUS, RUN }

    static Against parse(String text) {
      return switch (text) {
        case "reference" -> new Against(Kind.REFERENCE, null);
        case "previous" -> new Against(Kind.PREVIOUS, null);
        default -> new Against(Kind.RUN, text);
      };
    }

    @Override
    public String toString() {
      return kind == Kind.RUN ? "run " + runId : kind.name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * One line of the gate's table: the model, the metric, its latest run, the baseline's source
   * ({@code reference} or a run id; null when none), the figures, measured − baseline (a
   * fraction of the baseline for fps) and the verdict.
   */
  record Comparison(String model, Metric metric, String runId, String baselineSource,
      Double baseline, Double measured, Double delta, Verdict verdict) {}

  /** Every comparison, and the selected models that had no baseline for any metric. */
  record Outcome(Against against, List<Comparison> comparisons, List<String> withoutBaseline,
      int models) {
    /** The comparisons that failed the gate (dropped or not measured). */
    List<Comparison> failures() {
      return comparisons.stream().filter(c -> c.verdict().fails()).toList();
    }

    /** 1 when something dropped, else 2 when no model had a baseline, else 0. */
    int exitStatus() {
      if (!failures().isEmpty()) {
        return EXIT_DROPPED;
      }
      return withoutBaseline.size() == models ? EXIT_NO_DATA : EXIT_HELD;
    }
  }

  /**
   * Compares each selected model's latest run in {@code history} with its baseline.
   *
   * @throws InvalidInputException (missing data: exit 2) when {@code history} is empty, the
   *     glob matches no model, or {@code against} names a run that is not a succeeded run (or
   *     whose model the glob leaves out)
   */
  static Outcome compare(List<RunFigures> history, Against against, ModelGlob models,
      Tolerances tolerances) {
    if (history.isEmpty()) {
      throw new InvalidInputException("no succeeded run in the warehouse: nothing to gate"
          + " (run zoobench zoo run, evaluate or import first)");
    }
    Map<String, List<RunFigures>> byModel = newestFirst(history);
    Predicate<String> selected = models;
    RunFigures named = null;
    if (against.kind() == Against.Kind.RUN) {
      named = history.stream().filter(r -> r.runId().equals(against.runId())).findFirst()
          .orElseThrow(() -> new InvalidInputException("--against " + against.runId() + ": no"
              + " succeeded run has that id (give reference, previous or a run id of the"
              + " runs table)"));
      String model = named.model();
      if (!models.test(model)) {
        throw new InvalidInputException("--against " + against.runId() + ": a run of " + model
            + ", which --models " + models + " leaves out");
      }
      selected = model::equals;
    }
    List<String> chosen = byModel.keySet().stream().filter(selected).toList();
    if (chosen.isEmpty()) {
      throw new InvalidInputException("--models " + models + ": matches no model of the"
          + " warehouse (" + byModel.size() + " models with a succeeded run, e.g. "
          + byModel.keySet().iterator().next() + ")");
    }
    List<Comparison> comparisons = new ArrayList<>();
    List<String> withoutBaseline = new ArrayList<>();
    for (String model : chosen) {
      List<RunFigures> runs = byModel.get(model);
      RunFigures latest = runs.get(0);
      RunFigures baselineRun = switch (against.kind()) {
        case REFERENCE -> null;
        case PREVIOUS -> runs.size() > 1 ? runs.get(1) : null;
        case RUN -> named;
      };
      Map<Metric, Double> baseline = against.kind() == Against.Kind.REFERENCE
          ? published(runs) : baselineRun == null ? Map.of() : baselineRun.measured();
      String source = against.kind() == Against.Kind.REFERENCE ? "reference"
          : baselineRun == null ? null : baselineRun.runId();
      boolean any = false;
      for (Metric m : Metric.values()) {
        Comparison c = compare(latest, m, baseline.get(m), source, tolerances);
        if (c != null) {
          comparisons.add(c);
          any |= c.verdict() != Verdict.NO_BASELINE;
        }
      }
      if (!any) {
        withoutBaseline.add(model);
      }
    }
    return new Outcome(against, comparisons, withoutBaseline, chosen.size());
  }

  /**
   * Each metric's published figure of a model: the newest its runs ({@code newestFirst})
   * recorded. An imported results file or a manifest without figures records none, and that
   * does not un-publish the zoo page's number.
   */
  private static Map<Metric, Double> published(List<RunFigures> newestFirst) {
    Map<Metric, Double> out = new EnumMap<>(Metric.class);
    for (RunFigures r : newestFirst) {
      r.reference().forEach(out::putIfAbsent);
    }
    return out;
  }

  /** One metric of one model; null when neither the run nor the baseline has it. */
  private static Comparison compare(RunFigures latest, Metric m, Double baseline, String source,
      Tolerances tolerances) {
    Double measured = latest.measured().get(m);
    if (measured == null && baseline == null) {
      return null;
    }
    // an fps of 0 published or measured gives no ratio to compare
    if (baseline == null || (m.relative && baseline <= 0)) {
      return new Comparison(latest.model(), m, latest.runId(), null, null, measured, null,
          Verdict.NO_BASELINE);
    }
    if (measured == null) {
      return new Comparison(latest.model(), m, latest.runId(), source, baseline, null, null,
          Verdict.NOT_MEASURED);
    }
    double delta = m.relative ? (measured - baseline) / baseline : measured - baseline;
    double tolerance = m.relative ? tolerances.fpsRelative() : tolerances.absolute();
    Verdict v = -delta > tolerance + EPSILON ? Verdict.DROPPED : Verdict.HELD;
    return new Comparison(latest.model(), m, latest.runId(), source, baseline, measured, delta,
        v);
  }

  /** Runs by model (models by name), newest first: by finished_at, then run id, as zoo. */
  private static Map<String, List<RunFigures>> newestFirst(List<RunFigures> history) {
    Comparator<RunFigures> newest = Comparator.comparing(RunFigures::finishedAt,
        Comparator.nullsFirst(Comparator.naturalOrder())).thenComparing(RunFigures::runId)
        .reversed();
    Map<String, List<RunFigures>> byModel = new TreeMap<>();
    for (RunFigures r : history) {
      byModel.computeIfAbsent(Objects.requireNonNull(r.model(), "model"),
          k -> new ArrayList<>()).add(r);
    }
    byModel.values().forEach(l -> l.sort(newest));
    return new LinkedHashMap<>(byModel);
  }
}
