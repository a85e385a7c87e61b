package io.zoobench.jobs;

import io.zoobench.coco.InvalidInputException;
import io.zoobench.jobs.spark.Redact;
import io.zoobench.jobs.tables.Warehouse;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The paths of a Spark verb's command line as the driver means them, checked before Spark
 * starts any work: a relative path is resolved against the driver's working directory (through
 * the default file system, as Hadoop resolves it) into an absolute URI, so executors on other
 * machines or in other folders read the same file; an input that does not exist, and a
 * warehouse that cannot be written, end the command in one line before anything is read.
 */
final class DriverPaths {
  private DriverPaths() {}

  /** {@code path} absolute and qualified (scheme and authority), refused with credentials. */
  static String qualify(String flag, String path, Configuration hadoop) {
    Redact.checkNoCredentials(flag, path);
    if (path.isBlank()) {
      throw new InvalidInputException(flag + ": empty path");
    }
    Path p = new Path(path);
    try {
      return p.getFileSystem(hadoop).makeQualified(p).toString();
    } catch (IOException | RuntimeException e) {
      throw new InvalidInputException(flag + " " + Redact.path(path) + ": " + reason(e));
    }
  }

  /** An input file: qualified, and refused when it does not exist or is a folder. */
  static String file(String flag, String path, Configuration hadoop) {
    String q = qualify(flag, path, hadoop);
    FileStatus s = status(flag, path, q, hadoop);
    if (s.isDirectory()) {
      throw new InvalidInputException(flag + " " + Redact.path(path) + ": is a folder, not a"
          + " file");
    }
    return q;
  }

  /** An input folder: qualified, and refused when it does not exist or is a file. */
  static String folder(String flag, String path, Configuration hadoop) {
    String q = qualify(flag, path, hadoop);
    FileStatus s = status(flag, path, q, hadoop);
    if (!s.isDirectory()) {
      throw new InvalidInputException(flag + " " + Redact.path(path) + ": is a file, not a"
          + " folder");
    }
    return q;
  }

  /**
   * The warehouse root, qualified and checked as a run will use it: with the embedded catalog
   * a local folder that exists or can be created, and is writable.
   */
  static String warehouse(String path, Configuration hadoop, Map<String, String> conf) {
    String q = qualify("--warehouse", path, hadoop);
    Warehouse.checkUsable(q, conf);
    return q;
  }

  /**
   * A zoo model's file: it exists and is a TorchScript archive (a zip file), so that a wrong
   * file is refused here, not by every inference task.
   */
  static void modelFile(String model, String artifact, Configuration hadoop) {
    String flag = "--model " + Redact.path(model) + ": model file";
    String q = file(flag, artifact, hadoop);
    Path p = new Path(q);
    boolean torchScript;
    try (var in = p.getFileSystem(hadoop).open(p)) {
      torchScript = io.zoobench.detect.DetectorModel.startsLikeTorchScript(in);
    } catch (IOException e) {
      throw new InvalidInputException(flag + " " + Redact.path(artifact) + ": cannot read: "
          + reason(e));
    }
    if (!torchScript) {
      throw new InvalidInputException(flag + " " + Redact.path(artifact) + ": not a TorchScript"
          + " file (those are zip archives; docs/models.md says how to export one)");
    }
  }

  private static FileStatus status(String flag, String path, String qualified,
      Configuration hadoop) {
    Path p = new Path(qualified);
    try {
      FileSystem fs = p.getFileSystem(hadoop);
      return fs.getFileStatus(p);
    } catch (FileNotFoundException e) {
      throw new InvalidInputException(flag + " " + Redact.path(path) + ": no such file"
          + (path.equals(Redact.path(qualified)) ? "" : " (" + Redact.path(qualified) + ")"));
    } catch (IOException | RuntimeException e) {
      throw new InvalidInputException(flag + " " + Redact.path(path) + ": cannot read: "
          + reason(e));
    }
  }

  /** The first line of what went wrong (the path had no credentials to leak). */
  private static String reason(Exception e) {
    return e.getMessage() == null ? e.getClass().getSimpleName()
        : e.getMessage().lines().findFirst().orElse("");
  }
}
