package io.zoobench.jobs.spark;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The result tables and their schemas (a contract: users and acceptance checks query these
 * names). Every table is Parquet under {@code <warehouse>/<table>/run_id=<id>/}; the
 * {@code run_id} column comes from that directory. See docs/tables.md.
 */
public final class Tables {
  public static final String RUNS = "runs";
  public static final String METRICS = "metrics";
  public static final String PER_CATEGORY = "per_category";
  public static final String PREDICTIONS = "predictions";
  public static final String TIMINGS = "timings";
  public static final String FAILURES = "failures";

  /** {@code segmentation} of a prediction: mask size and compressed COCO counts. */
  public static final StructType SEGMENTATION = new StructType(new StructField[] {
      field("size", DataTypes.createArrayType(DataTypes.IntegerType, false)),
      field("counts", DataTypes.StringType)});

  private static final Map<String, StructType> SCHEMAS = new LinkedHashMap<>();

  static {
    SCHEMAS.put(RUNS, struct(
        field("model", DataTypes.StringType),
        field("dataset", DataTypes.StringType),
        field("annotations_path", DataTypes.StringType),
        field("annotations_sha256", DataTypes.StringType),
        field("results_path", DataTypes.StringType),
        field("results_sha256", DataTypes.StringType),
        field("iou_types", DataTypes.StringType),
        field("config_json", DataTypes.StringType),
        field("config_hash", DataTypes.StringType),
        field("status", DataTypes.StringType),
        field("message", DataTypes.StringType),
        field("started_at", DataTypes.TimestampType),
        field("finished_at", DataTypes.TimestampType),
        field("spark_master", DataTypes.StringType),
        field("spark_version", DataTypes.StringType),
        field("executors", DataTypes.IntegerType),
        field("devices", DataTypes.StringType),
        field("images_total", DataTypes.LongType),
        field("images_failed", DataTypes.LongType),
        field("predictions", DataTypes.LongType),
        field("eval_seconds", DataTypes.DoubleType),
        field("total_seconds", DataTypes.DoubleType),
        field("code_version", DataTypes.StringType),
        field("arch", DataTypes.StringType),
        field("backbone", DataTypes.StringType),
        field("style", DataTypes.StringType),
        field("lr_schedule", DataTypes.StringType),
        field("model_path", DataTypes.StringType)));
    SCHEMAS.put(METRICS, struct(
        field("model", DataTypes.StringType),
        field("iou_type", DataTypes.StringType),
        field("metric", DataTypes.StringType),
        field("value", DataTypes.DoubleType),
        field("slot", DataTypes.IntegerType),
        field("mode", DataTypes.StringType),
        field("det_area", DataTypes.StringType)));
    SCHEMAS.put(PER_CATEGORY, struct(
        field("model", DataTypes.StringType),
        field("iou_type", DataTypes.StringType),
        field("category_id", DataTypes.LongType),
        field("name", DataTypes.StringType),
        field("AP", DataTypes.DoubleType),
        field("AP50", DataTypes.DoubleType),
        field("AP75", DataTypes.DoubleType),
        field("APs", DataTypes.DoubleType),
        field("APm", DataTypes.DoubleType),
        field("APl", DataTypes.DoubleType)));
    SCHEMAS.put(PREDICTIONS, struct(
        field("image_id", DataTypes.LongType),
        field("category_id", DataTypes.LongType),
        field("bbox", DataTypes.createArrayType(DataTypes.DoubleType, false)),
        field("score", DataTypes.DoubleType),
        field("segmentation", SEGMENTATION),
        field("det_index", DataTypes.LongType)));
    SCHEMAS.put(TIMINGS, struct(
        field("shard_id", DataTypes.IntegerType),
        field("model", DataTypes.StringType),
        field("images", DataTypes.LongType),
        field("warmup_images", DataTypes.LongType),
        field("read_s", DataTypes.DoubleType),
        field("decode_s", DataTypes.DoubleType),
        field("preprocess_s", DataTypes.DoubleType),
        field("forward_s", DataTypes.DoubleType),
        field("postprocess_s", DataTypes.DoubleType),
        field("fps_end_to_end", DataTypes.DoubleType),
        field("fps_compute", DataTypes.DoubleType),
        field("peak_device_memory_bytes", DataTypes.LongType),
        field("device", DataTypes.StringType),
        field("host", DataTypes.StringType),
        field("task_gpu", DataTypes.StringType),
        field("images_failed", DataTypes.LongType),
        field("wait_s", DataTypes.DoubleType)));
    SCHEMAS.put(FAILURES, struct(
        field("image_id", DataTypes.LongType),
        field("file", DataTypes.StringType),
        field("stage", DataTypes.StringType),
        field("message", DataTypes.StringType)));
  }

  private Tables() {}

  /** Table names in a stable order. */
  public static Iterable<String> names() {
    return SCHEMAS.keySet();
  }

  /** The schema of a table's files (without {@code run_id}, which is the partition). */
  public static StructType schema(String table) {
    StructType s = SCHEMAS.get(table);
    if (s == null) {
      throw new IllegalArgumentException("no table " + table);
    }
    return s;
  }

  /** The schema a reader sees: {@code run_id} first, then the file columns. */
  public static StructType readSchema(String table) {
    StructType s = new StructType().add(field("run_id", DataTypes.StringType));
    for (StructField f : schema(table).fields()) {
      s = s.add(f);
    }
    return s;
  }

  private static StructType struct(StructField... fields) {
    return new StructType(fields);
  }

  private static StructField field(String name, DataType type) {
    return new StructField(name, type, true, Metadata.empty());
  }
}
