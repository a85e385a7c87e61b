package io.zoobench.jobs;

import io.zoobench.coco.InvalidInputException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.function.Predicate;

/**
 * The {@code --models GLOB} of the verbs that pick models by name ({@code zoo run},
 * {@code gate}, {@code report}): a file-name glob ({@code 'mask_rcnn_*'}, {@code '{a,b}'},
 * {@code '*'}) matched against whole model names. A malformed glob is bad input, said in one line.
 */
final class ModelGlob implements Predicate<String> {
  private final String glob;
  private final PathMatcher matcher;

  private ModelGlob(String glob, PathMatcher matcher) {
    this.glob = glob;
    this.matcher = matcher;
  }

  /** @throws InvalidInputException when {@code glob} is not a glob */
  static ModelGlob of(String glob) {
    try {
      return new ModelGlob(glob, FileSystems.getDefault().getPathMatcher("glob:" + glob));
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException("--models " + glob + ": not a glob ("
          + e.getMessage().lines().findFirst().orElse("") + ")");
    }
  }

  /** Whether the model called {@code model} is selected. */
  @Override
  public boolean test(String model) {
    // model names hold no '/', so a name is one path element
    return matcher.matches(Path.of(model));
  }

  @Override
  public String toString() {
    return glob;
  }
}
