package io.zoobench.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.zoobench.jobs.spark.LocalSpark;
import io.zoobench.jobs.tables.CurveRow;
import io.zoobench.jobs.tables.MetricRow;
import io.zoobench.jobs.tables.RunAttempt;
import io.zoobench.jobs.tables.RunRow;
import io.zoobench.jobs.tables.TimingRow;
import io.zoobench.jobs.tables.Warehouse;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code zoobench report} over a small warehouse: the shapes fixtures' Mask R-CNN detections
 * imported twice and its RPN proposals once (per-category AP, curves, history), plus a run
 * published as {@code evaluate} publishes one, with a zoo family, published figures and three
 * shards, one of them slow. The page must reference only files that exist, every PNG must decode
 * at the size the page declares, and the model-zoo table must show the {@code zoo} view's
 * numbers.
 */
class ReportCommandTest {
  private static final Path HOME = Path.of(System.getProperty("zoobench.home", ".."));
  private static final Pattern IMG = Pattern.compile(
      "<img src=\"([^\"]+)\" width=\"(\\d+)\" height=\"(\\d+)\"");
  /** The zoo view's figure columns the table shows, with the scale and digits of their text. */
  private static final String[][] FIGURES = {{"memory", "1", "2"}, {"fps", "1", "1"},
      {"box_ap", "100", "1"}, {"mask_ap", "100", "1"}, {"ar1000", "100", "1"}};

  @TempDir static Path warehouse;
  @TempDir static Path reports;

  @BeforeAll
  static void fillWarehouse() {
    LocalSpark.get();
    Path gt = HOME.resolve("fixtures/shapes-val/instances.json");
    publishEvaluateLikeRun();
    for (String[] run : new String[][] {
        {"masks-1", "shapes-maskrcnn", "shapes_maskrcnn_val.json", "bbox,segm"},
        {"rpn-1", "shapes-rpn", "shapes_rpn_val.json", "proposal"},
        {"masks-2", "shapes-maskrcnn", "shapes_maskrcnn_val.json", "bbox,segm"}}) {
      Cli.Result r = Cli.run("import", "--annotations", gt.toString(), "--results",
          HOME.resolve("fixtures/expected").resolve(run[2]).toString(), "--iou", run[3],
          "--warehouse", warehouse.toString(), "--run-id", run[0], "--model", run[1]);
      assertThat(r.exit()).as("%s", r).isZero();
    }
  }

  /**
   * A Faster R-CNN run with the manifest's published figures and three shards (shard 2 at a
   * third of the others' fps end to end), finished an hour ago: older than the imports.
   */
  private static void publishEvaluateLikeRun() {
    Warehouse w = Warehouse.open(LocalSpark.get(), warehouse.toString());
    String id = "frcnn-1";
    try (RunAttempt a = w.begin(id, "evaluate")) {
      a.append(MetricRow.TABLE, List.of(
          new MetricRow(id, "frcnn", "bbox", "AP", 0.4125, 0, "pycocotools", "box")));
      a.append(TimingRow.TABLE, List.of(
          new TimingRow(id, 0, "frcnn", 21, 1, 1, 1, 1, 1, 1, 10.0, 12.0, 2L << 30, "cpu", "h",
              null, 0, 0),
          new TimingRow(id, 1, "frcnn", 21, 1, 1, 1, 1, 1, 1, 11.0, 12.5, 2L << 30, "cpu", "h",
              null, 0, 0),
          new TimingRow(id, 2, "frcnn", 21, 1, 1, 1, 1, 1, 1, 3.5, 11.0, 2L << 30, "cpu", "h",
              null, 0, 0)));
      Timestamp end = new Timestamp(System.currentTimeMillis() - 3_600_000);
      a.publish(new RunRow(id, a.attemptId(),
          new RunRow.Subject("frcnn", "instances.json", "/gt.json", "ab", "/images", null,
              "bbox", "{}", "cd"),
          new RunRow.Outcome(RunRow.SUCCEEDED, null, end, end),
          new RunRow.Environment("local[2]", "4", 1, "cpu"),
          new RunRow.Counts(63L, 0L, 500L, 1.0, 2.0, null), "v",
          new RunRow.ModelInfo("Faster R-CNN", "R-50-FPN", "pytorch", "1x", "/m.pt"),
          RunRow.ModelFile.NONE,
          new RunRow.ZooReference("Faster R-CNN", 21.4, 3.8, 0.374, null, null)));
    }
  }

  private static Cli.Result report(Path out, String... more) {
    List<String> args = new ArrayList<>(List.of("report", "--warehouse", warehouse.toString(),
        "--out", out.toString()));
    args.addAll(List.of(more));
    return Cli.run(args.toArray(String[]::new));
  }

