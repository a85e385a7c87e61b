package io.zoobench.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code conf/schedule/nightly.sh} as cron runs it, through the built launcher
 * ({@code bin/zoobench}), against the fixture zoo on {@code local[2]}: while another night holds
 * the lock it starts nothing (exit 75); the first night evaluates every fixture model as
 * {@code nightly-<date>-<model>} and the gate holds against the manifest's reference figures;
 * the same night run again evaluates nothing and the gate still passes; each night's output is
 * in its log file.
 */
class NightlyScheduleIT {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final Path DATA = ROOT.resolve("fixtures/shapes-val");
  static final String DATE = "2026-12-01";

  @TempDir Path tmp;

  record Night(int exit, String output) {
    @Override
    public String toString() {
      return "exit " + exit + "\n" + output;
    }
  }

  Night night() throws Exception {
    ProcessBuilder pb = new ProcessBuilder(ROOT.resolve("conf/schedule/nightly.sh").toString())
        .directory(tmp.toFile()).redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.put("ZOOBENCH_HOME", ROOT.toString());
    env.put("WAREHOUSE", tmp.resolve("warehouse").toString());
    env.put("MANIFEST", ROOT.resolve("conf/zoo/fixtures.yaml").toString());
    env.put("ANNOTATIONS", DATA.resolve("instances.json").toString());
    env.put("IMAGES", DATA.resolve("images").toString());
    env.put("SPARK_MASTER", "local[2]");
    env.put("REPORT_DIR", tmp.resolve("report").toString());
    env.put("LOG_DIR", tmp.resolve("logs").toString());
    env.put("NIGHTLY_DATE", DATE);
    // class-data archives would cost each verb's first run 20-30 s here, for nothing
    env.put("ZOOBENCH_CDS", "0");
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(600, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("nightly.sh did not finish: " + new String(out,
          StandardCharsets.UTF_8));
    }
    return new Night(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  @Test
  void twoNightsInARowTheSecondEvaluatesNothingAndTheGatePasses() throws Exception {
    // another night holds the lock (flock(1), as nightly.sh takes it): nothing starts. -o: the
    // lock stays with the flock process, so ending it releases the lock
    Path lock = tmp.resolve("logs/nightly.lock");
    Files.createDirectories(lock.getParent());
    Process holder = new ProcessBuilder("flock", "-o", lock.toString(), "sleep", "120").start();
    try {
      while (new ProcessBuilder("flock", "-n", lock.toString(), "true").start().waitFor() == 0) {
        Thread.sleep(50);
      }
      Night locked = night();
      assertThat(locked.exit()).as("%s", locked).isEqualTo(75);
      assertThat(locked.output()).contains("nightly.sh: another nightly run holds " + lock);
      assertThat(tmp.resolve("warehouse")).doesNotExist();
    } finally {
      holder.descendants().forEach(ProcessHandle::destroy);
      holder.destroy();
      holder.waitFor(10, TimeUnit.SECONDS);
    }

    Night first = night();
    assertThat(first.exit()).as("%s", first).isZero();
    assertThat(first.output()).contains("6 models: 6 ran, 0 skipped, 0 failed")
        .contains("nightly-" + DATE + "-shapes-rpn-tiny")
        .contains("gate against reference: 6 models, 8 held, 0 dropped")
        .contains("exit 0");
    assertReportRanOrWasSkippedWithAWarning(first);

    Night second = night();
    assertThat(second.exit()).as("%s", second).isZero();
    assertThat(second.output()).contains("6 models: 0 ran, 6 skipped, 0 failed")
        .contains("skipped, unchanged since run nightly-" + DATE + "-shapes-ssd300-tiny")
        .contains("gate against reference: 6 models, 8 held, 0 dropped");

    String log = Files.readString(tmp.resolve("logs/nightly-" + DATE + ".log"));
    assertThat(log).as("both nights of the date in its log")
        .contains("6 models: 6 ran, 0 skipped, 0 failed")
        .contains("6 models: 0 ran, 6 skipped, 0 failed");
  }

  /** Before the report verb is merged nightly.sh says it skips it; after, the report is written. */
  static void assertReportRanOrWasSkippedWithAWarning(Night n) {
    if (n.output().contains("warning: this zoobench has no 'report' verb")) {
      assertThat(n.output()).doesNotContain("report into");
    } else {
      assertThat(n.output()).contains("report into").contains("report 0;");
    }
  }
}
