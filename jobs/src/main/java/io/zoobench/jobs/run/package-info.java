/**
 * The one run lifecycle ({@link io.zoobench.jobs.run.RunLifecycle}) every kind of run
 * ({@link io.zoobench.jobs.run.RunJob}: import, evaluate, the models of a zoo run) goes through:
 * checks, staging, progress, tables, commit, or the record of a failure.
 */
package io.zoobench.jobs.run;
