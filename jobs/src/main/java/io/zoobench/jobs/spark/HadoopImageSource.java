package io.zoobench.jobs.spark;

import io.zoobench.detect.ImageSource;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Images under a root on any Hadoop file system ({@code file:}, {@code hdfs://},
 * {@code s3a://}), for the inference tasks' prefetcher. On a local disk a name that a
 * symbolic link leads out of the root is refused like {@code ../} (object stores have no
 * links).
 */
final class HadoopImageSource implements ImageSource {
  private final Path root;
  private final FileSystem fs;
  /** The root's real path on a local disk, else null. */
  private final java.nio.file.Path localRoot;

  HadoopImageSource(String root, Configuration conf) {
    this.root = new Path(root);
    this.fs = SparkSupport.fileSystem(this.root, conf);
    String scheme = this.root.toUri().getScheme();
    java.nio.file.Path real = null;
    if (scheme == null || scheme.equals("file")) {
      try {
        real = java.nio.file.Path.of(this.root.toUri().getPath()).toRealPath();
      } catch (IOException e) {
        real = null; // a missing root: every read says so
      }
    }
    this.localRoot = real;
  }

  @Override
  public byte[] read(String file) throws IOException {
    if (localRoot != null) {
      java.nio.file.Path target = localRoot.resolve(file);
      if (java.nio.file.Files.exists(target) && !target.toRealPath().startsWith(localRoot)) {
        throw new Outside("file_name '" + file + "' leads outside the image root (a symbolic"
            + " link)");
      }
    }
    try (InputStream in = fs.open(new Path(root, file))) {
      return in.readAllBytes();
    }
  }
}
