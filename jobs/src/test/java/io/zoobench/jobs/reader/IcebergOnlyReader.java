package io.zoobench.jobs.reader;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.types.Types;

/**
 * A reader of a zoobench warehouse that knows nothing of zoobench or Spark: Iceberg's Java API,
 * Hadoop's file system and SQLite's JDBC driver only (its JVM's classpath holds nothing else).
 * Prints, per table, its columns and row count, and the rows a view of zoobench would show (of
 * the attempt each run's {@code runs} row names), as tab-separated lines for the test to compare.
 */
public final class IcebergOnlyReader {
  private IcebergOnlyReader() {}

  /** Arguments: the warehouse folder (its {@code catalog.db} is the catalog). */
  public static void main(String[] args) throws Exception {
    try {
      Class.forName("org.apache.spark.sql.SparkSession");
      throw new IllegalStateException("Spark is on this reader's classpath");
    } catch (ClassNotFoundException expected) {
      // the point: no Spark
    }
    String warehouse = args[0];
    JdbcCatalog catalog = new JdbcCatalog();
    catalog.setConf(new Configuration());
    catalog.initialize("zoobench", Map.of("uri", "jdbc:sqlite:" + warehouse + "/catalog.db",
        "warehouse", "file://" + warehouse, "jdbc.schema-version", "V1"));
    List<TableIdentifier> tables = new ArrayList<>(catalog.listTables(Namespace.of("results")));
    tables.sort((a, b) -> a.name().compareTo(b.name()));
    Map<String, String> published = new TreeMap<>();
    for (Record r : rows(catalog.loadTable(TableIdentifier.of("results", "runs")))) {
      published.put((String) r.getField("run_id"), (String) r.getField("attempt_id"));
    }
    for (TableIdentifier id : tables) {
      Table t = catalog.loadTable(id);
      List<String> columns = new ArrayList<>();
      for (Types.NestedField f : t.schema().columns()) {
        columns.add(f.name());
      }
      List<Record> rows = rows(t);
      long visible = rows.stream().filter(r -> r.getField("attempt_id").equals(
          published.get((String) r.getField("run_id")))).count();
      System.out.println("table\t" + id.name() + "\t" + rows.size() + "\t" + visible + "\t"
          + String.join(",", columns));
      if (id.name().equals("metrics")) {
        for (Record r : rows) {
          if (r.getField("attempt_id").equals(published.get((String) r.getField("run_id")))) {
            System.out.println("metric\t" + r.getField("run_id") + "\t" + r.getField("iou_type")
                + "\t" + r.getField("slot") + "\t" + Double.toString(
                    (Double) r.getField("value")));
          }
        }
      }
    }
    catalog.close();
  }

  private static List<Record> rows(Table t) throws Exception {
    List<Record> out = new ArrayList<>();
    try (CloseableIterable<Record> it = IcebergGenerics.read(t).build()) {
      for (Record r : it) {
        out.add(r.copy());
      }
    }
    return out;
  }
}
