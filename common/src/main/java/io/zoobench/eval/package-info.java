/**
 * COCO evaluation with pycocotools' numbers to the last bit: parameters
 * ({@link io.zoobench.eval.EvalParams}), loadRes' completion of results
 * ({@link io.zoobench.eval.LoadRes}), per-image matching ({@link io.zoobench.eval.ImageMatcher}),
 * mergeable per-category accumulation ({@link io.zoobench.eval.CategoryAccumulator}) and the
 * summary ({@link io.zoobench.eval.CocoSummary}); {@link io.zoobench.eval.CocoEvaluator} runs
 * them in one process, the Spark jobs on executors.
 */
package io.zoobench.eval;
