package io.zoobench.jobs.spark;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps credentials out of logs, tables and messages: strips the user-info part of a URI
 * ({@code s3a://KEY:SECRET@bucket/x} becomes {@code s3a://bucket/x}).
 */
public final class Redact {
  private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://");

  private Redact() {}

  /**
   * {@code path} without user info. A secret may hold '/', '#' or '?' (AWS secret keys often
   * hold '/'), which ends a URI's authority early; so everything between "scheme://" and the
   * last '@' is dropped when it holds a ':' (KEY:SECRET), or when it is a plain authority.
   */
  public static String path(String path) {
    if (path == null) {
      return null;
    }
    Matcher m = SCHEME.matcher(path);
    if (!m.lookingAt()) {
      return path;
    }
    int start = m.end();
    int at = path.lastIndexOf('@');
    if (at < start) {
      return path;
    }
    String user = path.substring(start, at);
    int slash = user.indexOf('/');
    if (user.indexOf(':') >= 0 || slash < 0) {
      return path.substring(0, start) + path.substring(at + 1);
    }
    return path;
  }

  /**
   * Refuses a path with credentials in it before any Hadoop code sees (and logs) it: S3A no
   * longer accepts them, and a path is printed and stored in many places.
   *
   * @param what what the path is, for the message ("--annotations")
   */
  public static String checkNoCredentials(String what, String path) {
    if (path != null && !path(path).equals(path)) {
      throw new io.zoobench.coco.InvalidInputException(what + " " + path(path)
          + ": credentials in paths are not supported; use fs.s3a.access.key and"
          + " fs.s3a.secret.key (--conf spark.hadoop.fs.s3a...), or the environment's AWS credentials");
    }
    return path;
  }
}
