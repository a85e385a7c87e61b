package io.zoobench.mask;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zoobench.testing.ReferenceCases;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/** Reads segmentations out of the pycocotools-made reference files, with plain Jackson. */
final class ReferenceMasks {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static List<Compressed> compressed;

  /** One compressed RLE of a reference file: where it was, its size and its counts string. */
  record Compressed(String where, int height, int width, String counts) {
    @Override
    public String toString() {
      return where;
    }
  }

  private ReferenceMasks() {}

  static Path caseDir(String caseName) {
    return ReferenceCases.root().resolve(caseName);
  }

  /** A json file of the reference set, gunzipped when its name ends in .gz. */
  static JsonNode read(Path file) {
    try (InputStream raw = Files.newInputStream(file);
        InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw) {
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode read(String caseName, String file) {
    return read(caseDir(caseName).resolve(file));
  }

  /** Every compressed RLE in the reference dt.json / dt.json.gz / gt.json files. */
  static synchronized List<Compressed> allCompressed() {
    if (compressed == null) {
      List<Compressed> out = new ArrayList<>();
      try (Stream<Path> dirs = Files.list(ReferenceCases.root())) {
        for (Path dir : dirs.sorted().toList()) {
          for (String name : List.of("dt.json", "dt.json.gz", "gt.json")) {
            Path file = dir.resolve(name);
            if (Files.isRegularFile(file)) {
              collect(file, dir.getFileName() + "/" + name, out);
            }
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      compressed = List.copyOf(out);
    }
    return compressed;
  }

  /** Streams a file and keeps every {@code {"size": [h, w], "counts": "..."}} object. */
  private static void collect(Path file, String where, List<Compressed> out) throws IOException {
    try (InputStream raw = Files.newInputStream(file);
        InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
        JsonParser p = JSON.getFactory().createParser(in)) {
      int records = -1;
      int depth = 0;
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
          depth++;
          if (depth == 2 && t == JsonToken.START_OBJECT) {
            records++;
          }
        } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
          depth--;
        } else if (t == JsonToken.FIELD_NAME && p.currentName().equals("segmentation")
            && p.nextToken() == JsonToken.START_OBJECT) {
          JsonNode seg = JSON.readTree(p);
          JsonNode counts = seg.get("counts");
          if (counts != null && counts.isTextual()) {
            out.add(new Compressed(where + " record " + records, seg.get("size").get(0).asInt(),
                seg.get("size").get(1).asInt(), counts.asText()));
          }
        }
      }
    }
  }

  /** A polygon list {@code [[x, y, ...], ...]} as arrays. */
  static double[][] polygons(JsonNode segmentation) {
    double[][] parts = new double[segmentation.size()][];
    for (int i = 0; i < parts.length; i++) {
      JsonNode part = segmentation.get(i);
      parts[i] = new double[part.size()];
      for (int j = 0; j < part.size(); j++) {
        parts[i][j] = part.get(j).asDouble();
      }
    }
    return parts;
  }

  /** An RLE object {@code {"size": [h, w], "counts": ...}} of either kind. */
  static Rle rle(JsonNode segmentation) {
    int h = segmentation.get("size").get(0).asInt();
    int w = segmentation.get("size").get(1).asInt();
    JsonNode counts = segmentation.get("counts");
    return counts.isTextual()
        ? Rle.fromCompressed(counts.asText(), h, w) : Rle.of(h, w, runs(segmentation));
  }

  /** The uncompressed runs of an RLE object, as written. */
  static int[] runs(JsonNode segmentation) {
    JsonNode counts = segmentation.get("counts");
    int[] runs = new int[counts.size()];
    for (int i = 0; i < runs.length; i++) {
      runs[i] = counts.get(i).asInt();
    }
    return runs;
  }
}
