package io.zoobench.jobs.spark;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Keeps credentials out of logs, tables and messages: strips the user-info part of a URI
 * ({@code s3a://KEY:SECRET@bucket/x} becomes {@code s3a://bucket/x}).
 */
public final class Redact {
  private Redact() {}

  /** {@code path} without user info. */
  public static String path(String path) {
    if (path == null) {
      return null;
    }
    try {
      URI u = new URI(path);
      if (u.getRawUserInfo() == null) {
        return path;
      }
      return new URI(u.getScheme(), null, u.getHost(), u.getPort(), u.getPath(), u.getQuery(),
          u.getFragment()).toString();
    } catch (URISyntaxException e) {
      int at = path.indexOf('@');
      int scheme = path.indexOf("://");
      return at > 0 && scheme > 0 && at > scheme ? path.substring(0, scheme + 3)
          + path.substring(at + 1) : path;
    }
  }
}
