package io.zoobench.jobs.spark;

import io.zoobench.detect.ImageSource;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Images under a root on any Hadoop file system ({@code file:}, {@code hdfs://},
 * {@code s3a://}), for the inference tasks' prefetcher.
 */
final class HadoopImageSource implements ImageSource {
  private final Path root;
  private final FileSystem fs;

  HadoopImageSource(String root, Configuration conf) {
    this.root = new Path(root);
    this.fs = SparkSupport.fileSystem(this.root, conf);
  }

  @Override
  public byte[] read(String file) throws IOException {
    try (InputStream in = fs.open(new Path(root, file))) {
      return in.readAllBytes();
    }
  }
}
