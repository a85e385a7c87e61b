package io.zoobench.coco;

/**
 * Bad input: a file, a record or a value that zoobench refuses, with a message that names the
 * file, the record (index and id where known) and what is wrong, e.g.
 * {@code dt.json: results[12] (image_id 7): bbox has 3 numbers, expected 4}.
 *
 * <p>Command-line front ends print the message on one line and exit non-zero; they never show
 * a stack trace for this exception.
 */
public class InvalidInputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InvalidInputException(String message) {
    super(message);
  }

  public InvalidInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
