package io.zoobench.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.zoobench.coco.InvalidInputException;
import io.zoobench.jobs.Gate.Against;
import io.zoobench.jobs.Gate.Metric;
import io.zoobench.jobs.Gate.RunFigures;
import io.zoobench.jobs.Gate.Verdict;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The gate's rules without a warehouse: tolerances at and beyond their edge, fps as a relative
 * drop, the latest run chosen by finish time, each baseline (reference, previous, a named run),
 * a model without any baseline reported (and exit 2 when no model has one), a vanished metric
 * failing, and the refusals of missing data.
 */
class GateTest {
  private static final Gate.Tolerances DEFAULT = new Gate.Tolerances(0.002, 0.10);

  private static RunFigures run(String model, String id, int minute, Map<Metric, Double> measured,
      Map<Metric, Double> reference) {
    return new RunFigures(model, id, Instant.parse("2026-11-30T02:00:00Z").plusSeconds(60L
        * minute), measured, reference);
  }

  private static Map<Metric, Double> figures(Object... metricValue) {
    Map<Metric, Double> m = new EnumMap<>(Metric.class);
    for (int i = 0; i < metricValue.length; i += 2) {
      m.put((Metric) metricValue[i], (Double) metricValue[i + 1]);
    }
    return m;
  }

  private static Gate.Comparison only(Gate.Outcome o, String model, Metric metric) {
    return o.comparisons().stream().filter(c -> c.model().equals(model) && c.metric() == metric)
        .findFirst().orElseThrow(() -> new AssertionError("no " + model + " " + metric));
  }

  @Test
  void againstReferenceADropBeyondToleranceFailsAndOneAtTheToleranceHolds() {
    List<RunFigures> history = List.of(
        run("a", "a-1", 0, figures(Metric.BOX_AP, 0.343, Metric.MASK_AP, 0.300),
            figures(Metric.BOX_AP, 0.345, Metric.MASK_AP, 0.3025)));
    Gate.Outcome o = Gate.compare(history, Against.parse("reference"), ModelGlob.of("*"),
        DEFAULT);
    assertThat(only(o, "a", Metric.BOX_AP).verdict()).as("0.345 - 0.343 is the tolerance")
        .isEqualTo(Verdict.HELD);
    Gate.Comparison mask = only(o, "a", Metric.MASK_AP);
    assertThat(mask.verdict()).isEqualTo(Verdict.DROPPED);
    assertThat(mask.delta()).isCloseTo(-0.0025, within(1e-12));
    assertThat(mask.baselineSource()).isEqualTo("reference");
    assertThat(o.exitStatus()).isEqualTo(Gate.EXIT_DROPPED);
    assertThat(o.failures()).extracting(Gate.Comparison::metric).containsExactly(Metric.MASK_AP);
  }

  /** An import records no published figures: the model's newest recorded ones still hold. */
  @Test
  void againstReferenceARunWithoutFiguresTakesTheNewestTheModelsRunsRecorded() {
    List<RunFigures> history = List.of(
        run("a", "zoo-1", 0, figures(Metric.BOX_AP, 0.40), figures(Metric.BOX_AP, 0.30)),
        run("a", "zoo-2", 1, figures(Metric.BOX_AP, 0.40),
            figures(Metric.BOX_AP, 0.35, Metric.MASK_AP, 0.31)),
        run("a", "imported", 2, figures(Metric.BOX_AP, 0.20, Metric.MASK_AP, 0.31), Map.of()));
    Gate.Outcome o = Gate.compare(history, Against.parse("reference"), ModelGlob.of("*"),
        DEFAULT);
    Gate.Comparison box = only(o, "a", Metric.BOX_AP);
    assertThat(box.runId()).isEqualTo("imported");
    assertThat(box.baseline()).isEqualTo(0.35);
    assertThat(box.verdict()).isEqualTo(Verdict.DROPPED);
    assertThat(only(o, "a", Metric.MASK_AP).verdict()).isEqualTo(Verdict.HELD);
    assertThat(o.withoutBaseline()).isEmpty();
  }

  @Test
  void fpsIsComparedAsARelativeDrop() {
    List<RunFigures> history = List.of(
        run("a", "a-1", 0, figures(Metric.FPS, 18.5), figures(Metric.FPS, 20.0)),
        run("b", "b-1", 0, figures(Metric.FPS, 1.7), figures(Metric.FPS, 2.0)));
    Gate.Outcome o = Gate.compare(history, Against.parse("reference"), ModelGlob.of("*"),
        DEFAULT);
    assertThat(only(o, "a", Metric.FPS).verdict()).as("-7.5%").isEqualTo(Verdict.HELD);
    assertThat(only(o, "a", Metric.FPS).delta()).isCloseTo(-0.075, within(1e-12));
    assertThat(only(o, "b", Metric.FPS).verdict()).as("-15%").isEqualTo(Verdict.DROPPED);
    assertThat(o.exitStatus()).isEqualTo(1);
  }

