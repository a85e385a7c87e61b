package io.zoobench.jobs;

import io.zoobench.bench.BenchCommand;
import io.zoobench.bench.SynthCommand;
import io.zoobench.coco.InvalidInputException;
import io.zoobench.jobs.run.RunLifecycle;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code zoobench} command line: one verb per job. Verbs that need no Spark ({@code eval},
 * {@code synth}, {@code bench}) never start it. Bad input ends with a one-line message naming
 * the file and record, and exit status 1; a usage error exits with 2.
 *
 * <pre>
 * bin/zoobench eval --gt gt.json --dt dt.json --iou bbox
 * </pre>
 */
@Command(
    name = "zoobench",
    mixinStandardHelpOptions = true,
    versionProvider = Zoobench.Version.class,
    description = "Benchmark detection model zoos on COCO: evaluation, Spark jobs, result tables.",
    subcommands = {EvalCommand.class, ImportCommand.class, EvaluateCommand.class,
        DemoCommand.class, SqlCommand.class, ExportCommand.class, MaintenanceCommand.class,
        SynthCommand.class,
        BenchCommand.class,
        CommandLine.HelpCommand.class})
public final class Zoobench implements Runnable {
  /** Exit status for input zoobench refuses (bad file, bad record). */
  public static final int EXIT_BAD_INPUT = 1;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the CLI and returns the exit status (tests call this instead of main). */
  public static int execute(String... args) {
    return commandLine().execute(args);
  }

  /** The configured command line, for tests that capture its output. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Zoobench());
    cl.setExecutionExceptionHandler((ex, line, parsed) -> {
      PrintWriter err = line.getErr();
      String verb = line.getCommandName();
      if (ex instanceof InvalidInputException) {
        err.println("zoobench " + verb + ": " + ex.getMessage());
        err.flush();
        return EXIT_BAD_INPUT;
      }
      if (ex instanceof CommandLine.ParameterException pe) {
        err.println("zoobench " + verb + ": " + pe.getMessage());
        err.flush();
        return 2;
      }
      throw ex;
    });
    return cl;
  }

  /** The code version runs record: the project version and the build's git commit. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"zoobench " + RunLifecycle.codeVersion()};
    }
  }
}
