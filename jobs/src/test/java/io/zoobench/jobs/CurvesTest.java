package io.zoobench.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.zoobench.eval.EvalParams;
import io.zoobench.jobs.spark.LocalSpark;
import io.zoobench.jobs.tables.CurveRow;
import io.zoobench.jobs.tables.Warehouse;
import io.zoobench.parity.ParityCase;
import io.zoobench.parity.PycocotoolsOracle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The {@code curves} table holds pycocotools' own {@code eval['precision']} and
 * {@code eval['recall']}: the fixture Mask R-CNN's detections on the shapes set (bbox and segm)
 * and the fixture RPN's proposals are imported, and every stored cell is compared, bit for bit,
 * with what pycocotools (tools/oracle/coco_oracle.py) accumulates from the same files.
 */
class CurvesTest {
  private static final Path HOME = Path.of(System.getProperty("zoobench.home", ".."));
  private static final Path GT = HOME.resolve("fixtures/shapes-val/instances.json");
  private static final Path MASKS = HOME.resolve("fixtures/expected/shapes_maskrcnn_val.json");
  private static final Path PROPOSALS = HOME.resolve("fixtures/expected/shapes_rpn_val.json");

  @TempDir static Path warehouse;
  @TempDir static Path work;
  private static Map<String, List<CurveRow>> stored;
  private static Map<String, PycocotoolsOracle.Curves> expected;

  @BeforeAll
  static void importAndAskPycocotools() {
    LocalSpark.get();
    for (String[] run : new String[][] {{"masks", MASKS.toString(), "bbox,segm"},
        {"rpn", PROPOSALS.toString(), "proposal"}}) {
      Cli.Result r = Cli.run("import", "--annotations", GT.toString(), "--results", run[1],
          "--iou", run[2], "--warehouse", warehouse.toString(), "--run-id", run[0],
          "--model", run[0]);
      assertThat(r.exit()).as("%s", r).isZero();
    }
    Warehouse w = Warehouse.openExisting(LocalSpark.get(), warehouse.toString());
    stored = w.table(CurveRow.TABLE).collectAsList().stream().map(CurveRow.TABLE::fromRow)
        .collect(Collectors.groupingBy(CurveRow::iouType));

    List<PycocotoolsOracle.Job> jobs = new ArrayList<>();
    for (String iou : List.of("bbox", "segm")) {
      jobs.add(new PycocotoolsOracle.Job(iou, GT, MASKS,
          new ParityCase.Evaluation(iou, "auto", "pycocotools")));
    }
    jobs.add(new PycocotoolsOracle.Job("proposal", GT, PROPOSALS,
        new ParityCase.Evaluation("proposal", "auto", "pycocotools")));
    expected = PycocotoolsOracle.inCheckout(HOME).check().curves(jobs, work.resolve("oracle"))
        .stream().collect(Collectors.toMap(PycocotoolsOracle.Curves::id, Function.identity()));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"bbox, 3", "segm, 3", "proposal, 1"})
  void everyCellIsPycocotoolsPrecisionAndRecall(String iouType, int categories) {
    PycocotoolsOracle.Curves py = expected.get(iouType);
    List<CurveRow> rows = stored.get(iouType);
    // categories x 10 IoU thresholds x 4 area ranges x 3 maxDets, one row each
    assertThat(py.precisionShape()).containsExactly(10, 101, categories, 4, 3);
    assertThat(rows).hasSize(categories * 10 * 4 * 3);
    List<String> areas = Arrays.asList(EvalParams.AREA_LABELS);
    int positive = 0;
    for (CurveRow c : rows) {
      int k = indexOf(py.categoryIds(), c.categoryId() == null ? -1 : c.categoryId());
      int t = (int) Math.round((c.iouThreshold() - 0.5) / 0.05);
      int a = areas.indexOf(c.area());
      int m = indexOf(py.maxDets(), c.maxDets());
      assertThat(k).as("category %s", c.categoryId()).isNotNegative();
      assertThat(c.iouThreshold()).isEqualTo(0.5 + 0.05 * t, within(1e-12));
      double[] want = new double[101];
      for (int r = 0; r < want.length; r++) {
        want[r] = py.precision(t, r, k, a, m);
      }
      assertThat(c.precision()).as("%s precision, category %s, IoU %s, %s, maxDets %d",
          iouType, c.categoryId(), c.iouThreshold(), c.area(), c.maxDets())
          .containsExactly(want);
      assertThat(c.recall()).as("%s recall, category %s, IoU %s, %s, maxDets %d", iouType,
          c.categoryId(), c.iouThreshold(), c.area(), c.maxDets())
          .isEqualTo(py.recall(t, k, a, m));
      positive += Arrays.stream(want).anyMatch(p -> p > 0) ? 1 : 0;
    }
    // a comparison of empty curves would prove little
    assertThat(positive).as("cells with some precision > 0").isGreaterThan(rows.size() / 4);
    if (iouType.equals("proposal")) {
      assertThat(rows).allMatch(c -> c.categoryId() == null)
          .extracting(CurveRow::maxDets).containsOnly(100, 300, 1000);
    }
  }

  private static int indexOf(long[] values, long v) {
    for (int i = 0; i < values.length; i++) {
      if (values[i] == v) {
        return i;
      }
    }
    return -1;
  }

  private static int indexOf(int[] values, int v) {
    for (int i = 0; i < values.length; i++) {
      if (values[i] == v) {
        return i;
      }
    }
    return -1;
  }
}
