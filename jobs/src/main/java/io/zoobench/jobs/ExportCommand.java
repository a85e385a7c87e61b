package io.zoobench.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zoobench.coco.InvalidInputException;
import io.zoobench.coco.OutputPaths;
import io.zoobench.jobs.spark.Redact;
import io.zoobench.jobs.tables.TableSchema;
import io.zoobench.jobs.tables.Tables;
import io.zoobench.jobs.tables.Warehouse;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code zoobench export}: a consistent snapshot of the warehouse's published rows as plain
 * files, for tools that do not speak Iceberg (pandas, DuckDB without its iceberg extension,
 * spreadsheets): one file per table under {@code OUT/<table>/} (and per view: {@code zoo},
 * {@code zoo_history}), Parquet (nested columns kept) or CSV (nested columns as json), plus
 * {@code snapshot.json} naming the Iceberg snapshots read.
 */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = {"Writes a consistent snapshot of the tables (published runs) as plain Parquet"
        + " or CSV files."})
public final class ExportCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The views exported beside the tables, as their rows at the same snapshots: the model-zoo
   * table and its history, so that an engine without the views' SQL (DuckDB, pandas) reads
   * them as {@code zoobench sql} shows them.
   */
  static final List<String> VIEWS = List.of("zoo_history", "zoo");

  /** Output format of {@code --format}. */
  enum Format { parquet, csv }

  @CommandLine.Mixin
  WarehouseReadOptions store = new WarehouseReadOptions();

  @Option(names = "--out", required = true, paramLabel = "DIR",
      description = "Folder to write (must not exist, or be empty).")
  Path out;

  @Option(names = "--format", defaultValue = "parquet", paramLabel = "parquet|csv")
  Format format;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    PrintWriter stdout = spec.commandLine().getOut();
    if (Files.exists(out) && (!Files.isDirectory(out) || !isEmpty(out))) {
      throw new InvalidInputException("--out " + Redact.path(out.toString())
          + ": exists and is not an empty folder");
    }
    OutputPaths.checkFolder("--out", out);
    Warehouse w = store.openExisting("export");
    Map<TableSchema<?>, Long> consistent = w.consistentSnapshots();
    Map<TableSchema<?>, Long> at = consistent != null ? consistent : new java.util.HashMap<>();
    // nothing published yet: every table exported empty
    w.registerViews(at);
    Files.createDirectories(out);
    ObjectNode manifest = JSON.createObjectNode();
    manifest.put("warehouse", Redact.path(w.root()));
    manifest.put("exported_at", Instant.now().toString());
    manifest.put("format", format.name());
    ObjectNode snapshots = manifest.putObject("snapshots");
    ObjectNode rows = manifest.putObject("rows");
    for (TableSchema<?> t : Tables.all()) {
      rows.put(t.name(), write(w, t.name(), stdout));
      if (at.get(t) != null) {
        snapshots.put(t.name(), at.get(t));
      }
    }
    for (String view : VIEWS) {
      rows.put(view, write(w, view, stdout));
    }
    JSON.writerWithDefaultPrettyPrinter().writeValue(out.resolve("snapshot.json").toFile(),
        manifest);
    stdout.flush();
    return 0;
  }

  /** Writes one table or view under {@code out/<name>/}; returns the rows written. */
  private long write(Warehouse w, String name, PrintWriter stdout) {
    Dataset<Row> view = w.session().table(name);
    if (format == Format.csv) {
      view = view.select(csvColumns(view.schema()));
    }
    Path dir = out.resolve(name);
    var writer = view.coalesce(1).write().mode("errorifexists");
    if (format == Format.csv) {
      writer.option("header", "true").csv(dir.toString());
    } else {
      writer.parquet(dir.toString());
    }
    long n = w.session().read().format(format.name()).option("header", "true")
        .load(dir.toString()).count();
    stdout.printf(Locale.ROOT, "%-14s %10d rows  %s%n", name, n, Redact.path(dir.toString()));
    return n;
  }

  /** Columns CSV can hold: arrays and structs as json text. */
  private static Column[] csvColumns(StructType schema) {
    List<Column> cols = new ArrayList<>();
    for (StructField f : schema.fields()) {
      Column c = functions.col(f.name());
      boolean nested = f.dataType() instanceof ArrayType || f.dataType() instanceof StructType;
      cols.add(nested ? functions.to_json(c).as(f.name()) : c);
    }
    return cols.toArray(Column[]::new);
  }

  private static boolean isEmpty(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.findAny().isEmpty();
    }
  }
}
