package io.zoobench.coco;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one redaction every module applies before a path or a message leaves zoobench (stdout,
 * stderr, logs, tables): strips the user-info part of URIs ({@code s3a://KEY:SECRET@bucket/x}
 * becomes {@code s3a://bucket/x}), and refuses values that carry credentials, in one line that
 * shows the redacted value only. It has no dependencies, so the Spark-free modules use it too.
 */
public final class Redaction {
  /**
   * A URI scheme and the slash after its colon. Two characters at least: {@code C:/x} and
   * {@code C:\x} are Windows drives, not schemes.
   */
  private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]+:/");

  /** What ends a path inside a message: whitespace, and the quotes messages put around values. */
  private static final String TOKEN_END = "'\"`<>";

  private static final String HINT = ": credentials in a path are refused; use S3A's credential"
      + " settings (--conf spark.hadoop.fs.s3a.access.key=... and ...secret.key=...) or the"
      + " environment's AWS credentials";

  private Redaction() {}

  /**
   * {@code path} without user info. A secret may hold '/', '#', '?' or '@' (AWS secret keys
   * often hold '/'), any of which ends a URI's authority early; so everything between
   * {@code scheme://} and the last '@' is dropped when it holds a ':' (KEY:SECRET) or no '/'
   * (a user or key alone). A path with an '@' of its own after the credentials loses a little
   * more than the user info: better than a secret shown. {@code scheme:/KEY:SECRET@...}, what
   * {@link java.nio.file.Path} makes of a URI (one slash), is redacted too.
   */
  public static String path(String path) {
    if (path == null) {
      return null;
    }
    Matcher m = SCHEME.matcher(path);
    if (!m.lookingAt()) {
      return path;
    }
    boolean authority = path.startsWith("/", m.end());
    int start = authority ? m.end() + 1 : m.end();
    int at = path.lastIndexOf('@');
    if (at < start) {
      return path;
    }
    String user = path.substring(start, at);
    if (user.startsWith("/")) {
      // file:///a@b: an empty authority, and a path that merely holds an '@'
      return path;
    }
    boolean colon = user.indexOf(':') >= 0;
    if (colon || (authority && user.indexOf('/') < 0)) {
      return path.substring(0, start) + path.substring(at + 1);
    }
    return path;
  }

  /**
   * {@code text} (a message, an exception's text, a json document) with the user info of every
   * URI in it removed, as {@link #path} removes it. A URI ends at whitespace or a quote, so a
   * secret holding either is only redacted by {@link #path} on the whole value, or by
   * {@link #text(String, Iterable)}.
   */
  public static String text(String text) {
    if (text == null) {
      return null;
    }
    Matcher m = SCHEME.matcher(text);
    StringBuilder out = null;
    int copied = 0;
    int from = 0;
    while (from < text.length() && m.find(from)) {
      int end = m.end();
      while (end < text.length() && !Character.isWhitespace(text.charAt(end))
          && TOKEN_END.indexOf(text.charAt(end)) < 0) {
        end++;
      }
      String token = text.substring(m.start(), end);
      String clean = path(token);
      if (!clean.equals(token)) {
        if (out == null) {
          out = new StringBuilder(text.length());
        }
        out.append(text, copied, m.start()).append(clean);
        copied = end;
      }
      from = end;
    }
    return out == null ? text : out.append(text, copied, text.length()).toString();
  }

  /**
   * {@code text} with every credential-bearing one of {@code values} (the command line's
   * arguments, say) replaced by its redacted form wherever it occurs whole, then as
   * {@link #text(String)}: covers secrets with spaces or quotes in them when the values are
   * known.
   */
  public static String text(String text, Iterable<String> values) {
    if (text == null) {
      return null;
    }
    String t = text;
    for (String v : values) {
      if (v != null && !v.isEmpty() && hasCredentials(v)) {
        t = t.replace(v, redact(v));
      }
    }
    return text(t);
  }

  /** Whether {@code value} (a path, or text holding paths) carries user info anywhere. */
  public static boolean hasCredentials(String value) {
    return value != null && (!path(value).equals(value) || !text(value).equals(value));
  }

  /**
   * Refuses {@code path} when it carries credentials, before anything reads (and logs or
   * stores) it: S3A no longer accepts them, and a path is printed and stored in many places.
   *
   * @param what what the path is, for the message ({@code --annotations})
   * @return {@code path}
   * @throws InvalidInputException naming {@code what} and the redacted path
   */
  public static String checkNoCredentials(String what, String path) {
    if (hasCredentials(path)) {
      throw new InvalidInputException(what + " " + redact(path) + HINT);
    }
    return path;
  }

  private static String redact(String value) {
    return text(path(value));
  }
}
