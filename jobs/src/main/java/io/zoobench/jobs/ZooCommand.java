package io.zoobench.jobs;

import picocli.CommandLine.Command;

/**
 * {@code zoobench zoo}: the verbs over a whole zoo manifest ({@code conf/zoo/*.yaml}):
 * {@code zoo list}, which reads the manifest alone (no Spark, no model files), and
 * {@code zoo run}, which evaluates its models on Spark, one run each. Given without a verb,
 * picocli refuses it as a usage error ("Missing required subcommand").
 */
@Command(
    name = "zoo",
    mixinStandardHelpOptions = true,
    description = {"Zoo manifests: zoo list --manifest conf/zoo/M.yaml [--format table|jsonl]",
        "zoo run --manifest M.yaml --annotations A.json --images ROOT [--models GLOB] [--force]"},
    subcommands = {ZooListCommand.class, ZooRunCommand.class})
public final class ZooCommand {}
