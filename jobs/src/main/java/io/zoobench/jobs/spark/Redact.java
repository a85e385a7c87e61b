package io.zoobench.jobs.spark;

import io.zoobench.coco.Redaction;

/**
 * Keeps credentials out of logs, tables and messages of the Spark jobs: strips the user-info
 * part of a URI ({@code s3a://KEY:SECRET@bucket/x} becomes {@code s3a://bucket/x}). A name kept
 * for the jobs' code; the redaction itself is {@link Redaction}, the one every module uses.
 */
public final class Redact {
  private Redact() {}

  /** {@code path} without user info: {@link Redaction#path}. */
  public static String path(String path) {
    return Redaction.path(path);
  }

  /** {@code text} (a message, an exception's text) without user info: {@link Redaction#text}. */
  public static String text(String text) {
    return Redaction.text(text);
  }

  /**
   * Refuses a path with credentials in it before any Hadoop code sees (and logs) it:
   * {@link Redaction#checkNoCredentials}.
   *
   * @param what what the path is, for the message ("--annotations")
   */
  public static String checkNoCredentials(String what, String path) {
    return Redaction.checkNoCredentials(what, path);
  }
}
