package io.zoobench.jobs.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What git itself says about a work tree, asked apart from the build's script, so tests check
 * the recorded code version against an independent answer.
 */
public final class Git {
  private Git() {}

  /** The checkout the tests run in ({@code zoobench.home}). */
  public static Path home() {
    return Path.of(System.getProperty("zoobench.home", "..")).toAbsolutePath().normalize();
  }

  /** stdout of {@code git args...} in {@code dir}, trimmed; fails on a non-zero exit. */
  public static String run(Path dir, String... args) {
    List<String> cmd = new ArrayList<>(List.of("git", "-c", "user.name=zoobench-test",
        "-c", "user.email=test@zoobench.invalid", "-c", "commit.gpgsign=false"));
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
          .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(cmd + " in " + dir + ": " + out);
      }
      return out.trim();
    } catch (IOException e) {
      throw new IllegalStateException(cmd + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Whether git runs here and the checkout is the top of a git work tree. */
  public static boolean homeIsAWorkTree() {
    try {
      return Path.of(run(home(), "rev-parse", "--show-toplevel")).toRealPath()
          .equals(home().toRealPath());
    } catch (IllegalStateException | IOException e) {
      return false;
    }
  }

  /**
   * The code version a build of the checkout as it is now records: the project version,
   * {@code +g} and {@code git rev-parse --short HEAD}, {@code .dirty} when {@code git status
   * --porcelain} lists anything.
   */
  public static String expectedCodeVersion(String projectVersion) {
    Path home = home();
    boolean dirty = !run(home, "status", "--porcelain").isEmpty();
    return projectVersion + "+g" + run(home, "rev-parse", "--short", "HEAD")
        + (dirty ? ".dirty" : "");
  }

  /** The project version, from the parent pom of the checkout. */
  public static String projectVersion() {
    try {
      String pom = java.nio.file.Files.readString(home().resolve("pom.xml"));
      java.util.regex.Matcher m = java.util.regex.Pattern.compile(
          "<artifactId>zoobench-parent</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
      if (!m.find()) {
        throw new IllegalStateException("no version in pom.xml");
      }
      return m.group(1).trim();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
