/**
 * The differential test against pycocotools itself: random cases
 * ({@link io.zoobench.parity.ParityCaseGenerator}), pycocotools run as a Python process
 * ({@link io.zoobench.parity.PycocotoolsOracle}) and the bit-for-bit comparison
 * ({@link io.zoobench.parity.ParityRun}).
 */
package io.zoobench.parity;
