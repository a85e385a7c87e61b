package io.zoobench.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.zoobench.detect.ProposalBoxes;
import io.zoobench.jobs.spark.LocalSpark;
import io.zoobench.jobs.spark.ProposalRuns;
import io.zoobench.jobs.tables.Warehouse;
import io.zoobench.zoo.ModelSpec;
import io.zoobench.zoo.ZooManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a Fast R-CNN's proposals come from ({@link ProposalRuns#resolve}: the latest succeeded
 * run of a model, a named run, the command's choice over the manifest's, one line for each
 * unusable source) and which boxes it gets ({@link ProposalRuns#load}: per image the first
 * {@code top_k} in the proposal run's order, not the best scores, as MMDetection's
 * {@code LoadProposals}), over proposal runs imported from results files written here.
 */
class ProposalRunsTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final String GT = ROOT.resolve("fixtures/shapes-val/instances.json").toString();

  @TempDir static Path tmp;
  static Warehouse warehouse;

  /** Image 1's proposals in file order: scores not sorted, so order and score rank differ. */
  static final String OLD_RUN = "[{\"image_id\":1,\"category_id\":1,\"bbox\":[0,0,10,10],"
      + "\"score\":0.9}]";
  static final String LATEST_RUN = "["
      + "{\"image_id\":1,\"category_id\":1,\"bbox\":[10,20,30,40],\"score\":0.2},"
      + "{\"image_id\":2,\"category_id\":1,\"bbox\":[1.5,2.5,3,4],\"score\":0.7},"
      + "{\"image_id\":1,\"category_id\":1,\"bbox\":[5,6,7,8],\"score\":0.9},"
      + "{\"image_id\":1,\"category_id\":1,\"bbox\":[100,100,50,50],\"score\":0.95}]";
  static final String DETECTIONS = "[{\"image_id\":1,\"category_id\":2,\"bbox\":[10,20,30,40],"
      + "\"score\":0.8}]";

  @BeforeAll
  static void importRuns() throws Exception {
    Path w = tmp.resolve("warehouse");
    importRun(w, "rpn-old", "my-rpn", OLD_RUN, "proposal");
    importRun(w, "rpn-latest", "my-rpn", LATEST_RUN, "proposal");
    importRun(w, "det", "a-detector", DETECTIONS, "bbox");
    warehouse = Warehouse.open(LocalSpark.get(), w.toString());
  }

  static void importRun(Path warehouse, String runId, String model, String json, String iou)
      throws Exception {
    Path results = Files.writeString(tmp.resolve(runId + ".json"), json);
    Cli.Result r = Cli.run("import", "--annotations", GT, "--results", results.toString(),
        "--iou", iou, "--warehouse", warehouse.toString(), "--run-id", runId, "--model", model);
    assertThat(r.exit()).as("%s", r).isZero();
  }

  /** A Fast R-CNN entry whose proposals: block is {@code proposals}. */
  static ModelSpec fastRcnn(String proposals) throws Exception {
    Path yaml = Files.writeString(Files.createTempFile(tmp, "zoo", ".yaml"), String.join("\n",
        "models:", "  - name: fast", "    arch: Fast R-CNN", "    backbone: b",
        "    artifact: f.pt", "    output: torchvision", "    labels: {1: 1}",
        "    input: {resize: none, normalized_by_model: true}",
        "    proposals: " + proposals, ""));
    return ZooManifest.read(yaml).models().get(0);
  }

  @Test
  void theLatestSucceededRunOfTheModelGivesTheFirstTopKOfEachImageInItsOrder()
      throws Exception {
    ProposalRuns.Source s = ProposalRuns.resolve(warehouse,
        fastRcnn("{from_model: my-rpn, top_k: 2}"), null, null);

    assertThat(s.problem()).isNull();
    assertThat(s.runId()).isEqualTo("rpn-latest");
    assertThat(s.attemptId()).isNotBlank();
    assertThat(s.topK()).isEqualTo(2);
    ProposalBoxes boxes = ProposalRuns.load(warehouse, s);
    assertThat(boxes.images()).isEqualTo(2);
    assertThat(boxes.count()).isEqualTo(3);
    // file order, x1 y1 x2 y2: the 0.95 box, third of image 1, is past the cut
    assertThat(boxes.of(1)).containsExactly(10f, 20f, 40f, 60f, 5f, 6f, 12f, 14f);
    assertThat(boxes.of(2)).containsExactly(1.5f, 2.5f, 4.5f, 6.5f);
    assertThat(boxes.of(3)).isEmpty();
  }

  @Test
  void aNamedRunAndTheCommandsChoiceWinOverTheManifest() throws Exception {
    ModelSpec m = fastRcnn("{from_model: my-rpn, top_k: 5}");

    assertThat(ProposalRuns.resolve(warehouse, m, "rpn-old", null).runId())
        .isEqualTo("rpn-old");
    assertThat(ProposalRuns.resolve(warehouse, fastRcnn("{run_id: rpn-old}"), null, null)
        .runId()).isEqualTo("rpn-old");
    assertThat(ProposalRuns.resolve(warehouse, fastRcnn("{run_id: rpn-old}"), null, "my-rpn")
        .runId()).isEqualTo("rpn-latest");
    ProposalBoxes old = ProposalRuns.load(warehouse,
        ProposalRuns.resolve(warehouse, m, "rpn-old", null));
    assertThat(old.of(1)).containsExactly(0f, 0f, 10f, 10f);
    assertThat(ProposalRuns.resolve(warehouse, fastRcnn("{from_model: my-rpn}"), null, null)
        .topK()).isEqualTo(1000);
  }

  @Test
  void anUnusableSourceIsOneLineNamingIt() throws Exception {
    assertThat(ProposalRuns.resolve(warehouse, fastRcnn("{from_model: nobody}"), null, null)
        .problem()).isEqualTo("model fast takes precomputed proposals: model nobody has no"
            + " succeeded run in the warehouse (run it first; zoo run runs it before the models"
            + " reading it)");
    assertThat(ProposalRuns.resolve(warehouse, fastRcnn("{run_id: nope}"), null, null)
        .problem()).isEqualTo("model fast takes precomputed proposals: no run nope in the"
            + " warehouse");
    assertThat(ProposalRuns.resolve(warehouse, fastRcnn("{run_id: det}"), null, null)
        .problem()).isEqualTo("model fast takes precomputed proposals: run det of model"
            + " a-detector evaluated bbox, not proposals (name a proposal network's run)");
    assertThat(ProposalRuns.resolve(warehouse, fastRcnn("{top_k: 3}"), null, null).problem())
        .startsWith("model fast takes precomputed proposals: name their run (--proposals-run");
    assertThat(ProposalRuns.resolve(warehouse, ZooManifest.read(ROOT.resolve(
        "conf/zoo/demo.yaml")).models().get(0), null, null)).isNull();
  }
}
