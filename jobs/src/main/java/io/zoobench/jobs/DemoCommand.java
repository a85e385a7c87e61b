package io.zoobench.jobs;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code zoobench demo}: the whole pipeline on what the repository ships: the committed shapes
 * validation set and the tiny Mask R-CNN made by {@code tools/fixtures}, through
 * {@code zoobench evaluate} on embedded Spark; writes all tables and prints the model-zoo row.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {"Evaluates the bundled tiny Mask R-CNN on the bundled shapes set (embedded"
        + " Spark) and prints its model-zoo row."})
public final class DemoCommand implements Callable<Integer> {
  /** The demo's model, in the manifest {@code conf/zoo/demo.yaml}. */
  static final String MODEL = "shapes-maskrcnn-tiny";

  @Option(names = "--warehouse", defaultValue = "warehouse", paramLabel = "PATH",
      description = "Warehouse root (default ./warehouse).")
  String warehouse;

  @Option(names = "--master", paramLabel = "URL",
      description = "Spark master (default local[*]).")
  String master;

  @Option(names = "--run-id", paramLabel = "ID", description = "Run id (default: model and UTC time).")
  String runId;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** Where the repository (conf/, fixtures/) is: the launcher's -Dzoobench.home, else here. */
  static Path home() {
    String h = System.getProperty("zoobench.home");
    return Path.of(h == null ? "." : h).toAbsolutePath().normalize();
  }

  @Override
  public Integer call() {
    Path home = home();
    Path data = home.resolve("fixtures/shapes-val");
    Path manifest = home.resolve("conf/zoo/demo.yaml");
    for (Path p : new Path[] {data.resolve("instances.json"), manifest}) {
      if (!Files.isRegularFile(p)) {
        throw new io.zoobench.coco.InvalidInputException(p + ": missing; run the demo from a"
            + " zoobench checkout (or set -Dzoobench.home)");
      }
    }
    EvaluateCommand e = new EvaluateCommand();
    e.spec = spec;
    e.annotations = data.resolve("instances.json").toString();
    e.images = data.resolve("images").toString();
    e.model = manifest + "#" + MODEL;
    e.run.warehouse = warehouse;
    e.run.master = master;
    e.run.runId = runId;
    e.maxFailedShare = 0;
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    return e.run(out, err);
  }
}
