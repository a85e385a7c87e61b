package io.zoobench.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zoobench.testing.ReferenceCases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code zoobench eval}: the CLI contract, checked on every pycocotools reference case. */
class EvalCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  static Cli.Result run(String... args) {
    return Cli.run(args);
  }

  static Stream<ReferenceCases.Mode> modes() {
    return ReferenceCases.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("modes")
  void cliReproducesPycocotools(ReferenceCases.Mode m) throws Exception {
    Path json = tmp.resolve("out.json");
    List<String> args = new ArrayList<>(List.of("eval", "--gt", m.gt().toString(),
        "--dt", m.dt().toString(), "--json", json.toString(), "--per-category", "-q"));
    args.addAll(m.cliFlags());
    Cli.Result r = run(args.toArray(String[]::new));
    if (m.isError()) {
      assertThat(r.exit()).isEqualTo(Zoobench.EXIT_BAD_INPUT);
      assertThat(r.err().strip()).doesNotContain("\n").doesNotContain("Exception")
          .contains("results[").contains(m.dt().getFileName().toString());
      return;
    }
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode doc = JSON.readTree(json.toFile());
    double[] expected = m.stats();
    for (int i = 0; i < 12; i++) {
      assertThat(doc.get("stats").get(i).asDouble()).as("%s stats[%d]", m, i)
          .isCloseTo(expected[i], within(1e-12));
    }
    assertThat(doc.get("iou").asText()).isEqualTo(m.mode().equals("proposal") ? "proposal"
        : m.expected().get("iouType").asText());
    assertThat(doc.get("stat_names")).isEqualTo(m.expected().get("stat_names"));
    JsonNode perCat = m.expected().get("per_category");
    if (perCat != null && !m.mode().equals("proposal")) {
      assertThat(doc.get("per_category")).hasSize(perCat.size());
      for (int k = 0; k < perCat.size(); k++) {
        JsonNode e = perCat.get(k);
        JsonNode a = doc.get("per_category").get(k);
        assertThat(a.get("id").asLong()).isEqualTo(e.get("id").asLong());
        assertThat(a.get("name").asText()).isEqualTo(e.get("name").asText());
        if (e.get("AP").isNull()) {
          assertThat(a.get("AP").isNull()).isTrue();
        } else {
          assertThat(a.get("AP").asDouble()).isCloseTo(e.get("AP").asDouble(), within(1e-12));
        }
      }
    }
    // stdout: the 12 summarize() lines, then the per-category table
    List<String> lines = r.out().lines().toList();
    assertThat(lines.get(0)).startsWith(" Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = ");
    assertThat(lines.get(0)).endsWith(String.format(java.util.Locale.ROOT, "%.3f", expected[0]));
    assertThat(lines.get(6)).startsWith(" Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=");
  }

  @Test
  void jsonToStdoutKeepsStdoutParseable() throws Exception {
    ReferenceCases.Mode m = ReferenceCases.all()
        .filter(x -> x.caseName().startsWith("01") && x.mode().equals("bbox")).findFirst().orElseThrow();
    Cli.Result r = run("eval", "--gt", m.gt().toString(), "--dt", m.dt().toString(), "--iou", "bbox",
        "--json", "-");
    assertThat(r.exit()).isZero();
    JsonNode doc = JSON.readTree(r.out());
    assertThat(doc.get("stats")).hasSize(12);
    assertThat(r.err()).contains("Average Precision");
  }

  @Test
  void emptyResultsAreNotAnError() throws Exception {
    ReferenceCases.Mode m = ReferenceCases.all()
        .filter(x -> x.caseName().startsWith("02") && x.mode().equals("bbox")).findFirst().orElseThrow();
    Cli.Result r = run("eval", "--gt", m.gt().toString(), "--dt", m.dt().toString(), "--iou", "bbox", "-q");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out().lines().count()).isEqualTo(12);
  }

  @Test
  void missingFileIsOneLineError() {
    Cli.Result r = run("eval", "--gt", tmp.resolve("nope.json").toString(), "--dt",
        tmp.resolve("dt.json").toString(), "--iou", "bbox");
    assertThat(r.exit()).isEqualTo(Zoobench.EXIT_BAD_INPUT);
    assertThat(r.err().strip()).contains("nope.json").contains("no such file")
        .doesNotContain("\n").doesNotContain("at io.");
  }

  @Test
  void badIouIsUsageError() {
    Cli.Result r = run("eval", "--gt", "a.json", "--dt", "b.json", "--iou", "keypoints");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--iou");
  }

  @Test
  void corruptResultNamesRecord() throws Exception {
    ReferenceCases.Mode m = ReferenceCases.all()
        .filter(x -> x.caseName().startsWith("01") && x.mode().equals("bbox")).findFirst().orElseThrow();
    Path dt = tmp.resolve("bad.json");
    Files.writeString(dt, "[{\"image_id\": 1, \"category_id\": 1, \"bbox\": [1, 2, 3], \"score\": 0.5}]");
    Cli.Result r = run("eval", "--gt", m.gt().toString(), "--dt", dt.toString(), "--iou", "bbox");
    assertThat(r.exit()).isEqualTo(Zoobench.EXIT_BAD_INPUT);
    assertThat(r.err().strip()).isEqualTo(
        "zoobench eval: bad.json: results[0] (image_id 1): bbox has 3 numbers, expected 4");
  }
}
