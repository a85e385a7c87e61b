package io.zoobench.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.zoobench.jobs.spark.LocalSpark;
import io.zoobench.testing.ReferenceCases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Odd inputs that a sweep of 229 bad inputs found ending in "internal error" or accepted, each
 * refused with its own one-line message and the usual exit status (1 for bad input, 2 for a
 * usage error, whose one line is followed by a {@code --help} hint instead of the whole usage);
 * none prints a stack trace or an exception's name.
 */
class BadInputTableTest {
  @org.junit.jupiter.api.io.TempDir static Path tmp;
  static ReferenceCases.Mode boxes;
  static Path aFile;
  static Path badManifest;

  @BeforeAll
  static void inputs() throws Exception {
    LocalSpark.get();
    boxes = ImportCommandTest.mode("08_", "bbox");
    aFile = Files.writeString(tmp.resolve("a-file.txt"), "not a folder");
    badManifest = Files.writeString(tmp.resolve("extra.yaml"), """
        version: 2
        models:
          - name: m
            arch: RPN
            backbone: r50
            artifact: m.pt
            output: proposals
            input: {resize: none, normalized_by_model: true}
        """);
    // a warehouse for sql, export and maintenance to refuse things on
    Cli.Result made = Cli.run(importWith("--run-id", "made"));
    assertThat(made.exit()).as("%s", made).isZero();
  }

  private static String[] importWith(String... more) {
    List<String> args = new ArrayList<>(List.of("import", "--annotations",
        boxes.gt().toString(), "--results", boxes.dt().toString(), "--iou", "bbox",
        "--warehouse", tmp.resolve("warehouse").toString()));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  private static String[] evalWith(String... more) {
    List<String> args = new ArrayList<>(List.of("eval", "--gt", boxes.gt().toString(), "--dt",
        boxes.dt().toString(), "--iou", "bbox", "-q"));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  static Stream<Arguments> badInputs() {
    return Stream.of(
        arguments("eval --threads 0", evalWith("--threads", "0"), 2,
            "zoobench eval: --threads must be 1 or more, got 0"),
        arguments("eval --threads -5", evalWith("--threads", "-5"), 2,
            "zoobench eval: --threads must be 1 or more, got -5"),
        arguments("eval --json in a missing folder",
            evalWith("--json", tmp.resolve("missing/out.json").toString()), 1,
            "zoobench eval: --json " + tmp.resolve("missing/out.json") + ": no such folder"),
        arguments("eval --json onto a folder", evalWith("--json", tmp.toString()), 1,
            "zoobench eval: --json " + tmp + ": is a folder, expected a file"),
        arguments("export --out under a file", new String[] {"export", "--warehouse",
            tmp.resolve("warehouse").toString(), "--out", aFile.resolve("x").toString()}, 1,
            "zoobench export: --out " + aFile.resolve("x") + ": cannot be made ("),
        arguments("synth --out onto a file", new String[] {"synth", "--images", "2", "--out",
            aFile.toString()}, 1,
            "zoobench synth: --out " + aFile + ": is a file, expected a folder"),
        arguments("maintenance --older-than a trillion days", new String[] {"maintenance",
            "--warehouse", tmp.resolve("warehouse").toString(), "--older-than",
            "999999999999d"}, 2, "zoobench maintenance: --older-than must be at most 36500d"),
        arguments("spark.sql.shuffle.partitions=-3", importWith("--conf",
            "spark.sql.shuffle.partitions=-3"), 1,
            "zoobench import: --conf spark.sql.shuffle.partitions=-3: "),
        arguments("import --model ''", importWith("--model", ""), 2,
            "zoobench import: --model is empty"),
        arguments("import --model with a newline", importWith("--model", "a\nb"), 2,
            "zoobench import: --model holds a control character"),
        arguments("maxTaskBytes=-1", importWith("--conf",
            "spark.zoobench.import.maxTaskBytes=-1"), 1,
            "zoobench import: --conf spark.zoobench.import.maxTaskBytes=-1: expected at least 1"),
        arguments("minSplitBytes=0", importWith("--conf",
            "spark.zoobench.import.minSplitBytes=0"), 1,
            "zoobench import: --conf spark.zoobench.import.minSplitBytes=0: expected at least 1"),
        arguments("staleSeconds=0", importWith("--conf", "spark.zoobench.lock.staleSeconds=0"),
            1, "zoobench import: --conf spark.zoobench.lock.staleSeconds=0: expected 4 to 86400"),
        arguments("staleSeconds=3", importWith("--conf", "spark.zoobench.lock.staleSeconds=3"),
            1, "zoobench import: --conf spark.zoobench.lock.staleSeconds=3: expected 4 to 86400"),
        arguments("staleSeconds=86401", importWith("--conf",
            "spark.zoobench.lock.staleSeconds=86401"), 1,
            "zoobench import: --conf spark.zoobench.lock.staleSeconds=86401: expected 4 to"),
        arguments("staleSeconds=abc", importWith("--conf",
            "spark.zoobench.lock.staleSeconds=abc"), 1,
            "zoobench import: --conf spark.zoobench.lock.staleSeconds=abc: not a whole number"),
        arguments("--iou bbox,proposal", replaceIou(importWith(), "bbox,proposal"), 2,
            "zoobench import: --iou proposal is evaluated alone"),
        arguments("a run id with a space, before Spark", importWith("--run-id", "a b"), 1,
            "zoobench import: run id 'a b': use letters, digits and . _ : -"),
        arguments("an unknown top-level manifest key", new String[] {"zoo", "list",
            "--manifest", badManifest.toString()}, 1,
            "zoobench zoo list: extra.yaml: version is not a known top-level field"),
        arguments("sql --as-of the year 99999", new String[] {"sql", "--warehouse",
            tmp.resolve("warehouse").toString(), "--as-of", "99999-01-01 00:00:00",
            "SELECT * FROM runs"}, 1, "zoobench sql: --as-of 99999-01-01 00:00:00: "));
  }

  private static String[] replaceIou(String[] args, String iou) {
    String[] out = args.clone();
    for (int i = 0; i < out.length - 1; i++) {
      if (out[i].equals("--iou")) {
        out[i + 1] = iou;
      }
    }
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badInputs")
  void isRefusedInOneLine(String what, String[] args, int exit, String message) {
    Cli.Result r = Cli.run(args);

    assertThat(r.exit()).as("%s", r).isEqualTo(exit);
    List<String> lines = r.err().strip().lines().toList();
    assertThat(lines.get(0)).as("%s", r).startsWith(message);
    assertThat(lines).as("one line, then for a usage error the --help hint").hasSize(
        exit == 2 ? 2 : 1);
    if (exit == 2) {
      assertThat(lines.get(1)).startsWith("Try 'zoobench ").endsWith(" --help' for more"
          + " information.");
    }
    assertThat(r.err()).doesNotContain("internal error").doesNotContain("Exception")
        .doesNotContain("\tat ");
  }
}
