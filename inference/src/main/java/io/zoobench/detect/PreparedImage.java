package io.zoobench.detect;

/**
 * An image ready for the forward pass: planar float pixels (channel-major, {@code C×H×W}) at
 * the model's input size, plus what post-processing needs to map outputs back to the original
 * image: its size and the resize factors; for a model that takes precomputed proposals
 * (Fast R-CNN), the image's proposals at the input size.
 *
 * @param pixels {@code 3 × height × width} floats, channels in the model's order
 * @param height rows of {@code pixels} (after resizing and padding)
 * @param width columns of {@code pixels}
 * @param resizedHeight rows holding the resized image (the rest is padding)
 * @param resizedWidth columns holding the resized image
 * @param originalHeight the image as decoded
 * @param originalWidth the image as decoded
 * @param padTop rows of padding above the resized image (a letterbox centres it; else 0)
 * @param padLeft columns of padding left of the resized image
 * @param proposals {@code K × 4} floats x1, y1, x2, y2 in input pixels ({@code K} may be 0),
 *     or null when the model takes none
 */
public record PreparedImage(float[] pixels, int height, int width, int resizedHeight,
    int resizedWidth, int originalHeight, int originalWidth, int padTop, int padLeft,
    float[] proposals) {

  /** An image at the top left of the input, without proposals. */
  public PreparedImage(float[] pixels, int height, int width, int resizedHeight,
      int resizedWidth, int originalHeight, int originalWidth) {
    this(pixels, height, width, resizedHeight, resizedWidth, originalHeight, originalWidth, 0, 0,
        null);
  }

  /** Input pixels per original pixel, horizontally. */
  public double scaleX() {
    return (double) resizedWidth / originalWidth;
  }

  /** Input pixels per original pixel, vertically. */
  public double scaleY() {
    return (double) resizedHeight / originalHeight;
  }

  /**
   * This image with proposals given in original-image pixels ({@code K × 4} x1, y1, x2, y2),
   * scaled to the input size as the image was (MMDetection scales its loaded proposals by the
   * resize factor the same way).
   */
  public PreparedImage withProposals(float[] originalPixels) {
    float[] scaled = new float[originalPixels.length];
    float sx = (float) scaleX();
    float sy = (float) scaleY();
    for (int i = 0; i < scaled.length; i += 4) {
      scaled[i] = originalPixels[i] * sx + padLeft;
      scaled[i + 1] = originalPixels[i + 1] * sy + padTop;
      scaled[i + 2] = originalPixels[i + 2] * sx + padLeft;
      scaled[i + 3] = originalPixels[i + 3] * sy + padTop;
    }
    return new PreparedImage(pixels, height, width, resizedHeight, resizedWidth, originalHeight,
        originalWidth, padTop, padLeft, scaled);
  }
}
