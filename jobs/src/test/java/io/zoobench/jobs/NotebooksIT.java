package io.zoobench.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every notebook of {@code notebooks/} runs headless against a fresh fixture warehouse: the demo,
 * a zoo run of {@code conf/zoo/fixtures.yaml} on the shapes set (six families) and an import that
 * fails on bad input, exported with {@code zoobench export}; the notebooks' environment is
 * {@code tools/python/setup.sh notebooks} (offline, made once). {@code jupyter nbconvert
 * --execute} fails on any cell error, and each executed notebook must hold at least one table
 * (a DataFrame's {@code text/html}) and one figure ({@code image/png}). The executed notebooks
 * are left in {@code jobs/target/notebooks/}.
 */
class NotebooksIT {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final Path DATA = ROOT.resolve("fixtures/shapes-val");

  @TempDir Path tmp;

  @Test
  void everyNotebookRunsAgainstAFixtureWarehouseWithATableAndAFigure() throws Exception {
    Path warehouse = tmp.resolve("warehouse");
    Cli.Result demo = Cli.run("demo", "--warehouse", warehouse.toString(), "--run-id", "demo");
    assertThat(demo.exit()).as("%s", demo).isZero();
    Cli.Result zoo = Cli.run("zoo", "run", "--manifest",
        ROOT.resolve("conf/zoo/fixtures.yaml").toString(), "--annotations",
        DATA.resolve("instances.json").toString(), "--images", DATA.resolve("images").toString(),
        "--warehouse", warehouse.toString());
    assertThat(zoo.exit()).as("%s", zoo).isZero();
    Path bad = Files.writeString(tmp.resolve("bad.json"),
        "[{\"image_id\": 999999, \"category_id\": 1, \"bbox\": [0, 0, 1, 1], \"score\": 0.5}]");
    Cli.Result broken = Cli.run("import", "--annotations",
        DATA.resolve("instances.json").toString(), "--results", bad.toString(), "--iou", "bbox",
        "--warehouse", warehouse.toString(), "--run-id", "broken-results", "--model",
        "broken-results");
    assertThat(broken.exit()).as("%s", broken).isEqualTo(Zoobench.EXIT_BAD_INPUT);
    Path export = tmp.resolve("export");
    Cli.Result exported = Cli.run("export", "--warehouse", warehouse.toString(), "--out",
        export.toString());
    assertThat(exported.exit()).as("%s", exported).isZero();

    Path python = Path.of(run(List.of(ROOT.resolve("tools/python/setup.sh").toString(),
        "notebooks"), ROOT, null, 600).strip().lines().reduce((a, b) -> b).orElseThrow());
    Path jupyter = python.resolveSibling("jupyter");
    Path executed = Files.createDirectories(ROOT.resolve("jobs/target/notebooks"));
    List<Path> notebooks;
    try (Stream<Path> s = Files.list(ROOT.resolve("notebooks"))) {
      notebooks = s.filter(p -> p.toString().endsWith(".ipynb")).sorted().toList();
    }
    assertThat(notebooks).hasSize(5);
    ObjectMapper json = new ObjectMapper();
    for (Path notebook : notebooks) {
      run(List.of(jupyter.toString(), "nbconvert", "--to", "notebook", "--execute",
          "--ExecutePreprocessor.timeout=300", "--output-dir", executed.toString(),
          notebook.getFileName().toString()), notebook.getParent(), export, 600);
      JsonNode nb = json.readTree(executed.resolve(notebook.getFileName()).toFile());
      List<String> kinds = new ArrayList<>();
      for (JsonNode cell : nb.get("cells")) {
        for (JsonNode output : cell.path("outputs")) {
          kinds.add(output.get("output_type").asText());
          output.path("data").fieldNames().forEachRemaining(kinds::add);
        }
      }
      assertThat(kinds).as("%s", notebook.getFileName()).doesNotContain("error")
          .contains("text/html", "image/png");
      assertThat(nb.get("cells").get(1).get("metadata").get("tags").toString())
          .as("%s: a parameters cell first", notebook.getFileName()).contains("parameters");
    }
  }

  /** Runs a command, its output into a log; fails with the log's tail unless it exits 0. */
  static String run(List<String> command, Path dir, Path warehouse, int seconds)
      throws Exception {
    File log = Files.createTempFile("notebooks-it", ".log").toFile();
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
        .redirectErrorStream(false).redirectError(log);
    if (warehouse != null) {
      pb.environment().put("ZOOBENCH_WAREHOUSE", warehouse.toString());
      pb.environment().put("ZOOBENCH_ENGINE", "duckdb");
    }
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    boolean done = p.waitFor(seconds, TimeUnit.SECONDS);
    if (!done) {
      p.destroyForcibly();
    }
    String err = Files.readString(log.toPath());
    assertThat(done && p.exitValue() == 0)
        .as("%s in %s: %s\n%s", command, dir, done ? "exit " + p.exitValue() : "timed out",
            err.length() > 4000 ? err.substring(err.length() - 4000) : err)
        .isTrue();
    return out;
  }
}
