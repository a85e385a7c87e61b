/**
 * {@code zoobench report}: what the warehouse holds as a self-contained HTML page, a Markdown
 * page and PNG charts. {@link io.zoobench.jobs.report.ReportData} reads the published rows once
 * (Spark, read-only); {@link io.zoobench.jobs.report.ReportCharts} and
 * {@link io.zoobench.jobs.report.ReportPage} draw and write them without Spark.
 */
package io.zoobench.jobs.report;
