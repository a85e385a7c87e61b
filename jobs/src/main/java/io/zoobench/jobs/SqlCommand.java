package io.zoobench.jobs;

import io.zoobench.coco.InvalidInputException;
import io.zoobench.coco.Redaction;
import io.zoobench.jobs.tables.TableSchema;
import io.zoobench.jobs.tables.Warehouse;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code zoobench sql}: read-only SQL over the warehouse, every table available by its name
 * ({@code runs}, {@code metrics}, {@code per_category}, {@code curves}, {@code predictions},
 * {@code timings}, {@code failures}, {@code run_attempts}) and the {@code zoo} and
 * {@code zoo_history} views, as the tables are now or were at {@code --as-of}. Prints each statement's rows as a table, CSV
 * or JSON lines.
 */
@Command(
    name = "sql",
    mixinStandardHelpOptions = true,
    description = {"Runs read-only SQL (SELECT, WITH, SHOW, DESCRIBE, EXPLAIN) over the warehouse",
        "views (runs, metrics, per_category, curves, predictions, timings, failures,",
        "run_attempts, zoo, zoo_history; published runs only) or the raw Iceberg tables"
            + " zoobench.results.<table>.",
        "Example:",
        "  zoobench sql \"" + SqlCommand.EXAMPLE + "\""})
public final class SqlCommand implements Callable<Integer> {
  /** The README's example: box AP of every model, newest run first. */
  static final String EXAMPLE = "SELECT r.model, r.run_id, m.value AS AP FROM metrics m"
      + " JOIN runs r USING (run_id) WHERE m.iou_type = 'bbox' AND m.metric = 'AP'"
      + " AND r.status = 'succeeded' ORDER BY r.started_at DESC";

  /** Output format of {@code --format}. */
  enum Format { table, csv, jsonl }

  @Parameters(arity = "0..1", paramLabel = "SQL", description = "Statement(s), separated by ';'.")
  String sql;

  @Option(names = "--file", paramLabel = "F.sql", description = "Read the statements from a file.")
  Path file;

  @CommandLine.Mixin
  WarehouseReadOptions store = new WarehouseReadOptions();

  @Option(names = "--format", defaultValue = "table", paramLabel = "table|csv|jsonl")
  Format format;

