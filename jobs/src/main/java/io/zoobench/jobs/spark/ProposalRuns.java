package io.zoobench.jobs.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.struct;

import io.zoobench.detect.ProposalBoxes;
import io.zoobench.jobs.tables.PredictionRow;
import io.zoobench.jobs.tables.RunRow;
import io.zoobench.jobs.tables.Warehouse;
import io.zoobench.zoo.ModelSpec;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * The precomputed proposals of a Fast R-CNN run: which proposal run feeds it (a run id, or the
 * latest succeeded run of a model, from the manifest or the command line) and its boxes, read
 * from that run's published {@code predictions} rows: of each image the first {@code top_k} in
 * {@code det_index} order (the proposal network's rank; a results file's order for an import),
 * as MMDetection's {@code LoadProposals} takes {@code proposals[:k]}. Resolved on the driver
 * before the run starts, so the run's configuration names the exact proposal run and attempt
 * (a zoo run skips a Fast R-CNN only when its proposals did not change either).
 */
public final class ProposalRuns {
  private ProposalRuns() {}

  /**
   * A proposal run: its id, the attempt its {@code runs} row publishes, the boxes per image to
   * take; or, when there is none to take, {@code problem}, which fails the run that needs it
   * (recorded as a failed run, as any bad input).
   */
  public record Source(String runId, String attemptId, int topK, String problem)
      implements Serializable {
    public static Source missing(String problem) {
      return new Source(null, null, 0, problem);
    }
  }

  /**
   * The proposal run of model {@code m}, or null for a model that takes no proposals.
   *
   * @param runOverride a run id the command names ({@code --proposals-run}), or null
   * @param modelOverride a model whose latest succeeded run to take ({@code
   *     --proposals-model}), or null; without either, the manifest's {@code proposals:} decides
   */
  public static Source resolve(Warehouse w, ModelSpec m, String runOverride,
      String modelOverride) {
    ModelSpec.ProposalInput p = m.proposals();
    if (p == null) {
      return null;
    }
    String what = "model " + m.name() + " takes precomputed proposals: ";
    boolean overridden = runOverride != null || modelOverride != null;
    String runId = overridden ? runOverride : p.runId();
    String fromModel = overridden ? modelOverride : p.fromModel();
    if (runId != null) {
      List<Row> runs = w.table(RunRow.TABLE).where(col("run_id").equalTo(runId)).collectAsList();
      if (runs.isEmpty()) {
        return Source.missing(what + "no run " + runId + " in the warehouse");
      }
      Row r = runs.get(0);
      if (!RunRow.SUCCEEDED.equals(r.getAs("status"))) {
        return Source.missing(what + "run " + runId + " " + r.getAs("status")
            + " (name a succeeded proposal run)");
      }
      return checked(what, r, p.topK());
    }
    if (fromModel == null) {
      return Source.missing(what + "name their run (--proposals-run RUN_ID or"
          + " --proposals-model NAME, or proposals.from_model / run_id in the manifest)");
    }
    Row latest = w.latestSucceededRuns().get(fromModel);
    if (latest == null) {
      return Source.missing(what + "model " + fromModel + " has no succeeded run in the"
          + " warehouse (run it first; zoo run runs it before the models reading it)");
    }
    return checked(what, latest, p.topK());
  }

  private static Source checked(String what, Row run, int topK) {
    String runId = run.getAs("run_id");
    String iouTypes = run.getAs("iou_types");
    if (iouTypes == null || !List.of(iouTypes.split(",")).contains("proposal")) {
      return Source.missing(what + "run " + runId + " of model " + run.getAs("model")
          + " evaluated " + iouTypes + ", not proposals (name a proposal network's run)");
    }
    return new Source(runId, run.getAs("attempt_id"), topK, null);
  }

  /**
   * The boxes of {@code s}: per image the first {@code topK} predictions by {@code det_index},
   * x1, y1, x2, y2 in original-image pixels (predictions without a box are no proposals).
   * Streamed to the driver one partition at a time.
   */
  public static ProposalBoxes load(Warehouse w, Source s) {
    var ranked = w.session().table(Warehouse.name(PredictionRow.TABLE))
        .where(col("run_id").equalTo(s.runId()).and(col("attempt_id").equalTo(s.attemptId()))
            .and(col("bbox").isNotNull()).and(size(col("bbox")).equalTo(4)))
        .withColumn("rank", row_number().over(Window.partitionBy("image_id")
            .orderBy("det_index")))
        .where(col("rank").leq(s.topK()))
        .groupBy("image_id")
        // struct order: det_index first, so the sort is the run's order
        .agg(sort_array(collect_list(struct(col("det_index"), col("bbox")))).as("boxes"))
        .orderBy("image_id");
    long[] ids = new long[1024];
    List<float[]> boxes = new ArrayList<>();
    for (Iterator<Row> it = ranked.toLocalIterator(); it.hasNext(); ) {
      Row r = it.next();
      if (boxes.size() == ids.length) {
        ids = Arrays.copyOf(ids, 2 * ids.length);
      }
      ids[boxes.size()] = r.getLong(0);
      List<Row> list = r.getList(1);
      float[] b = new float[4 * list.size()];
      for (int k = 0; k < list.size(); k++) {
        List<Double> xywh = list.get(k).getList(1);
        double x = xywh.get(0);
        double y = xywh.get(1);
        b[4 * k] = (float) x;
        b[4 * k + 1] = (float) y;
        b[4 * k + 2] = (float) (x + xywh.get(2));
        b[4 * k + 3] = (float) (y + xywh.get(3));
      }
      boxes.add(b);
    }
    return new ProposalBoxes(Arrays.copyOf(ids, boxes.size()), boxes.toArray(float[][]::new));
  }
}
