package io.zoobench.coco;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.zoobench.mask.Rle;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Field-level helpers shared by both readers; errors are collected per record. */
abstract class JsonRecordReader {
  final JsonParser p;
  final String file;
  String problem;
  /** Whether the last {@link #bbox} read was an empty list. */
  boolean lastBoxEmpty;

  JsonRecordReader(JsonParser p, String file) {
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