  @Test
  void againstPreviousComparesTheLatestRunWithTheOneBeforeIt() {
    List<RunFigures> history = List.of(
        run("a", "a-3", 3, figures(Metric.BOX_AP, 0.40), Map.of()),
        run("a", "a-1", 1, figures(Metric.BOX_AP, 0.10), Map.of()),
        run("a", "a-2", 2, figures(Metric.BOX_AP, 0.41), Map.of()));
    Gate.Outcome o = Gate.compare(history, Against.parse("previous"), ModelGlob.of("*"),
        DEFAULT);
    Gate.Comparison c = only(o, "a", Metric.BOX_AP);
    assertThat(c.runId()).isEqualTo("a-3");
    assertThat(c.baselineSource()).isEqualTo("a-2");
    assertThat(c.baseline()).isEqualTo(0.41);
    assertThat(c.verdict()).isEqualTo(Verdict.DROPPED);
  }

  @Test
  void aModelWithoutBaselineIsReportedAndAloneItIsMissingData() {
    RunFigures single = run("solo", "solo-1", 0, figures(Metric.BOX_AP, 0.3, Metric.AR1000,
        0.5), Map.of());
    Gate.Outcome alone = Gate.compare(List.of(single), Against.parse("previous"),
        ModelGlob.of("*"), DEFAULT);
    assertThat(alone.comparisons()).extracting(Gate.Comparison::verdict)
        .containsOnly(Verdict.NO_BASELINE).hasSize(2);
    assertThat(alone.withoutBaseline()).containsExactly("solo");
    assertThat(alone.exitStatus()).as("nothing was gated").isEqualTo(Gate.EXIT_NO_DATA);

    List<RunFigures> two = List.of(single, run("pair", "pair-1", 0, figures(Metric.BOX_AP, 0.3),
        Map.of()), run("pair", "pair-2", 1, figures(Metric.BOX_AP, 0.3), Map.of()));
    Gate.Outcome o = Gate.compare(two, Against.parse("previous"), ModelGlob.of("*"), DEFAULT);
    assertThat(only(o, "solo", Metric.BOX_AP).verdict()).isEqualTo(Verdict.NO_BASELINE);
    assertThat(only(o, "pair", Metric.BOX_AP).verdict()).isEqualTo(Verdict.HELD);
    assertThat(o.withoutBaseline()).containsExactly("solo");
    assertThat(o.exitStatus()).as("reported, and the other model was gated").isZero();
  }

  @Test
  void aMetricTheBaselineHasAndTheRunLacksFailsAndOneNeitherHasIsLeftOut() {
    List<RunFigures> history = List.of(
        run("m", "m-1", 0, figures(Metric.BOX_AP, 0.3, Metric.MASK_AP, 0.28), Map.of()),
        run("m", "m-2", 1, figures(Metric.BOX_AP, 0.3, Metric.MASK_AP, -1.0), Map.of()));
    Gate.Outcome o = Gate.compare(history, Against.parse("previous"), ModelGlob.of("*"),
        DEFAULT);
    assertThat(only(o, "m", Metric.MASK_AP).verdict()).as("-1: undefined, as pycocotools")
        .isEqualTo(Verdict.NOT_MEASURED);
    assertThat(o.comparisons()).extracting(Gate.Comparison::metric)
        .containsExactly(Metric.BOX_AP, Metric.MASK_AP);
    assertThat(o.exitStatus()).isEqualTo(1);
  }

  @Test
  void aNamedRunIsTheBaselineOfItsModelOnly() {
    List<RunFigures> history = List.of(
        run("a", "good", 0, figures(Metric.BOX_AP, 0.5), Map.of()),
        run("a", "worse", 1, figures(Metric.BOX_AP, 0.45), Map.of()),
        run("a", "latest", 2, figures(Metric.BOX_AP, 0.47), Map.of()),
        run("b", "b-1", 0, figures(Metric.BOX_AP, 0.1), Map.of()));
    Gate.Outcome o = Gate.compare(history, Against.parse("good"), ModelGlob.of("*"), DEFAULT);
    assertThat(o.comparisons()).extracting(Gate.Comparison::model).containsOnly("a");
    assertThat(only(o, "a", Metric.BOX_AP).baselineSource()).isEqualTo("good");
    assertThat(only(o, "a", Metric.BOX_AP).verdict()).isEqualTo(Verdict.DROPPED);
    assertThat(Gate.compare(history, Against.parse("worse"), ModelGlob.of("*"), DEFAULT)
        .exitStatus()).isZero();
    assertThatThrownBy(() -> Gate.compare(history, Against.parse("good"), ModelGlob.of("b*"),
        DEFAULT)).isInstanceOf(InvalidInputException.class)
        .hasMessage("--against good: a run of a, which --models b* leaves out");
  }

  @Test
  void missingDataIsRefusedInOneLine() {
    List<RunFigures> history = List.of(run("a", "a-1", 0, figures(Metric.BOX_AP, 0.5),
        Map.of()));
    assertThatThrownBy(() -> Gate.compare(List.of(), Against.parse("reference"),
        ModelGlob.of("*"), DEFAULT)).isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("no succeeded run in the warehouse");
    assertThatThrownBy(() -> Gate.compare(history, Against.parse("nope"), ModelGlob.of("*"),
        DEFAULT)).isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("--against nope: no succeeded run has that id");
    assertThatThrownBy(() -> Gate.compare(history, Against.parse("reference"),
        ModelGlob.of("x*"), DEFAULT)).isInstanceOf(InvalidInputException.class)
        .hasMessage("--models x*: matches no model of the warehouse (1 models with a succeeded"
            + " run, e.g. a)");
  }
}
