package io.zoobench.jobs.spark;

import io.zoobench.eval.ImageDetections;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetOutputFormat;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;
import io.zoobench.jobs.tables.PredictionRow;
import io.zoobench.jobs.tables.Warehouse;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.execution.datasources.parquet.SparkToParquetSchemaConverter;
import org.apache.spark.sql.internal.SQLConf;
import scala.Tuple2;

/**
 * Writes {@link PredictionChunk}s as the predictions table's Parquet files straight from their
 * columns (a {@link WriteSupport} feeding Parquet's record consumer), through Spark's Hadoop
 * commit protocol: no row object, no SQL planning or generated code. Spark's own Parquet path
 * spent ~4 s of a task on 250k masks (measured under the C1 JIT, 2 cores); this writes the
 * same file layout Spark writes for {@link PredictionRow#TABLE} (same Parquet schema, and the
 * Spark schema in the footer), so readers cannot tell which wrote a run.
 */
final class PredictionsParquet {
  private PredictionsParquet() {}

  /**
   * The Parquet schema Spark writes for the predictions table's data columns, derived from
   * {@link PredictionRow#TABLE} by Spark's own converter (a test checks a Spark-written file).
   */
  static final MessageType SCHEMA = new SparkToParquetSchemaConverter(new SQLConf())
      .convert(PredictionRow.TABLE.dataSchema());

  /** Writes {@code chunks} as the predictions table of {@code staging}'s run. */
  static void stage(Warehouse.Staging staging, JavaRDD<PredictionChunk> chunks,
      Configuration hadoop, PredictionChunk.Counts counts) {
    write(chunks, staging.path(PredictionRow.TABLE), hadoop, counts);
    staging.written(PredictionRow.TABLE);
  }

  /** Where a record is: a chunk and a position in it (one cursor per task, moved along). */
  static final class Cursor {
    PredictionChunk chunk;
    int index;
  }

  /**
   * Writes {@code chunks} as Parquet files under {@code dir} (which must not exist yet);
   * {@code counts} counts what the chunks hold.
   */
  static void write(JavaRDD<PredictionChunk> chunks, Path dir, Configuration hadoop,
      PredictionChunk.Counts counts) {
    Configuration conf = new Configuration(hadoop);
    conf.set(ParquetOutputFormat.WRITE_SUPPORT_CLASS, Support.class.getName());
    conf.set(ParquetOutputFormat.COMPRESSION, "SNAPPY");
    conf.set("parquet.summary.metadata.level", "NONE");
    JavaPairRDD<Void, Cursor> cursors = chunks.mapPartitionsToPair(
        it -> new Cursors(it, counts));
    cursors.saveAsNewAPIHadoopFile(dir.toString(), Void.class, Cursor.class,
        ParquetOutputFormat.class, conf);
  }

  /** The records of a partition's chunks, as (no key, the one cursor) pairs. */
  private static final class Cursors implements Iterator<Tuple2<Void, Cursor>> {
    private final Iterator<PredictionChunk> chunks;
    private final PredictionChunk.Counts counts;
    private final Cursor cursor = new Cursor();
    private final Tuple2<Void, Cursor> pair = new Tuple2<>(null, cursor);
    private PredictionChunk chunk;
    private int next;

    Cursors(Iterator<PredictionChunk> chunks, PredictionChunk.Counts counts) {
      this.chunks = chunks;
      this.counts = counts;
    }

    @Override
    public boolean hasNext() {
      while (chunk == null || next == chunk.size) {
        if (!chunks.hasNext()) {
          return false;
        }
        chunk = chunks.next();
        next = 0;
        counts.add(chunk);
      }
      return true;
    }

    @Override
    public Tuple2<Void, Cursor> next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      // the writer consumes each record before asking for the next: one cursor serves all
      cursor.chunk = chunk;
      cursor.index = next++;
      return pair;
    }
  }

  /** Parquet's write support for one predictions record; made by Parquet by its class name. */
  public static final class Support extends WriteSupport<Cursor> {
    private RecordConsumer out;

    @Override
    public WriteContext init(Configuration configuration) {
      return new WriteContext(SCHEMA, Map.of(
          "org.apache.spark.sql.parquet.row.metadata", PredictionRow.TABLE.dataSchema().json(),
          "org.apache.spark.version", org.apache.spark.package$.MODULE$.SPARK_VERSION()));
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
      this.out = recordConsumer;
    }

    @Override
    public void write(Cursor r) {
      PredictionChunk c = r.chunk;
      int i = r.index;
      out.startMessage();
      longField("image_id", 0, c.imageIds[i]);
      longField("category_id", 1, c.categories[i]);
      boolean empty = ImageDetections.isEmptyBox(c.boxes, i);
      if (c.hasBox(i) || empty) { // a box given as [] stays an empty list
        out.startField("bbox", 2);
        out.startGroup();
        if (!empty) {
          out.startField("list", 0);
          for (int k = 0; k < 4; k++) {
            out.startGroup();
            out.startField("element", 0);
            out.addDouble(c.boxes[i * 4 + k]);
            out.endField("element", 0);
            out.endGroup();
          }
          out.endField("list", 0);
        }
        out.endGroup();
        out.endField("bbox", 2);
      }
      if (!Double.isNaN(c.scores[i])) { // NaN: no score (a result of an unknown category)
        out.startField("score", 3);
        out.addDouble(c.scores[i]);
        out.endField("score", 3);
      }
      if (c.maskHeights[i] >= 0) {
        out.startField("segmentation", 4);
        out.startGroup();
        out.startField("size", 0);
        out.startGroup();
        out.startField("list", 0);
        intElement(c.maskHeights[i]);
        intElement(c.maskWidths[i]);
        out.endField("list", 0);
        out.endGroup();
        out.endField("size", 0);
        out.startField("counts", 1);
        // the arena is never written again once the chunk is read
        out.addBinary(Binary.fromConstantByteArray(c.arena, c.maskStarts[i], c.maskLengths[i]));
        out.endField("counts", 1);
        out.endGroup();
        out.endField("segmentation", 4);
      }
      longField("det_index", 5, c.firstRecord + i);
      out.endMessage();
    }

    private void longField(String name, int index, long value) {
      out.startField(name, index);
      out.addLong(value);
      out.endField(name, index);
    }

    private void intElement(int value) {
      out.startGroup();
      out.startField("element", 0);
      out.addInteger(value);
      out.endField("element", 0);
      out.endGroup();
    }
  }
}
