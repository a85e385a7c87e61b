package io.zoobench.coco;

/**
 * Bad input: a file, a record or a value that zoobench refuses, with a message that names the
 * file, the record (index and id where known) and what is wrong, e.g.
 * {@code dt.json: results[12] (image_id 7): bbox has 3 numbers, expected 4}.
 *
 * <p>Command-line front ends print the message on one line and exit non-zero; they never show
 * a stack trace for this exception. The message is shown and stored (a failed run's row), so
 * it is made through {@link Redaction#text}: no URI in it keeps its user info.
 */
public class InvalidInputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InvalidInputException(String message) {
    super(Redaction.text(message));
  }

  public InvalidInputException(String message, Throwable cause) {
    super(Redaction.text(message), cause);
  }
}
