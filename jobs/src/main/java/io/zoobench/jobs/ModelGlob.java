package io.zoobench.jobs;

import io.zoobench.coco.InvalidInputException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.function.Predicate;

/**
 * A {@code --models} glob over model names ({@code 'mask_rcnn_*'}, {@code '{a,b}'}), as
 * {@code zoo run} and {@code gate} select models: one syntax (the JDK's glob) and one error
 * message for a pattern that does not parse.
 */
final class ModelGlob implements Predicate<String> {
  private final String glob;
  private final PathMatcher matcher;

  private ModelGlob(String glob, PathMatcher matcher) {
    this.glob = glob;
    this.matcher = matcher;
  }

  /** The glob {@code glob}; one that does not parse is bad input, in one line. */
  static ModelGlob of(String glob) {
    try {
      return new ModelGlob(glob, FileSystems.getDefault().getPathMatcher("glob:" + glob));
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException("--models " + glob + ": not a glob ("
          + e.getMessage().lines().findFirst().orElse("") + ")");
    }
  }

  /** Whether {@code modelName} matches (model names hold no '/': a name is one path element). */
  @Override
  public boolean test(String modelName) {
    return matcher.matches(Path.of(modelName));
  }

  @Override
  public String toString() {
    return glob;
  }
}
