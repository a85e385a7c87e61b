package io.zoobench.jobs.tables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.zoobench.jobs.spark.LocalSpark;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code zoo} and {@code zoo_history} views on runs published with known measured and
 * published figures: one row per model (its latest succeeded run) and one per succeeded run,
 * each delta the measured figure minus the published one, nulls where either is missing.
 */
class ZooViewTest {
  @TempDir static Path root;
  private static Warehouse warehouse;

  @BeforeAll
  static void publishRuns() {
    warehouse = Warehouse.open(LocalSpark.get(), root.toString());
    RunRow.ZooReference maskRef = new RunRow.ZooReference("Mask R-CNN", 8.6, 3.8, 0.373,
        0.341, null);
    // the same model twice: the later run is the zoo's row, both are its history
    publish("mask-old", "mask", "2026-11-20 10:00:00", maskRef,
        Map.of("bbox", 0.30, "segm", 0.28), 10.0, null);
    publish("mask-new", "mask", "2026-11-21 10:00:00", maskRef,
        Map.of("bbox", 0.35, "segm", 0.33), 12.5, 2L << 30);
    publish("rpn-1", "rpn", "2026-11-20 12:00:00",
        new RunRow.ZooReference("RPN", 20.5, null, null, null, 0.511),
        Map.of("proposal", 0.48), 15.0, null);
    // an import: no family, no published figures, no fps
    publish("imported", "other", "2026-11-22 10:00:00", RunRow.ZooReference.NONE,
        Map.of("bbox", 0.25), null, null);
    // a zoo run of a model, then an import of it: the import keeps the model's zoo figures
    publish("retina-zoo", "retina", "2026-11-20 09:00:00",
        new RunRow.ZooReference("RetinaNet", null, null, 0.355, null, null),
        Map.of("bbox", 0.36), 9.0, null);
    publish("retina-imported", "retina", "2026-11-23 09:00:00", RunRow.ZooReference.NONE,
        Map.of("bbox", 0.31), null, null);
    warehouse.registerViews(null);
  }

  /** Publishes a run with the first stat of each IoU type given, and one timing shard. */
  private static void publish(String runId, String model, String finished,
      RunRow.ZooReference ref, Map<String, Double> ap, Double fps, Long peakBytes) {
    try (RunAttempt a = warehouse.begin(runId, "test")) {
      List<MetricRow> metrics = ap.entrySet().stream().map(e -> new MetricRow(runId, model,
          e.getKey(), e.getKey().equals("proposal") ? "AR@1000" : "AP", e.getValue(),
          e.getKey().equals("proposal") ? 8 : 0, "pycocotools", "box")).toList();
      a.append(MetricRow.TABLE, metrics);
      if (fps != null) {
        a.append(TimingRow.TABLE, List.of(new TimingRow(runId, 0, model, 11, 1, 0, 0, 0, 0, 0,
            fps, fps * 2, peakBytes, "cpu", "h", null, 0, 0)));
      }
      Timestamp end = Timestamp.valueOf(finished);
      a.publish(new RunRow(runId, a.attemptId(),
          new RunRow.Subject(model, "gt.json", "/gt.json", "ab", "/images", null,
              String.join(",", ap.keySet()), "{}", "cd"),
          new RunRow.Outcome(RunRow.SUCCEEDED, null, end, end),
          new RunRow.Environment("local[2]", "4", 1, "cpu"),
          new RunRow.Counts(11L, 0L, 5L, 1.0, 2.0, null), "v",
          // an import describes no model
          ref == RunRow.ZooReference.NONE ? RunRow.ModelInfo.NONE
              : new RunRow.ModelInfo("arch-" + model, "r50", "pytorch", "1x", "/m.pt"),
          RunRow.ModelFile.NONE, ref));
    }
  }

