package io.zoobench.jobs.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zoobench.coco.CocoJsonReader;
import io.zoobench.coco.CocoResults;
import io.zoobench.eval.EvalParams;
import io.zoobench.testing.ReferenceCases;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * Reading one results file with several tasks: ranges cut at record boundaries, counted, and
 * read back to exactly the rows (and file positions) a single reader gives.
 */
class ResultsSplitsTest {

  @Test
  void splitReadEqualsTheFile() throws Exception {
    SparkSession spark = LocalSpark.get();
    ReferenceCases.Mode m = ReferenceCases.all()
        .filter(x -> x.caseName().startsWith("16") && x.mode().equals("proposal"))
        .findFirst().orElseThrow();
    Path p = new Path(m.dt().toUri());
    FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
    List<ResultsSplits.Split> splits = ResultsSplits.plan(fs, p, 5, 4096);
    assertThat(splits).hasSizeGreaterThan(2);
    CocoResults file = CocoJsonReader.readResults(m.dt(), true);

    String before = spark.conf().get(ResultsImport.MIN_SPLIT_BYTES, "16777216");
    spark.conf().set(ResultsImport.MIN_SPLIT_BYTES, "4096");
    try {
      List<Row> rows = ResultsImport.rows(spark, m.dt().toString(),
          CocoJsonReader.readDataset(m.gt()), List.of(EvalParams.proposals()),
          ResultsImport.firstResultHasBbox(spark, m.dt().toString()),
          spark.sparkContext().collectionAccumulator(), spark.sparkContext().longAccumulator())
          .orderBy("det_index").collectAsList();
      assertThat(rows).hasSize(file.size());
      for (int i = 0; i < file.size(); i++) {
        Row r = rows.get(i);
        assertThat(r.getLong(5)).isEqualTo(i);
        assertThat(r.getLong(0)).isEqualTo(file.imageId(i));
        assertThat(r.getDouble(3)).isEqualTo(file.score(i));
        assertThat(r.<Double>getList(2).get(2)).isEqualTo(file.bbox(i, 2));
      }
    } finally {
      spark.conf().set(ResultsImport.MIN_SPLIT_BYTES, before);
    }
  }

  @Test
  void countRefusesARangeThatIsNotWholeRecords() throws Exception {
    String json = "[{\"a\": \"x},{y\"}, {\"b\": 1}]";
    // a cut inside the string: the second range starts with {y"} ...
    int cut = json.indexOf("{y");
    ResultsSplits.Split bad = new ResultsSplits.Split(1, cut, json.length(), false, true);
    assertThatThrownBy(() -> ResultsSplits.count(new ByteArrayInputStream(
        json.substring(cut).getBytes(StandardCharsets.US_ASCII)), bad))
        .isInstanceOf(IllegalStateException.class);
    String first = "[{\"a\": \"x},{y\"}";
    ResultsSplits.Split good = new ResultsSplits.Split(0, 0, first.length(), true, false);
    assertThat(ResultsSplits.count(new ByteArrayInputStream(
        first.getBytes(StandardCharsets.US_ASCII)), good)).isEqualTo(1);
  }
}
