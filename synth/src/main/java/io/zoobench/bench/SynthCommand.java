package io.zoobench.bench;

import io.zoobench.coco.OutputPaths;
import io.zoobench.coco.Redaction;
import io.zoobench.synth.SynthSpec;
import io.zoobench.synth.SynthSummary;
import io.zoobench.synth.SyntheticCoco;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code zoobench synth}: writes a deterministic COCO-like ground truth and results (and
 * optionally class-agnostic proposals) for tests and benchmarks; no Spark.
 */
@Command(
    name = "synth",
    mixinStandardHelpOptions = true,
    description = {"Writes a deterministic COCO-like dataset: gt.json, dt.json [, proposals.json].",
        "Same --images/--seed/flags give byte-identical files."})
public final class SynthCommand implements Callable<Integer> {
  @Option(names = "--images", required = true, paramLabel = "N", description = "Number of images.")
  int images;

  @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Seed (default 1).")
  long seed;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
  Path out;

  @Option(names = "--masks", description = "Detections carry compressed-RLE masks.")
  boolean masks;

  @Option(names = "--proposals", defaultValue = "0", paramLabel = "K",
      description = "Also write proposals.json with up to K class-agnostic proposals per image.")
  int proposals;

  @Option(names = "--detections", defaultValue = "100", paramLabel = "D",
      description = "Detections per image in dt.json (default 100).")
  int detections;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    if (images < 0 || proposals < 0 || detections < 0) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--images, --proposals and --detections must not be negative");
    }
    OutputPaths.checkFolder("--out", out);
    long t0 = System.nanoTime();
    SynthSummary s = SyntheticCoco.generate(
        new SynthSpec(images, seed, masks, proposals, detections), out);
    spec.commandLine().getOut().println(s);
    spec.commandLine().getErr().println(String.format(Locale.ROOT, "wrote %s in %.1fs",
        Redaction.path(out.toString()), (System.nanoTime() - t0) / 1e9));
    return 0;
  }
}
