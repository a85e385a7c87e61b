/**
 * The {@code synth} and {@code bench} verbs: synthetic data on the command line and the
 * benchmarks (whole-process eval, import next to eval, inference fps, parity runs).
 */
package io.zoobench.bench;
