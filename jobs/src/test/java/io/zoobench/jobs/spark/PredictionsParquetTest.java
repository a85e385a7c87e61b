package io.zoobench.jobs.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import io.zoobench.eval.ImageDetections;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.hadoop.metadata.FileMetaData;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The predictions files an import writes from its chunks are the files Spark writes for the
 * same rows: same Parquet schema, same Spark schema, same rows read back.
 */
class PredictionsParquetTest {
  private static SparkSession spark;

  @TempDir
  Path tmp;

  @BeforeAll
  static void session() {
    spark = LocalSpark.get();
  }

  @Test
  void writesWhatSparkWritesForTheSameRows() throws Exception {
    PredictionChunk chunk = new PredictionChunk(40);
    chunk.add(7, 1, new double[] {1.5, 2.25, 10, 0.1}, false, 0.9, 4, 3, "52203".getBytes(
        StandardCharsets.ISO_8859_1));
    chunk.add(7, 2, null, false, 0.5, 2, 2, "04".getBytes(StandardCharsets.ISO_8859_1));
    chunk.add(9, 1, new double[] {0, 0, 1e-300, 1e300}, false, 0.25, -1, -1, null);
    chunk.add(3, 5, new double[] {-1, 2, 3, 4}, false, 1.0 / 3, 1, 1, "\"\\`".getBytes(
        StandardCharsets.ISO_8859_1));
    PredictionChunk second = new PredictionChunk(44);
    second.add(3, 5, new double[] {5, 6, 7, 8}, false, 0.125, -1, -1, null);
    // "bbox": [] stays an empty list; a result without a score (unknown category) has none
    second.add(3, 200, null, true, Double.NaN, -1, -1, null);

    List<Row> expected = new ArrayList<>();
    for (PredictionChunk c : List.of(chunk, second)) {
      for (int i = 0; i < c.size; i++) {
        expected.add(RowFactory.create(c.imageIds[i], c.categories[i],
            ImageDetections.isEmptyBox(c.boxes, i) ? new Double[0]
                : c.hasBox(i) ? new Double[] {c.boxes[i * 4], c.boxes[i * 4 + 1],
                    c.boxes[i * 4 + 2], c.boxes[i * 4 + 3]} : null,
            Double.isNaN(c.scores[i]) ? null : c.scores[i],
            c.maskHeights[i] < 0 ? null : RowFactory.create(
                new Integer[] {c.maskHeights[i], c.maskWidths[i]},
                new String(c.arena, c.maskStarts[i], c.maskLengths[i],
                    StandardCharsets.ISO_8859_1)),
            c.firstRecord + i));
      }
    }
    Path bySpark = tmp.resolve("spark");
    spark.createDataFrame(expected, io.zoobench.jobs.tables.PredictionRow.TABLE.dataSchema()).coalesce(1).write()
        .parquet(bySpark.toString());
    Path ours = tmp.resolve("ours");
    JavaRDD<PredictionChunk> chunks = JavaSparkContext.fromSparkContext(spark.sparkContext())
        .parallelize(List.of(chunk, second), 2);
    var counts = new PredictionChunk.Counts(spark.sparkContext());
    PredictionsParquet.write(chunks, new org.apache.hadoop.fs.Path(ours.toUri()),
        spark.sparkContext().hadoopConfiguration(), counts);

    assertThat(counts.records.value()).isEqualTo(6);
    assertThat(footer(bySpark).getSchema()).isEqualTo(PredictionsParquet.SCHEMA);
    assertThat(footer(ours).getSchema()).isEqualTo(PredictionsParquet.SCHEMA);
    String sparkSchemaKey = "org.apache.spark.sql.parquet.row.metadata";
    assertThat(footer(ours).getKeyValueMetaData().get(sparkSchemaKey))
        .isEqualTo(footer(bySpark).getKeyValueMetaData().get(sparkSchemaKey));
    var read = spark.read().parquet(ours.toString());
    var bySparkRead = spark.read().parquet(bySpark.toString());
    assertThat(read.schema()).isEqualTo(bySparkRead.schema());
    List<Row> a = bySparkRead.orderBy("det_index").collectAsList();
    List<Row> b = read.orderBy("det_index").collectAsList();
    assertThat(b).hasSize(6).isEqualTo(a);
    assertThat(b.get(1).isNullAt(2)).isTrue();
    assertThat(b.get(2).isNullAt(4)).isTrue();
    assertThat(b.get(3).getStruct(4).getString(1)).isEqualTo("\"\\`");
  }

  private static FileMetaData footer(Path dir) throws Exception {
    Path file;
    try (var files = Files.list(dir)) {
      file = files.filter(f -> f.getFileName().toString().endsWith(".parquet")).findFirst()
          .orElseThrow();
    }
    try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(
        new org.apache.hadoop.fs.Path(file.toUri()), new Configuration()))) {
      return r.getFooter().getFileMetaData();
    }
  }
}
