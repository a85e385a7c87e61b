package io.zoobench.jobs.spark;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Byte ranges of a plain results file ({@code [{...}, {...}, ...]}) that start and end at
 * record boundaries, so that several tasks can read one file. A boundary is found near each
 * nominal cut as {@code '}' ws* ',' ws* '{'}; {@link #count} then scans each range with a json
 * state machine (strings, escapes, depth) and refuses a range that is not a run of whole
 * records, which is what a cut inside a string would produce. Gzip files are one range.
 */
final class ResultsSplits {
  private static final int WINDOW = 1 << 20;

  private ResultsSplits() {}

  /**
   * One range: bytes {@code [start, end)}; the first range includes the opening {@code [},
   * the last the closing {@code ]}.
   */
  record Split(int index, long start, long end, boolean first, boolean last)
      implements Serializable {}

  /** Up to {@code parts} ranges of at least {@code minBytes} each; one when it cannot split. */
  static List<Split> plan(FileSystem fs, Path p, int parts, long minBytes) throws IOException {
    long len = fs.getFileStatus(p).getLen();
    List<Split> one = List.of(new Split(0, 0, len, true, true));
    int n = (int) Math.min(parts, len / Math.max(1, minBytes));
    if (n < 2) {
      return one;
    }
    try (FSDataInputStream in = fs.open(p)) {
      if (in.read() == 0x1f && in.read() == 0x8b) {
        return one; // gzip: not seekable by record
      }
      List<long[]> cuts = new ArrayList<>(); // {end of a record, start of the next}
      long previous = 0;
      for (int k = 1; k < n; k++) {
        long nominal = len * k / n;
        if (nominal <= previous) {
          continue;
        }
        long[] cut = boundaryAfter(in, nominal, len);
        if (cut == null) {
          return one;
        }
        if (cut[0] > previous) {
          cuts.add(cut);
          previous = cut[1];
        }
      }
      List<Split> splits = new ArrayList<>();
      long start = 0;
      for (long[] cut : cuts) {
        splits.add(new Split(splits.size(), start, cut[0], splits.isEmpty(), false));
        start = cut[1];
      }
      splits.add(new Split(splits.size(), start, len, splits.isEmpty(), true));
      return splits;
    }
  }

  private static long[] boundaryAfter(FSDataInputStream in, long from, long len)
      throws IOException {
    byte[] buf = new byte[(int) Math.min(WINDOW, len - from)];
    in.seek(from);
    in.readFully(buf);
    for (int i = 0; i < buf.length; i++) {
      if (buf[i] != '}') {
        continue;
      }
      int j = i + 1;
      while (j < buf.length && isSpace(buf[j])) {
        j++;
      }
      if (j >= buf.length || buf[j] != ',') {
        continue;
      }
      j++;
      while (j < buf.length && isSpace(buf[j])) {
        j++;
      }
      if (j < buf.length && buf[j] == '{') {
        return new long[] {from + i + 1, from + j};
      }
    }
    return null;
  }

  private static boolean isSpace(byte b) {
    return b == ' ' || b == '\n' || b == '\r' || b == '\t';
  }

  /**
   * The number of records in {@code split} (bytes of it read from {@code in}).
   *
   * @throws IllegalStateException when the range is not a run of whole records
   */
  static long count(InputStream in, Split split) throws IOException {
    long records = 0;
    int depth = split.first() ? -1 : 0; // the first range opens the list itself
    boolean inString = false;
    boolean escape = false;
    boolean closed = false;
    byte[] buf = new byte[1 << 16];
    long remaining = split.end() - split.start();
    while (remaining > 0) {
      int r = in.read(buf, 0, (int) Math.min(buf.length, remaining));
      if (r < 0) {
        throw new IllegalStateException("range " + split + " ends early");
      }
      remaining -= r;
      for (int i = 0; i < r; i++) {
        byte b = buf[i];
        if (inString) {
          if (escape) {
            escape = false;
          } else if (b == '\\') {
            escape = true;
          } else if (b == '"') {
            inString = false;
          }
          continue;
        }
        if (closed) {
          if (!isSpace(b)) {
            throw new IllegalStateException("data after the list in " + split);
          }
          continue;
        }
        switch (b) {
          case '"' -> {
            if (depth < 1) {
              throw new IllegalStateException("string between records in " + split);
            }
            inString = true;
          }
          case '{', '[' -> {
            if (depth == -1) {
              if (b != '[') {
                throw new IllegalStateException("no list at the start of " + split);
              }
            } else if (depth == 0) {
              if (b != '{') {
                throw new IllegalStateException("a list between records in " + split);
              }
              records++;
            }
            depth++;
          }
          case '}', ']' -> {
            depth--;
            if (depth == -1) {
              if (b != ']' || !split.last()) {
                throw new IllegalStateException("unbalanced range " + split);
              }
              closed = true;
            } else if (depth < -1) {
              throw new IllegalStateException("unbalanced range " + split);
            }
          }
          default -> {
            if (depth == 0 && b != ',' && !isSpace(b)) {
              throw new IllegalStateException("stray byte between records in " + split);
            }
          }
        }
      }
    }
    if (inString || depth != (split.last() ? -1 : 0)
        && !(split.first() && split.last())) {
      throw new IllegalStateException("range " + split + " does not end after a record");
    }
    return records;
  }

  /** A json list of just this range's records. */
  static InputStream asList(FSDataInputStream in, Split split) throws IOException {
    in.seek(split.start());
    InputStream body = new BoundedInputStream(in, split.end() - split.start());
    InputStream head = new ByteArrayInputStream(
        (split.first() ? "" : "[").getBytes(StandardCharsets.US_ASCII));
    InputStream tail = new ByteArrayInputStream(
        (split.last() ? "" : "]").getBytes(StandardCharsets.US_ASCII));
    return new SequenceInputStream(new SequenceInputStream(head, body), tail);
  }

  /** At most {@code limit} bytes of a stream; closing it closes the stream. */
  private static final class BoundedInputStream extends InputStream {
    private final InputStream in;
    private long left;

    BoundedInputStream(InputStream in, long limit) {
      this.in = in;
      this.left = limit;
    }

    @Override
    public int read() throws IOException {
      if (left <= 0) {
        return -1;
      }
      int b = in.read();
      if (b >= 0) {
        left--;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (left <= 0) {
        return -1;
      }
      int r = in.read(b, off, (int) Math.min(len, left));
      if (r > 0) {
        left -= r;
      }
      return r;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
