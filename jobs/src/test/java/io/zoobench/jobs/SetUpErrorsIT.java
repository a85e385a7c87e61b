package io.zoobench.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.zoobench.testing.ReferenceCases;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A bad set-up stops a Spark verb in its own JVM (as a user runs it, nothing shared) with one
 * line on the terminal naming what is wrong, exit status 1, and nothing written to the
 * warehouse: inputs that do not exist, a warehouse that is a file, a master that does not parse
 * or does not answer, a setting that is not a number, a model that is not TorchScript.
 */
class SetUpErrorsIT {
  @TempDir static Path tmp;
  static Path gt;
  static Path dt;
  static Path notAModel;
  static int closedPort;

  @BeforeAll
  static void files() throws IOException {
    ReferenceCases.Mode m = ReferenceCases.all()
        .filter(x -> x.caseName().startsWith("03_") && x.mode().equals("bbox"))
        .findFirst().orElseThrow();
    gt = m.gt();
    dt = m.dt();
    Files.writeString(tmp.resolve("a-file"), "not a folder");
    // a zoo manifest whose model file is a text file
    Path root = Path.of("..").toAbsolutePath().normalize();
    String manifest = Files.readString(root.resolve("conf/zoo/demo.yaml"));
    Files.writeString(tmp.resolve("model.pt"), "print('not TorchScript')\n");
    notAModel = tmp.resolve("demo.yaml");
    Files.writeString(notAModel, manifest.replaceAll("(?m)^(\\s*artifact:).*$",
        "$1 " + tmp.resolve("model.pt")));
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
  }

  static List<String> importArgs(String warehouse, String... extra) {
    List<String> a = new ArrayList<>(List.of("import", "--annotations", gt.toString(),
        "--results", dt.toString(), "--iou", "bbox", "--warehouse", warehouse));
    a.addAll(List.of(extra));
    return a;
  }

  static Stream<Arguments> cases() {
    String w = tmp.resolve("warehouse").toString();
    Path root = Path.of("..").toAbsolutePath().normalize();
    String images = root.resolve("fixtures/shapes-val/images").toString();
    String annotations = root.resolve("fixtures/shapes-val/instances.json").toString();
    return Stream.of(
        Arguments.of("results missing", List.of("import", "--annotations", gt.toString(),
            "--results", "typo.json", "--iou", "bbox", "--warehouse", w),
            "--results typo.json: no such file"),
        Arguments.of("annotations missing", List.of("import", "--annotations",
            "nowhere/gt.json", "--results", dt.toString(), "--iou", "bbox", "--warehouse", w),
            "--annotations nowhere/gt.json: no such file"),
        Arguments.of("warehouse is a file", importArgs(tmp.resolve("a-file").toString()),
            "is a file, not a folder"),
        Arguments.of("warehouse under a file",
            importArgs(tmp.resolve("a-file").resolve("w").toString()), "a-file is a file"),
        Arguments.of("master does not parse", importArgs(w, "--master", "bogus://x"),
            "Spark did not start: Could not parse Master URL: 'bogus://x'"),
        Arguments.of("master does not answer",
            importArgs(w, "--master", "spark://127.0.0.1:" + closedPort),
            "no Spark master answers"),
        Arguments.of("zoobench setting not a number",
            importArgs(w, "--conf", "spark.zoobench.import.maxTaskBytes=lots"),
            "--conf spark.zoobench.import.maxTaskBytes=lots: not a whole number"),
        Arguments.of("Spark setting not a size",
            importArgs(w, "--conf", "spark.executor.memory=lots"),
            "Spark did not start: Size must be specified"),
        Arguments.of("images missing", List.of("evaluate", "--annotations", annotations,
            "--images", "no/images", "--model",
            root.resolve("conf/zoo/demo.yaml") + "#shapes-maskrcnn-tiny",
            "--warehouse", w), "--images no/images: no such file"),
        Arguments.of("model not TorchScript", List.of("evaluate", "--annotations",
            annotations, "--images", images, "--model", notAModel + "#shapes-maskrcnn-tiny",
            "--warehouse", w), "not a TorchScript file"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void oneLineAndNothingWritten(String name, List<String> args, String message)
      throws Exception {
    CliProcess.Result r = CliProcess.run(tmp.resolve(name.replace(' ', '-') + ".log"),
        args.toArray(String[]::new));
    assertThat(r.exit()).as("%s", r).isEqualTo(1);
    List<String> lines = r.output().lines().filter(l -> !l.isBlank()).toList();
    assertThat(lines).as("%s", r).hasSize(1);
    assertThat(lines.get(0)).startsWith("zoobench " + args.get(0) + ": ").contains(message);
    assertThat(tmp.resolve("warehouse")).doesNotExist();
  }

  @Test
  void aBadRecordFoundByATaskIsOneLineToo() throws Exception {
    // found on an executor after Spark started: the run is recorded as failed, and the terminal
    // gets the record's one line (Spark's task failures and traces go to the log)
    String text = Files.readString(dt);
    int last = text.lastIndexOf("\"score\"");
    Path bad = tmp.resolve("bad.json");
    Files.writeString(bad, text.substring(0, last) + text.substring(last)
        .replaceFirst("\"score\"\\s*:\\s*[0-9.eE+-]+", "\"score\": \"high\""));
    Path w = tmp.resolve("bad-record-warehouse");
    CliProcess.Result r = CliProcess.run(tmp.resolve("bad-record.log"), "import",
        "--annotations", gt.toString(), "--results", bad.toString(), "--iou", "bbox",
        "--warehouse", w.toString(), "--run-id", "bad");
    assertThat(r.exit()).as("%s", r).isEqualTo(1);
    List<String> lines = r.output().lines()
        .filter(l -> !l.isBlank() && !l.startsWith("annotations: ") && !l.startsWith("["))
        .toList();
    assertThat(lines).as("%s", r).singleElement().asString()
        .startsWith("zoobench import: bad.json: results[").contains("score");
  }
}
