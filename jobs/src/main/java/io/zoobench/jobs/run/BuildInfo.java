package io.zoobench.jobs.run;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The provenance of the code that runs: the project version and the git commit it was built
 * from, with whether the work tree had uncommitted changes, as the build recorded them
 * ({@code tools/build-info.sh} writes {@code io/zoobench/jobs/build-info.properties} into the
 * jobs module's classes). {@link #codeVersion()} is what {@code runs.code_version} stores, e.g.
 * {@code 0.1.0-SNAPSHOT+g1a2b3c4} or {@code 0.1.0-SNAPSHOT+g1a2b3c4.dirty}; built without git
 * (a source tarball) it is {@code 0.1.0-SNAPSHOT+unknown}.
 */
public record BuildInfo(String version, String commit, String dirty) {
  /** Where the build writes the properties, on the classpath. */
  static final String RESOURCE = "/io/zoobench/jobs/build-info.properties";
  /** The commit (and dirty state) when the build could not ask git. */
  public static final String UNKNOWN = "unknown";

  private static final BuildInfo CURRENT = load();

  /** The build this code came from. */
  public static BuildInfo current() {
    return CURRENT;
  }

  /**
   * {@code <version>+g<commit>}, with {@code .dirty} unless the build saw a clean work tree (an
   * unknown state counts as dirty: only a provably clean build claims its commit alone), or
   * {@code <version>+unknown} without a commit.
   */
  public String codeVersion() {
    if (commit == null || commit.isBlank() || commit.equals(UNKNOWN)) {
      return version + "+" + UNKNOWN;
    }
    return version + "+g" + commit + ("false".equals(dirty) ? "" : ".dirty");
  }

  private static BuildInfo load() {
    try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        // classes not built by Maven (an IDE's own compiler): the jar's manifest, if any
        String v = BuildInfo.class.getPackage().getImplementationVersion();
        return new BuildInfo(v == null ? "dev" : v, UNKNOWN, UNKNOWN);
      }
      Properties p = new Properties();
      p.load(in);
      return new BuildInfo(p.getProperty("version", "dev"), p.getProperty("commit", UNKNOWN),
          p.getProperty("dirty", UNKNOWN));
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + RESOURCE, e);
    }
  }
}
