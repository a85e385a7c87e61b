package io.zoobench.detect;

/**
 * A model's detections of one image as an output adapter reads them, before post-processing:
 * {@code x1 y1 x2 y2} boxes in model-input pixels, scores, model labels, and optionally the
 * thresholded masks, one column-major 0/1 block of {@code maskHeight × maskWidth} bytes per
 * detection, already at the original image size.
 */
public record RawDetections(float[] boxes, float[] scores, long[] labels, byte[] masks,
    int maskHeight, int maskWidth) {

  /** Number of detections. */
  public int size() {
    return scores.length;
  }
}
