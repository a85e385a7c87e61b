package io.zoobench.coco;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes small json test files, plain or gzip, with single quotes standing for double ones. */
public final class JsonFiles {
  private JsonFiles() {}

  /** {@code json} with every {@code '} turned into {@code "}, so tests can inline json. */
  public static String quotes(String json) {
    return json.replace('\'', '"');
  }

  public static Path write(Path dir, String name, String json) {
    try {
      return Files.writeString(dir.resolve(name), quotes(json), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Path writeGzip(Path dir, String name, String json) {
    Path file = dir.resolve(name);
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write(quotes(json).getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }
}
