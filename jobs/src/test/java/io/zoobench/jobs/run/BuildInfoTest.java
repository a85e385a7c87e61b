package io.zoobench.jobs.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The code version runs record: the build's git commit as git itself reports it, "dirty" with
 * uncommitted changes, the right commit in a linked work tree, and "unknown" (never a failed
 * build) without git.
 */
class BuildInfoTest {
  @TempDir Path tmp;

  @Test
  void codeVersionIsTheCommitOfTheBuild() {
    assumeTrue(Git.homeIsAWorkTree(), "the tests run outside a git work tree (a tarball)");
    assertThat(RunLifecycle.codeVersion())
        .isEqualTo(Git.expectedCodeVersion(Git.projectVersion()))
        .matches("\\Q" + Git.projectVersion() + "\\E\\+g[0-9a-f]{7,}(\\.dirty)?");
  }

  @Test
  void codeVersionFormats() {
    assertThat(new BuildInfo("1.0", "1a2b3c4", "false").codeVersion())
        .isEqualTo("1.0+g1a2b3c4");
    assertThat(new BuildInfo("1.0", "1a2b3c4", "true").codeVersion())
        .isEqualTo("1.0+g1a2b3c4.dirty");
    // a state git could not tell is not claimed clean
    assertThat(new BuildInfo("1.0", "1a2b3c4", "unknown").codeVersion())
        .isEqualTo("1.0+g1a2b3c4.dirty");
    assertThat(new BuildInfo("1.0", "unknown", "unknown").codeVersion())
        .isEqualTo("1.0+unknown");
  }

  /** Runs tools/build-info.sh on {@code root}; its exit status must be 0. */
  private Properties script(Path root) throws Exception {
    Path out = tmp.resolve("out-" + System.nanoTime() + "/build-info.properties");
    Process p = new ProcessBuilder(List.of("bash",
        Git.home().resolve("tools/build-info.sh").toString(), root.toString(), out.toString(),
        "9.9.9")).redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(log).isZero();
    Properties props = new Properties();
    try (InputStream in = Files.newInputStream(out)) {
      props.load(in);
    }
    assertThat(props.getProperty("version")).isEqualTo("9.9.9");
    return props;
  }

  private static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }

  @Test
  void withoutGitTheCommitIsUnknownAndTheBuildGoesOn() throws Exception {
    Path tarball = tmp.resolve("zoobench-src");
    write(tarball.resolve("pom.xml"), "<project/>");
    Properties p = script(tarball);
    assertThat(p.getProperty("commit")).isEqualTo("unknown");
    assertThat(p.getProperty("dirty")).isEqualTo("unknown");

    // unpacked inside another repository: that repository's commit is not the build's
    assumeTrue(gitRuns());
    Path outer = tmp.resolve("outer");
    write(outer.resolve("README"), "x");
    Git.run(outer, "init", "-q");
    Git.run(outer, "add", "README");
    Git.run(outer, "commit", "-q", "-m", "outer");
    Path inner = outer.resolve("vendor/zoobench-src");
    write(inner.resolve("pom.xml"), "<project/>");
    assertThat(script(inner).getProperty("commit")).isEqualTo("unknown");
  }

  @Test
  void commitAndDirtyStateAsGitSaysThem() throws Exception {
    assumeTrue(gitRuns());
    Path repo = tmp.resolve("repo");
    write(repo.resolve("a.txt"), "a");
    Git.run(repo, "init", "-q");
    Git.run(repo, "add", "a.txt");
    Git.run(repo, "commit", "-q", "-m", "one");
    String head = Git.run(repo, "rev-parse", "--short", "HEAD");
    Properties clean = script(repo);
    assertThat(clean.getProperty("commit")).isEqualTo(head);
    assertThat(clean.getProperty("dirty")).isEqualTo("false");

    write(repo.resolve("a.txt"), "changed");
    assertThat(script(repo).getProperty("dirty")).isEqualTo("true");
    Git.run(repo, "checkout", "-q", "--", "a.txt");
    write(repo.resolve("New.java"), "class New {}");
    assertThat(script(repo).getProperty("dirty")).as("an untracked file").isEqualTo("true");
    Files.delete(repo.resolve("New.java"));

    // a linked work tree on another commit reports its own commit, not the main one's
    Path linked = tmp.resolve("linked");
    Git.run(repo, "worktree", "add", "-q", "-b", "other", linked.toString());
    write(linked.resolve("b.txt"), "b");
    Git.run(linked, "add", "b.txt");
    Git.run(linked, "commit", "-q", "-m", "two");
    String linkedHead = Git.run(linked, "rev-parse", "--short", "HEAD");
    assertThat(linkedHead).isNotEqualTo(head);
    Properties p = script(linked);
    assertThat(p.getProperty("commit")).isEqualTo(linkedHead);
    assertThat(p.getProperty("dirty")).isEqualTo("false");
    assertThat(script(repo).getProperty("commit")).isEqualTo(head);
  }

  private static boolean gitRuns() {
    try {
      return new ProcessBuilder("git", "--version").start().waitFor() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }
}
