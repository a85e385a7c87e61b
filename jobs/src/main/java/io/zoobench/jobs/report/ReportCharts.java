package io.zoobench.jobs.report;

import io.zoobench.jobs.tables.CurveRow;
import io.zoobench.jobs.tables.PerCategoryRow;
import io.zoobench.jobs.tables.TimingRow;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Paint;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TimeZone;
import java.util.TreeMap;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.DateAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.time.FixedMillisecond;
import org.jfree.data.time.TimeSeries;
import org.jfree.data.time.TimeSeriesCollection;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The report's charts, drawn with JFreeChart into PNG files of a size fixed by the data (so the
 * page can declare every image's width and height): speed vs accuracy per family, AP history
 * per model, per-category AP of a run, precision/recall curves per IoU threshold of a run, and
 * fps end-to-end vs compute per shard of a run. Needs AWT in headless mode
 * ({@code java.awt.headless=true}), no display. Colours come from a fixed palette in a fixed
 * order, so the same data draws the same picture.
 */
public final class ReportCharts {
  /** Width of every chart but the per-shard one, in pixels. */
  static final int WIDTH = 900;
  static final int HEIGHT = 480;

  /** Tableau's ten colours: distinguishable, and in print. */
  private static final Color[] PALETTE = {new Color(0x4E79A7), new Color(0xF28E2B),
      new Color(0xE15759), new Color(0x76B7B2), new Color(0x59A14F), new Color(0xEDC948),
      new Color(0xB07AA1), new Color(0xFF9DA7), new Color(0x9C755F), new Color(0xBAB0AC)};

  /** A chart written to {@code dir/file}: what the page needs to show it. */
  public record Chart(String file, String title, int width, int height) {}

  /** The charts of a report, null (or empty) where the data for one is missing. */
  public record Drawn(Chart speedAccuracy, Chart apHistory, Chart perCategory,
      List<Chart> precisionRecall, Chart shards) {
    /** Every chart drawn, in page order. */
    public List<Chart> all() {
      List<Chart> out = new ArrayList<>();
      out.add(speedAccuracy);
      out.add(apHistory);
      if (perCategory != null) {
        out.add(perCategory);
      }
      out.addAll(precisionRecall);
      if (shards != null) {
        out.add(shards);
      }
      return out;
    }
  }

  private ReportCharts() {}

  /** Draws every chart {@code data} has data for into {@code dir} (which must exist). */
  public static Drawn draw(ReportData data, Path dir) {
    ReportData.RunDetail run = data.run();
    List<Chart> pr = new ArrayList<>();
    for (Map.Entry<String, List<CurveRow>> e : byIouType(run.curves()).entrySet()) {
      pr.add(precisionRecall(e.getKey(), e.getValue(), dir));
    }
    return new Drawn(speedAccuracy(data.zoo(), dir), apHistory(data.history(), dir),
        run.perCategory().isEmpty() ? null : perCategory(run.runId(), run.perCategory(), dir),
        pr, run.timings().isEmpty() ? null : shards(run.runId(), run.timings(), dir));
  }

  /** fps end-to-end vs box AP, measured (filled) and published (hollow) points per family. */
  static Chart speedAccuracy(List<ZooRow> zoo, Path dir) {
    Map<String, XYSeries[]> byFamily = new LinkedHashMap<>();
    for (ZooRow z : zoo) {
      XYSeries[] s = byFamily.computeIfAbsent(z.familyOrArch(), f -> new XYSeries[] {
          new XYSeries(f + " (measured)", false, true),
          new XYSeries(f + " (reference)", false, true)});
      if (z.fps() != null && z.boxAp() != null) {
        s[0].add(z.fps().doubleValue(), 100 * z.boxAp());
      }
      if (z.fpsRef() != null && z.boxApRef() != null) {
        s[1].add(z.fpsRef().doubleValue(), 100 * z.boxApRef());
      }
    }
    // only series with points: a legend entry of a family without box AP (RPN) says nothing
    XYSeriesCollection data = new XYSeriesCollection();
    List<Paint> paints = new ArrayList<>();
    List<Boolean> measured = new ArrayList<>();
    int family = 0;
    for (XYSeries[] s : byFamily.values()) {
      for (int i = 0; i < 2; i++) {
        if (s[i].getItemCount() > 0) {
          data.addSeries(s[i]);
          paints.add(colour(family));
          measured.add(i == 0);
        }
      }
      family++;
    }
    JFreeChart chart = ChartFactory.createScatterPlot("Speed vs accuracy (latest run per model)",
        "fps end-to-end (images/s, per task)", "box AP (%)", data, PlotOrientation.VERTICAL,
        true, false, false);
    XYPlot plot = xyPlot(chart);
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(false, true);
    for (int i = 0; i < data.getSeriesCount(); i++) {
      r.setSeriesPaint(i, paints.get(i));
      r.setSeriesShape(i, measured.get(i) ? circle(10) : square(10));
      r.setSeriesShapesFilled(i, measured.get(i));
      r.setSeriesStroke(i, new BasicStroke(2f));
    }
    r.setUseOutlinePaint(false);
    plot.setRenderer(r);
    return save(chart, dir, "speed-accuracy.png", "Speed vs accuracy", WIDTH, HEIGHT);
  }

