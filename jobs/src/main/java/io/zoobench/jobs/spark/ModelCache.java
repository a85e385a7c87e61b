package io.zoobench.jobs.spark;

import ai.djl.Device;
import io.zoobench.coco.InvalidInputException;
import io.zoobench.detect.DetectorModel;
import io.zoobench.zoo.ModelSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/**
 * The executor's models: one {@link DetectorModel} per (model file, device) per JVM, loaded by
 * the first task that needs it and reused by every later task there. A model file on a remote
 * file system ({@code s3a://}, {@code hdfs://}) is copied once into the executor's temporary
 * folder (keyed by path, size and modification time, so a replaced model is copied again). The TorchScript module is shared by concurrent tasks: its forward pass is re-entrant,
 * and each batch has its own native memory.
 */
final class ModelCache {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ModelCache.class);
  private static final Map<String, DetectorModel> MODELS = new ConcurrentHashMap<>();
  private static final Map<String, Path> FILES = new ConcurrentHashMap<>();

  private ModelCache() {}

  static DetectorModel get(ModelSpec spec, Device device, Configuration conf) {
    String key = spec.artifact() + "|" + spec.name() + "|" + device;
    DetectorModel m = MODELS.get(key);
    if (m != null) {
      return m;
    }
    synchronized (ModelCache.class) {
      return MODELS.computeIfAbsent(key, k -> {
        long t0 = System.nanoTime();
        DetectorModel loaded = DetectorModel.load(spec, localCopy(spec.artifact(), conf), device);
        LOG.info("model {} loaded from {} on {} in {} ms", spec.name(),
            Redact.path(spec.artifact()), device, (System.nanoTime() - t0) / 1_000_000);
        return loaded;
      });
    }
  }

  private static Path localCopy(String artifact, Configuration conf) {
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(artifact);
    String scheme = p.toUri().getScheme();
    if (scheme == null || scheme.equals("file")) {
      return Path.of(p.toUri().getPath());
    }
    return FILES.computeIfAbsent(artifact, a -> {
      try {
        FileSystem fs = SparkSupport.fileSystem(p, conf);
        org.apache.hadoop.fs.FileStatus st = fs.getFileStatus(p);
        // a copy left by an earlier run is reused only if the file is still the same
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "zoobench-models",
            digest(a + "|" + st.getLen() + "|" + st.getModificationTime()));
        Path target = dir.resolve(p.getName());
        if (Files.isRegularFile(target) && Files.size(target) == st.getLen()) {
          return target;
        }
        Files.createDirectories(dir);
        Path part = Files.createTempFile(dir, p.getName(), ".part");
        try (InputStream in = fs.open(p)) {
          Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
        LOG.info("model file {} copied to {}", Redact.path(a), target);
        return target;
      } catch (java.io.FileNotFoundException e) {
        throw new InvalidInputException(Redact.path(artifact) + ": model file not found");
      } catch (IOException e) {
        throw new InvalidInputException(Redact.path(artifact) + ": cannot copy the model: "
            + e.getMessage(), e);
      }
    });
  }

  private static String digest(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(s.getBytes(StandardCharsets.UTF_8))).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
