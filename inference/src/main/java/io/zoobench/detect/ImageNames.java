package io.zoobench.detect;

import java.util.regex.Pattern;

/**
 * Which {@code file_name}s of an annotations file an image source may open: plain relative
 * paths under the image root. Absolute paths, URIs and {@code ..} would let an annotations file
 * read anything the executor can.
 */
public final class ImageNames {
  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");

  private ImageNames() {}

  /**
   * Why {@code file} is refused (missing, absolute, a URI, or leaving the image root), or
   * {@code null} when it is a plain relative path.
   */
  public static String problem(String file) {
    if (file == null || file.isBlank()) {
      return "no file_name";
    }
    if (file.startsWith("/") || file.startsWith("\\") || SCHEME.matcher(file).find()) {
      return "file_name '" + file + "' is not relative to the image root";
    }
    for (String part : file.split("[/\\\\]")) {
      if (part.equals("..")) {
        return "file_name '" + file + "' leaves the image root";
      }
    }
    return null;
  }
}