  /** Box AP of each model over its runs (AR@1000 for proposal-only models, mask AP else). */
  static Chart apHistory(List<ZooRow> history, Path dir) {
    Map<String, TimeSeries> byModel = new TreeMap<>();
    for (ZooRow z : history) {
      String metric = z.boxAp() != null ? "box AP" : z.maskAp() != null ? "mask AP"
          : z.ar1000() != null ? "AR@1000" : null;
      if (metric == null || z.finishedAt() == null) {
        continue;
      }
      double v = z.boxAp() != null ? z.boxAp() : z.maskAp() != null ? z.maskAp() : z.ar1000();
      byModel.computeIfAbsent(z.model() + " (" + metric + ")", TimeSeries::new)
          .addOrUpdate(new FixedMillisecond(z.finishedAt().getTime()), 100 * v);
    }
    TimeSeriesCollection data = new TimeSeriesCollection();
    byModel.values().forEach(data::addSeries);
    JFreeChart chart = ChartFactory.createTimeSeriesChart("AP history per model",
        "run finished (UTC)", "AP (%)", data, true, false, false);
    XYPlot plot = xyPlot(chart);
    // the axis says UTC: whatever the JVM's zone, the same runs draw the same chart
    ((DateAxis) plot.getDomainAxis()).setTimeZone(TimeZone.getTimeZone("UTC"));
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
    for (int i = 0; i < data.getSeriesCount(); i++) {
      r.setSeriesPaint(i, colour(i));
      r.setSeriesShape(i, circle(8));
      r.setSeriesStroke(i, new BasicStroke(2f));
    }
    plot.setRenderer(r);
    return save(chart, dir, "ap-history.png", "AP history per model", WIDTH, HEIGHT);
  }

  /** AP@[.5:.95] per category of one run, a bar per IoU type; height grows with categories. */
  static Chart perCategory(String runId, List<PerCategoryRow> rows, Path dir) {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    Map<Long, String> names = new TreeMap<>();
    java.util.Set<String> types = new java.util.TreeSet<>();
    for (PerCategoryRow c : rows) {
      names.put(c.categoryId(), c.name() == null ? "category " + c.categoryId() : c.name());
      types.add(c.iouType());
    }
    for (PerCategoryRow c : rows) {
      // a label per id: two categories of one name would otherwise share a bar
      String label = names.get(c.categoryId()) + " (" + c.categoryId() + ")";
      data.addValue(c.ap() == null ? null : 100 * c.ap(), c.iouType() + " AP", label);
    }
    JFreeChart chart = ChartFactory.createBarChart("Per-category AP@[.5:.95], run " + runId,
        null, "AP (%)", data, PlotOrientation.HORIZONTAL, true, false, false);
    CategoryPlot plot = chart.getCategoryPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    ((NumberAxis) plot.getRangeAxis()).setRange(0, 100);
    BarRenderer r = (BarRenderer) plot.getRenderer();
    r.setBarPainter(new StandardBarPainter());
    r.setShadowVisible(false);
    for (int i = 0; i < data.getRowCount(); i++) {
      r.setSeriesPaint(i, colour(i));
    }
    int height = 140 + names.size() * (6 + 10 * types.size());
    return save(chart, dir, "per-category.png", "Per-category AP", WIDTH, height);
  }

