package io.zoobench.jobs.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.zoobench.coco.CocoDataset;
import io.zoobench.coco.CocoJsonReader;
import io.zoobench.eval.CocoEvaluator;
import io.zoobench.eval.EvalParams;
import io.zoobench.eval.EvalResult;
import io.zoobench.testing.ReferenceCases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Spark evaluation equals pycocotools and the single-process evaluator on 1, 3, 7 partitions. */
class SparkCocoEvaluationParityTest {
  private static final double TOL = 1e-12;
  private static final int[] PARTITIONS = {1, 3, 7};

  private static SparkSession spark;

  @TempDir
  static Path tmp;

  @BeforeAll
  static void session() {
    spark = LocalSpark.get();
  }

  static Stream<ReferenceCases.Mode> modes() {
    return ReferenceCases.all().filter(m -> !m.isError());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("modes")
  void equalsPycocotoolsAndSingleProcess(ReferenceCases.Mode m) throws Exception {
    EvalParams params = m.params();
    CocoDataset gt = CocoJsonReader.readDataset(m.gt());
    boolean keepMasks = params.iouType() == EvalParams.IouType.SEGM
        || params.detArea() == EvalParams.DetArea.MASK;
    EvalResult single = new CocoEvaluator(params, 1)
        .evaluate(gt, CocoJsonReader.readResults(m.dt(), keepMasks));

    ResultsImport.Survey survey = ResultsImport.survey(m.dt().toString(),
        spark.sparkContext().hadoopConfiguration(), 1 << 20);
    boolean firstHasBbox = survey.firstHasBbox();
    JavaRDD<PredictionChunk> chunks = ResultsImport.chunks(spark, m.dt().toString(), gt,
        List.of(params), survey, 2).cache();
    try {
      boolean fromMask = io.zoobench.eval.LoadRes.areaFromMask(params, firstHasBbox);
      assertThat(fromMask).isEqualTo(m.mode().equals("segm_d2"));
      // import's path: the chunks themselves, on every partition count
      for (int parts : PARTITIONS) {
        check(m, "chunks on " + parts + " partitions", single, SparkCocoEvaluation.evaluateChunks(
            spark, List.of(params), gt, chunks, new boolean[] {fromMask}, parts, "dt.json").get(0));
      }
      // evaluate's path: prediction rows read back from the table's files
      Path dir = Files.createTempDirectory(tmp, "predictions").resolve("t");
      PredictionChunk.Counts counts = new PredictionChunk.Counts(spark.sparkContext());
      spark.createDataFrame(chunks.flatMap(c -> c.rows("t", counts)),
          io.zoobench.jobs.tables.PredictionRow.TABLE.schema()).write().parquet(dir.toString());
      Dataset<Row> predictions = spark.read().parquet(dir.toString());
      check(m, "table rows on 3 partitions", single,
          SparkCocoEvaluation.evaluate(spark, params, gt, predictions, fromMask, 3));
    } finally {
      chunks.unpersist();
    }
  }

  private static void check(ReferenceCases.Mode m, String how, EvalResult single, EvalResult r) {
    String what = m + ": " + how;
    double[] expected = m.stats();
    for (int i = 0; i < 12; i++) {
      assertThat(r.stats()[i]).as("%s: stats[%d] vs pycocotools", what, i)
          .isCloseTo(expected[i], within(TOL));
      assertThat(r.stats()[i]).as("%s: stats[%d] vs single process", what, i)
          .isCloseTo(single.stats()[i], within(TOL));
    }
    assertThat(r.statNames()).as(what).isEqualTo(single.statNames());
    assertThat(r.detAreaLabel()).as(what).isEqualTo(single.detAreaLabel());
    checkPerCategory(m, what, r, single);
  }

  private static void checkPerCategory(ReferenceCases.Mode m, String what, EvalResult r,
      EvalResult single) {
    List<EvalResult.CategoryAp> aps = r.perCategory();
    assertThat(aps).hasSameSizeAs(single.perCategory());
    if (!m.params().useCats()) {
      assertThat(aps).isEmpty();
      return;
    }
    JsonNode expected = m.expected().get("per_category");
    assertThat(aps).as(what).hasSize(expected.size());
    for (int k = 0; k < aps.size(); k++) {
      EvalResult.CategoryAp a = aps.get(k);
      JsonNode e = expected.get(k);
      assertThat(a.id()).as(what).isEqualTo(e.get("id").asLong());
      assertThat(a.name()).as(what).isEqualTo(e.get("name").asText());
      if (e.get("AP").isNull()) {
        assertThat(a.ap()).as("%s: AP of category %d", what, a.id()).isNaN();
      } else {
        assertThat(a.ap()).as("%s: AP of category %d", what, a.id())
            .isCloseTo(e.get("AP").asDouble(), within(TOL));
      }
      // the other per-category columns (AP50, AP75, APs/m/l) against the single process
      int[][] ta = {{0, 0}, {5, 0}, {-1, 1}, {-1, 2}, {-1, 3}};
      for (int[] x : ta) {
        double got = r.summary().categoryMean(k, x[0], x[1]);
        double want = single.summary().categoryMean(k, x[0], x[1]);
        if (Double.isNaN(want)) {
          assertThat(got).as("%s: category %d t=%d a=%d", what, a.id(), x[0], x[1]).isNaN();
        } else {
          assertThat(got).as("%s: category %d t=%d a=%d", what, a.id(), x[0], x[1])
              .isCloseTo(want, within(TOL));
        }
      }
    }
  }
}
