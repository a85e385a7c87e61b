/**
 * Deterministic synthetic COCO data at any scale ({@link io.zoobench.synth.SyntheticCoco}): ground
 * truth with COCO-like statistics and detections with masks, for benchmarks and tests.
 */
package io.zoobench.synth;
