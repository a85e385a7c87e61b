package io.zoobench.coco;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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
    String shown = Redaction.path(file.toString());
    if (e instanceof NoSuchFileException) {
      return new InvalidInputException(shown + ": no such file");
    }
    return new InvalidInputException(shown + ": cannot read: " + e.getMessage(), e);
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
}
