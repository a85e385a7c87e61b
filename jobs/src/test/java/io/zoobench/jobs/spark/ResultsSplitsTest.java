package io.zoobench.jobs.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.zoobench.coco.CocoJsonReader;
import io.zoobench.coco.CocoResults;
import io.zoobench.eval.EvalParams;
import io.zoobench.testing.ReferenceCases;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Reading one results file with several tasks: the driver's single pass cuts it into chunks of
 * whole records, and the tasks read them back to exactly the rows (and file positions) a single
 * reader gives, whatever the number of tasks.
 */
class ResultsSplitsTest {
  @TempDir
  java.nio.file.Path tmp;


  private static ResultsSplits.Survey survey(String json, long chunkBytes) throws IOException {
    byte[] b = json.getBytes(StandardCharsets.US_ASCII);
    return ResultsSplits.survey(new ByteArrayInputStream(b), b.length, chunkBytes);
  }

  @ParameterizedTest
  @CsvSource({"1, 4194304", "2, 4194304", "3, 4194304", "5, 4194304", "64, 4194304",
      "1, 7", "3, 1"})
  void splitReadEqualsTheFileForAnyNumberOfTasksAndChunks(int tasks, int chunkRecords)
      throws Exception {
    SparkSession spark = LocalSpark.get();
    ReferenceCases.Mode m = ReferenceCases.all()
        .filter(x -> x.caseName().startsWith("16") && x.mode().equals("proposal"))
        .findFirst().orElseThrow();
    ResultsImport.Survey s = ResultsImport.survey(m.dt().toString(),
        spark.sparkContext().hadoopConfiguration(), 4096);
    assertThat(s.chunks.chunks()).hasSizeGreaterThan(5);
    assertThat(s.sha256()).isEqualTo(HexFormat.of().formatHex(
        MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(m.dt()))));
    List<ResultsSplits.Split> ranges = s.chunks.group(tasks);
    assertThat(ranges).hasSize(Math.min(tasks, s.chunks.chunks().size()));
    for (int i = 1; i < ranges.size(); i++) {
      assertThat(ranges.get(i).firstRecord()).isGreaterThan(ranges.get(i - 1).firstRecord());
      assertThat(ranges.get(i).start()).isGreaterThan(ranges.get(i - 1).end());
    }
    CocoResults file = CocoJsonReader.readResults(m.dt(), true);

    var chunks = ResultsImport.chunks(spark, m.dt().toString(),
        CocoJsonReader.readDataset(m.gt()), List.of(EvalParams.proposals()), s, tasks,
        chunkRecords);
    assertThat(chunks.collect()).allSatisfy(c -> assertThat(c.size).isLessThanOrEqualTo(
        chunkRecords));
    assertThat(chunks.getNumPartitions()).isEqualTo(ranges.size());
    var counts = new PredictionChunk.Counts(spark.sparkContext());
    java.nio.file.Path dir = Files.createTempDirectory(tmp, "split").resolve("predictions");
    spark.createDataFrame(chunks.flatMap(c -> c.rows("t", counts)),
        io.zoobench.jobs.tables.PredictionRow.TABLE.schema()).write().parquet(dir.toString());
    var read = spark.read().parquet(dir.toString());
    List<Row> rows = read.orderBy("det_index").collectAsList();
    assertThat(rows).hasSize(file.size());
    assertThat(counts.records.value()).isEqualTo(file.size());
    for (int i = 0; i < file.size(); i++) {
      Row r = rows.get(i);
      assertThat(r.<Long>getAs("det_index")).isEqualTo(i);
      assertThat(r.<Long>getAs("image_id")).isEqualTo(file.imageId(i));
      assertThat(r.<Double>getAs("score")).isEqualTo(file.score(i));
      assertThat(r.<Double>getList(r.fieldIndex("bbox")).get(2)).isEqualTo(file.bbox(i, 2));
    }
  }

  @Test
  void chunksHoldWholeRecordsAndCountThem() throws Exception {
    String json = " [ {\"a\": \"x},{y\"}, {\"b\": [1, {\"c\": \"\\\"}\"}]} ,\n{\"d\": 2}]\n";
    ResultsSplits.Survey s = survey(json, 1);
    assertThat(s.chunks()).hasSize(3);
    StringBuilder back = new StringBuilder();
    for (ResultsSplits.Split c : s.chunks()) {
      String body = json.substring((int) c.start(), (int) c.end());
      back.append(body);
      assertThat(body.trim()).as(body).startsWith(c.first() ? "[" : "{")
          .endsWith(c.last() ? "]" : "}");
    }
    assertThat(s.chunks()).extracting(ResultsSplits.Split::firstRecord).containsExactly(0L, 1L, 2L);
    assertThat(s.group(2)).extracting(ResultsSplits.Split::firstRecord).containsExactly(0L, 2L);
    assertThat(s.group(1)).singleElement().satisfies(g -> {
      assertThat(g.whole()).isTrue();
      assertThat(g.end()).isEqualTo(json.length());
    });
  }

  @Test
  void anythingButAListOfRecordsIsOneRangeForTheParserToReport() throws Exception {
    for (String bad : List.of("{\"a\": 1}", "[{\"a\": 1} {\"b\": 2}]", "[{\"a\": 1},]",
        "[,{\"a\": 1}]", "[{\"a\": 1}] x", "[{\"a\": \"1}]", "[[1], [2]]", "[{\"a\": 1},, {}]")) {
      ResultsSplits.Survey s = survey(bad, 1);
      assertThat(s.chunks()).as(bad).singleElement().satisfies(c -> {
        assertThat(c.whole()).isTrue();
        assertThat(c.end()).isEqualTo(bad.length());
      });
    }
    assertThat(survey("[]", 1).chunks()).singleElement()
        .satisfies(c -> assertThat(c.whole()).isTrue());
  }
}
