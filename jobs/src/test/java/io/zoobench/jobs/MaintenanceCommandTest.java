package io.zoobench.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.zoobench.jobs.spark.LocalSpark;
import io.zoobench.jobs.tables.TableSchema;
import io.zoobench.jobs.tables.Tables;
import io.zoobench.jobs.tables.Warehouse;
import io.zoobench.testing.ReferenceCases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code zoobench maintenance}: snapshots past their age expire (the views unchanged, history
 * before them gone), stale checkpoints go, bad arguments are one line. What killed writers
 * leave is cleaned in {@code WarehouseFaultsIT}.
 */
class MaintenanceCommandTest {
  @TempDir Path tmp;

  @Test
  void expiresOldSnapshotsAndKeepsWhatTheViewsShow() throws Exception {
    Path w = tmp.resolve("w");
    ReferenceCases.Mode m = ImportCommandTest.mode("08_", "bbox");
    for (int i = 0; i < 3; i++) {
      Cli.Result r = Cli.run("import", "--annotations", m.gt().toString(), "--results",
          m.dt().toString(), "--iou", "bbox", "--warehouse", w.toString(), "--run-id", "x");
      assertThat(r.exit()).as("%s", r).isZero();
    }
    Path stale = Files.createDirectories(w.resolve("_checkpoints/old-run/abc"));
    Files.setLastModifiedTime(stale.getParent(), java.nio.file.attribute.FileTime.fromMillis(0));
    Warehouse wh = Warehouse.open(LocalSpark.get(), w.toString());
    Map<String, Long> before = counts(wh);
    int snapshots = size(wh.iceberg(Tables.named(Tables.PREDICTIONS)).snapshots());
    assertThat(snapshots).as("three runs, two of them replaced").isGreaterThan(3);

    Cli.Result r = Cli.run("maintenance", "--warehouse", w.toString(), "--older-than", "0s",
        "--retain-last", "1");
    assertThat(r.exit()).as("%s", r).isZero();
    assertThat(r.out()).containsPattern("predictions +1 +" + (snapshots - 1) + " +0")
        .contains("stale checkpoints removed: 1");
    assertThat(stale.getParent()).doesNotExist();
    for (TableSchema<?> t : Tables.all()) {
      var table = wh.iceberg(t);
      table.refresh();
      assertThat(size(table.snapshots())).as(t.name()).isLessThanOrEqualTo(1);
    }
    assertThat(counts(wh)).isEqualTo(before);
    Cli.Result past = Cli.run("sql", "--warehouse", w.toString(), "--as-of",
        "2020-01-01 00:00:00", "SELECT * FROM runs");
    assertThat(past.exit()).isEqualTo(Zoobench.EXIT_BAD_INPUT);
    assertThat(past.err()).contains("no run was published by then")
        .contains("the history kept starts at");
  }

  @Test
  void badAgesAreOneLine() {
    Cli.Result r = Cli.run("maintenance", "--warehouse", tmp.toString(), "--older-than", "7 days");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--older-than must be a number and d, h, m or s");
    Cli.Result none = Cli.run("maintenance", "--warehouse", tmp.resolve("typo").toString());
    assertThat(none.exit()).isEqualTo(Zoobench.EXIT_BAD_INPUT);
    assertThat(none.err()).contains("no zoobench warehouse there");
  }

  private static Map<String, Long> counts(Warehouse w) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (TableSchema<?> t : Tables.all()) {
      out.put(t.name(), w.table(t).count());
    }
    return out;
  }

  private static int size(Iterable<?> it) {
    int n = 0;
    for (Object ignored : it) {
      n++;
    }
    return n;
  }
}
