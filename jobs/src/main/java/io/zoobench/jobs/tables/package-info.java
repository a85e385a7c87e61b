/**
 * The result tables: one record type per table ({@link io.zoobench.jobs.tables.RunRow},
 * {@link io.zoobench.jobs.tables.MetricRow}, ...) whose schema, rows and reads come from
 * {@link io.zoobench.jobs.tables.TableSchema}, and the warehouse that stores them.
 */
package io.zoobench.jobs.tables;
