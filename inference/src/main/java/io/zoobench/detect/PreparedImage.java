package io.zoobench.detect;

/**
 * An image ready for the forward pass: planar float pixels (channel-major, {@code C×H×W}) at
 * the model's input size, plus what post-processing needs to map outputs back to the original
 * image: its size and the resize factors.
 *
 * @param pixels {@code 3 × height × width} floats, channels in the model's order
 * @param height rows of {@code pixels} (after resizing and padding)
 * @param width columns of {@code pixels}
 * @param resizedHeight rows holding the resized image (the rest is padding)
 * @param resizedWidth columns holding the resized image
 * @param originalHeight the image as decoded
 * @param originalWidth the image as decoded
 */
public record PreparedImage(float[] pixels, int height, int width, int resizedHeight,
    int resizedWidth, int originalHeight, int originalWidth) {

  /** Input pixels per original pixel, horizontally. */
  public double scaleX() {
    return (double) resizedWidth / originalWidth;
  }

  /** Input pixels per original pixel, vertically. */
  public double scaleY() {
    return (double) resizedHeight / originalHeight;
  }
}