  @Option(names = "--as-of", paramLabel = "TIMESTAMP",
      description = "Query the tables as they were then, e.g. --as-of '2026-11-22 00:00:00'"
          + " (Iceberg time travel; the views too).")
  String asOf;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    if ((sql == null) == (file == null)) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "give either a SQL statement or --file F.sql");
    }
    String text = sql != null ? sql : readFile(file);
    List<String> statements = SqlText.split(text);
    if (statements.isEmpty()) {
      throw new CommandLine.ParameterException(spec.commandLine(), "no SQL statement given");
    }
    for (String statement : statements) {
      // before Spark sees it: Hadoop's file systems log the paths they are given, in clear
      Redaction.checkNoCredentials("statement", statement);
    }
    Warehouse w = store.openExisting("sql");
    SparkSession session = w.session();
    for (String statement : statements) {
      ReadOnlySql.check(session, statement);
    }
    // a path is never a table here (SELECT * FROM text.`/etc/passwd`, parquet.`s3a://other/`)
    session.conf().set("spark.sql.runSQLOnFiles", "false");
    session.conf().set("spark.sql.jsonGenerator.ignoreNullFields", "false");
    w.registerViews(asOf == null ? null : snapshotsAsOf(w, asOf));
    // every query is analysed and checked before any statement runs; a query's analysed
    // Dataset is the one that runs (SHOW, DESCRIBE and EXPLAIN run when they are made)
    List<Dataset<Row>> checked = new ArrayList<>();
    for (String statement : statements) {
      String query = ReadOnlySql.queryOf(statement);
      Dataset<Row> q = query == null ? null : oneLine(() -> session.sql(query));
      if (q != null) {
        ReadOnlySql.checkAnalyzed(q.queryExecution().analyzed(), statement);
      }
      checked.add(statement.equals(query) ? q : null);
    }
    PrintWriter out = spec.commandLine().getOut();
    for (int i = 0; i < statements.size(); i++) {
      String statement = statements.get(i);
      Dataset<Row> df = checked.get(i) != null ? checked.get(i)
          : oneLine(() -> session.sql(statement));
      List<Row> rows = format == Format.jsonl ? null : oneLine(df::collectAsList);
      List<String> json = format == Format.jsonl ? oneLine(() -> df.toJSON().collectAsList())
          : null;
      switch (format) {
        case table -> SqlText.printTable(out, df.columns(), rows);
        case csv -> SqlText.printCsv(out, df.columns(), rows);
        case jsonl -> json.forEach(out::println);
        default -> throw new IllegalStateException();
      }
      out.flush();
    }
    return 0;
  }

  /**
   * {@code step}'s value; Spark's exceptions (AnalysisException for an unknown table or column,
   * SparkException for a failing query, e.g. ANSI division by zero), which Scala throws
   * without declaring them, as one line.
   */
  private static <T> T oneLine(java.util.function.Supplier<T> step) {
    try {
      return step.get();
    } catch (InvalidInputException e) {
      throw e;
    } catch (Exception e) {
      throw new InvalidInputException(firstLine(rootMessage(e)));
    }
  }

  /** Every table's snapshot at {@code asOf} (a timestamp in the session's time zone). */
  private static Map<TableSchema<?>, Long> snapshotsAsOf(Warehouse w, String asOf) {
    long millis;
    try {
      Row r = w.session().sql("SELECT unix_millis(CAST(? AS TIMESTAMP))", new Object[] {asOf})
          .first();
      if (r.isNullAt(0)) {
        throw new IllegalArgumentException();
      }
      millis = r.getLong(0);
      if (millis > System.currentTimeMillis() + 86_400_000L) {
        throw new InvalidInputException("--as-of " + asOf + ": is in the future (history ends"
            + " now; leave --as-of out for the tables as they are)");
      }
    } catch (InvalidInputException e) {
      throw e;
    } catch (Exception e) {
      throw new InvalidInputException("--as-of " + asOf + ": not a timestamp (e.g. '2026-11-22"
          + " 00:00:00', in the session's time zone)");
    }
    Map<TableSchema<?>, Long> at = w.snapshotsAsOf(millis);
    if (at == null) {
      long start = w.historyStartMillis();
      throw new InvalidInputException("--as-of " + asOf + ": no run was published by then"
          + (start < 0 ? " (none yet)" : "; the history kept starts at "
              + java.time.Instant.ofEpochMilli(start)));
    }
    return at;
  }

  private static String readFile(Path f) {
    try {
      return Files.readString(f);
    } catch (IOException e) {
      throw new InvalidInputException(io.zoobench.jobs.spark.Redact.path(f.toString())
          + ": cannot read: " + e.getMessage());
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && !(t instanceof AnalysisException)) {
      t = t.getCause();
    }
    return t.getMessage() != null ? t.getMessage() : e.getMessage();
  }

  static String firstLine(String message) {
    String m = String.valueOf(message).strip();
    int eol = m.indexOf('\n');
    return eol < 0 ? m : m.substring(0, eol).strip();
  }

  /** Splitting and printing helpers for SQL text and result rows. */
  static final class SqlText {
    private SqlText() {}

    /** Splits on ';' outside quotes and comments; drops empty statements. */
    static List<String> split(String text) {
      List<String> out = new ArrayList<>();
      StringBuilder cur = new StringBuilder();
      char quote = 0;
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        if (quote != 0) {
          cur.append(c);
          if (c == quote) {
            quote = 0;
          }
        } else if (c == '\'' || c == '"' || c == '`') {
          quote = c;
          cur.append(c);
        } else if (c == '-' && i + 1 < text.length() && text.charAt(i + 1) == '-') {
          int eol = text.indexOf('\n', i);
          i = eol < 0 ? text.length() : eol;
          cur.append('\n');
        } else if (c == ';') {
          add(out, cur);
        } else {
          cur.append(c);
        }
      }
      add(out, cur);
      return out;
    }

    private static void add(List<String> out, StringBuilder cur) {
      String s = cur.toString().strip();
      if (!s.isEmpty()) {
        out.add(s);
      }
      cur.setLength(0);
    }

    static String cell(Object v) {
      if (v == null) {
        return "NULL";
      }
      if (v instanceof scala.collection.Seq<?> seq) {
        List<String> parts = new ArrayList<>();
        scala.jdk.javaapi.CollectionConverters.asJava(seq).forEach(x -> parts.add(cell(x)));
        return "[" + String.join(", ", parts) + "]";
      }
      if (v instanceof Row r) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < r.length(); i++) {
          parts.add(cell(r.get(i)));
        }
        return "{" + String.join(", ", parts) + "}";
      }
      if (v instanceof byte[] b) {
        return "<" + b.length + " bytes>";
      }
      return String.valueOf(v);
    }

    static void printTable(PrintWriter out, String[] cols, List<Row> rows) {
      int[] w = new int[cols.length];
      List<String[]> cells = new ArrayList<>();
      for (int c = 0; c < cols.length; c++) {
        w[c] = cols[c].length();
      }
      for (Row r : rows) {
        String[] line = new String[cols.length];
        for (int c = 0; c < cols.length; c++) {
          line[c] = cell(r.get(c));
          w[c] = Math.max(w[c], line[c].length());
        }
        cells.add(line);
      }
      StringBuilder sep = new StringBuilder("+");
      for (int c = 0; c < cols.length; c++) {
        sep.append("-".repeat(w[c] + 2)).append('+');
      }
      out.println(sep);
      out.println(line(cols, w));
      out.println(sep);
      for (String[] line : cells) {
        out.println(line(line, w));
      }
      out.println(sep);
      out.println(rows.size() + (rows.size() == 1 ? " row" : " rows"));
    }

    private static String line(String[] values, int[] w) {
      StringBuilder b = new StringBuilder("|");
      for (int c = 0; c < values.length; c++) {
        b.append(' ').append(values[c]).append(" ".repeat(w[c] - values[c].length())).append(" |");
      }
      return b.toString();
    }

    static void printCsv(PrintWriter out, String[] cols, List<Row> rows) {
      List<String> header = new ArrayList<>();
      for (String c : cols) {
        header.add(csv(c));
      }
      out.println(String.join(",", header));
      for (Row r : rows) {
        List<String> vals = new ArrayList<>();
        for (int c = 0; c < cols.length; c++) {
          vals.add(r.isNullAt(c) ? "" : csv(cell(r.get(c))));
        }
        out.println(String.join(",", vals));
      }
    }

    private static String csv(String s) {
      if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
      }
      return s;
    }
  }
}