  private static Map<String, Row> byRunId(String view) {
    return warehouse.session().sql("SELECT * FROM " + view).collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getAs("run_id"), r -> r));
  }

  @Test
  void zooHasEachModelsLatestRunWithPublishedFiguresAndDeltas() {
    Map<String, Row> zoo = byRunId("zoo");
    assertThat(zoo).containsOnlyKeys("mask-new", "rpn-1", "imported", "retina-imported");

    Row mask = zoo.get("mask-new");
    assertThat(mask.<String>getAs("model")).isEqualTo("mask");
    assertThat(mask.<String>getAs("family")).isEqualTo("Mask R-CNN");
    assertThat(mask.<String>getAs("arch")).isEqualTo("arch-mask");
    assertThat(mask.<Double>getAs("box_ap")).isEqualTo(0.35);
    assertThat(mask.<Double>getAs("box_ap_ref")).isEqualTo(0.373);
    assertThat(mask.<Double>getAs("box_ap_delta")).isCloseTo(0.35 - 0.373, within(1e-12));
    assertThat(mask.<Double>getAs("mask_ap_delta")).isCloseTo(0.33 - 0.341, within(1e-12));
    // 10 measured images in 10 / 12.5 s
    assertThat(mask.<Double>getAs("fps")).isCloseTo(12.5, within(1e-9));
    assertThat(mask.<Double>getAs("fps_ref")).isEqualTo(8.6);
    assertThat(mask.<Double>getAs("fps_delta")).isCloseTo(12.5 - 8.6, within(1e-9));
    assertThat(mask.<Double>getAs("fps_compute")).isCloseTo(25.0, within(1e-9));
    // 2 GiB measured, 3.8 GB published (training)
    assertThat(mask.<Double>getAs("memory")).isCloseTo(2.0, within(1e-12));
    assertThat(mask.<Double>getAs("memory_delta")).isCloseTo(2.0 - 3.8, within(1e-12));
    assertThat(mask.isNullAt(mask.fieldIndex("ar1000_delta"))).isTrue();

    Row rpn = zoo.get("rpn-1");
    assertThat(rpn.<Double>getAs("ar1000")).isEqualTo(0.48);
    assertThat(rpn.<Double>getAs("ar1000_delta")).isCloseTo(0.48 - 0.511, within(1e-12));
    assertThat(rpn.isNullAt(rpn.fieldIndex("box_ap"))).isTrue();
    assertThat(rpn.isNullAt(rpn.fieldIndex("memory"))).as("no device memory on CPU").isTrue();
    assertThat(rpn.isNullAt(rpn.fieldIndex("memory_delta"))).isTrue();

    Row imported = zoo.get("imported");
    assertThat(imported.<Double>getAs("box_ap")).isEqualTo(0.25);
    for (String c : List.of("family", "fps", "fps_ref", "box_ap_ref", "box_ap_delta")) {
      assertThat(imported.isNullAt(imported.fieldIndex(c))).as(c).isTrue();
    }

    Row retina = zoo.get("retina-imported");
    assertThat(retina.<String>getAs("family")).isEqualTo("RetinaNet");
    assertThat(retina.<String>getAs("arch")).isEqualTo("arch-retina");
    assertThat(retina.<Double>getAs("box_ap_ref")).isEqualTo(0.355);
    assertThat(retina.<Double>getAs("box_ap_delta")).isCloseTo(0.31 - 0.355, within(1e-12));
    assertThat(retina.isNullAt(retina.fieldIndex("fps"))).isTrue();
  }

  @Test
  void zooHistoryHasEverySucceededRunWithTheZoosColumns() {
    Map<String, Row> history = byRunId("zoo_history");
    assertThat(history).containsOnlyKeys("mask-old", "mask-new", "rpn-1", "imported",
        "retina-zoo", "retina-imported");
    Row old = history.get("mask-old");
    assertThat(old.<Double>getAs("box_ap_delta")).isCloseTo(0.30 - 0.373, within(1e-12));
    assertThat(old.<Double>getAs("fps")).isCloseTo(10.0, within(1e-9));
    assertThat(warehouse.session().table("zoo_history").columns())
        .containsExactly(warehouse.session().table("zoo").columns())
        .startsWith("model", "family", "arch", "backbone", "style", "lr_schedule", "run_id",
            "finished_at", "fps", "fps_ref", "fps_delta", "memory", "memory_ref",
            "memory_delta", "box_ap", "box_ap_ref", "box_ap_delta", "mask_ap", "mask_ap_ref",
            "mask_ap_delta", "ar1000", "ar1000_ref", "ar1000_delta");
  }
}
