package io.zoobench.coco;

import com.fasterxml.jackson.core.JsonParser;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Reads a results file one detection at a time, for consumers that must not hold the whole
 * file (a Spark task turning a 200 MB results file into prediction rows). Records are validated
 * exactly as {@link CocoJsonReader#readResults} validates them; uncompressed masks arrive
 * re-encoded as compressed RLE.
 *
 * <pre>{@code
 * try (ResultsStream s = ResultsStream.open(in, "dt.json", true)) {
 *   while (s.hasNext()) { Record r = s.next(); ... }
 * }
 * }</pre>
 */
public final class ResultsStream implements Iterator<ResultsStream.Record>, Closeable {
  /**
   * One result in file order: {@code bbox} is {@code null} without a box ({@code emptyBbox}
   * when the file had {@code "bbox": []}); {@code segmentation} is {@code null}, a
   * {@link Segmentation.CompressedRle} or {@link Segmentation.Polygons}, and
   * {@code maskFormat} says how the file wrote it.
   */
  public record Record(
      int index, long imageId, long categoryId, double[] bbox, boolean emptyBbox, double score,
      Segmentation segmentation, MaskFormat maskFormat) {}

  private final JsonParser parser;
  private final ResultParser results;
  private Record pending;
  private boolean done;

  private ResultsStream(JsonParser parser, ResultParser results) {
    this.parser = parser;
    this.results = results;
  }

  /** Starts reading {@code in} (plain or gzip); {@code name} is used in messages. */
  public static ResultsStream open(InputStream in, String name, boolean keepMasks) {
    try {
      JsonParser p = CocoJsonReader.parser(CocoJsonReader.maybeGunzip(in));
      return new ResultsStream(p, CocoJsonReader.resultParser(p, name, keepMasks));
    } catch (IOException e) {
      throw CocoJsonReader.readError(name, e);
    }
  }

  @Override
  public boolean hasNext() {
    if (pending == null && !done) {
      try {
        if (results.next()) {
          pending = new Record(results.index, results.imageId, results.categoryId,
              results.hasBox ? results.box.clone() : null, results.emptyBox, results.score,
              results.segmentation, results.maskFormat);
        } else {
          done = true;
        }
      } catch (IOException e) {
        throw CocoJsonReader.readError(results.file, e);
      }
    }
    return pending != null;
  }

  @Override
  public Record next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Record r = pending;
    pending = null;
    return r;
  }

  @Override
  public void close() throws IOException {
    parser.close();
  }
}
