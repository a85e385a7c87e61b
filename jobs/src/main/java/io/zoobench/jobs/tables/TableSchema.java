package io.zoobench.jobs.tables;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A result table described by one Java record type: its name, its Spark schema (derived from
 * the record's components, in order), how a record becomes a {@link Row} and how a row is read
 * back. Component types map to columns as String → string, long → bigint, int → int, double →
 * double, boolean → boolean, {@link Timestamp} → timestamp, {@code double[]}/{@code int[]} →
 * arrays, a nested record → a struct (or, marked {@link Inline}, its columns in place); names
 * are the components' in snake_case unless {@link Column} says otherwise. Every column is
 * nullable; primitives are for values that are always there.
 *
 * <p>So a new column is one component of one record (plus its line in docs/tables.md, which a
 * test checks against these schemas), and no code builds or reads rows by position.
 *
 * <pre>{@code
 * public record FailureRow(String runId, Long imageId, String file, String stage, String message) {
 *   public static final TableSchema<FailureRow> TABLE = TableSchema.of("failures", FailureRow.class);
 * }
 * Row r = FailureRow.TABLE.toRow(new FailureRow("x", 7L, "a.jpg", "decode", "truncated"));
 * }</pre>
 */
public final class TableSchema<R extends Record> {
  /** The column every table has first and is partitioned by. */
  public static final String RUN_ID = "run_id";

  private final String name;
  private final Class<R> type;
  private final Node root;
  private final StructType schema;

  private TableSchema(String name, Class<R> type) {
    this.name = name;
    this.type = type;
    this.root = new Node(type);
    this.schema = root.struct;
    if (!schema.fieldNames()[0].equals(RUN_ID)) {
      throw new IllegalArgumentException(type.getSimpleName() + ": the first column must be "
          + RUN_ID);
    }
  }

  /** The table {@code name} whose rows are {@code type}'s records. */
  public static <R extends Record> TableSchema<R> of(String name, Class<R> type) {
    return new TableSchema<>(name, type);
  }

  public String name() {
    return name;
  }

  public Class<R> type() {
    return type;
  }

  /** Every column, {@code run_id} first. */
  public StructType schema() {
    return schema;
  }

  /** The columns without {@code run_id} (what a run's partition files hold). */
  public StructType dataSchema() {
    return new StructType(java.util.Arrays.copyOfRange(schema.fields(), 1, schema.size()));
  }

  /** The position of column {@code column} in {@link #schema()}. */
  public int index(String column) {
    return schema.fieldIndex(column);
  }

  /** The record as a row of {@link #schema()}. */
  public Row toRow(R record) {
    return RowFactory.create(root.values(record));
  }

  /** The record as a row of {@link #dataSchema()} (no {@code run_id}). */
  public Row toDataRow(R record) {
    Object[] v = root.values(record);
    return RowFactory.create(java.util.Arrays.copyOfRange(v, 1, v.length));
  }

  /**
   * Reads a row back; columns are found by name, so a row of any schema holding this table's
   * columns (a query result, {@code SELECT *} of the table) will do.
   */
  public R fromRow(Row row) {
    try {
      return type.cast(root.read(row, null));
    } catch (RuntimeException e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("cannot read a " + name + " row: " + e, e);
    }
  }

  @Override
  public String toString() {
    return name + schema.simpleString();
  }

  /** snake_case of a Java name: {@code imagesTotal} → {@code images_total}. */
  static String snake(String camel) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < camel.length(); i++) {
      char c = camel.charAt(i);
      if (Character.isUpperCase(c) && i > 0) {
        b.append('_');
      }
      b.append(Character.toLowerCase(c));
    }
    return b.toString().toLowerCase(Locale.ROOT);
  }

  /** One record type: its (possibly inlined) columns and how to make and read it. */
  private static final class Node {
    final Class<?> type;
    final RecordComponent[] components;
    final MethodHandle[] getters;
    final Constructor<?> constructor;
    /** Per component: null (one column), or the inlined record's node. */
    final Node[] inlined;
    /** Per component that is one column: its column (for inlined: unused). */
    final StructField[] fields;
    /** Per component: a nested struct's node, or null. */
    final Node[] structs;
    final StructType struct;

    Node(Class<?> type) {
      if (!type.isRecord()) {
        throw new IllegalArgumentException(type + " is not a record");
      }
      this.type = type;
      this.components = type.getRecordComponents();
      int n = components.length;
      getters = new MethodHandle[n];
      inlined = new Node[n];
      fields = new StructField[n];
      structs = new Node[n];
      Class<?>[] params = new Class<?>[n];
      List<StructField> all = new ArrayList<>();
      MethodHandles.Lookup lookup = MethodHandles.publicLookup();
      for (int i = 0; i < n; i++) {
        RecordComponent c = components[i];
        params[i] = c.getType();
        try {
          getters[i] = lookup.unreflect(c.getAccessor());
        } catch (IllegalAccessException e) {
          throw new IllegalArgumentException(type + " must be public", e);
        }
        if (c.isAnnotationPresent(Inline.class)) {
          inlined[i] = new Node(c.getType());
          all.addAll(java.util.Arrays.asList(inlined[i].struct.fields()));
          continue;
        }
        Column named = c.getAnnotation(Column.class);
        String column = named != null ? named.value() : snake(c.getName());
        DataType t;
        if (c.getType().isRecord()) {
          structs[i] = new Node(c.getType());
          t = structs[i].struct;
        } else {
          t = sparkType(c.getType(), type, c.getName());
        }
        fields[i] = new StructField(column, t, true, Metadata.empty());
        all.add(fields[i]);
      }
      this.struct = new StructType(all.toArray(StructField[]::new));
      try {
        this.constructor = type.getDeclaredConstructor(params);
      } catch (NoSuchMethodException e) {
        throw new IllegalStateException(e);
      }
    }

    static DataType sparkType(Class<?> t, Class<?> owner, String component) {
      if (t == String.class) {
        return DataTypes.StringType;
      }
      if (t == long.class || t == Long.class) {
        return DataTypes.LongType;
      }
      if (t == int.class || t == Integer.class) {
        return DataTypes.IntegerType;
      }
      if (t == double.class || t == Double.class) {
        return DataTypes.DoubleType;
      }
      if (t == boolean.class || t == Boolean.class) {
        return DataTypes.BooleanType;
      }
      if (t == Timestamp.class) {
        return DataTypes.TimestampType;
      }
      if (t == double[].class) {
        return DataTypes.createArrayType(DataTypes.DoubleType, false);
      }
      if (t == int[].class) {
        return DataTypes.createArrayType(DataTypes.IntegerType, false);
      }
      throw new IllegalArgumentException(owner.getSimpleName() + "." + component + ": no column"
          + " type for " + t.getName());
    }

    /** The record's column values, inlined groups in place. */
    Object[] values(Object record) {
      Object[] out = new Object[struct.size()];
      fill(record, out, 0);
      return out;
    }

    private int fill(Object record, Object[] out, int at) {
      for (int i = 0; i < components.length; i++) {
        Object v;
        try {
          v = record == null ? null : getters[i].invoke(record);
        } catch (Throwable e) {
          throw new IllegalStateException(e);
        }
        if (inlined[i] != null) {
          at = inlined[i].fill(v, out, at);
        } else if (structs[i] != null) {
          out[at++] = v == null ? null : RowFactory.create(structs[i].values(v));
        } else {
          out[at++] = v;
        }
      }
      return at;
    }

    /** Reads this record from {@code row}: by column name, or by position inside a struct. */
    Object read(Row row, int[] position) throws Throwable {
      Object[] args = new Object[components.length];
      for (int i = 0; i < components.length; i++) {
        if (inlined[i] != null) {
          args[i] = inlined[i].read(row, position);
          continue;
        }
        int k = position != null ? position[0]++ : row.fieldIndex(fields[i].name());
        Object v = row.isNullAt(k) ? null : row.get(k);
        args[i] = convert(v, components[i].getType(), structs[i]);
      }
      return constructor.newInstance(args);
    }

    private static Object convert(Object v, Class<?> t, Node struct) throws Throwable {
      if (v == null) {
        if (t.isPrimitive()) {
          throw new IllegalStateException("null in a column of type " + t);
        }
        return null;
      }
      if (struct != null) {
        return struct.read((Row) v, new int[] {0});
      }
      if (t == double[].class || t == int[].class) {
        List<?> list = v instanceof List<?> l ? l
            : scala.jdk.javaapi.CollectionConverters.asJava((scala.collection.Seq<?>) v);
        if (t == double[].class) {
          double[] d = new double[list.size()];
          for (int i = 0; i < d.length; i++) {
            d[i] = ((Number) list.get(i)).doubleValue();
          }
          return d;
        }
        int[] a = new int[list.size()];
        for (int i = 0; i < a.length; i++) {
          a[i] = ((Number) list.get(i)).intValue();
        }
        return a;
      }
      if (t == Timestamp.class && v instanceof java.time.Instant i) {
        return Timestamp.from(i);
      }
      return v;
    }
  }
}
