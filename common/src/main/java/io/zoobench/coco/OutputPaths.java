package io.zoobench.coco;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks, before any work, that a command can write where it was told to: an output folder
 * ({@code export --out}, {@code synth --out}) or file ({@code eval --json}). A folder that
 * does not exist yet must be creatable: its nearest existing ancestor is a writable folder.
 * Each refusal is one line naming the option, the (redacted) path and what is wrong, so a long
 * evaluation or export is never lost to a typo found at its end.
 */
public final class OutputPaths {
  private OutputPaths() {}

  /** Refuses {@code dir} unless it is, or can be made as, a writable folder. */
  public static void checkFolder(String option, Path dir) {
    String shown = option + " " + Redaction.path(dir.toString());
    if (Files.exists(dir)) {
      if (!Files.isDirectory(dir)) {
        throw new InvalidInputException(shown + ": is a file, expected a folder");
      }
      if (!Files.isWritable(dir)) {
        throw new InvalidInputException(shown + ": cannot write there (permission)");
      }
      return;
    }
    Path ancestor = dir.toAbsolutePath().getParent();
    while (ancestor != null && !Files.exists(ancestor)) {
      ancestor = ancestor.getParent();
    }
    if (ancestor == null || !Files.isDirectory(ancestor)) {
      throw new InvalidInputException(shown + ": cannot be made (" + Redaction.path(
          String.valueOf(ancestor)) + " is not a folder)");
    }
    if (!Files.isWritable(ancestor)) {
      throw new InvalidInputException(shown + ": cannot be made (" + Redaction.path(
          ancestor.toString()) + " is not writable)");
    }
  }

  /** Refuses {@code file} when it is a folder or its folder is missing or not writable. */
  public static void checkFile(String option, Path file) {
    String shown = option + " " + Redaction.path(file.toString());
    Path dir = file.toAbsolutePath().getParent();
    if (Files.isDirectory(file)) {
      throw new InvalidInputException(shown + ": is a folder, expected a file");
    }
    if (dir == null || !Files.isDirectory(dir)) {
      throw new InvalidInputException(shown + ": no such folder " + Redaction.path(
          String.valueOf(dir)));
    }
    if (!Files.isWritable(dir) || (Files.exists(file) && !Files.isWritable(file))) {
      throw new InvalidInputException(shown + ": cannot write there (permission)");
    }
  }
}
