package io.zoobench.coco;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Reads {@code {"images": [...], "annotations": [...], "categories": [...], ...}}. */
final class DatasetReader extends JsonRecordReader {
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
