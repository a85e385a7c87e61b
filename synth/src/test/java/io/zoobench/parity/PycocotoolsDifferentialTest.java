package io.zoobench.parity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zoobench.coco.CocoJsonReader;
import io.zoobench.eval.CocoEvaluator;
import io.zoobench.eval.EvalParams;
import io.zoobench.eval.EvalResult;
import io.zoobench.testing.ReferenceCases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * zoobench against pycocotools 2.0.11 itself (a Python process, {@code .venv/oracle}, made by
 * the build): random cases from fixed seeds must give bit-identical stats and per-category AP,
 * or be refused by both. The oracle is required: a missing one fails the test, never skips it.
 */
class PycocotoolsDifferentialTest {
  private static final long SEED = 20261129L;
  private static final int CASES = 240;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  static PycocotoolsOracle oracle() {
    return PycocotoolsOracle.inCheckout(Path.of(System.getProperty("zoobench.home", "..")))
        .check();
  }

  @Test
  void randomCasesAreBitIdenticalToPycocotools() {
    ParityRun.Summary s = new ParityRun(oracle(), SEED, CASES, tmp).workers(2).run(line -> { });

    assertThat(s.differences()).as(s.line()).isEmpty();
    assertThat(s.cases()).isEqualTo(CASES);
    assertThat(s.identical() + s.refusedByBoth()).isEqualTo(s.evaluations());
    // the oracle really answered: most evaluations produce numbers, some are refused by both
    assertThat(s.identical()).isGreaterThan(s.evaluations() * 2 / 3);
    assertThat(s.refusedByBoth()).isPositive();
  }

  @Test
  void theCasesCoverEveryKindAndEvaluation() {
    Set<String> kinds = new HashSet<>();
    Set<String> evaluations = new HashSet<>();
    for (int i = 0; i < CASES; i++) {
      ParityCase c = ParityCaseGenerator.generate(SEED, i);
      kinds.add(c.kind());
      c.evaluations().forEach(e -> evaluations.add(e.label()));
    }
    List<String> all = new ArrayList<>();
    EnumSet.allOf(ParityCaseGenerator.Kind.class).forEach(k -> all.add(k.label()));
    assertThat(kinds).containsExactlyInAnyOrderElementsOf(all);
    assertThat(evaluations).containsExactlyInAnyOrder("bbox/auto/pycocotools",
        "segm/auto/pycocotools", "segm/mask/pycocotools", "proposal/auto/pycocotools",
        "bbox/auto/mmdet", "segm/auto/mmdet");
  }

  @Test
  void caseGenerationIsDeterministic() {
    for (int i = 0; i < 20; i++) {
      assertThat(ParityCaseGenerator.generate(SEED, i))
          .isEqualTo(ParityCaseGenerator.generate(SEED, i));
    }
    assertThat(ParityCaseGenerator.generate(SEED, 0).dtJson())
        .isNotEqualTo(ParityCaseGenerator.generate(SEED + 1, 0).dtJson());
  }

  /**
   * The 300-image reference case with its results stripped of boxes (pycocotools' segm branch:
   * areas and boxes from the masks) in box evaluation, and of masks (bbox branch: masks are the
   * boxes' rectangles) in mask evaluation: the numbers must equal pycocotools' to the last bit.
   */
  @Test
  void maskOnlyAndBoxOnlyResultsOfAReferenceCaseAreCompletedAsLoadResDoes() throws Exception {
    Path dir = ReferenceCases.root().resolve("17_medium_seed1");
    ArrayNode results;
    try (var in = new GZIPInputStream(Files.newInputStream(dir.resolve("dt.json.gz")))) {
      results = (ArrayNode) JSON.readTree(in);
    }
    ArrayNode maskOnly = JSON.createArrayNode();
    ArrayNode boxOnly = JSON.createArrayNode();
    for (var r : results) {
      maskOnly.add(((ObjectNode) r.deepCopy()).without("bbox"));
      boxOnly.add(((ObjectNode) r.deepCopy()).without("segmentation"));
    }
    Path masks = tmp.resolve("mask-only.json");
    Path boxes = tmp.resolve("box-only.json");
    JSON.writeValue(masks.toFile(), maskOnly);
    JSON.writeValue(boxes.toFile(), boxOnly);

    // the two completions (the other two evaluations read what the files hold)
    List<PycocotoolsOracle.Job> jobs = List.of(
        new PycocotoolsOracle.Job("mask-only/bbox", dir.resolve("gt.json"), masks,
            new ParityCase.Evaluation("bbox", "auto", "pycocotools")),
        new PycocotoolsOracle.Job("box-only/segm", dir.resolve("gt.json"), boxes,
            new ParityCase.Evaluation("segm", "auto", "pycocotools")));
    List<PycocotoolsOracle.Answer> answers = oracle().run(jobs, tmp.resolve("oracle"));
    for (int j = 0; j < jobs.size(); j++) {
      PycocotoolsOracle.Job job = jobs.get(j);
      assertThat(answers.get(j).error()).as(job.id()).isNull();
      ParityRun.Outcome ours = ParityRun.zoobench(job.gt(), job.dt(), job.evaluation().params());
      assertThat(ParityRun.compare(answers.get(j), ours)).as(job.id()).isNull();
      assertThat(ours.result().stats()[0]).as(job.id()).isGreaterThan(0.05);
    }
    // box-only results in mask evaluation: one warning line says the masks are rectangles
    EvalResult r = new CocoEvaluator(EvalParams.of(EvalParams.IouType.SEGM), 2).evaluate(
        CocoJsonReader.readDataset(dir.resolve("gt.json")),
        CocoJsonReader.readResults(boxes, true));
    assertThat(r.warnings()).filteredOn(w -> w.contains("rectangles of their boxes"))
        .singleElement().asString().startsWith("30000 of 30000 results of box-only.json");
  }
}
