/**
 * The Spark side: sessions and job groups, the import and evaluate jobs, reading results files
 * in tasks, inference tasks, and the distributed COCO evaluation over the {@code common} code.
 */
package io.zoobench.jobs.spark;
