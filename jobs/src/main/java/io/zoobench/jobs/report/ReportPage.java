package io.zoobench.jobs.report;

import io.zoobench.jobs.tables.PerCategoryRow;
import io.zoobench.jobs.tables.TimingRow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Writes a report's {@code index.html} (self-contained: inline CSS, no script, no network; its
 * images are the PNGs beside it in {@code charts/}) and {@code report.md} (the same tables and
 * charts for a Git forge or a wiki). The model-zoo table follows the layout of MMDetection's
 * "Benchmark and Model Zoo" page: one table per family, backbone, style, lr schedule, memory,
 * fps, box AP, mask AP, AR@1000, each measured figure next to the published one and their
 * difference. Every number cell of the HTML also carries the exact value it shows in a
 * {@code data-v} attribute, so the page can be checked against the tables it came from.
 */
public final class ReportPage {
  /** The folder of the charts, beside the pages. */
  public static final String CHARTS = "charts";
  /** A shard whose fps end-to-end is below this share of the run's median is a straggler. */
  static final double STRAGGLER_SHARE = 0.67;

  /** One measured figure of the zoo table: its view column, heading, scale and digits. */
  private record Figure(String column, String heading, double scale, int digits,
      Function<ZooRow, Double> value, Function<ZooRow, Double> ref,
      Function<ZooRow, Double> delta) {}

  private static final List<Figure> FIGURES = List.of(
      new Figure("memory", "Mem (GB)", 1, 2, ZooRow::memory, ZooRow::memoryRef,
          ZooRow::memoryDelta),
      new Figure("fps", "fps", 1, 1, ZooRow::fps, ZooRow::fpsRef, ZooRow::fpsDelta),
      new Figure("box_ap", "box AP", 100, 1, ZooRow::boxAp, ZooRow::boxApRef,
          ZooRow::boxApDelta),
      new Figure("mask_ap", "mask AP", 100, 1, ZooRow::maskAp, ZooRow::maskApRef,
          ZooRow::maskApDelta),
      new Figure("ar1000", "AR1000", 100, 1, ZooRow::ar1000, ZooRow::ar1000Ref,
          ZooRow::ar1000Delta));

  private static final String CSS = String.join("\n",
      "body{font-family:DejaVu Sans,Helvetica,Arial,sans-serif;margin:24px;color:#222;"
          + "max-width:1280px}",
      "h1{font-size:26px}h2{font-size:21px;border-bottom:1px solid #ccc;padding-bottom:4px;"
          + "margin-top:32px}h3{font-size:17px;margin-bottom:6px}",
      "table{border-collapse:collapse;font-size:13px;margin:6px 0 18px}",
      "th,td{border:1px solid #ccc;padding:3px 7px}th{background:#f2f2f2}",
      "td.n{text-align:right;font-variant-numeric:tabular-nums}",
      "td.up{color:#1a7f37}td.down{color:#c0392b}tr.slow td{background:#fff3cd}",
      "p.meta{color:#555;font-size:13px}img{display:block;margin:8px 0 16px;"
          + "border:1px solid #ddd}");

  private ReportPage() {}

