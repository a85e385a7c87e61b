package io.zoobench.jobs.tables;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Timestamp;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.encryption.EncryptedFiles;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * The run's small rows (its runs row, attempts, metrics, per-category AP, timings, failures)
 * written and read with Iceberg's own Java API: a Parquet file per table and commit, no Spark
 * job. A run's bookkeeping is a dozen such commits; as Spark jobs they cost seconds per run
 * (planning, code generation), this way tens of milliseconds each. The predictions, large,
 * still go through Spark.
 */
final class SmallTables {
  private SmallTables() {}

  /** Appends {@code rows} (of {@code schema}) to {@code table} in one commit. */
  static void append(Table table, StructType schema, List<Row> rows) {
    if (rows.isEmpty()) {
      return;
    }
    var append = table.newAppend();
    for (DataFile f : write(table, schema, rows)) {
      append.appendFile(f);
    }
    append.commit();
  }

  /** Replaces the partitions {@code rows} fall in with {@code rows}, in one commit. */
  static void replacePartitions(Table table, StructType schema, List<Row> rows) {
    var replace = table.newReplacePartitions();
    for (DataFile f : write(table, schema, rows)) {
      replace.addFile(f);
    }
    replace.commit();
  }

  /** The rows of {@code table} matching {@code filter}, as Iceberg records. */
  static List<org.apache.iceberg.data.Record> read(Table table, Expression filter) {
    List<org.apache.iceberg.data.Record> out = new ArrayList<>();
    try (CloseableIterable<org.apache.iceberg.data.Record> it = IcebergGenerics.read(table)
        .where(filter).build()) {
      for (org.apache.iceberg.data.Record r : it) {
        out.add(r.copy());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + table.name(), e);
    }
    return out;
  }

  /** One data file per partition the rows fall in. */
  private static List<DataFile> write(Table table, StructType schema, List<Row> rows) {
    Schema s = table.schema();
    GenericFileWriterFactory factory = new GenericFileWriterFactory.Builder(table)
        .dataFileFormat(FileFormat.PARQUET).build();
    List<DataFile> files = new ArrayList<>();
    // a run's small rows share one partition (run, attempt): group by partition in order
    List<List<GenericRecord>> groups = new ArrayList<>();
    List<PartitionKey> keys = new ArrayList<>();
    for (Row r : rows) {
      GenericRecord rec = record(s.asStruct(), schema, r);
      PartitionKey key = new PartitionKey(table.spec(), s);
      key.partition(rec);
      int g = keys.indexOf(key);
      if (g < 0) {
        keys.add(key);
        groups.add(new ArrayList<>());
        g = keys.size() - 1;
      }
      groups.get(g).add(rec);
    }
    for (int g = 0; g < groups.size(); g++) {
      PartitionKey key = keys.get(g);
      String name = table.locationProvider().newDataLocation(table.spec(), key,
          UUID.randomUUID() + ".parquet");
      OutputFile out = table.io().newOutputFile(name);
      DataWriter<org.apache.iceberg.data.Record> w = factory.newDataWriter(
          EncryptedFiles.plainAsEncryptedOutput(out), table.spec(), key);
      try (w) {
        for (GenericRecord rec : groups.get(g)) {
          w.write(rec);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("writing " + name, e);
      }
      files.add(w.toDataFile());
    }
    return files;
  }

  /** A Spark row as an Iceberg record, field by field by name (column order may differ). */
  private static GenericRecord record(Types.StructType type, StructType schema, Row row) {
    GenericRecord rec = GenericRecord.create(type);
    for (Types.NestedField f : type.fields()) {
      int i;
      try {
        i = schema.fieldIndex(f.name());
      } catch (IllegalArgumentException absent) {
        continue; // a column of a newer zoobench: null
      }
      rec.setField(f.name(), value(f.type(), row.isNullAt(i) ? null : row.get(i),
          schema.fields()[i].dataType()));
    }
    return rec;
  }

  /**
   * A read-only list view of {@code d}: the Parquet writer reads each element once, so a run's
   * {@code curves} (about a million precision values for COCO's bbox and segm) are never held
   * as a million boxed copies at once.
   */
  private static List<Double> doubles(double[] d) {
    return new java.util.AbstractList<>() {
      @Override
      public Double get(int i) {
        return d[i];
      }

      @Override
      public int size() {
        return d.length;
      }
    };
  }

  private static Object value(Type type, Object v, org.apache.spark.sql.types.DataType spark) {
    if (v == null) {
      return null;
    }
    switch (type.typeId()) {
      case TIMESTAMP:
        Timestamp ts = (Timestamp) v;
        OffsetDateTime t = OffsetDateTime.ofInstant(ts.toInstant(), ZoneOffset.UTC);
        return ((Types.TimestampType) type).shouldAdjustToUTC() ? t : t.toLocalDateTime();
      case LONG:
        return ((Number) v).longValue();
      case INTEGER:
        return ((Number) v).intValue();
      case DOUBLE:
        return ((Number) v).doubleValue();
      case LIST:
        if (v instanceof double[] d) {
          return doubles(d);
        }
        Type element = type.asListType().elementType();
        List<Object> out = new ArrayList<>();
        if (v instanceof int[] a) {
          for (int x : a) {
            out.add(x);
          }
        } else if (v instanceof Object[] o) {
          for (Object x : o) {
            out.add(value(element, x, null));
          }
        } else if (v instanceof List<?> l) {
          for (Object x : l) {
            out.add(value(element, x, null));
          }
        } else {
          for (Object x : scala.jdk.javaapi.CollectionConverters.asJava(
              (scala.collection.Seq<?>) v)) {
            out.add(value(element, x, null));
          }
        }
        return out;
      case STRUCT:
        return record(type.asStructType(), (StructType) spark, (Row) v);
      default:
        return v;
    }
  }
}
