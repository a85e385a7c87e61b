package io.zoobench.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.zoobench.jobs.spark.LocalSpark;
import io.zoobench.testing.ReferenceCases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code zoobench sql} sees the warehouse and nothing else, and runs nothing: 56 statements
 * that run a command, read a file or path outside the warehouse (every file data source,
 * table-valued functions, {@code LOAD DATA}, other catalogs), call Java or hide one of these
 * in a subquery, CTE, EXPLAIN or a later statement are refused in one line, before any statement
 * runs, with no command run and no byte of the outside file printed; 24 ordinary queries and
 * inspections still run. Also: credentials in SQL text are refused and never logged.
 */
class SqlAllowListTest {
  private static final String CANARY = "zoobench-canary-4711";

  @TempDir static Path dir;
  static Path warehouse;
  static Path secret;
  static Path probe;

  @BeforeAll
  static void warehouseAndOutsideFiles() throws Exception {
    LocalSpark.get();
    warehouse = dir.resolve("warehouse");
    ReferenceCases.Mode boxes = ImportCommandTest.mode("08_", "bbox");
    Cli.Result r = Cli.run("import", "--annotations", boxes.gt().toString(), "--results",
        boxes.dt().toString(), "--iou", "bbox", "--warehouse", warehouse.toString(),
        "--run-id", "a", "--model", "boxes");
    assertThat(r.exit()).as("%s", r).isZero();
    secret = Files.writeString(dir.resolve("secret.txt"), CANARY + "\n" + CANARY + ",2\n");
    probe = dir.resolve("probe");
  }