  /**
   * Writes a report and checks its pages: no script, no link out, every image a file of
   * {@code charts/} that decodes at the declared size, every chart shown by both pages.
   * Returns the page and the images it shows.
   */
  private static Page writeAndCheck(Path out, String... more) throws IOException {
    Cli.Result r = report(out, more);
    assertThat(r.exit()).as("%s", r).isZero();
    String html = Files.readString(out.resolve("index.html"));
    assertThat(html).doesNotContainIgnoringCase("<script").doesNotContain("http://")
        .doesNotContain("https://").doesNotContain("<link");
    Set<String> shown = new TreeSet<>();
    Matcher m = IMG.matcher(html);
    while (m.find()) {
      Path png = out.resolve(m.group(1));
      assertThat(png).as("img %s", m.group(1)).isRegularFile();
      BufferedImage image = ImageIO.read(png.toFile());
      assertThat(image).as("%s decodes", png).isNotNull();
      assertThat(image.getWidth()).as("%s width", png).isEqualTo(Integer.parseInt(m.group(2)));
      assertThat(image.getHeight()).as("%s height", png).isEqualTo(Integer.parseInt(m.group(3)));
      shown.add(m.group(1));
    }
    // no other src/href than the images checked
    assertThat(Pattern.compile("(src|href)=").matcher(html).results().count())
        .isEqualTo(shown.size());
    try (Stream<Path> files = Files.list(out.resolve("charts"))) {
      assertThat(files.map(p -> "charts/" + p.getFileName()).toList())
          .containsExactlyInAnyOrderElementsOf(shown);
    }
    String md = Files.readString(out.resolve("report.md"));
    assertThat(Pattern.compile("!\\[[^]]*]\\(([^)]+)\\)").matcher(md).results()
        .map(x -> x.group(1)).toList()).containsExactlyInAnyOrderElementsOf(shown);
    return new Page(html, shown);
  }

  private record Page(String html, Set<String> images) {}

  @Test
  void latestRunPageShowsOnlyExistingPngsOfTheirDeclaredSizeWithCurvesPerIouType()
      throws IOException {
    Page page = writeAndCheck(reports.resolve("latest"));
    // the latest run (masks-2): per-category AP and one PR chart per IoU type
    assertThat(page.images()).containsExactlyInAnyOrder("charts/speed-accuracy.png",
        "charts/ap-history.png", "charts/per-category.png", "charts/pr-bbox.png",
        "charts/pr-segm.png");
    assertThat(page.html()).contains("<h2>Run masks-2 (shapes-maskrcnn)</h2>");
  }

  @Test
  void evaluateRunPageShowsItsShardsWithTheStragglerAndDataLoadingShare() throws IOException {
    Page page = writeAndCheck(reports.resolve("frcnn"), "--run", "frcnn-1");
    // an evaluate run: shards, the slow one marked; no per-category rows or curves stored
    assertThat(page.images()).containsExactlyInAnyOrder("charts/speed-accuracy.png",
        "charts/ap-history.png", "charts/shards.png");
    assertThat(Pattern.compile("<tr class=\"slow\"><td>(\\d+)</td>").matcher(page.html())
        .results().map(x -> x.group(1)).toList()).containsExactly("2");
    // data loading of shard 2: 1 - 3.5 / 11 = 68 %
    assertThat(page.html()).contains("data-v=\"" + (1 - 3.5 / 11.0) + "\">68</td>");
  }

  @Test
  void zooTableShowsTheZooViewsNumbersGroupedByFamily() throws IOException {
    Path out = reports.resolve("zoo");
    assertThat(report(out).exit()).isZero();
    String html = Files.readString(out.resolve("index.html"));
    Warehouse w = Warehouse.openExisting(LocalSpark.get(), warehouse.toString());
    w.registerViews(null);
    List<Row> zoo = w.session().sql("SELECT * FROM zoo").collectAsList();
    assertThat(zoo).hasSize(3);
    int checked = 0;
    for (Row z : zoo) {
      String model = z.getAs("model");
      Matcher row = Pattern.compile("<tr data-model=\"" + Pattern.quote(model)
          + "\" data-run=\"" + Pattern.quote(z.getAs("run_id")) + "\">(.*?)</tr>")
          .matcher(html);
      assertThat(row.find()).as("row of %s", model).isTrue();
      String cells = row.group(1);
      for (String[] f : FIGURES) {
        for (String suffix : new String[] {"", "_ref", "_delta"}) {
          String column = f[0] + suffix;
          Double v = z.getAs(column);
          Matcher cell = Pattern.compile("<td class=\"n " + column + "(?: up| down)?\""
              + "(?: data-v=\"([^\"]+)\")?>([^<]*)</td>").matcher(cells);
          assertThat(cell.find()).as("%s of %s", column, model).isTrue();
          if (v == null) {
            assertThat(cell.group(1)).as("%s of %s", column, model).isNull();
            assertThat(cell.group(2)).isEqualTo("-");
            continue;
          }
          assertThat(Double.parseDouble(cell.group(1))).as("%s of %s", column, model)
              .isEqualTo(v);
          double scaled = v * Double.parseDouble(f[1]);
          String text = String.format(Locale.ROOT, "%." + f[2] + "f", scaled);
          assertThat(cell.group(2)).as("%s of %s", column, model)
              .isEqualTo(suffix.equals("_delta") && scaled >= 0 ? "+" + text : text);
          checked++;
        }
      }
    }
    // frcnn: fps, memory and box AP, each measured, published and delta; the imports: box and
    // mask AP of shapes-maskrcnn, AR@1000 of shapes-rpn (no published figures, no fps)
    assertThat(checked).isEqualTo(9 + 2 + 1);
    // one table per family, the model's row under its family's heading
    int faster = html.indexOf("<h3>Faster R-CNN</h3>");
    int other = html.indexOf("<h3>other</h3>");
    assertThat(faster).isPositive().isLessThan(html.indexOf("data-model=\"frcnn\""));
    assertThat(other).isGreaterThan(html.indexOf("data-model=\"frcnn\""))
        .isLessThan(html.indexOf("data-model=\"shapes-maskrcnn\""));
  }

