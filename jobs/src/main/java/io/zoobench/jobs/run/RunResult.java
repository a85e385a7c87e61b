package io.zoobench.jobs.run;

import io.zoobench.eval.EvalResult;
import io.zoobench.jobs.tables.TimingRow;
import java.util.List;

/**
 * What a run's work produced, for the lifecycle to write: the evaluations (one per IoU type),
 * the number of predictions staged, the inference shards' timings (none for imports), the
 * devices the model ran on, and the evaluation's seconds.
 */
public record RunResult(List<EvalResult> evaluations, long predictions, List<TimingRow> timings,
    String devices, double evalSeconds) {}
