package io.zoobench.jobs;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import io.zoobench.eval.EvalResult;
import io.zoobench.jobs.spark.LocalSpark;
import io.zoobench.jobs.tables.Tables;
import io.zoobench.jobs.tables.Warehouse;
import io.zoobench.parity.ParityCase;
import io.zoobench.parity.ParityCaseGenerator;
import io.zoobench.parity.ParityRun;
import io.zoobench.parity.PycocotoolsOracle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The differential test through {@code zoobench import} on Spark: random cases (the same
 * generator as the single-process test) imported on 1 and 3 partitions must store pycocotools'
 * stats and per-category AP bit for bit in the metrics and per_category tables, and be refused
 * (exit 1, a failed run) exactly where pycocotools raises.
 */
class ImportPycocotoolsParityIT {
  private static final long SEED = 977L;
  private static final int CASES = 14;

  @TempDir static Path tmp;
  private static SparkSession spark;

  @BeforeAll
  static void session() {
    spark = LocalSpark.get();
  }

  @Test
  void importStoresPycocotoolsNumbersOnAnyPartitioning() {
    PycocotoolsOracle oracle = PycocotoolsOracle.inCheckout(
        Path.of(System.getProperty("zoobench.home", ".."))).check();
    List<ParityCase> cases = new ArrayList<>();
    List<PycocotoolsOracle.Job> jobs = new ArrayList<>();
    for (int i = 0; i < CASES; i++) {
      ParityCase c = ParityCaseGenerator.generate(SEED, i);
      cases.add(c);
      Path dir = tmp.resolve("case-" + i);
      c.write(dir);
      for (ParityCase.Evaluation e : evaluations(c)) {
        jobs.add(new PycocotoolsOracle.Job(i + "/" + e.iou(), dir.resolve(ParityCase.GT_FILE),
            dir.resolve(ParityCase.DT_FILE), e));
      }
    }
    List<PycocotoolsOracle.Answer> answers = oracle.run(jobs, tmp.resolve("oracle"));

    int compared = 0;
    int refused = 0;
    for (int i = 0; i < CASES; i++) {
      ParityCase c = cases.get(i);
      List<ParityCase.Evaluation> evals = evaluations(c);
      List<PycocotoolsOracle.Answer> expected = new ArrayList<>();
      for (int j = 0; j < jobs.size(); j++) {
        if (jobs.get(j).id().startsWith(i + "/")) {
          expected.add(answers.get(j));
        }
      }
      boolean pycocotoolsRefuses = expected.stream().anyMatch(a -> a.error() != null);
      String ious = String.join(",", evals.stream().map(ParityCase.Evaluation::iou).toList());
      for (int parts : new int[] {1, 3}) {
        String runId = "case-" + i + "-p" + parts;
        Path dir = tmp.resolve("case-" + i);
        Cli.Result r = Cli.run("import", "--annotations", dir.resolve("gt.json").toString(),
            "--results", dir.resolve("dt.json").toString(), "--iou", ious, "--warehouse",
            tmp.resolve("warehouse").toString(), "--run-id", runId, "--partitions",
            String.valueOf(parts));
        String what = c.describe(i) + " on " + parts + " partitions: " + r;
        if (pycocotoolsRefuses) {
          assertThat(r.exit()).as(what).isEqualTo(1);
          assertThat(r.err()).as(what).contains("dt.json: results[");
          refused++;
          continue;
        }
        assertThat(r.exit()).as(what).isZero();
        for (int e = 0; e < evals.size(); e++) {
          String iou = evals.get(e).iou();
          assertThat(ParityRun.compare(expected.get(e), stats(runId, iou), perCategory(runId,
              iou))).as(what + " " + iou).isNull();
          compared++;
        }
      }
    }
    assertThat(compared).isGreaterThanOrEqualTo(CASES);
    assertThat(refused).isPositive();
  }

  /** bbox and segm, or proposal for a proposals case: what one import evaluates together. */
  private static List<ParityCase.Evaluation> evaluations(ParityCase c) {
    if (c.kind().equals(ParityCaseGenerator.Kind.PROPOSALS.label())) {
      return List.of(new ParityCase.Evaluation("proposal", "auto", "pycocotools"));
    }
    return List.of(new ParityCase.Evaluation("bbox", "auto", "pycocotools"),
        new ParityCase.Evaluation("segm", "auto", "pycocotools"));
  }

  private static double[] stats(String runId, String iou) {
    List<Row> rows = table(Tables.METRICS, runId).where(col("iou_type").equalTo(iou))
        .orderBy("slot").collectAsList();
    assertThat(rows).hasSize(12);
    double[] stats = new double[12];
    for (Row r : rows) {
      stats[r.<Integer>getAs("slot")] = r.<Double>getAs("value");
    }
    return stats;
  }

  private static List<EvalResult.CategoryAp> perCategory(String runId, String iou) {
    List<EvalResult.CategoryAp> out = new ArrayList<>();
    for (Row r : table(Tables.PER_CATEGORY, runId).where(col("iou_type").equalTo(iou))
        .orderBy("category_id").collectAsList()) {
      Double ap = r.getAs("AP");
      out.add(new EvalResult.CategoryAp(r.<Long>getAs("category_id"), r.getAs("name"),
          ap == null ? Double.NaN : ap));
    }
    return out;
  }

  private static org.apache.spark.sql.Dataset<Row> table(String table, String runId) {
    return Warehouse.open(spark, tmp.resolve("warehouse").toString()).table(table)
        .where(col("run_id").equalTo(runId));
  }
}
