package io.zoobench.jobs;

import picocli.CommandLine.Command;

/**
 * {@code zoobench zoo}: the verbs over a whole zoo manifest ({@code conf/zoo/*.yaml}). Only
 * {@code zoo list} so far, which reads the manifest alone (no Spark, no model files). Given
 * without a verb, picocli refuses it as a usage error ("Missing required subcommand").
 */
@Command(
    name = "zoo",
    mixinStandardHelpOptions = true,
    description = "Zoo manifests: zoo list --manifest conf/zoo/M.yaml [--format table|jsonl]",
    subcommands = {ZooListCommand.class})
public final class ZooCommand {}
