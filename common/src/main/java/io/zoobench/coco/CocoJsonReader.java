package io.zoobench.coco;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import io.zoobench.mask.Rle;
import io.zoobench.mask.RleCodec;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Streaming (Jackson) readers for COCO instances files and results files, plain or gzip
 * (detected by content, not by name).
 *
 * <p>Records are read into column arrays without building a tree, so a 200 MB results file with
 * masks costs about its own size in memory. Every record is validated as it is read; a bad one
 * stops the read with an {@link InvalidInputException} naming the file, the record and the
 * problem, e.g. {@code gt.json: annotations[17] (id 90210): bbox has 3 numbers, expected 4}.
 * Nothing is dropped silently: fields zoobench does not use are skipped, fields it uses must be
 * well formed.
 *
 * <pre>{@code
 * CocoDataset gt = CocoJsonReader.readDataset(Path.of("instances_val2017.json"));
 * CocoResults dt = CocoJsonReader.readResults(Path.of("detections.json.gz"), true);
 * }</pre>
 */
public final class CocoJsonReader {
  private static final JsonFactory JSON = JsonFactory.builder()
      .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
      .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxStringLength(Integer.MAX_VALUE)
          .maxNestingDepth(64)
          .build())
      .build();

  private CocoJsonReader() {}

  /** Reads a COCO instances file. */
  public static CocoDataset readDataset(Path file) {
    try (InputStream in = open(file)) {
      return readDataset(in, file.getFileName().toString());
    } catch (IOException e) {
      throw ioError(file, e);
    }
  }

  /**
   * Reads a results file.
   *
   * @param keepMasks whether to keep segmentations (false for box-only evaluation: masks are
   *     then skipped unread, which saves memory and time)
   */
  public static CocoResults readResults(Path file, boolean keepMasks) {
    try (InputStream in = open(file)) {
      return readResults(in, file.getFileName().toString(), keepMasks);
    } catch (IOException e) {
      throw ioError(file, e);
    }
  }

  private static InvalidInputException ioError(Path file, IOException e) {
    if (e instanceof NoSuchFileException) {
      return new InvalidInputException(file + ": no such file");
    }
    return new InvalidInputException(file + ": cannot read: " + e.getMessage(), e);
  }

  /** Opens a file, transparently un-gzipping it when it starts with the gzip magic bytes. */
  public static InputStream open(Path file) throws IOException {
    return maybeGunzip(Files.newInputStream(file));
  }

  /** Wraps {@code raw} in a gzip decoder when it starts with the gzip magic bytes. */
  public static InputStream maybeGunzip(InputStream raw) throws IOException {
    BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
    in.mark(2);
    int b0 = in.read();
    int b1 = in.read();
    in.reset();
    if (b0 == 0x1f && b1 == 0x8b) {
      return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
    }
    return in;
  }

  /** Reads a COCO instances file from a stream; {@code name} is used in messages. */
  public static CocoDataset readDataset(InputStream in, String name) {
    try (JsonParser p = JSON.createParser(in)) {
      return new DatasetReader(p, name).read();
    } catch (IOException e) {
      throw readError(name, e);
    }
  }

  /** Reads a results file from a stream; {@code name} is used in messages. */
  public static CocoResults readResults(InputStream in, String name, boolean keepMasks) {
    try (JsonParser p = JSON.createParser(in)) {
      return new ResultsReader(p, name, keepMasks).read();
    } catch (IOException e) {
      throw readError(name, e);
    }
  }

  static JsonParser parser(InputStream in) throws IOException {
    return JSON.createParser(in);
  }

  static ResultParser resultParser(JsonParser p, String name, boolean keepMasks) throws IOException {
    return new ResultParser(p, name, keepMasks);
  }

  /** The one-line error for an unreadable or malformed file. */
  static InvalidInputException readError(String name, IOException e) {
    if (e instanceof JsonParseException || e instanceof StreamConstraintsException) {
      com.fasterxml.jackson.core.JsonProcessingException j =
          (com.fasterxml.jackson.core.JsonProcessingException) e;
      return new InvalidInputException(name + ": not valid json: " + j.getOriginalMessage()
          + " at line " + j.getLocation().getLineNr() + ", column " + j.getLocation().getColumnNr());
    }
    return new InvalidInputException(name + ": cannot read: " + e.getMessage(), e);
  }

  /** Field-level helpers shared by both readers; errors are collected per record. */
  private abstract static class RecordReader {
    final JsonParser p;
    final String file;
    String problem;
    /** Whether the last {@link #bbox} read was an empty list. */
    boolean lastBoxEmpty;

    RecordReader(JsonParser p, String file) {
      this.p = p;
      this.file = file;
    }

    void problem(String what) throws IOException {
      if (problem == null) {
        problem = what;
      }
      p.skipChildren();
    }

    long integer(String field) throws IOException {
      JsonToken t = p.currentToken();
      if (t == JsonToken.VALUE_NUMBER_INT) {
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
          problem(field + " " + p.getText() + " does not fit in 64 bits");
          return 0;
        }
        return p.getLongValue();
      }
      if (t == JsonToken.VALUE_NUMBER_FLOAT) {
        double d = p.getDoubleValue();
        if (d == Math.rint(d) && Math.abs(d) < 9.0e18) {
          return (long) d;
        }
      }
      problem(field + " must be an integer, got " + describe(t));
      return 0;
    }

    /** Whether the current value is one {@link #integer} accepts. */
    boolean isInteger() throws IOException {
      JsonToken t = p.currentToken();
      if (t == JsonToken.VALUE_NUMBER_INT) {
        return p.getNumberType() != JsonParser.NumberType.BIG_INTEGER;
      }
      if (t == JsonToken.VALUE_NUMBER_FLOAT) {
        double d = p.getDoubleValue();
        return d == Math.rint(d) && Math.abs(d) < 9.0e18;
      }
      return false;
    }

    /**
     * The current value as the file writes it (a string quoted and shortened), to name a record
     * by an id that is not an integer: {@code results[3] (image_id "000139")}.
     */
    String rawValue() throws IOException {
      JsonToken t = p.currentToken();
      if (t == JsonToken.VALUE_STRING) {
        String v = p.getText();
        return "\"" + (v.length() > 40 ? v.substring(0, 37) + "..." : v) + "\"";
      }
      if (t == JsonToken.START_ARRAY || t == JsonToken.START_OBJECT || t == null) {
        return describe(t);
      }
      return p.getText();
    }

    /** How a record's id reads in messages: the integer, or the file's own value. */
    static String idLabel(String field, long id, String raw) {
      if (raw != null) {
        return " (" + field + " " + raw + ")";
      }
      return id == Long.MIN_VALUE ? "" : " (" + field + " " + id + ")";
    }

    double number(String field) throws IOException {
      JsonToken t = p.currentToken();
      if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
        double d = p.getDoubleValue();
        if (!Double.isFinite(d)) {
          problem(field + " is " + p.getText() + ", expected a finite number");
        }
        return d;
      }
      problem(field + " must be a number, got " + describe(t));
      return Double.NaN;
    }

    /** Reads a number array of exactly 4 finite values with non-negative w, h. */
    boolean bbox(double[] out, int off) throws IOException {
      lastBoxEmpty = false;
      if (p.currentToken() != JsonToken.START_ARRAY) {
        problem("bbox must be a list of 4 numbers, got " + describe(p.currentToken()));
        return false;
      }
      int n = 0;
      while (p.nextToken() != JsonToken.END_ARRAY) {
        JsonToken t = p.currentToken();
        if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
          problem("bbox[" + n + "] must be a number, got " + describe(t));
          n++;
          continue;
        }
        double v = p.getDoubleValue();
        if (n < 4) {
          out[off + n] = v;
        }
        if (!Double.isFinite(v)) {
          problem("bbox[" + n + "] is " + p.getText() + ", expected a finite number");
        }
        n++;
      }
      if (n == 0) {
        lastBoxEmpty = true;
        return false; // an empty list means "no box" to pycocotools' loadRes for results[0]
      }
      if (n != 4) {
        problem("bbox has " + n + " numbers, expected 4");
        return false;
      }
      if (out[off + 2] < 0 || out[off + 3] < 0) {
        problem("bbox has a negative size (w " + out[off + 2] + ", h " + out[off + 3] + ")");
        return false;
      }
      return true;
    }

    /** Reads a segmentation: polygons, or {size, counts} with compressed or raw counts. */
    Segmentation segmentation() throws IOException {
      JsonToken t = p.currentToken();
      if (t == JsonToken.VALUE_NULL) {
        return null;
      }
      if (t == JsonToken.START_ARRAY) {
        List<double[]> parts = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          if (p.currentToken() != JsonToken.START_ARRAY) {
            problem("segmentation must be a list of polygons (lists of numbers), got "
                + describe(p.currentToken()) + " in it");
            continue;
          }
          double[] xy = new double[16];
          int n = 0;
          while (p.nextToken() != JsonToken.END_ARRAY) {
            double v = number("segmentation[" + parts.size() + "][" + n + "]");
            if (n == xy.length) {
              xy = Arrays.copyOf(xy, n * 2);
            }
            xy[n++] = v;
          }
          parts.add(Arrays.copyOf(xy, n));
        }
        return new Segmentation.Polygons(parts.toArray(new double[0][]));
      }
      if (t == JsonToken.START_OBJECT) {
        int h = -1;
        int w = -1;
        byte[] compressed = null;
        int[] raw = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String f = p.currentName();
          p.nextToken();
          if (f.equals("size")) {
            long[] hw = sizePair();
            if (hw != null) {
              h = (int) hw[0];
              w = (int) hw[1];
            }
          } else if (f.equals("counts")) {
            if (p.currentToken() == JsonToken.VALUE_STRING) {
              compressed = ascii(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
            } else if (p.currentToken() == JsonToken.START_ARRAY) {
              raw = runs();
            } else {
              problem("segmentation counts must be a string or a list of integers, got "
                  + describe(p.currentToken()));
            }
          } else {
            p.skipChildren();
          }
        }
        if (problem != null) {
          return null;
        }
        if (h < 0) {
          problem("segmentation has counts but no size [h, w]");
          return null;
        }
        if (compressed != null) {
          return new Segmentation.CompressedRle(h, w, compressed);
        }
        if (raw != null) {
          try {
            Rle.of(h, w, raw);
          } catch (IllegalArgumentException e) {
            problem("segmentation: " + e.getMessage());
            return null;
          }
          return new Segmentation.UncompressedRle(h, w, raw);
        }
        problem("segmentation has a size but no counts");
        return null;
      }
      problem("segmentation must be polygons or an RLE object, got " + describe(t));
      return null;
    }

    private long[] sizePair() throws IOException {
      if (p.currentToken() != JsonToken.START_ARRAY) {
        problem("segmentation size must be [h, w], got " + describe(p.currentToken()));
        return null;
      }
      long[] hw = new long[2];
      int n = 0;
      while (p.nextToken() != JsonToken.END_ARRAY) {
        long v = integer("segmentation size[" + n + "]");
        if (n < 2) {
          hw[n] = v;
        }
        n++;
      }
      if (n != 2) {
        problem("segmentation size has " + n + " numbers, expected [h, w]");
        return null;
      }
      if (hw[0] < 0 || hw[1] < 0 || hw[0] * hw[1] > Integer.MAX_VALUE) {
        problem("segmentation size [" + hw[0] + ", " + hw[1] + "] is invalid");
        return null;
      }
      return hw;
    }

    private int[] runs() throws IOException {
      int[] r = new int[64];
      int n = 0;
      while (p.nextToken() != JsonToken.END_ARRAY) {
        long v = integer("segmentation counts[" + n + "]");
        if (v < 0 || v > Integer.MAX_VALUE) {
          problem("segmentation counts[" + n + "] = " + v + " is out of range");
        }
        if (n == r.length) {
          r = Arrays.copyOf(r, n * 2);
        }
        r[n++] = (int) v;
      }
      return Arrays.copyOf(r, n);
    }

    byte[] ascii(char[] chars, int off, int len) throws IOException {
      byte[] b = new byte[len];
      for (int i = 0; i < len; i++) {
        char c = chars[off + i];
        if (c < 48 || c > 111) {
          problem("segmentation counts hold the character '" + c + "', which no RLE string has");
          return new byte[0];
        }
        b[i] = (byte) c;
      }
      return b;
    }

    static String describe(JsonToken t) {
      if (t == null) {
        return "end of file";
      }
      switch (t) {
        case START_ARRAY: return "a list";
        case START_OBJECT: return "an object";
        case VALUE_STRING: return "a string";
        case VALUE_NULL: return "null";
        case VALUE_TRUE: case VALUE_FALSE: return "a boolean";
        case VALUE_NUMBER_FLOAT: return "a non-integer number";
        case VALUE_NUMBER_INT: return "an integer";
        default: return t.toString();
      }
    }

    /** pycocotools' json.load refuses anything after the top-level value ("Extra data"). */
    void expectEnd() throws IOException {
      if (p.nextToken() != null) {
        throw new InvalidInputException(file + ": extra data after the json value, at line "
            + p.currentLocation().getLineNr() + ", column " + p.currentLocation().getColumnNr());
      }
    }

    void expect(JsonToken t, String what) throws IOException {
      if (p.currentToken() != t) {
        throw new InvalidInputException(file + ": " + what + " must be "
            + describe(t) + ", got " + describe(p.currentToken()));
      }
    }
  }

  /** Reads {@code {"images": [...], "annotations": [...], "categories": [...], ...}}. */
  private static final class DatasetReader extends RecordReader {
    long[] imgIds = new long[1024];
    int[] imgW = new int[1024];
    int[] imgH = new int[1024];
    String[] fileNames = new String[1024];
    int images;
    final List<CocoDataset.Category> categories = new ArrayList<>();
    long[] annIds = new long[4096];
    long[] annImg = new long[4096];
    long[] annCat = new long[4096];
    double[] annBox = new double[4096 * 4];
    double[] annArea = new double[4096];
    byte[] annCrowd = new byte[4096];
    Segmentation[] annSeg = new Segmentation[4096];
    int anns;

    DatasetReader(JsonParser p, String file) {
      super(p, file);
    }

    CocoDataset read() throws IOException {
      p.nextToken();
      expect(JsonToken.START_OBJECT, "the top level of an instances file");
      boolean sawImages = false;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String f = p.currentName();
        p.nextToken();
        switch (f) {
          case "images" -> {
            expect(JsonToken.START_ARRAY, "images");
            sawImages = true;
            while (p.nextToken() != JsonToken.END_ARRAY) {
              readImage();
            }
          }
          case "annotations" -> {
            expect(JsonToken.START_ARRAY, "annotations");
            while (p.nextToken() != JsonToken.END_ARRAY) {
              readAnnotation();
            }
          }
          case "categories" -> {
            expect(JsonToken.START_ARRAY, "categories");
            while (p.nextToken() != JsonToken.END_ARRAY) {
              readCategory();
            }
          }
          default -> p.skipChildren();
        }
      }
      expectEnd();
      if (!sawImages) {
        throw new InvalidInputException(file + ": no \"images\" list; is this a results file?");
      }
      checkUnique("images", Arrays.copyOf(imgIds, images));
      checkUnique("categories", categories.stream().mapToLong(CocoDataset.Category::id).toArray());
      checkUnique("annotations", Arrays.copyOf(annIds, anns));
      return new CocoDataset(file, Arrays.copyOf(imgIds, images), Arrays.copyOf(imgW, images),
          Arrays.copyOf(imgH, images), Arrays.copyOf(fileNames, images), categories,
          Arrays.copyOf(annIds, anns), Arrays.copyOf(annImg, anns), Arrays.copyOf(annCat, anns),
          Arrays.copyOf(annBox, anns * 4), Arrays.copyOf(annArea, anns),
          Arrays.copyOf(annCrowd, anns), Arrays.copyOf(annSeg, anns));
    }

    private void checkUnique(String list, long[] ids) {
      long[] sorted = ids.clone();
      Arrays.sort(sorted);
      for (int i = 1; i < sorted.length; i++) {
        if (sorted[i] == sorted[i - 1]) {
          long dup = sorted[i];
          int first = -1;
          int second = -1;
          for (int j = 0; j < ids.length; j++) {
            if (ids[j] == dup) {
              if (first < 0) {
                first = j;
              } else {
                second = j;
                break;
              }
            }
          }
          throw new InvalidInputException(file + ": " + list + "[" + first + "] and " + list + "["
              + second + "] have the same id " + dup + "; ids must be unique");
        }
      }
    }

    private void readImage() throws IOException {
      int index = images;
      expect(JsonToken.START_OBJECT, "images[" + index + "]");
      problem = null;
      long id = Long.MIN_VALUE;
      String rawId = null;
      long w = -1;
      long h = -1;
      String name = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String f = p.currentName();
        p.nextToken();
        switch (f) {
          case "id" -> {
            rawId = isInteger() ? null : rawValue();
            id = integer("id");
          }
          case "width" -> w = integer("width");
          case "height" -> h = integer("height");
          case "file_name" -> {
            if (p.currentToken() == JsonToken.VALUE_STRING) {
              name = p.getText();
            } else {
              problem("file_name must be a string, got " + describe(p.currentToken()));
            }
          }
          default -> p.skipChildren();
        }
      }
      if (problem == null && id == Long.MIN_VALUE) {
        problem = "has no id";
      }
      if (problem == null && (w == 0 || h == 0 || w < -1 || h < -1
          || w > Integer.MAX_VALUE || h > Integer.MAX_VALUE)) {
        problem = "invalid size " + w + "x" + h;
      }
      if (problem != null) {
        throw new InvalidInputException(file + ": images[" + index + "]"
            + idLabel("id", id, rawId) + ": " + problem);
      }
      if (images == imgIds.length) {
        int cap = images * 2;
        imgIds = Arrays.copyOf(imgIds, cap);
        imgW = Arrays.copyOf(imgW, cap);
        imgH = Arrays.copyOf(imgH, cap);
        fileNames = Arrays.copyOf(fileNames, cap);
      }
      imgIds[images] = id;
      imgW[images] = (int) w;
      imgH[images] = (int) h;
      fileNames[images] = name;
      images++;
    }

    private void readCategory() throws IOException {
      int index = categories.size();
      expect(JsonToken.START_OBJECT, "categories[" + index + "]");
      problem = null;
      long id = Long.MIN_VALUE;
      String name = null;
      String supercategory = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String f = p.currentName();
        p.nextToken();
        switch (f) {
          case "id" -> id = integer("id");
          case "name" -> name = p.currentToken() == JsonToken.VALUE_STRING ? p.getText() : null;
          case "supercategory" ->
              supercategory = p.currentToken() == JsonToken.VALUE_STRING ? p.getText() : null;
          default -> p.skipChildren();
        }
        if (p.currentToken() == JsonToken.START_ARRAY || p.currentToken() == JsonToken.START_OBJECT) {
          p.skipChildren();
        }
      }
      if (problem == null && id == Long.MIN_VALUE) {
        problem = "has no id";
      }
      if (problem != null) {
        throw new InvalidInputException(file + ": categories[" + index + "]: " + problem);
      }
      categories.add(new CocoDataset.Category(id, name == null ? String.valueOf(id) : name,
          supercategory));
    }

    private void readAnnotation() throws IOException {
      int index = anns;
      expect(JsonToken.START_OBJECT, "annotations[" + index + "]");
      problem = null;
      if (anns == annIds.length) {
        int cap = anns * 2;
        annIds = Arrays.copyOf(annIds, cap);
        annImg = Arrays.copyOf(annImg, cap);
        annCat = Arrays.copyOf(annCat, cap);
        annBox = Arrays.copyOf(annBox, cap * 4);
        annArea = Arrays.copyOf(annArea, cap);
        annCrowd = Arrays.copyOf(annCrowd, cap);
        annSeg = Arrays.copyOf(annSeg, cap);
      }
      long id = Long.MIN_VALUE;
      String rawId = null;
      long img = Long.MIN_VALUE;
      long cat = Long.MIN_VALUE;
      double area = Double.NaN;
      int crowd = -1;
      Segmentation seg = null;
      Arrays.fill(annBox, index * 4, index * 4 + 4, Double.NaN);
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String f = p.currentName();
        p.nextToken();
        switch (f) {
          case "id" -> {
            rawId = isInteger() ? null : rawValue();
            id = integer("id");
          }
          case "image_id" -> img = integer("image_id");
          case "category_id" -> cat = integer("category_id");
          case "area" -> area = number("area");
          case "iscrowd" -> {
            JsonToken t = p.currentToken();
            if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
              crowd = t == JsonToken.VALUE_TRUE ? 1 : 0;
            } else {
              crowd = integer("iscrowd") != 0 ? 1 : 0;
            }
          }
          case "bbox" -> {
            if (p.currentToken() == JsonToken.VALUE_NULL) {
              problem("bbox is null");
            } else if (!bbox(annBox, index * 4)) {
              Arrays.fill(annBox, index * 4, index * 4 + 4, Double.NaN);
            }
          }
          case "segmentation" -> seg = segmentation();
          default -> p.skipChildren();
        }
      }
      if (problem == null) {
        if (id == Long.MIN_VALUE) {
          problem = "has no id";
        } else if (img == Long.MIN_VALUE) {
          problem = "has no image_id";
        } else if (cat == Long.MIN_VALUE) {
          problem = "has no category_id";
        }
      }
      if (problem != null) {
        throw new InvalidInputException(file + ": annotations[" + index + "]"
            + idLabel("id", id, rawId) + ": " + problem);
      }
      annIds[index] = id;
      annImg[index] = img;
      annCat[index] = cat;
      annArea[index] = area;
      annCrowd[index] = (byte) crowd;
      annSeg[index] = seg;
      anns++;
    }
  }

  /**
   * Parses {@code [{"image_id", "category_id", "bbox", "score", "segmentation"}, ...]} one
   * record at a time into its fields, which stay valid until the next call of {@link #next()}.
   * A missing score reads as NaN.
   *
   * <p>Masks are kept when the caller asks ({@code keepMasks}), and also when {@code results[0]}
   * has no non-empty bbox: pycocotools' {@code loadRes} then takes every detection's area (and a
   * missing box) from its mask, whatever the evaluation.
   */
  static final class ResultParser extends RecordReader {
    final boolean keepMasks;
    int index = -1;
    long imageId;
    /** The file's image_id when it is not an integer, for messages. */
    String rawImageId;
    long categoryId;
    final double[] box = new double[4];
    boolean hasBox;
    /** The record had {@code "bbox": []}. */
    boolean emptyBox;
    double score;
    Segmentation segmentation;
    MaskFormat maskFormat = MaskFormat.NONE;
    /** results[0] has no non-empty bbox: masks are needed for every record. */
    boolean masksFromFirst;

    ResultParser(JsonParser p, String file, boolean keepMasks) throws IOException {
      super(p, file);
      this.keepMasks = keepMasks;
      p.nextToken();
      if (p.currentToken() == JsonToken.START_OBJECT) {
        throw new InvalidInputException(file + ": the top level is an object; a results file is a"
            + " list of detections [{\"image_id\", \"category_id\", \"bbox\", \"score\"}, ...]");
      }
      expect(JsonToken.START_ARRAY, "the top level of a results file");
    }

    /** Whether masks are read (else skipped unread). */
    boolean readsMasks() {
      return keepMasks || masksFromFirst || index == 0;
    }

    /** Parses the next record; false at the end of the list. */
    boolean next() throws IOException {
      if (p.nextToken() == JsonToken.END_ARRAY) {
        expectEnd();
        return false;
      }
      index++;
      expect(JsonToken.START_OBJECT, "results[" + index + "]");
      problem = null;
      imageId = Long.MIN_VALUE;
      rawImageId = null;
      categoryId = Long.MIN_VALUE;
      score = Double.NaN;
      hasBox = false;
      emptyBox = false;
      segmentation = null;
      // results[0]'s mask is read to learn whether masks matter; its problems count only then
      String maskProblem = null;
      boolean tentativeMask = !keepMasks && index == 0;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String f = p.currentName();
        p.nextToken();
        switch (f) {
          case "image_id" -> {
            rawImageId = isInteger() ? null : rawValue();
            imageId = integer("image_id");
          }
          case "category_id" -> categoryId = integer("category_id");
          case "score" -> {
            score = number("score");
          }
          case "bbox" -> {
            if (p.currentToken() == JsonToken.VALUE_NULL) {
              problem("bbox is null");
            } else {
              hasBox = bbox(box, 0);
              emptyBox = lastBoxEmpty;
            }
          }
          case "segmentation" -> {
            if (readsMasks()) {
              String before = problem;
              segmentation = segmentation();
              if (tentativeMask && before == null && problem != null) {
                maskProblem = problem;
                problem = null;
              }
            } else {
              p.skipChildren();
            }
          }
          default -> p.skipChildren();
        }
      }
      if (index == 0) {
        masksFromFirst = !hasBox;
        if (tentativeMask && hasBox) {
          segmentation = null;
        } else if (maskProblem != null && problem == null) {
          problem = maskProblem;
        }
      }
      if (problem == null) {
        if (imageId == Long.MIN_VALUE && rawImageId == null) {
          problem = "has no image_id";
        } else if (categoryId == Long.MIN_VALUE) {
          problem = "has no category_id";
        }
        // no score: NaN (a score in the file is finite); pycocotools reads scores of evaluated
        // categories only, so the evaluation decides whether that is a problem
      }
      if (problem != null) {
        throw new InvalidInputException(file + ": results[" + index + "]"
            + idLabel("image_id", imageId, rawImageId) + ": " + problem);
      }
      if (segmentation instanceof Segmentation.UncompressedRle u) {
        maskFormat = MaskFormat.UNCOMPRESSED_RLE;
        int[] runs = u.counts();
        segmentation = new Segmentation.CompressedRle(u.height(), u.width(),
            RleCodec.encode(runs, 0, runs.length));
      } else if (segmentation instanceof Segmentation.Polygons) {
        maskFormat = MaskFormat.POLYGONS;
      } else {
        maskFormat = segmentation == null ? MaskFormat.NONE : MaskFormat.COMPRESSED_RLE;
      }
      return true;
    }
  }

  /** Collects a whole results file into the columns of a {@link CocoResults}. */
  private static final class ResultsReader {
    final ResultParser parser;
    final String file;
    int n;
    long[] img = new long[4096];
    long[] cat = new long[4096];
    double[] box = new double[4096 * 4];
    double[] score = new double[4096];
    int[] mh = new int[4096];
    int[] mw = new int[4096];
    int[] ms = new int[4096];
    int[] ml = new int[4096];
    byte[] arena = new byte[1 << 16];
    int arenaSize;
    final Map<Integer, Segmentation.Polygons> polygons = new HashMap<>();
    final BitSet uncompressed = new BitSet();
    final BitSet emptyBoxes = new BitSet();

    ResultsReader(JsonParser p, String file, boolean keepMasks) throws IOException {
      this.parser = new ResultParser(p, file, keepMasks);
      this.file = file;
    }

    CocoResults read() throws IOException {
      while (parser.next()) {
        if (n == img.length) {
          grow();
        }
        img[n] = parser.imageId;
        cat[n] = parser.categoryId;
        score[n] = parser.score;
        if (parser.hasBox) {
          System.arraycopy(parser.box, 0, box, n * 4, 4);
        } else {
          Arrays.fill(box, n * 4, n * 4 + 4, Double.NaN);
          emptyBoxes.set(n, parser.emptyBox);
        }
        mh[n] = -1;
        uncompressed.set(n, parser.maskFormat == MaskFormat.UNCOMPRESSED_RLE);
        if (parser.segmentation instanceof Segmentation.CompressedRle c) {
          putMask(n, c.height(), c.width(), c.counts());
        } else if (parser.segmentation instanceof Segmentation.Polygons poly) {
          polygons.put(n, poly);
        }
        n++;
      }
      return new CocoResults(file, n, img, cat, box, score, mh, mw, ms, ml, arena, polygons,
          uncompressed, emptyBoxes);
    }

    private void grow() {
      int cap = n * 2;
      img = Arrays.copyOf(img, cap);
      cat = Arrays.copyOf(cat, cap);
      box = Arrays.copyOf(box, cap * 4);
      score = Arrays.copyOf(score, cap);
      mh = Arrays.copyOf(mh, cap);
      mw = Arrays.copyOf(mw, cap);
      ms = Arrays.copyOf(ms, cap);
      ml = Arrays.copyOf(ml, cap);
    }

    private void putMask(int index, int h, int w, byte[] counts) {
      if (arenaSize + counts.length > arena.length) {
        long cap = Math.max((long) arenaSize + counts.length, (long) arena.length * 2);
        if (cap > Integer.MAX_VALUE - 16) {
          cap = (long) arenaSize + counts.length;
          if (cap > Integer.MAX_VALUE - 16) {
            throw new InvalidInputException(file + ": results[" + index + "]: the masks of this"
                + " file exceed 2 GB; split the results file");
          }
        }
        arena = Arrays.copyOf(arena, (int) cap);
      }
      System.arraycopy(counts, 0, arena, arenaSize, counts.length);
      mh[index] = h;
      mw[index] = w;
      ms[index] = arenaSize;
      ml[index] = counts.length;
      arenaSize += counts.length;
    }
  }
}
