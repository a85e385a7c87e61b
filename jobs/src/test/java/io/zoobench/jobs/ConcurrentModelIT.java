package io.zoobench.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.zoobench.jobs.spark.LocalSpark;
import io.zoobench.jobs.tables.Tables;
import io.zoobench.jobs.tables.Warehouse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many tasks of one executor at once never share a model instance: three {@code evaluate} runs
 * of the tiny Mask R-CNN (a scripted torchvision detector, whose forward pass writes its own
 * anchor cache) at {@code local[8]} with one shard per image, each in a JVM of its own, all
 * succeed with the same predictions, row for row, as a run at {@code local[2]} with two
 * shards.
 */
class ConcurrentModelIT {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final Path DATA = ROOT.resolve("fixtures/shapes-val");
  static final String MODEL = ROOT.resolve("conf/zoo/demo.yaml") + "#shapes-maskrcnn-tiny";

  @TempDir Path tmp;

  private CliProcess.Result evaluate(String runId, String master, int shards) throws Exception {
    return CliProcess.run(tmp.resolve(runId + ".log"), "evaluate", "--annotations",
        DATA.resolve("instances.json").toString(), "--images", DATA.resolve("images").toString(),
        "--model", MODEL, "--warehouse", tmp.resolve("warehouse").toString(), "--run-id", runId,
        "--master", master, "--shards", Integer.toString(shards));
  }

  private List<String> predictions(String runId) {
    List<String> out = new ArrayList<>();
    for (Row r : Warehouse.open(LocalSpark.get(), tmp.resolve("warehouse").toString())
        .table(Tables.PREDICTIONS).where("run_id = '" + runId + "'")
        .select("image_id", "det_index", "category_id", "bbox", "score", "segmentation")
        .orderBy("image_id", "det_index").collectAsList()) {
      out.add(r.get(0) + " " + r.get(1) + " " + r.get(2) + " " + r.getList(3) + " " + r.get(4)
          + " " + r.get(5));
    }
    return out;
  }

  @Test
  void eightConcurrentTasksOnOneExecutorGiveTheSamePredictionsEveryTime() throws Exception {
    CliProcess.Result baseline = evaluate("baseline", "local[2]", 2);
    assertThat(baseline.exit()).as("%s", baseline).isZero();
    List<String> expected = predictions("baseline");
    assertThat(expected).hasSizeGreaterThan(1000);

    for (int run = 1; run <= 3; run++) {
      CliProcess.Result r = evaluate("eight-" + run, "local[8]", 50);
      assertThat(r.exit()).as("run %d: %s", run, r).isZero();
      assertThat(r.output()).contains("50 images, 0 failed");
      assertThat(predictions("eight-" + run)).as("run %d", run).isEqualTo(expected);
    }
  }
}
