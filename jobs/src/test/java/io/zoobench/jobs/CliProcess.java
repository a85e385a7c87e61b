package io.zoobench.jobs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code zoobench} in a JVM of its own (the test classpath, the launcher's JVM options), for
 * tests that kill a driver or run two processes at once.
 */
final class CliProcess {
  /** Exit status and everything the process printed. */
  record Result(int exit, String output) {
    @Override
    public String toString() {
      return "exit " + exit + "\n" + output;
    }
  }

  private CliProcess() {}

  static Process start(Path log, String... args) throws IOException {
    // C1 only, as the launcher: these short runs spend most of their time starting up
    List<String> cmd = new ArrayList<>(List.of(StandaloneClusterIT.java(), "-Xmx1g",
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
    cmd.addAll(StandaloneClusterIT.OPENS);
    cmd.add("-Dlog4j2.configurationFile=" + Path.of("..", "conf", "log4j2.properties")
        .toAbsolutePath().normalize());
    cmd.add("-Dzoobench.log.dir=" + log.getParent().resolve("logs"));
    cmd.add("-Dzoobench.home=" + Path.of("..").toAbsolutePath().normalize());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("io.zoobench.jobs.Zoobench");
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
        .start();
  }

  static Result run(Path log, String... args) throws Exception {
    Process p = start(log, args);
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("zoobench did not finish: " + Files.readString(log));
    }
    return new Result(p.exitValue(), Files.readString(log));
  }
}
