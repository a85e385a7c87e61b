package io.zoobench.parity;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.zoobench.parity.ParityCaseGenerator.Image;
import io.zoobench.parity.ParityCaseGenerator.Result;
import io.zoobench.parity.ParityCaseGenerator.RleJson;
import io.zoobench.parity.ParityCaseGenerator.Truth;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Writes a parity case's ground truth and results as COCO json, doubles in Java's shortest
 * round-trip form (Python's json reads back the same doubles), leaving out what a record
 * lacks (so the files say what pycocotools' loadRes must complete).
 */
final class ParityCaseJson {
  private static final JsonFactory JSON = new JsonFactory();

  private ParityCaseJson() {}


static String gt(List<Image> images, List<Truth> truths, List<Long> categories) {
    StringWriter s = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(s)) {
      g.writeStartObject();
      g.writeArrayFieldStart("images");
      for (Image im : images) {
        g.writeStartObject();
        g.writeNumberField("id", im.id());
        g.writeNumberField("width", im.width());
        g.writeNumberField("height", im.height());
        g.writeStringField("file_name", im.id() + ".jpg");
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeArrayFieldStart("annotations");
      for (Truth t : truths) {
        g.writeStartObject();
        g.writeNumberField("id", t.id());
        g.writeNumberField("image_id", t.image().id());
        g.writeNumberField("category_id", t.category());
        g.writeFieldName("bbox");
        numbers(g, t.bbox());
        g.writeNumberField("area", t.area());
        g.writeNumberField("iscrowd", t.crowd() ? 1 : 0);
        g.writeFieldName("segmentation");
        segmentation(g, t.segmentation());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeArrayFieldStart("categories");
      for (long c : categories) {
        g.writeStartObject();
        g.writeNumberField("id", c);
        g.writeStringField("name", "c" + c);
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return s.toString();
  }

static String results(List<Result> results) {
    StringWriter s = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(s)) {
      g.writeStartArray();
      for (Result r : results) {
        g.writeStartObject();
        if (r.imageId instanceof String id) {
          g.writeStringField("image_id", id);
        } else {
          g.writeNumberField("image_id", (Long) r.imageId);
        }
        g.writeNumberField("category_id", r.category);
        if (r.bbox != null) {
          g.writeFieldName("bbox");
          numbers(g, r.bbox);
        }
        if (r.score != null) {
          g.writeNumberField("score", r.score);
        }
        if (r.segmentation != null) {
          g.writeFieldName("segmentation");
          segmentation(g, r.segmentation);
        }
        g.writeEndObject();
      }
      g.writeEndArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return s.toString();
  }

  static void numbers(JsonGenerator g, double[] v) throws IOException {
    g.writeStartArray();
    for (double x : v) {
      g.writeNumber(x);
    }
    g.writeEndArray();
  }

  static void segmentation(JsonGenerator g, Object seg) throws IOException {
    if (seg instanceof double[][] parts) {
      g.writeStartArray();
      for (double[] p : parts) {
        numbers(g, p);
      }
      g.writeEndArray();
      return;
    }
    RleJson r = (RleJson) seg;
    g.writeStartObject();
    g.writeArrayFieldStart("size");
    g.writeNumber(r.height());
    g.writeNumber(r.width());
    g.writeEndArray();
    if (r.compressed() != null) {
      g.writeStringField("counts", r.compressed());
    } else {
      g.writeArrayFieldStart("counts");
      for (int c : r.runs()) {
        g.writeNumber(c);
      }
      g.writeEndArray();
    }
    g.writeEndObject();
  }
}