  /** Writes {@code index.html} and {@code report.md} into {@code out}. */
  public static void write(ReportData data, ReportCharts.Drawn charts, Path out,
      String generatedAt) {
    try {
      Files.writeString(out.resolve("index.html"), html(data, charts, generatedAt),
          StandardCharsets.UTF_8);
      Files.writeString(out.resolve("report.md"), markdown(data, charts, generatedAt),
          StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("writing the report into " + out, e);
    }
  }

  // ---- HTML --------------------------------------------------------------------------------

  static String html(ReportData data, ReportCharts.Drawn charts, String generatedAt) {
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<title>zoobench report</title>\n<style>\n").append(CSS)
        .append("\n</style>\n</head>\n<body>\n<h1>zoobench report</h1>\n")
        .append("<p class=\"meta\">").append(esc(meta(data, generatedAt))).append("</p>\n");

    h.append("<h2>Model zoo</h2>\n<p class=\"meta\">Latest succeeded run of each model; ref:"
        + " the figure its zoo manifest published; &Delta;: measured &minus; published. AP in"
        + " %, fps per task end to end, Mem: peak device memory of inference (ref: published"
        + " training memory).</p>\n");
    for (Map.Entry<String, List<ZooRow>> family : byFamily(data.zoo()).entrySet()) {
      h.append("<h3>").append(esc(family.getKey())).append("</h3>\n");
      zooTable(h, family.getValue());
    }

    h.append("<h2>Speed vs accuracy</h2>\n");
    img(h, charts.speedAccuracy());
    h.append("<h2>AP history</h2>\n");
    img(h, charts.apHistory());
    historyTable(h, data.history());

    ReportData.RunDetail run = data.run();
    h.append("<h2>Run ").append(esc(run.runId())).append(" (").append(esc(run.model()))
        .append(")</h2>\n<h3>Per-category AP</h3>\n");
    if (charts.perCategory() == null) {
      h.append("<p>No per-category AP (a proposal run).</p>\n");
    } else {
      img(h, charts.perCategory());
      perCategoryTable(h, run.perCategory());
    }
    h.append("<h3>Precision/recall curves</h3>\n");
    if (charts.precisionRecall().isEmpty()) {
      h.append("<p>No curves stored for this run (written by an older zoobench).</p>\n");
    }
    charts.precisionRecall().forEach(c -> img(h, c));
    h.append("<h3>Shards</h3>\n");
    if (charts.shards() == null) {
      h.append("<p>No timings: the run ran no model (an import).</p>\n");
    } else {
      img(h, charts.shards());
      shardTable(h, run.timings());
    }
    h.append("</body>\n</html>\n");
    return h.toString();
  }

  private static void zooTable(StringBuilder h, List<ZooRow> rows) {
    h.append("<table class=\"zoo\">\n<thead>\n<tr><th rowspan=\"2\">Model</th>"
        + "<th rowspan=\"2\">Backbone</th><th rowspan=\"2\">Style</th>"
        + "<th rowspan=\"2\">Lr schd</th>");
    for (Figure f : FIGURES) {
      h.append("<th colspan=\"3\">").append(esc(f.heading())).append("</th>");
    }
    h.append("</tr>\n<tr>");
    for (int i = 0; i < FIGURES.size(); i++) {
      h.append("<th>ours</th><th>ref</th><th>&Delta;</th>");
    }
    h.append("</tr>\n</thead>\n<tbody>\n");
    for (ZooRow z : rows) {
      h.append("<tr data-model=\"").append(esc(z.model())).append("\" data-run=\"")
          .append(esc(z.runId())).append("\"><td>").append(esc(z.model())).append("</td><td>")
          .append(esc(text(z.backbone()))).append("</td><td>").append(esc(text(z.style())))
          .append("</td><td>").append(esc(text(z.lrSchedule()))).append("</td>");
      for (Figure f : FIGURES) {
        numCell(h, f.column(), f.value().apply(z), f.scale(), f.digits(), false);
        numCell(h, f.column() + "_ref", f.ref().apply(z), f.scale(), f.digits(), false);
        numCell(h, f.column() + "_delta", f.delta().apply(z), f.scale(), f.digits(), true);
      }
      h.append("</tr>\n");
    }
    h.append("</tbody>\n</table>\n");
  }

  private static void historyTable(StringBuilder h, List<ZooRow> history) {
    openTable(h, "history", "Model", "Run", "Finished", "box AP", "mask AP", "AR1000", "fps");
    for (ZooRow z : history) {
      h.append("<tr><td>").append(esc(z.model())).append("</td><td>").append(esc(z.runId()))
          .append("</td><td>").append(z.finishedAt() == null ? "-" : z.finishedAt().toInstant()
              .truncatedTo(java.time.temporal.ChronoUnit.SECONDS)).append("</td>");
      numCell(h, "box_ap", z.boxAp(), 100, 1, false);
      numCell(h, "mask_ap", z.maskAp(), 100, 1, false);
      numCell(h, "ar1000", z.ar1000(), 100, 1, false);
      numCell(h, "fps", z.fps(), 1, 1, false);
      h.append("</tr>\n");
    }
    h.append("</tbody>\n</table>\n");
  }

  private static void perCategoryTable(StringBuilder h, List<PerCategoryRow> rows) {
    openTable(h, "per-category", "IoU type", "Category", "AP", "AP50", "AP75", "APs", "APm",
        "APl");
    for (PerCategoryRow c : rows) {
      h.append("<tr><td>").append(esc(c.iouType())).append("</td><td>")
          .append(esc(c.name() + " (" + c.categoryId() + ")")).append("</td>");
      for (Double v : new Double[] {c.ap(), c.ap50(), c.ap75(), c.aps(), c.apm(), c.apl()}) {
        numCell(h, "ap", v, 100, 1, false);
      }
      h.append("</tr>\n");
    }
    h.append("</tbody>\n</table>\n");
  }

  private static void shardTable(StringBuilder h, List<TimingRow> timings) {
    double median = medianFps(timings);
    h.append(String.format(Locale.ROOT, "<p class=\"meta\">Data loading share: the part of"
        + " the end-to-end time spent waiting for images (1 &minus; fps end-to-end / fps"
        + " compute). Highlighted: stragglers, below %.0f%% of the median fps end-to-end"
        + " (%.1f).</p>%n", 100 * STRAGGLER_SHARE, median));
    openTable(h, "shards", "Shard", "Images", "fps end-to-end", "fps compute", "Data loading",
        "Device", "Host");
    for (TimingRow t : timings) {
      h.append(straggler(t, median) ? "<tr class=\"slow\">" : "<tr>").append("<td>")
          .append(t.shardId()).append("</td><td class=\"n\">").append(t.images()).append("</td>");
      numCell(h, "fps_end_to_end", t.fpsEndToEnd(), 1, 1, false);
      numCell(h, "fps_compute", t.fpsCompute(), 1, 1, false);
      numCell(h, "loading_share", loadingShare(t), 100, 0, false);
      h.append("<td>").append(esc(text(t.device()))).append("</td><td>")
          .append(esc(text(t.host()))).append("</td></tr>\n");
    }
    h.append("</tbody>\n</table>\n");
  }

  /** A table's start: its class, one heading row, the body opened. */
  private static void openTable(StringBuilder h, String cssClass, String... headings) {
    h.append("<table class=\"").append(cssClass).append("\">\n<thead><tr>");
    for (String heading : headings) {
      h.append("<th>").append(esc(heading)).append("</th>");
    }
    h.append("</tr></thead>\n<tbody>\n");
  }

  private static void img(StringBuilder h, ReportCharts.Chart c) {
    h.append("<img src=\"").append(CHARTS).append('/').append(esc(c.file()))
        .append("\" width=\"").append(c.width()).append("\" height=\"").append(c.height())
        .append("\" alt=\"").append(esc(c.title())).append("\">\n");
  }

  private static void numCell(StringBuilder h, String column, Double v, double scale,
      int digits, boolean signed) {
    if (v == null) {
      h.append("<td class=\"n ").append(column).append("\">-</td>");
      return;
    }
    String shown = format(v, scale, digits, signed);
    String tone = !signed || Double.parseDouble(shown) == 0 ? "" : v > 0 ? " up" : " down";
    h.append("<td class=\"n ").append(column).append(tone).append("\" data-v=\"").append(v)
        .append("\">").append(shown).append("</td>");
  }

  // ---- Markdown ----------------------------------------------------------------------------

  static String markdown(ReportData data, ReportCharts.Drawn charts, String generatedAt) {
    StringBuilder m = new StringBuilder("# zoobench report\n\n");
    m.append(meta(data, generatedAt)).append("\n\n## Model zoo\n\n")
        .append("Latest succeeded run of each model; ref: published; Δ: measured − published."
            + " AP in %, fps per task end to end.\n");
    for (Map.Entry<String, List<ZooRow>> family : byFamily(data.zoo()).entrySet()) {
      m.append("\n### ").append(md(family.getKey())).append("\n\n| Model | Backbone | Style |"
          + " Lr schd |");
      for (Figure f : FIGURES) {
        m.append(' ').append(f.heading()).append(" | ref | Δ |");
      }
      m.append("\n|").append(" --- |".repeat(4 + 3 * FIGURES.size())).append('\n');
      for (ZooRow z : family.getValue()) {
        m.append("| ").append(md(z.model())).append(" | ").append(md(text(z.backbone())))
            .append(" | ").append(md(text(z.style()))).append(" | ")
            .append(md(text(z.lrSchedule()))).append(" |");
        for (Figure f : FIGURES) {
          m.append(' ').append(format(f.value().apply(z), f.scale(), f.digits(), false))
              .append(" | ").append(format(f.ref().apply(z), f.scale(), f.digits(), false))
              .append(" | ").append(format(f.delta().apply(z), f.scale(), f.digits(), true))
              .append(" |");
        }
        m.append('\n');
      }
    }
    m.append("\n## Speed vs accuracy\n\n");
    mdImg(m, charts.speedAccuracy());
    m.append("## AP history\n\n");
    mdImg(m, charts.apHistory());
    ReportData.RunDetail run = data.run();
    m.append("## Run ").append(md(run.runId())).append(" (").append(md(run.model()))
        .append(")\n\n");
    if (charts.perCategory() != null) {
      mdImg(m, charts.perCategory());
    }
    charts.precisionRecall().forEach(c -> mdImg(m, c));
    if (charts.shards() != null) {
      mdImg(m, charts.shards());
      double median = medianFps(run.timings());
      m.append("| Shard | Images | fps end-to-end | fps compute | Data loading | Straggler |\n"
          + "| --- | --- | --- | --- | --- | --- |\n");
      for (TimingRow t : run.timings()) {
        m.append("| ").append(t.shardId()).append(" | ").append(t.images()).append(" | ")
            .append(format(t.fpsEndToEnd(), 1, 1, false)).append(" | ")
            .append(format(t.fpsCompute(), 1, 1, false)).append(" | ")
            .append(format(loadingShare(t), 100, 0, false)).append("% | ")
            .append(straggler(t, median) ? "yes" : "").append(" |\n");
      }
    }
    return m.toString();
  }

  private static void mdImg(StringBuilder m, ReportCharts.Chart c) {
    m.append("![").append(md(c.title())).append("](").append(CHARTS).append('/')
        .append(c.file()).append(")\n\n");
  }

  // ---- shared ------------------------------------------------------------------------------

  private static String meta(ReportData data, String generatedAt) {
    return String.format(Locale.ROOT, "Warehouse %s, %d models, %d runs; generated %s.",
        data.warehouse(), data.zoo().size(), data.history().size(), generatedAt);
  }

  private static Map<String, List<ZooRow>> byFamily(List<ZooRow> zoo) {
    Map<String, List<ZooRow>> out = new LinkedHashMap<>();
    for (ZooRow z : zoo) {
      out.computeIfAbsent(z.familyOrArch(), f -> new ArrayList<>()).add(z);
    }
    return out;
  }

  /** 1 − fps end-to-end / fps compute: the share of the end-to-end time spent waiting. */
  static Double loadingShare(TimingRow t) {
    if (t.fpsEndToEnd() == null || t.fpsCompute() == null || t.fpsCompute() <= 0) {
      return null;
    }
    return Math.max(0, 1 - t.fpsEndToEnd() / t.fpsCompute());
  }

  static double medianFps(List<TimingRow> timings) {
    double[] fps = timings.stream().filter(t -> t.fpsEndToEnd() != null)
        .mapToDouble(TimingRow::fpsEndToEnd).sorted().toArray();
    if (fps.length == 0) {
      return Double.NaN;
    }
    int mid = fps.length / 2;
    return fps.length % 2 == 1 ? fps[mid] : (fps[mid - 1] + fps[mid]) / 2;
  }

  static boolean straggler(TimingRow t, double median) {
    return t.fpsEndToEnd() != null && t.fpsEndToEnd() < STRAGGLER_SHARE * median;
  }

  /** How a figure is shown: scaled, to {@code digits}, with a sign for differences; "-" null. */
  static String format(Double v, double scale, int digits, boolean signed) {
    if (v == null) {
      return "-";
    }
    String s = String.format(Locale.ROOT, "%" + (signed ? "+" : "") + "." + digits + "f",
        v * scale);
    // a difference of float noise rounds to zero: no sign, not "-0.0"
    return s.startsWith("-") && Double.parseDouble(s) == 0 ? (signed ? "+" : "") + s.substring(1)
        : s;
  }

  private static String text(String s) {
    return s == null || s.isBlank() ? "-" : s;
  }

  static String esc(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  /** Markdown table text: pipes escaped, no line breaks. */
  private static String md(String s) {
    return s.replace("|", "\\|").replace('\n', ' ');
  }
}
