package io.zoobench.detect;

import java.io.IOException;

/**
 * Where a shard's image bytes come from, by {@code file_name} relative to the image root: a
 * Hadoop file system on Spark executors, a map of bytes in tests. Names have passed
 * {@link ImageNames#problem} before they get here.
 */
@FunctionalInterface
public interface ImageSource {
  /**
   * The encoded bytes of {@code file}.
   *
   * @throws java.io.FileNotFoundException when there is no such file
   * @throws Outside when the name leads outside the image root
   * @throws IOException when it cannot be read
   */
  byte[] read(String file) throws IOException;

  /** The file is outside the image root although its name is not (a symbolic link). */
  final class Outside extends IOException {
    private static final long serialVersionUID = 1L;

    public Outside(String message) {
      super(message);
    }
  }
}
