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

/**
 * Byte ranges of a plain results file ({@code [{...}, {...}, ...]}) that start and end at
 * record boundaries, so that several tasks can read one file. One sequential pass on the driver
 * ({@link #survey}), with a json state machine (strings, escapes, depth), cuts it into chunks of whole records and counts the records before each chunk; chunks
 * are then grouped into as many ranges as there are cores ({@link Survey#group}). Record
 * positions therefore never depend on the number of tasks. A gzip file, or one whose structure
 * the scan does not recognise, is one range: its single reader reports the precise error.
 */
final class ResultsSplits {
  private ResultsSplits() {}

  /**
   * One range: bytes {@code [start, end)} holding the records numbered from
   * {@code firstRecord}; the first range includes the opening {@code [}, the last the closing
   * {@code ]}.
   */
  record Split(int index, long start, long end, boolean first, boolean last, long firstRecord)
      implements Serializable {
    boolean whole() {
      return first && last;
    }
  }

  /** What one pass over a results file says: its chunks of whole records. */
  record Survey(List<Split> chunks) implements Serializable {
    /** The file's length. */
    long bytes() {
      return chunks.get(chunks.size() - 1).end();
    }

    /** The chunks merged into at most {@code parts} ranges of consecutive chunks, by bytes. */
    List<Split> group(int parts) {
      if (chunks.size() <= Math.max(1, parts)) {
        return chunks;
      }
      long len = chunks.get(chunks.size() - 1).end();
      List<Split> out = new ArrayList<>();
      int from = 0;
      for (int g = 1; g <= parts && from < chunks.size(); g++) {
        long target = len * g / parts;
        int to = from;
        while (to + 1 < chunks.size() && chunks.get(to).end() < target
            && chunks.size() - (to + 1) > parts - g) {
          to++;
        }
        if (g == parts) {
          to = chunks.size() - 1;
        }
        Split a = chunks.get(from);
        Split b = chunks.get(to);
        out.add(new Split(out.size(), a.start(), b.end(), a.first(), b.last(), a.firstRecord()));
        from = to + 1;
      }
      return out;
    }
  }

  /**
   * Reads {@code in} (the whole file, {@code len} bytes) once: chunks of about
   * {@code chunkBytes}.
   */
  static Survey survey(InputStream in, long len, long chunkBytes) throws IOException {
    Scanner scanner = new Scanner(Math.max(1, chunkBytes));
    byte[] buf = new byte[1 << 16];
    boolean first = true;
    for (int r; (r = in.read(buf)) > 0; ) {
      if (first && r >= 2 && buf[0] == 0x1f && buf[1] == (byte) 0x8b) {
        scanner.fail(); // gzip: not seekable by record
      }
      first = false;
      scanner.scan(buf, r);
    }
    List<Split> chunks = scanner.finish(len);
    return new Survey(chunks != null ? chunks
        : List.of(new Split(0, 0, len, true, true, 0)));
  }

  /** Cuts a byte stream into chunks of whole records; gives up on anything unexpected. */
  private static final class Scanner {
    private final long chunkBytes;
    private final List<Split> chunks = new ArrayList<>();
    private long pos;
    private int depth = -1; // outside the list; 0 between records
    private boolean inString;
    private boolean escape;
    private boolean closed;
    private boolean failed;
    private boolean afterRecord;
    private boolean afterComma;
    private long records;
    private long chunkStart;
    private long chunkFirstRecord;
    private long lastRecordEnd;

    Scanner(long chunkBytes) {
      this.chunkBytes = chunkBytes;
    }

    void fail() {
      failed = true;
    }

    void scan(byte[] buf, int n) {
      if (failed) {
        pos += n;
        return;
      }
      for (int i = 0; i < n; i++) {
        byte b = buf[i];
        if (inString) {
          if (escape) {
            escape = false;
            continue;
          }
          // most bytes are inside mask strings: skip them in a tight loop
          while (i < n && buf[i] != '"' && buf[i] != '\\') {
            i++;
          }
          if (i == n) {
            break;
          }
          if (buf[i] == '\\') {
            escape = true;
          } else {
            inString = false;
          }
          continue;
        }
        if (!step(b, pos + i)) {
          failed = true;
          break;
        }
      }
      pos += n;
    }

    private boolean step(byte b, long at) {
      if (closed) {
        return isSpace(b);
      }
      switch (b) {
        case '"' -> {
          if (depth < 1) {
            return false;
          }
          inString = true;
        }
        case '{', '[' -> {
          if (depth == -1) {
            if (b != '[') {
              return false;
            }
          } else if (depth == 0) {
            if (b != '{' || afterRecord || records > 0 && !afterComma) {
              return false;
            }
            afterComma = false;
            if (records > chunkFirstRecord && at - chunkStart >= chunkBytes) {
              chunks.add(new Split(chunks.size(), chunkStart, lastRecordEnd, chunks.isEmpty(),
                  false, chunkFirstRecord));
              chunkStart = at;
              chunkFirstRecord = records;
            }
            records++;
          }
          depth++;
        }
        case '}', ']' -> {
          depth--;
          if (depth == 0) {
            if (b != '}') {
              return false;
            }
            lastRecordEnd = at + 1;
            afterRecord = true;
          } else if (depth == -1) {
            if (b != ']' || afterComma) {
              return false;
            }
            closed = true;
          } else if (depth < -1) {
            return false;
          }
        }
        case ',' -> {
          if (depth == 0) {
            if (!afterRecord) {
              return false;
            }
            afterRecord = false;
            afterComma = true;
          } else if (depth < 0) {
            return false;
          }
        }
        default -> {
          if (depth <= 0 && !isSpace(b)) {
            return false;
          }
        }
      }
      return true;
    }

    List<Split> finish(long len) {
      if (failed || !closed || inString || pos != len) {
        return null;
      }
      chunks.add(new Split(chunks.size(), chunkStart, len, chunks.isEmpty(), true,
          chunkFirstRecord));
      return chunks;
    }
  }

  private static boolean isSpace(byte b) {
    return b == ' ' || b == '\n' || b == '\r' || b == '\t';
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