  @Test
  void curvesHoldOneRowPerCategoryThresholdAreaAndMaxDetsOfEachBboxEvaluation() {
    Warehouse w = Warehouse.openExisting(LocalSpark.get(), warehouse.toString());
    for (String run : List.of("masks-1", "masks-2")) {
      long n = w.table(CurveRow.TABLE).where("run_id = '" + run + "' AND iou_type = 'bbox'")
          .count();
      // 3 categories (rectangle, ellipse, triangle) x 10 IoU thresholds x 4 areas x 3 maxDets
      assertThat(n).as(run).isEqualTo(3 * 10 * 4 * 3);
    }
  }

  @Test
  void aWarehouseWrittenBeforeCurvesExistedIsReportedWithoutPrCurves() throws IOException {
    Path old = reports.resolve("old-warehouse");
    Cli.Result r = Cli.run("import", "--annotations",
        HOME.resolve("fixtures/shapes-val/instances.json").toString(), "--results",
        HOME.resolve("fixtures/expected/shapes_fasterrcnn_val.json").toString(), "--iou", "bbox",
        "--warehouse", old.toString(), "--run-id", "old-1", "--model", "old");
    assertThat(r.exit()).as("%s", r).isZero();
    // as an older zoobench left it: no curves table
    Warehouse.open(LocalSpark.get(), old.toString()).session()
        .sql("DROP TABLE " + Warehouse.name(CurveRow.TABLE));

    Path out = reports.resolve("old-report");
    r = Cli.run("report", "--warehouse", old.toString(), "--out", out.toString());
    assertThat(r.exit()).as("%s", r).isZero();
    assertThat(Files.readString(out.resolve("index.html")))
        .contains("No curves stored for this run").doesNotContain("pr-bbox.png");
    // the reader brought the warehouse up to date: an empty curves table, the run unchanged
    Warehouse w = Warehouse.openExisting(LocalSpark.get(), old.toString());
    assertThat(w.table(CurveRow.TABLE).count()).isZero();
    assertThat(w.table(MetricRow.TABLE).where("run_id = 'old-1'").count()).isEqualTo(12);
  }

  @Test
  void nothingToReportIsOneLineAndExitStatus2() throws IOException {
    Path empty = reports.resolve("empty-warehouse");
    Warehouse.open(LocalSpark.get(), empty.toString());
    Object[][] cases = {
        {"--warehouse", reports.resolve("nowhere").toString(), "no zoobench warehouse there"},
        {"--warehouse", empty.toString(), "no run published yet"},
        {"--run", "no-such-run", "--run no-such-run: not a succeeded run"},
        {"--models", "yolo*", "--models yolo*: matches none of the 3 models"}};
    for (Object[] c : cases) {
      List<String> args = new ArrayList<>(List.of("report", "--out",
          reports.resolve("refused").toString()));
      if (!c[0].equals("--warehouse")) {
        args.addAll(List.of("--warehouse", warehouse.toString()));
      }
      args.addAll(List.of((String) c[0], (String) c[1]));
      Cli.Result r = Cli.run(args.toArray(String[]::new));
      assertThat(r.exit()).as("%s", r).isEqualTo(2);
      assertThat(r.err().lines().toList()).as("%s", r).singleElement().asString()
          .startsWith("zoobench report: ").contains((String) c[2]);
      assertThat(r.out()).isEmpty();
    }
    // a refusal writes nothing
    assertThat(reports.resolve("refused")).doesNotExist();
    Path file = Files.writeString(reports.resolve("a-file"), "x");
    Cli.Result r = report(file);
    assertThat(r.exit()).as("%s", r).isEqualTo(1);
    assertThat(r.err().lines().toList()).singleElement().asString()
        .isEqualTo("zoobench report: --out " + file + ": is a file, not a folder");
  }
}
