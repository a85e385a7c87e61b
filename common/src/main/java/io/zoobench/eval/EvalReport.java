package io.zoobench.eval;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Renders an {@link EvalResult} for people and programs: the per-category table printed by
 * {@code zoobench eval --per-category} and the {@code --json} document
 * {@code {"iou", "stats", "stat_names", "per_category": [{"id", "name", "AP"}], ...}}.
 */
public final class EvalReport {
  private static final JsonFactory JSON = new JsonFactory();

  private EvalReport() {}

  /** Writes the json document (AP of a category without ground truth is {@code null}). */
  public static void writeJson(EvalResult r, OutputStream out) throws IOException {
    try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
      g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      g.useDefaultPrettyPrinter();
      g.writeStartObject();
      g.writeStringField("iou", r.params().label());
      g.writeStringField("mode", r.params().mode().name().toLowerCase(Locale.ROOT));
      g.writeStringField("det_area", r.detAreaLabel());
      g.writeArrayFieldStart("max_dets");
      for (int m : r.params().maxDets()) {
        g.writeNumber(m);
      }
      g.writeEndArray();
      g.writeArrayFieldStart("stats");
      for (double s : r.stats()) {
        g.writeNumber(s);
      }
      g.writeEndArray();
      g.writeArrayFieldStart("stat_names");
      for (String s : r.statNames()) {
        g.writeString(s);
      }
      g.writeEndArray();
      g.writeArrayFieldStart("per_category");
      for (EvalResult.CategoryAp c : r.perCategory()) {
        g.writeStartObject();
        g.writeNumberField("id", c.id());
        g.writeStringField("name", c.name());
        if (Double.isNaN(c.ap())) {
          g.writeNullField("AP");
        } else {
          g.writeNumberField("AP", c.ap());
        }
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeArrayFieldStart("warnings");
      for (String w : r.warnings()) {
        g.writeString(w);
      }
      g.writeEndArray();
      g.writeEndObject();
      g.writeRaw('\n');
    }
  }

  /** The per-category AP table, one line per category ({@code nan} without ground truth). */
  public static List<String> perCategoryTable(EvalResult r) {
    List<String> lines = new ArrayList<>();
    List<EvalResult.CategoryAp> rows = r.perCategory();
    int width = 8;
    for (EvalResult.CategoryAp c : rows) {
      width = Math.max(width, c.name().length());
    }
    String fmt = "%-" + width + "s %8s %7s";
    lines.add(String.format(Locale.ROOT, fmt, "category", "id", "AP"));
    for (EvalResult.CategoryAp c : rows) {
      String ap = Double.isNaN(c.ap()) ? "nan" : CocoSummary.fixed(c.ap(), 3);
      lines.add(String.format(Locale.ROOT, fmt, c.name(), c.id(), ap));
    }
    return lines;
  }
}
