package io.zoobench.jobs.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where inference tasks leave their finished shards, durably, so that a rerun of an interrupted
 * {@code evaluate} (a driver killed, a cluster lost) reuses them and runs only the rest:
 * {@code <warehouse>/_checkpoints/<run id>/<digest>/}, one {@code shard-<id>.out} (the
 * {@link ShardOutput}) and, written after it, {@code shard-<id>.done} (its summary) per shard.
 * The digest covers the model file, the annotations, the shard plan, the model's configuration
 * and the code, so a changed input never reuses a stale shard. Files appear by rename: a
 * retried or speculative task replaces a shard with an equal one, never half of one.
 */
final class ShardCheckpoints implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(ShardCheckpoints.class);
  /** The folder of a warehouse that holds them. */
  static final String FOLDER = "_checkpoints";

  private final String dir;
  private final SparkSupport.HadoopConf conf;

  private ShardCheckpoints(String dir, SparkSupport.HadoopConf conf) {
    this.dir = dir;
    this.conf = conf;
  }

  /** The checkpoints of run {@code runId} with inputs {@code digest}, under the warehouse. */
  static ShardCheckpoints of(String warehouse, String runId, String digest, Configuration conf) {
    return new ShardCheckpoints(new Path(runFolder(warehouse, runId), digest).toString(),
        new SparkSupport.HadoopConf(conf));
  }

  /** {@code <warehouse>/_checkpoints/<run id>}. */
  static Path runFolder(String warehouse, String runId) {
    return new Path(new Path(warehouse, FOLDER), runId);
  }

  private FileSystem fs() {
    return SparkSupport.fileSystem(new Path(dir), conf.get());
  }

  private Path file(int shard, String ext) {
    return new Path(dir, "shard-" + shard + "." + ext);
  }

  /** The shards already finished (their {@code .done} exists). */
  Set<Integer> finished() {
    Set<Integer> out = new TreeSet<>();
    try {
      FileSystem fs = fs();
      if (!fs.exists(new Path(dir))) {
        return out;
      }
      for (FileStatus s : fs.listStatus(new Path(dir))) {
        String n = s.getPath().getName();
        if (n.startsWith("shard-") && n.endsWith(".done")) {
          out.add(Integer.parseInt(n.substring(6, n.length() - 5)));
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("listing checkpoints " + dir, e);
    }
  }

  /** Leaves a finished shard (called by its task): the output, then the summary. */
  void write(ShardOutput out) {
    put(file(out.shardId, "out"), out);
    put(file(out.shardId, "done"), out.summary());
  }

  private void put(Path target, Serializable value) {
    FileSystem fs = fs();
    Path tmp = new Path(dir, "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
    try {
      try (OutputStream raw = fs.create(tmp, true);
          ObjectOutputStream o = new ObjectOutputStream(new java.io.BufferedOutputStream(raw,
              1 << 16))) {
        o.writeObject(value);
      }
      if (!fs.rename(tmp, target)) {
        // another attempt of the shard got there first: its file is as good
        fs.delete(tmp, false);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing checkpoint " + target, e);
    }
  }

  private Object get(Path p) {
    try (InputStream raw = fs().open(p);
        ObjectInputStream in = new ObjectInputStream(new java.io.BufferedInputStream(raw,
            1 << 16))) {
      return in.readObject();
    } catch (IOException | ClassNotFoundException e) {
      throw new IllegalStateException("reading checkpoint " + p + ": " + e, e);
    }
  }

  /** The summary of a finished shard. */
  ShardOutput summary(int shard) {
    return (ShardOutput) get(file(shard, "done"));
  }

  /** The predictions of a finished shard, as rows of run {@code runId}. */
  Iterator<Row> rows(int shard, String runId) {
    return ((ShardOutput) get(file(shard, "out"))).rows(runId);
  }

  /** Removes every checkpoint of run {@code runId} (it is published). */
  static void deleteRun(String warehouse, String runId, Configuration conf) {
    Path p = runFolder(warehouse, runId);
    try {
      FileSystem fs = SparkSupport.fileSystem(p, conf);
      if (fs.exists(p)) {
        fs.delete(p, true);
        LOG.info("checkpoints of run {} removed", runId);
      }
    } catch (IOException e) {
      LOG.warn("could not remove the checkpoints of run {}: {}", runId, e.toString());
    }
  }
}
