package io.zoobench.detect;

/**
 * A native runtime error in the forward pass of a model instance that has run batches before:
 * a fault of that instance or of the process (corrupted native state, a device error), not of
 * the input, so the caller retries on a fresh instance and, failing that, lets the task fail
 * for Spark to retry. A model that fails on its very first batch does not fit its manifest
 * entry; that is bad input ({@link io.zoobench.coco.InvalidInputException}).
 */
public final class NativeModelException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public NativeModelException(String message, Throwable cause) {
    super(message, cause);
  }
}
