package io.zoobench.coco;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.zoobench.mask.RleCodec;
import java.io.IOException;

/**
 * Parses {@code [{"image_id", "category_id", "bbox", "score", "segmentation"}, ...]} one
 * record at a time into its fields, which stay valid until the next call of {@link #next()}.
 * A missing score reads as NaN.
 *
 * <p>Masks are kept when the caller asks ({@code keepMasks}), and also when {@code results[0]}
 * has no non-empty bbox: pycocotools' {@code loadRes} then takes every detection's area (and a
 * missing box) from its mask, whatever the evaluation.
 */
final class ResultParser extends JsonRecordReader {
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
