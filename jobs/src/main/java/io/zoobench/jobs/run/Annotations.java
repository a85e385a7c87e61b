package io.zoobench.jobs.run;

import io.zoobench.coco.CocoDataset;
import io.zoobench.coco.CocoJsonReader;
import io.zoobench.coco.InvalidInputException;
import io.zoobench.jobs.spark.Redact;
import io.zoobench.jobs.spark.SparkSupport;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * A run's ground truth: the COCO instances file read on the driver from any Hadoop path, and
 * the sha256 of its bytes (recorded with the run). Reading needs only Hadoop's file systems, so
 * the CLI starts it before Spark has started.
 *
 * @param dataset the annotations
 * @param sha256 lower-case hex sha256 of the file as stored (gzip or not)
 * @param readSeconds how long reading it took (often while Spark started)
 */
public record Annotations(CocoDataset dataset, String sha256, double readSeconds) {

  /** Reads {@code path} with {@code conf}; one-line {@link InvalidInputException}s. */
  public static Annotations read(String path, Configuration conf) {
    Redact.checkNoCredentials("--annotations", path);
    Path p = new Path(path);
    long t0 = System.nanoTime();
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      try (InputStream in = new DigestInputStream(SparkSupport.fileSystem(p, conf).open(p), md)) {
        // the parser closes what it reads; the digest needs the bytes after the json too
        InputStream shielded = new FilterInputStream(in) {
          @Override
          public void close() {}
        };
        CocoDataset d = CocoJsonReader.readDataset(CocoJsonReader.maybeGunzip(shielded),
            p.getName());
        in.transferTo(OutputStream.nullOutputStream());
        return new Annotations(d, HexFormat.of().formatHex(md.digest()),
            (System.nanoTime() - t0) / 1e9);
      }
    } catch (java.io.FileNotFoundException e) {
      throw new InvalidInputException(Redact.path(path) + ": no such file");
    } catch (IOException e) {
      throw new InvalidInputException(Redact.path(path) + ": cannot read: " + e.getMessage(), e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
