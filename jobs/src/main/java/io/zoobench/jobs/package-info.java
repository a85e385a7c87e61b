/**
 * The {@code zoobench} command line (picocli): one class per verb, each a thin front end that
 * parses flags, starts what can start before Spark, and hands a job to the run lifecycle.
 */
package io.zoobench.jobs;
