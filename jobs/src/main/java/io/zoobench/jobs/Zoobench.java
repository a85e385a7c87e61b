package io.zoobench.jobs;

import io.zoobench.bench.BenchCommand;
import io.zoobench.bench.SynthCommand;
import io.zoobench.coco.InvalidInputException;
import io.zoobench.coco.Redaction;
import io.zoobench.jobs.run.RunLifecycle;
import io.zoobench.jobs.tables.TableRepair;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code zoobench} command line: one verb per job. Verbs that need no Spark ({@code eval},
 * {@code synth}, {@code bench}, {@code zoo list}) never start it. Bad input ends with a one-line
 * message naming the file and record, and exit status 1; a usage error exits with 2. No
 * argument's credentials ({@code s3a://KEY:SECRET@bucket/x}) are ever printed: such an argument
 * is refused before any verb runs, and every message quoting arguments goes through
 * {@link Redaction}.
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
        ReportCommand.class, SynthCommand.class, BenchCommand.class, ZooCommand.class,
        GateCommand.class, CommandLine.HelpCommand.class})
public final class Zoobench implements Runnable {
  /** Exit status for input zoobench refuses (bad file, bad record). */
  public static final int EXIT_BAD_INPUT = 1;

  /**
   * A verb whose exit status 1 is a verdict ({@code gate}: a metric dropped), so its bad input
   * and missing data exit with 2, the usage-error status, instead of {@link #EXIT_BAD_INPUT}.
   */
  interface VerdictVerb {}

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
    cl.setExecutionStrategy(Zoobench::refuseCredentialsThenRun);
    cl.setParameterExceptionHandler(Zoobench::usageError);
    cl.setExecutionExceptionHandler((ex, line, parsed) -> {
      PrintWriter err = line.getErr();
      // "zoobench eval", "zoobench zoo list": a verb's verb is named with its parent
      String verb = line.getCommandSpec().qualifiedName(" ");
      List<String> args = parsed == null ? List.of() : parsed.originalArgs();
      if (ex instanceof InvalidInputException) {
        err.println(verb + ": " + Redaction.text(ex.getMessage(), values(args)));
        err.flush();
        return line.getCommandSpec().userObject() instanceof VerdictVerb ? 2 : EXIT_BAD_INPUT;
      }
      if (ex instanceof CommandLine.ParameterException pe) {
        err.println(verb + ": " + Redaction.text(pe.getMessage(), values(args)));
        err.flush();
        return 2;
      }
      String damaged = TableRepair.describeMissingFile(ex, option(args, "--warehouse"));
      if (damaged != null) {
        org.slf4j.LoggerFactory.getLogger(Zoobench.class).error("{} failed on a damaged"
            + " table", verb, ex);
        err.println(verb + ": " + Redaction.text(damaged, values(args)));
        err.flush();
        return EXIT_BAD_INPUT;
      }
      // a bug, not bad input: one line here, the stack trace (without user info) in the log
      StringWriter trace = new StringWriter();
      ex.printStackTrace(new PrintWriter(trace));
      org.slf4j.LoggerFactory.getLogger(Zoobench.class).error("{} failed: {}", verb,
          Redaction.text(trace.toString(), values(args)));
      String first = String.valueOf(ex.getMessage()).lines().findFirst().orElse("");
      err.println(verb + ": internal error: " + ex.getClass().getSimpleName()
          + ": " + Redaction.text(first, values(args)) + " (please report it with"
          + " logs/zoobench.log)");
      err.flush();
      return line.getCommandSpec().exitCodeOnExecutionException();
    });
    return cl;
  }

  /**
   * Refuses, in one line and before any verb runs, every argument with credentials in it: a
   * verb prints, logs and stores its paths, and hands them to Hadoop, which logs them too. One
   * rule for every option and parameter of every verb, so a new path option is covered.
   */
  private static int refuseCredentialsThenRun(CommandLine.ParseResult parsed) {
    for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
      for (CommandLine.Model.ArgSpec arg : p.matchedArgs()) {
        String name = arg instanceof CommandLine.Model.OptionSpec o ? o.longestName()
            : arg.paramLabel();
        for (String value : arg.originalStringValues()) {
          refuseCredentials(p, name, value);
        }
      }
      // arguments a verb lets through unmatched (help's)
      for (String value : p.unmatched()) {
        refuseCredentials(p, "argument", value);
      }
    }
    return new CommandLine.RunLast().execute(parsed);
  }

  private static void refuseCredentials(CommandLine.ParseResult p, String name, String value) {
    try {
      Redaction.checkNoCredentials(name, value);
    } catch (InvalidInputException e) {
      // handled by the execution exception handler: one line, exit status 1
      throw new CommandLine.ExecutionException(p.commandSpec().commandLine(), e.getMessage(), e);
    }
  }

  /**
   * A usage error (unknown option, a value of the wrong type, a typo'd verb) as picocli prints
   * it - the message, then "Did you mean" suggestions or the usage - except that no argument's
   * credentials are echoed: picocli quotes the offending argument verbatim.
   */
  /** The value given for {@code name} ({@code --name V} or {@code --name=V}), or null. */
  private static String option(List<String> args, String name) {
    for (int i = 0; i < args.size(); i++) {
      if (args.get(i).equals(name) && i + 1 < args.size()) {
        return args.get(i + 1);
      }
      if (args.get(i).startsWith(name + "=")) {
        return args.get(i).substring(name.length() + 1);
      }
    }
    return null;
  }

  private static int usageError(CommandLine.ParameterException ex, String[] args) {
    CommandLine line = ex.getCommandLine();
    List<String> values = values(Arrays.asList(args));
    PrintWriter err = line.getErr();
    err.println(line.getColorScheme().errorText(line.getCommandSpec().qualifiedName(" ")
        + ": " + Redaction.text(ex.getMessage(), values)));
    StringWriter help = new StringWriter();
    PrintWriter helpOut = new PrintWriter(help);
    // the mistake and where to look, not the whole usage (18-36 lines that bury the one line)
    CommandLine.UnmatchedArgumentException.printSuggestions(ex, helpOut);
    helpOut.println("Try '" + line.getCommandSpec().qualifiedName(" ")
        + " --help' for more information.");
    helpOut.flush();
    err.print(Redaction.text(help.toString(), values));
    err.flush();
    CommandLine.IExitCodeExceptionMapper mapper = line.getExitCodeExceptionMapper();
    return mapper != null ? mapper.getExitCode(ex)
        : line.getCommandSpec().exitCodeOnInvalidInput();
  }

  /** The arguments, and the values of {@code --option=value} ones, as messages may quote them. */
  private static List<String> values(List<String> args) {
    List<String> out = new ArrayList<>();
    for (String a : args) {
      out.add(a);
      int eq = a.indexOf('=');
      if (a.startsWith("-") && eq > 0) {
        out.add(a.substring(eq + 1));
      }
    }
    return out;
  }

  /** The code version runs record: the project version and the build's git commit. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"zoobench " + RunLifecycle.codeVersion()};
    }
  }
}
