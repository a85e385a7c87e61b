package io.zoobench.jobs;

import io.zoobench.coco.InvalidInputException;
import io.zoobench.jobs.report.ReportCharts;
import io.zoobench.jobs.report.ReportData;
import io.zoobench.jobs.report.ReportPage;
import io.zoobench.jobs.spark.Redact;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code zoobench report}: the warehouse's published runs as {@code index.html} (opens from
 * disk: no network, no script), {@code report.md} and PNG charts in {@code --out}: the model-zoo
 * table by family with published figures and deltas, speed vs accuracy, AP history, and one
 * run's per-category AP, precision/recall curves and per-shard fps. Changes no row of the
 * warehouse.
 * Exit status 2 when there is nothing to report (no warehouse, nothing published, an unknown
 * {@code --run}, no model matching {@code --models}).
 *
 * <pre>
 * bin/zoobench report --warehouse warehouse --out report/
 * </pre>
 */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = {"Writes an HTML report (index.html, report.md, PNG charts) of the warehouse:"
        + " the model-zoo table by family, speed vs accuracy, AP history, and one run's"
        + " per-category AP, precision/recall curves and per-shard fps."})
public final class ReportCommand implements Callable<Integer> {
  /** Exit status when the warehouse has nothing to report (as {@code gate}'s missing data). */
  static final int EXIT_NO_DATA = 2;

  @CommandLine.Mixin
  WarehouseReadOptions store = new WarehouseReadOptions();

  @Option(names = "--out", required = true, paramLabel = "DIR",
      description = "Folder to write (created; index.html, report.md and charts/ replaced).")
  Path out;

  @Option(names = "--models", defaultValue = "*", paramLabel = "GLOB",
      description = "Models to show, by name (default all), e.g. 'mask_rcnn_*'.")
  String models;

  @Option(names = "--run", paramLabel = "RUN_ID",
      description = "The run of the per-run sections (default: the latest run shown).")
  String runId;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    // charts are drawn by AWT: no display, ever (set before the first AWT class loads)
    System.setProperty("java.awt.headless", "true");
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw new InvalidInputException("--out " + Redact.path(out.toString())
          + ": is a file, not a folder");
    }
    ModelGlob selected = ModelGlob.of(models);
    ReportData data;
    try {
      data = ReportData.load(store.openExisting("report"), selected, runId);
    } catch (InvalidInputException e) {
      PrintWriter err = spec.commandLine().getErr();
      err.println(spec.qualifiedName(" ") + ": " + e.getMessage());
      err.flush();
      return EXIT_NO_DATA;
    }
    ReportCharts.Drawn drawn = ReportCharts.draw(data, prepareOut());
    ReportPage.write(data, drawn, out,
        Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    PrintWriter stdout = spec.commandLine().getOut();
    stdout.printf("report of %d models, %d runs (run %s in detail): %s (%d charts)%n",
        data.zoo().size(), data.history().size(), data.run().runId(),
        Redact.path(out.resolve("index.html").toString()), drawn.all().size());
    stdout.flush();
    return 0;
  }

  /**
   * Makes {@code --out} and an empty {@code charts/} in it (old charts would linger), once
   * there is something to report: a refusal leaves the last report as it was.
   */
  private Path prepareOut() {
    Path charts = out.resolve(ReportPage.CHARTS);
    try {
      Files.createDirectories(charts);
      try (DirectoryStream<Path> old = Files.newDirectoryStream(charts, "*.png")) {
        for (Path p : old) {
          Files.delete(p);
        }
      }
    } catch (IOException e) {
      throw new InvalidInputException("--out " + Redact.path(out.toString()) + ": cannot write"
          + " there (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
    }
    return charts;
  }
}
