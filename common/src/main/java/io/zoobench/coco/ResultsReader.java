package io.zoobench.coco;

import com.fasterxml.jackson.core.JsonParser;
import java.io.IOException;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/** Collects a whole results file into the columns of a {@link CocoResults}. */
final class ResultsReader {
  final ResultParser parser;
  final String file;
  int n;
  long[] img = new long[4096];
  long[] cat = new long[4096];
  double[] box = new double[4096 * 4];
  double[] score = new double[4096];
  int[] mh = new int[4096];
  int[] mw = new int[4096];
  int[] ms = new int[4096];
  int[] ml = new int[4096];
  byte[] arena = new byte[1 << 16];
  int arenaSize;
  final Map<Integer, Segmentation.Polygons> polygons = new HashMap<>();
  final BitSet uncompressed = new BitSet();
  final BitSet emptyBoxes = new BitSet();

  ResultsReader(JsonParser p, String file, boolean keepMasks) throws IOException {
    this.parser = new ResultParser(p, file, keepMasks);
    this.file = file;
  }

  CocoResults read() throws IOException {
    while (parser.next()) {
      if (n == img.length) {
        grow();
      }
      img[n] = parser.imageId;
      cat[n] = parser.categoryId;
      score[n] = parser.score;
      if (parser.hasBox) {
        System.arraycopy(parser.box, 0, box, n * 4, 4);
      } else {
        Arrays.fill(box, n * 4, n * 4 + 4, Double.NaN);
        emptyBoxes.set(n, parser.emptyBox);
      }
      mh[n] = -1;
      uncompressed.set(n, parser.maskFormat == MaskFormat.UNCOMPRESSED_RLE);
      if (parser.segmentation instanceof Segmentation.CompressedRle c) {
        putMask(n, c.height(), c.width(), c.counts());
      } else if (parser.segmentation instanceof Segmentation.Polygons poly) {
        polygons.put(n, poly);
      }
      n++;
    }
    return new CocoResults(file, n, img, cat, box, score, mh, mw, ms, ml, arena, polygons,
        uncompressed, emptyBoxes);
  }

  private void grow() {
    int cap = n * 2;
    img = Arrays.copyOf(img, cap);
    cat = Arrays.copyOf(cat, cap);
    box = Arrays.copyOf(box, cap * 4);
    score = Arrays.copyOf(score, cap);
    mh = Arrays.copyOf(mh, cap);
    mw = Arrays.copyOf(mw, cap);
    ms = Arrays.copyOf(ms, cap);
    ml = Arrays.copyOf(ml, cap);
  }

  private void putMask(int index, int h, int w, byte[] counts) {
    if (arenaSize + counts.length > arena.length) {
      long cap = Math.max((long) arenaSize + counts.length, (long) arena.length * 2);
      if (cap > Integer.MAX_VALUE - 16) {
        cap = (long) arenaSize + counts.length;
        if (cap > Integer.MAX_VALUE - 16) {
          throw new InvalidInputException(file + ": results[" + index + "]: the masks of this"
              + " file exceed 2 GB; split the results file");
        }
      }
      arena = Arrays.copyOf(arena, (int) cap);
    }
    System.arraycopy(counts, 0, arena, arenaSize, counts.length);
    mh[index] = h;
    mw[index] = w;
    ms[index] = arenaSize;
    ml[index] = counts.length;
    arenaSize += counts.length;
  }
}
