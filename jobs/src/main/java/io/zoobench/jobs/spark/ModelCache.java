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
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/**
 * The executor's models: a pool of {@link DetectorModel} instances per (model file, device) per
 * JVM. A task borrows an instance for its shard and gives it back when done; an instance serves
 * one task at a time, so the pool grows to the number of tasks that run at once (the executor's
 * cores) and no further. TorchScript modules are not safe to share between concurrent forward
 * passes: torchvision's detectors write their own state ({@code AnchorGenerator.cell_anchors})
 * on every call, and one shared instance failed one undisturbed run in ~65 with
 * {@code Expected Tensor but got InvalidTag}. An instance whose forward pass failed natively
 * is closed, not given back. A model file on a remote file system ({@code s3a://},
 * {@code hdfs://}) is copied once into the executor's temporary folder (keyed by path, size and
 * modification time, so a replaced model is copied again).
 */
final class ModelCache {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ModelCache.class);
  private static final Map<String, Deque<DetectorModel>> IDLE = new ConcurrentHashMap<>();
  private static final Map<String, Path> FILES = new ConcurrentHashMap<>();

  private ModelCache() {}

  /** One instance, the borrower's alone until {@link #close}. */
  static final class Lease implements AutoCloseable {
    private final String key;
    private DetectorModel model;

    private Lease(String key, DetectorModel model) {
      this.key = key;
      this.model = model;
    }

    DetectorModel model() {
      return model;
    }

    /**
     * Closes the instance (its native state may be broken) and borrows another in its place.
     */
    DetectorModel replace(ModelSpec spec, Device device, Configuration conf) {
      DetectorModel broken = model;
      model = null;
      broken.close();
      model = take(key, spec, device, conf);
      return model;
    }

    /** Gives the instance back for the next task. */
    @Override
    public void close() {
      if (model != null) {
        Deque<DetectorModel> idle = IDLE.computeIfAbsent(key, k -> new ArrayDeque<>());
        synchronized (idle) {
          idle.push(model);
        }
        model = null;
      }
    }
  }

  /** An instance of {@code spec}'s model on {@code device}: an idle one, else a new one. */
  static Lease borrow(ModelSpec spec, Device device, Configuration conf) {
    String key = spec.artifact() + "|" + spec.name() + "|" + device;
    return new Lease(key, take(key, spec, device, conf));
  }

  private static DetectorModel take(String key, ModelSpec spec, Device device,
      Configuration conf) {
    Deque<DetectorModel> idle = IDLE.get(key);
    if (idle != null) {
      synchronized (idle) {
        if (!idle.isEmpty()) {
          return idle.pop();
        }
      }
    }
    long t0 = System.nanoTime();
    DetectorModel loaded = DetectorModel.load(spec, localCopy(spec.artifact(), conf), device);
    LOG.info("model {} loaded from {} on {} in {} ms", spec.name(),
        Redact.path(spec.artifact()), device, (System.nanoTime() - t0) / 1_000_000);
    return loaded;
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