  static Cli.Result sql(String statement) {
    return Cli.run("sql", "--warehouse", warehouse.toString(), "--format", "csv", statement);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      // commands: script transforms, anywhere in the plan
      "SELECT TRANSFORM(1) USING 'touch {probe}' AS (x)",
      "SELECT TRANSFORM(run_id) USING 'touch {probe}' AS (x) FROM runs",
      "FROM runs SELECT TRANSFORM(run_id) USING 'sh -c \"touch {probe}\"'",
      "SELECT * FROM (SELECT TRANSFORM(1) USING 'touch {probe}' AS (x))",
      "WITH t AS (SELECT TRANSFORM(1) USING 'touch {probe}' AS (x)) SELECT * FROM t",
      "SELECT (SELECT max(x) FROM (SELECT TRANSFORM(1) USING 'touch {probe}' AS (x)))",
      "SELECT 1 WHERE EXISTS (SELECT TRANSFORM(1) USING 'touch {probe}' AS (x))",
      "SELECT run_id FROM runs UNION ALL SELECT TRANSFORM(1) USING 'touch {probe}' AS (x)",
      "SELECT * FROM runs r JOIN (SELECT TRANSFORM(1) USING 'touch {probe}' AS (x)) t ON true",
      "EXPLAIN SELECT TRANSFORM(1) USING 'touch {probe}' AS (x)",
      "EXPLAIN EXTENDED SELECT TRANSFORM(1) USING 'touch {probe}' AS (x)",
      "SELECT count(*) FROM runs; SELECT TRANSFORM(1) USING 'touch {probe}' AS (x)",
      "SELECT TRANSFORM(*) USING 'cat {secret}' AS (x) FROM runs",
      "VALUES ((SELECT max(x) FROM (SELECT TRANSFORM(1) USING 'touch {probe}' AS (x))))",
      // files and paths as tables, every data source
      "SELECT * FROM text.`{secret}`",
      "SELECT * FROM csv.`{secret}`",
      "SELECT * FROM json.`{secret}`",
      "SELECT * FROM parquet.`{secret}`",
      "SELECT * FROM orc.`{secret}`",
      "SELECT * FROM avro.`{secret}`",
      "SELECT * FROM xml.`{secret}`",
      "SELECT base64(content) FROM binaryFile.`{secret}`",
      "SELECT * FROM binaryFile.`{dir}`",
      "SELECT * FROM `text`.`{secret}`",
      "SELECT * FROM text.`file://{secret}`",
      "SELECT * FROM text.`file:{secret}`",
      "SELECT * FROM text.`/etc/passwd`",
      "SELECT base64(content) FROM binaryFile.`/etc/hostname`",
      "SELECT * FROM text.`s3a://other-bucket/private/x`",
      "SELECT * FROM parquet.`{warehouse}/results`",
      "SELECT input_file_name() FROM text.`{secret}`",
      "TABLE text.`{secret}`",
      "SELECT * FROM runs JOIN text.`{secret}` ON true",
      "SELECT * FROM runs WHERE run_id IN (SELECT value FROM text.`{secret}`)",
      "WITH f AS (SELECT * FROM csv.`{secret}`) SELECT * FROM f",
      "EXPLAIN SELECT * FROM json.`{secret}`",
      "SELECT * FROM delta.`{secret}`",
      "SELECT * FROM iceberg.`{warehouse}/results/runs`",
      // table-valued functions that read files, LOAD DATA
      "SELECT * FROM read_files('{secret}')",
      "SELECT * FROM read_files('{secret}', format => 'text')",
      "SELECT * FROM IDENTIFIER('text.`{secret}`')",
      "LOAD DATA LOCAL INPATH '{secret}' INTO TABLE runs",
      "LOAD DATA INPATH '{secret}' OVERWRITE INTO TABLE zoobench.results.runs",
      // other catalogs and namespaces
      "SELECT * FROM spark_catalog.default.runs",
      "SELECT * FROM zoobench.other.runs",
      // Java by reflection, anywhere
      "SELECT reflect('java.lang.System', 'getProperty', 'user.home')",
      "SELECT java_method('java.lang.System', 'getenv', 'HOME')",
      "SELECT try_reflect('java.lang.System', 'getProperty', 'user.home')",
      "SELECT * FROM runs WHERE run_id = reflect('java.lang.System', 'getProperty', 'x')",
      // anything but a query
      "INSERT OVERWRITE LOCAL DIRECTORY '{dir}/out' SELECT * FROM runs",
      "CREATE TEMPORARY FUNCTION f AS 'java.lang.String'",
      "ADD FILE {secret}",
      "LIST FILE",
      "SET spark.sql.runSQLOnFiles = true",
      "RESET",
      "MSCK REPAIR TABLE runs"})
  void commandsFilesAndOtherCatalogsAreRefusedBeforeAnythingRuns(String template)
      throws Exception {
    String statement = template.replace("{probe}", probe.toString())
        .replace("{secret}", secret.toString()).replace("{dir}", dir.toString())
        .replace("{warehouse}", warehouse.toString());

    Cli.Result r = sql(statement);

    assertThat(r.exit()).as("%s", r).isEqualTo(Zoobench.EXIT_BAD_INPUT);
    assertThat(r.err().strip()).as("%s", r).startsWith("zoobench sql: ")
        .doesNotContain("\n").doesNotContain("Exception");
    assertThat(r.out()).as("nothing ran, not even a statement before it").isEmpty();
    assertThat(r.out() + r.err()).doesNotContain(CANARY);
    assertThat(probe).as("no command ran").doesNotExist();
    assertThat(dir.resolve("out")).doesNotExist();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "SELECT * FROM runs",
      "SELECT * FROM zoo",
      "SELECT * FROM zoo_history",
      "SELECT count(*) FROM predictions",
      "SELECT r.model, m.value FROM metrics m JOIN runs r USING (run_id) WHERE m.slot = 0",
      "SELECT run_id, row_number() OVER (PARTITION BY model ORDER BY started_at) FROM runs",
      "SELECT category_id, count(*) FROM predictions GROUP BY ROLLUP (category_id)",
      "WITH ok AS (SELECT run_id FROM runs WHERE status = 'succeeded') SELECT * FROM ok",
      "SELECT * FROM runs WHERE run_id IN (SELECT run_id FROM metrics)",
      "SELECT * FROM runs WHERE EXISTS (SELECT 1 FROM metrics WHERE metrics.run_id = runs.run_id)",
      "SELECT run_id FROM runs UNION SELECT run_id FROM metrics",
      "SELECT run_id FROM runs INTERSECT SELECT run_id FROM metrics",
      "SELECT run_id FROM runs EXCEPT SELECT run_id FROM failures",
      "SELECT image_id FROM predictions ORDER BY score DESC LIMIT 5 OFFSET 2",
      "SELECT * FROM metrics PIVOT (max(value) FOR slot IN (0, 1))",
      "SELECT * FROM VALUES (1, 2) AS t(a, b) UNPIVOT (v FOR k IN (a, b))",
      "SELECT explode(array(1, 2, 3))",
      "SELECT * FROM range(3)",
      "SELECT * FROM predictions TABLESAMPLE (50 PERCENT)",
      "SELECT /*+ REPARTITION(2) */ * FROM metrics DISTRIBUTE BY run_id SORT BY value",
      "SELECT * FROM zoobench.results.runs.snapshots",
      "EXPLAIN SELECT * FROM runs",
      "DESCRIBE TABLE runs",
      "SHOW TABLES IN zoobench.results"})
  void queriesOfTheWarehouseRun(String statement) {
    Cli.Result r = sql(statement);
    assertThat(r.exit()).as("%s", r).isZero();
  }

  @Test
  void credentialsInSqlTextAreRefusedAndNeverLogged() throws Exception {
    Path file = Files.writeString(dir.resolve("creds.sql"),
        "SELECT * FROM parquet.`s3a://AKIACANARYKEY:canary/secret+value@bucket/x`");
    Path log = Path.of(System.getProperty("zoobench.log.dir", "logs"), "zoobench.log");

    Cli.Result r = Cli.run("sql", "--warehouse", warehouse.toString(), "--file",
        file.toString());

    assertThat(r.exit()).as("%s", r).isEqualTo(Zoobench.EXIT_BAD_INPUT);
    assertThat(r.err().strip()).startsWith("zoobench sql: statement ")
        .contains("s3a://bucket/x").contains("credentials in a path are refused")
        .doesNotContain("AKIACANARYKEY").doesNotContain("secret+value").doesNotContain("\n");
    assertThat(log).as("the import before wrote the log").isRegularFile();
    assertThat(Files.readString(log)).doesNotContain("secret+value")
        .doesNotContain("AKIACANARYKEY");
  }

  @Test
  void theLogDropsTheUserInfoOfEveryUriWhoeverLogsIt() throws Exception {
    Path log = Path.of(System.getProperty("zoobench.log.dir", "logs"), "zoobench.log");
    org.slf4j.LoggerFactory.getLogger("org.apache.hadoop.fs.FileSystem").warn(
        "cannot read s3a://AKIALOGKEY:log/secret+1@bucket/x.json, s3a://LOGKEYALONE@bkt/y and"
            + " file:///tmp/a@b", new java.io.IOException("open s3a://AKIALOGKEY:trace/secret2@b/z"));

    String text = Files.readString(log);
    assertThat(text).contains("cannot read s3a://bucket/x.json, s3a://bkt/y and file:///tmp/a@b")
        .contains("open s3a://b/z").doesNotContain("AKIALOGKEY").doesNotContain("secret+1")
        .doesNotContain("trace/secret2").doesNotContain("LOGKEYALONE");
  }
}
