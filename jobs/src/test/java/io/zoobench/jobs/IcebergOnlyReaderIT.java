package io.zoobench.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.zoobench.jobs.spark.LocalSpark;
import io.zoobench.jobs.tables.TableSchema;
import io.zoobench.jobs.tables.Tables;
import io.zoobench.jobs.tables.Warehouse;
import io.zoobench.testing.ReferenceCases;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The warehouse is readable without zoobench and without Spark: {@code IcebergOnlyReader}, in
 * a JVM whose classpath holds Iceberg, Hadoop's client and SQLite's driver only, reads every
 * table through the embedded catalog and finds what zoobench's views show.
 */
class IcebergOnlyReaderIT {
  @TempDir Path tmp;

  /** The reader's classpath: its class, Iceberg, Hadoop's client, SQLite, SLF4J's API, zstd. */
  static String readerClasspath() {
    List<String> cp = new ArrayList<>(List.of(Path.of("target", "test-classes").toAbsolutePath()
        .toString()));
    String all = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    for (String entry : all.split(File.pathSeparator)) {
      String name = Path.of(entry).getFileName().toString();
      if (name.startsWith("iceberg-") || name.startsWith("hadoop-client-api")
          || name.startsWith("hadoop-client-runtime") || name.startsWith("sqlite-jdbc")
          || name.startsWith("slf4j-api") || name.startsWith("zstd-jni")) {
        cp.add(entry);
      }
    }
    assertThat(String.join(" ", cp)).doesNotContain("spark-sql").doesNotContain("spark-core");
    return String.join(File.pathSeparator, cp);
  }

  @Test
  void everyTableReadsWithIcebergAloneAsTheViewsShowIt() throws Exception {
    Path w = tmp.resolve("warehouse");
    ReferenceCases.Mode perfect = ImportCommandTest.mode("01_", "bbox");
    ReferenceCases.Mode boxes = ImportCommandTest.mode("08_", "bbox");
    // a run, a run replaced by a rerun (its old attempt's rows dropped), a failed run
    for (String[] run : new String[][] {{"a", perfect.dt().toString()},
        {"b", perfect.dt().toString()}, {"b", boxes.dt().toString()}}) {
      ReferenceCases.Mode m = run[1].equals(boxes.dt().toString()) ? boxes : perfect;
      Cli.Result r = Cli.run("import", "--annotations", m.gt().toString(), "--results", run[1],
          "--iou", "bbox,segm", "--warehouse", w.toString(), "--run-id", run[0]);
      assertThat(r.exit()).as("%s", r).isZero();
    }
    Cli.Result failed = Cli.run("import", "--annotations", tmp.resolve("nope.json").toString(),
        "--results", boxes.dt().toString(), "--iou", "bbox", "--warehouse", w.toString(),
        "--run-id", "c");
    assertThat(failed.exit()).as("%s", failed).isEqualTo(Zoobench.EXIT_BAD_INPUT);

    Path out = tmp.resolve("reader.out");
    Process p = new ProcessBuilder(StandaloneClusterIT.java(), "-cp", readerClasspath(),
        "io.zoobench.jobs.reader.IcebergOnlyReader", w.toAbsolutePath().toString())
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String printed = Files.readString(out);
    assertThat(p.exitValue()).as(printed).isZero();

    Warehouse wh = Warehouse.open(LocalSpark.get(), w.toString());
    List<String> tables = new ArrayList<>();
    List<String> metrics = new ArrayList<>();
    for (TableSchema<?> t : Tables.all()) {
      long raw = wh.session().table(Warehouse.name(t)).count();
      // runs and run_attempts: their views show every row
      long shown = wh.table(t).count();
      List<String> columns = List.of(wh.session().table(Warehouse.name(t)).columns());
      tables.add("table\t" + t.name() + "\t" + raw + "\t"
          + (t == Tables.named(Tables.RUNS) || t == Tables.named(Tables.RUN_ATTEMPTS)
              || t == Tables.named(Tables.FAILURES) ? "*" : shown)
          + "\t" + String.join(",", columns));
    }
    for (Row r : wh.table(Tables.METRICS).collectAsList()) {
      metrics.add(String.format(Locale.ROOT, "metric\t%s\t%s\t%d\t%s", r.<String>getAs("run_id"),
          r.<String>getAs("iou_type"), r.<Integer>getAs("slot"),
          Double.toString(r.<Double>getAs("value"))));
    }
    List<String> lines = printed.lines().filter(l -> l.startsWith("table\t")
        || l.startsWith("metric\t")).toList();
    List<String> readTables = new ArrayList<>();
    for (String l : lines) {
      if (l.startsWith("table\t")) {
        String[] f = l.split("\t");
        boolean everyRowShown = f[1].equals(Tables.RUNS) || f[1].equals(Tables.RUN_ATTEMPTS)
            || f[1].equals(Tables.FAILURES);
        readTables.add(everyRowShown ? f[0] + "\t" + f[1] + "\t" + f[2] + "\t*\t" + f[4] : l);
      }
    }
    assertThat(readTables).containsExactlyInAnyOrderElementsOf(tables);
    assertThat(lines.stream().filter(l -> l.startsWith("metric\t")).toList())
        .isNotEmpty().containsExactlyInAnyOrderElementsOf(metrics);
  }
}