  /**
   * Precision against recall at each IoU threshold (area all, the largest maxDets): at each of
   * the 101 recall points, the mean over the categories that define it (precision > −1), as
   * pycocotools' AP averages them.
   */
  static Chart precisionRecall(String iouType, List<CurveRow> rows, Path dir) {
    int maxDets = rows.stream().mapToInt(CurveRow::maxDets).max().orElse(0);
    Map<Double, double[]> sums = new TreeMap<>();
    Map<Double, int[]> counts = new TreeMap<>();
    for (CurveRow c : rows) {
      if (c.maxDets() != maxDets || !"all".equals(c.area())) {
        continue;
      }
      double[] sum = sums.computeIfAbsent(c.iouThreshold(), t -> new double[c.precision().length]);
      int[] n = counts.computeIfAbsent(c.iouThreshold(), t -> new int[c.precision().length]);
      for (int r = 0; r < sum.length; r++) {
        if (c.precision()[r] > -1) {
          sum[r] += c.precision()[r];
          n[r]++;
        }
      }
    }
    XYSeriesCollection data = new XYSeriesCollection();
    for (Map.Entry<Double, double[]> e : sums.entrySet()) {
      XYSeries s = new XYSeries(String.format(Locale.ROOT, "IoU %.2f", e.getKey()), false, true);
      int[] n = counts.get(e.getKey());
      double[] sum = e.getValue();
      for (int r = 0; r < sum.length; r++) {
        if (n[r] > 0) {
          s.add(r / (double) (sum.length - 1), sum[r] / n[r]);
        }
      }
      data.addSeries(s);
    }
    JFreeChart chart = ChartFactory.createXYLineChart(String.format(Locale.ROOT,
        "Precision/recall, %s (area all, maxDets %d, mean over categories)", iouType, maxDets),
        "recall", "precision", data, PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = xyPlot(chart);
    ((NumberAxis) plot.getDomainAxis()).setRange(0, 1);
    ((NumberAxis) plot.getRangeAxis()).setRange(0, 1.02);
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
    for (int i = 0; i < data.getSeriesCount(); i++) {
      r.setSeriesPaint(i, colour(i));
      r.setSeriesStroke(i, new BasicStroke(2f));
    }
    plot.setRenderer(r);
    return save(chart, dir, "pr-" + iouType + ".png", "Precision/recall, " + iouType, WIDTH,
        HEIGHT);
  }

  /** fps end-to-end next to fps compute for each shard: stragglers and data-loading waits. */
  static Chart shards(String runId, List<TimingRow> timings, Path dir) {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    for (TimingRow t : timings) {
      String shard = Integer.toString(t.shardId());
      data.addValue(t.fpsEndToEnd(), "fps end-to-end", shard);
      data.addValue(t.fpsCompute(), "fps compute", shard);
    }
    JFreeChart chart = ChartFactory.createBarChart("fps per shard, run " + runId, "shard",
        "images/s (warm-up excluded)", data, PlotOrientation.VERTICAL, true, false, false);
    CategoryPlot plot = chart.getCategoryPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    BarRenderer r = (BarRenderer) plot.getRenderer();
    r.setBarPainter(new StandardBarPainter());
    r.setShadowVisible(false);
    r.setSeriesPaint(0, colour(0));
    r.setSeriesPaint(1, colour(1));
    int width = Math.min(1800, Math.max(WIDTH, 160 + 40 * timings.size()));
    return save(chart, dir, "shards.png", "fps per shard", width, HEIGHT);
  }

  private static Map<String, List<CurveRow>> byIouType(List<CurveRow> curves) {
    Map<String, List<CurveRow>> out = new TreeMap<>();
    for (CurveRow c : curves) {
      out.computeIfAbsent(c.iouType(), t -> new ArrayList<>()).add(c);
    }
    return out;
  }

  private static XYPlot xyPlot(JFreeChart chart) {
    XYPlot plot = chart.getXYPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    plot.setNoDataMessage("no data");
    if (plot.getRangeAxis() instanceof NumberAxis n) {
      n.setAutoRangeIncludesZero(false);
    }
    if (plot.getDomainAxis() instanceof NumberAxis n) {
      n.setAutoRangeIncludesZero(false);
    }
    return plot;
  }

  private static Paint colour(int i) {
    return PALETTE[i % PALETTE.length];
  }

  private static Shape circle(double d) {
    return new Ellipse2D.Double(-d / 2, -d / 2, d, d);
  }

  private static Shape square(double d) {
    return new Rectangle2D.Double(-d / 2, -d / 2, d, d);
  }

  private static Chart save(JFreeChart chart, Path dir, String file, String title, int width,
      int height) {
    chart.setBackgroundPaint(Color.WHITE);
    chart.getPlot().setNoDataMessage("no data");
    try {
      ChartUtils.saveChartAsPNG(dir.resolve(file).toFile(), chart, width, height);
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + dir.resolve(file), e);
    }
    return new Chart(file, title, width, height);
  }
}
