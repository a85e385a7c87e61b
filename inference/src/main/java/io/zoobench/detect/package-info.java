/**
 * Detectors run with DJL's PyTorch engine: loading ({@link io.zoobench.detect.DetectorModel},
 * offline: {@link io.zoobench.detect.DjlRuntime}), the input pipeline, output adapters found by
 * name ({@link io.zoobench.detect.OutputAdapters}), post-processing to COCO results, the shard
 * plan, image prefetching ({@link io.zoobench.detect.ImagePrefetcher}), device choice and a
 * shard's timings. No Spark: the jobs module runs these in tasks.
 */
package io.zoobench.detect;
