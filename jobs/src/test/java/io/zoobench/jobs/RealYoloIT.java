package io.zoobench.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zoobench.detect.InputPipeline;
import io.zoobench.detect.PreparedImage;
import io.zoobench.jobs.spark.LocalSpark;
import io.zoobench.jobs.tables.Tables;
import io.zoobench.jobs.tables.Warehouse;
import io.zoobench.parity.ParityCase;
import io.zoobench.parity.PycocotoolsOracle;
import io.zoobench.zoo.ModelSpec;
import io.zoobench.zoo.ZooManifest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real published detector on real COCO images, equal to Python: the YOLOv5n COCO weights of
 * {@code ../shared/real-models} exported by tools/export/yolov5.py (the project's own module),
 * whose Python reference pipeline (PIL decoding, the letterbox, the same TorchScript file,
 * candidates, class-wise NMS, COCO results) runs on the 80 val2017 JPEGs of
 * {@code ../shared/real-coco}; then {@code zoobench zoo run conf/zoo/yolo.yaml} on the same
 * images. The letterboxed inputs are equal pixel for pixel; every image has as many detections
 * as Python's, each within 0.05 px and 1e-4 in score of one of Python's; box AP equals
 * pycocotools' on the Python detections to 1e-4. A second zoo run skips the model, {@code
 * --force} runs it again, and the report shows it in the YOLO family.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealYoloIT {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final Path SHARED = ROOT.resolveSibling("shared");
  static final Path WEIGHTS = SHARED.resolve("real-models/yolov5n/yolov5n_coco_state_dict.pt");
  static final Path COCO = SHARED.resolve("real-coco/val2017-tiny");
  static final Path ANNOTATIONS = COCO.resolve("instances_val2017.json");
  static final Path IMAGES = COCO.resolve("images");
  static final String MANIFEST = ROOT.resolve("conf/zoo/yolo.yaml").toString();
  static final int LETTERBOX_DUMPS = 12;

  @TempDir static Path tmp;
  static String python;
  static Path zooRoot;
  static Path reference;
  static Path letterboxes;
  static Path warehouse;

  /** Exports the model and runs the Python reference once for every test. */
  @BeforeAll
  static void exportAndPythonReference() throws Exception {
    assertThat(WEIGHTS).as("the published YOLOv5n weights lent by ../shared").isRegularFile();
    assertThat(ANNOTATIONS).as("the real val2017 subset lent by ../shared").isRegularFile();
    LocalSpark.get();
    System.setProperty("zoobench.home", ROOT.toString());
    zooRoot = Files.createDirectories(tmp.resolve("zoo"));
    reference = tmp.resolve("reference.json");
    letterboxes = tmp.resolve("letterbox");
    warehouse = tmp.resolve("warehouse");
    python = NightlyScheduleIT.run(List.of(ROOT.resolve("tools/python/setup.sh")
        .toString(), "export"), ROOT, null, 600).strip().lines().reduce((a, b) -> b)
        .orElseThrow();
    NightlyScheduleIT.run(List.of(python, ROOT.resolve("tools/export/yolov5.py").toString(),
        "--weights", WEIGHTS.toString(), "--out", zooRoot.resolve("yolov5n-coco.pt").toString(),
        "--reference", ANNOTATIONS.toString(), IMAGES.toString(), reference.toString(),
        "--dump-letterbox", letterboxes.toString(), "--dump-count",
        Integer.toString(LETTERBOX_DUMPS), "--threads", "2"), ROOT, null, 600);
  }

  static Cli.Result zooRun(String... more) {
    List<String> args = new ArrayList<>(List.of("zoo", "run", "--manifest", MANIFEST,
        "--annotations", ANNOTATIONS.toString(), "--images", IMAGES.toString(), "--warehouse",
        warehouse.toString(), "--zoo-root", zooRoot.toString()));
    args.addAll(List.of(more));
    return Cli.run(args.toArray(String[]::new));
  }

  @Test
  @Order(1)
  void theLetterboxIsPythonsPixelForPixel() throws Exception {
    ModelSpec spec = ZooManifest.read(Path.of(MANIFEST), Map.of("ZOO_ROOT", zooRoot.toString()))
        .model("yolov5n-coco");
    InputPipeline pipeline = new InputPipeline(spec.input());
    JsonNode images = new ObjectMapper().readTree(ANNOTATIONS.toFile()).get("images");
    int resized = 0;
    for (int i = 0; i < LETTERBOX_DUMPS; i++) {
      String file = images.get(i).get("file_name").asText();
      PreparedImage p = pipeline.prepare(Files.readAllBytes(IMAGES.resolve(file)), file);
      ByteBuffer dump = ByteBuffer.wrap(Files.readAllBytes(letterboxes.resolve(file + ".f32")))
          .order(ByteOrder.LITTLE_ENDIAN);
      assertThat(dump.remaining()).as(file).isEqualTo(4 * p.pixels().length);
      int differing = 0;
      int first = -1;
      for (int k = 0; k < p.pixels().length; k++) {
        if (Float.floatToIntBits(p.pixels()[k]) != Float.floatToIntBits(dump.getFloat())) {
          differing++;
          first = first < 0 ? k : first;
        }
      }
      assertThat(differing).as("%s: values unlike Python's letterbox (first at %d)", file, first)
          .isZero();
      resized += p.resizedWidth() != p.originalWidth() ? 1 : 0;
    }
    assertThat(resized).as("images that needed resizing among those compared").isPositive();
  }

  @Test
  @Order(2)
  void aZooRunDetectsWhatPythonDetectsWithItsBoxAp() throws Exception {
    Cli.Result r = zooRun();
    assertThat(r.exit()).as("%s", r).isZero();

    Warehouse w = Warehouse.open(LocalSpark.get(), warehouse.toString());
    Row run = w.table(Tables.RUNS).collectAsList().get(0);
    String runId = run.getAs("run_id");
    Map<Long, List<double[]>> ours = byImage(w.table(Tables.PREDICTIONS)
        .where("run_id = '" + runId + "'").select("image_id", "category_id", "bbox", "score")
        .collectAsList());
    Map<Long, List<double[]>> python = new HashMap<>();
    for (JsonNode d : new ObjectMapper().readTree(reference.toFile())) {
      JsonNode b = d.get("bbox");
      python.computeIfAbsent(d.get("image_id").asLong(), k -> new ArrayList<>())
          .add(new double[] {d.get("category_id").asDouble(), b.get(0).asDouble(),
              b.get(1).asDouble(), b.get(2).asDouble(), b.get(3).asDouble(),
              d.get("score").asDouble()});
    }
    assertThat(ours.keySet()).isEqualTo(python.keySet());
    int detections = 0;
    for (long image : python.keySet()) {
      List<double[]> mine = ours.get(image);
      List<double[]> theirs = python.get(image);
      assertThat(mine).as("detections of image %d", image).hasSameSizeAs(theirs);
      assertThat(unmatched(mine, theirs)).as("image %d: ours without a Python detection within"
          + " 0.05 px and 1e-4 in score", image).isEmpty();
      detections += mine.size();
    }
    assertThat(detections).isGreaterThan(10_000);

    PycocotoolsOracle.Answer oracle = PycocotoolsOracle.inCheckout(ROOT).check().run(List.of(
        new PycocotoolsOracle.Job("yolo", ANNOTATIONS, reference,
            new ParityCase.Evaluation("bbox", "auto", "pycocotools"))), tmp).get(0);
    double ap = w.table(Tables.METRICS).where("run_id = '" + runId + "' AND slot = 0")
        .collectAsList().get(0).getAs("value");
    assertThat(ap).as("box AP against pycocotools on Python's detections")
        .isCloseTo(oracle.stats()[0], org.assertj.core.api.Assertions.within(1e-4));
    assertThat(r.out()).contains("yolov5n-coco");
  }

  @Test
  @Order(3)
  void aSecondRunSkipsForceRunsAgainAndTheReportShowsTheYoloFamily() throws Exception {
    Cli.Result again = zooRun();
    assertThat(again.exit()).as("%s", again).isZero();
    assertThat(again.out() + again.err()).contains("0 ran, 1 skipped");

    Cli.Result forced = zooRun("--force");
    assertThat(forced.exit()).as("%s", forced).isZero();
    assertThat(forced.out() + forced.err()).contains("1 ran, 0 skipped");

    Path report = tmp.resolve("report");
    Cli.Result r = Cli.run("report", "--warehouse", warehouse.toString(), "--out",
        report.toString());
    assertThat(r.exit()).as("%s", r).isZero();
    String html = Files.readString(report.resolve("index.html"));
    assertThat(html).contains("YOLO").contains("yolov5n-coco").contains("28.0");
  }

  @Test
  @Order(4)
  void weightsThatDoNotFitTheModuleAreOneLineNamingTheKeyAndShapes() throws Exception {
    Path bad = tmp.resolve("detect-240.pt");
    // the published weights with a 75-class head on one level only: no module has that shape
    NightlyScheduleIT.run(List.of(python, "-c", "import sys, torch; sd = torch.load(sys.argv[1],"
        + " weights_only=True); sd['model.24.m.1.weight'] = sd['model.24.m.1.weight'][:240];"
        + " torch.save(sd, sys.argv[2])", WEIGHTS.toString(), bad.toString()), ROOT, null, 120);
    Process p = new ProcessBuilder(python, ROOT.resolve("tools/export/yolov5.py").toString(),
        "--weights", bad.toString(), "--out", tmp.resolve("never.pt").toString()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(p.waitFor()).isEqualTo(1);
    assertThat(err.strip()).doesNotContain("\n").doesNotContain("Traceback")
        .contains("model.24.m.1.weight").contains("[240, 128, 1, 1]")
        .contains("[255, 128, 1, 1]");
    assertThat(out).isEmpty();
    assertThat(tmp.resolve("never.pt")).doesNotExist();
  }

  /** Per image: category, x, y, w, h, score of each detection. */
  private static Map<Long, List<double[]>> byImage(List<Row> rows) {
    Map<Long, List<double[]>> out = new HashMap<>();
    for (Row row : rows) {
      List<Double> b = row.getList(2);
      out.computeIfAbsent(row.getLong(0), k -> new ArrayList<>())
          .add(new double[] {row.getLong(1), b.get(0), b.get(1), b.get(2), b.get(3),
              row.getDouble(3)});
    }
    return out;
  }

  /**
   * Our detections that no Python detection matches (same category, every box number within
   * 0.05 px, score within 1e-4), each Python detection matched once, nearest first.
   */
  private static List<String> unmatched(List<double[]> ours, List<double[]> python) {
    boolean[] used = new boolean[python.size()];
    List<String> missing = new ArrayList<>();
    for (double[] d : ours) {
      int best = -1;
      double bestDiff = Double.MAX_VALUE;
      for (int j = 0; j < python.size(); j++) {
        double[] p = python.get(j);
        if (used[j] || p[0] != d[0] || Math.abs(p[5] - d[5]) > 1e-4) {
          continue;
        }
        double diff = 0;
        for (int k = 1; k <= 4; k++) {
          diff = Math.max(diff, Math.abs(p[k] - d[k]));
        }
        if (diff <= 0.05 && diff < bestDiff) {
          best = j;
          bestDiff = diff;
        }
      }
      if (best < 0) {
        missing.add(java.util.Arrays.toString(d));
      } else {
        used[best] = true;
      }
    }
    return missing.size() > 5 ? missing.subList(0, 5) : missing;
  }
}
