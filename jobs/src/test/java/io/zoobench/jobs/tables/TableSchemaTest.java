package io.zoobench.jobs.tables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zoobench.jobs.spark.LocalSpark;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Records become rows of their derived schema, and rows (read back by Spark) records. */
class TableSchemaTest {
  @TempDir
  Path tmp;

  @Test
  void columnsComeFromComponentsInOrder() {
    assertThat(RunRow.TABLE.schema().fieldNames()).startsWith("run_id", "attempt_id", "model")
        .endsWith("code_version", "arch", "backbone", "style", "lr_schedule", "model_path",
            "model_sha256", "model_bytes", "family", "ref_fps", "ref_train_mem_gb",
            "ref_box_ap", "ref_mask_ap", "ref_ar1000");
    assertThat(PerCategoryRow.TABLE.schema().fieldNames()).containsExactly("run_id", "model",
        "iou_type", "category_id", "name", "AP", "AP50", "AP75", "APs", "APm", "APl");
    assertThat(PredictionRow.TABLE.schema().apply("segmentation").dataType().simpleString())
        .isEqualTo("struct<size:array<int>,counts:string>");
    assertThat(PredictionRow.TABLE.dataSchema().fieldNames()).doesNotContain("run_id");
    assertThat(TableSchema.snake("peakDeviceMemoryBytes")).isEqualTo("peak_device_memory_bytes");
  }

  @Test
  void recordsSurviveATripThroughParquet() {
    SparkSession spark = LocalSpark.get();
    RunRow run = new RunRow("r1", "a1",
        new RunRow.Subject("m", "gt.json", "/a/gt.json", "ab", "/a/dt.json", "cd", "bbox",
            "{}", "ef"),
        new RunRow.Outcome(RunRow.SUCCEEDED, null, Timestamp.valueOf("2026-11-29 10:00:00"),
            Timestamp.valueOf("2026-11-29 10:01:00")),
        new RunRow.Environment("local[2]", "4.1.1", 1, null),
        new RunRow.Counts(50L, 0L, 1062L, 1.5, 9.25, 0.125), "0.1.0+g1a2b3c4",
        RunRow.ModelInfo.NONE, new RunRow.ModelFile("ab12", 3_000_000_000L),
        new RunRow.ZooReference("RPN", 20.5, null, null, null, 0.511));
    PredictionRow p = new PredictionRow("r1", 7, 3, new double[] {1.5, 2, 3, 4}, 0.9,
        new PredictionRow.Mask(new int[] {4, 3}, "52203"), 40);
    PredictionRow empty = new PredictionRow("r1", 8, 3, new double[0], null, null, 41);
    String dir = tmp.resolve("t").toString();
    spark.createDataFrame(List.of(RunRow.TABLE.toRow(run)), RunRow.TABLE.schema()).write()
        .parquet(dir + "/runs");
    spark.createDataFrame(List.of(PredictionRow.TABLE.toRow(p),
        PredictionRow.TABLE.toRow(empty)), PredictionRow.TABLE.schema()).write()
        .parquet(dir + "/predictions");

    Row back = spark.read().parquet(dir + "/runs").collectAsList().get(0);
    assertThat(RunRow.TABLE.fromRow(back)).isEqualTo(run);
    List<Row> rows = spark.read().parquet(dir + "/predictions").orderBy("det_index")
        .collectAsList();
    PredictionRow p2 = PredictionRow.TABLE.fromRow(rows.get(0));
    assertThat(p2.bbox()).containsExactly(1.5, 2, 3, 4);
    assertThat(p2.segmentation().size()).containsExactly(4, 3);
    assertThat(p2.segmentation().counts()).isEqualTo("52203");
    assertThat(p2.score()).isEqualTo(0.9);
    PredictionRow e2 = PredictionRow.TABLE.fromRow(rows.get(1));
    assertThat(e2.bbox()).isEmpty();
    assertThat(e2.score()).isNull();
    assertThat(e2.segmentation()).isNull();
  }

  /** A record the mapping cannot describe fails when its table is declared, not later. */
  public record Unmappable(String runId, java.util.List<String> names) {}

  /** run_id must come first. */
  public record NoRunId(String model, String runId) {}

  @Test
  void badRecordsAreRefusedWhenDeclared() {
    assertThatThrownBy(() -> TableSchema.of("x", Unmappable.class))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("names");
    assertThatThrownBy(() -> TableSchema.of("y", NoRunId.class))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("run_id");
  }
}
