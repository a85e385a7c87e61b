package io.zoobench.parity;

import io.zoobench.mask.Rle;
import java.util.ArrayList;
import java.util.List;
import io.zoobench.synth.SynthRandom;
import java.util.SplittableRandom;

/**
 * Makes random small COCO cases that aim at the places where an evaluator can differ from
 * pycocotools: crowd regions, score ties, ground-truth areas on the area-range boundaries
 * (1024, 9216), images without ground truth, categories without ground truth, results of
 * unknown categories, a ground truth with id 0, zero-size and out-of-image boxes, masks of
 * another size, polygons / compressed / uncompressed RLE, results that lack a box or a mask
 * (pycocotools' loadRes completes them, the first result deciding how), more detections than
 * maxDets, class-agnostic proposals, an empty results list, and results pycocotools refuses.
 *
 * <p>Everything comes from one {@link SplittableRandom} seeded with the case's seed, so a seed
 * names a case for good: {@code bench parity} prints the seed of a differing case. The draws
 * stay in one builder (about 500 lines) on purpose: their order defines every case, and spread
 * over classes it would be easy to change by accident.
 *
 * <pre>{@code
 * ParityCase c = ParityCaseGenerator.generate(SynthRandom.mix(seed, i));
 * c.write(dir);   // gt.json, dt.json
 * }</pre>
 */
public final class ParityCaseGenerator {

  /** What a case's results file looks like. */
  public enum Kind {
    /** Every result has a bbox and a compressed-RLE mask. */
    FULL(30),
    /** Boxes only: mask evaluation rasterises their rectangles. */
    BOX_ONLY(14),
    /** Masks only: box evaluation uses toBbox of the masks, areas are mask areas. */
    MASK_ONLY(14),
    /** All boxes; masks missing, compressed, polygons or uncompressed RLE. */
    MIXED_BOX_FIRST(12),
    /** results[0] has no bbox; the others have masks, some boxes, a few {@code "bbox": []}. */
    MIXED_MASK_FIRST(12),
    /** Class-agnostic proposals, up to 160 per image. */
    PROPOSALS(8),
    /** An empty results list. */
    EMPTY(2),
    /** Results pycocotools refuses (or crashes on) in some or all evaluations. */
    REFUSED(8);

    final int weight;

    Kind(int weight) {
      this.weight = weight;
    }

    /** e.g. {@code mixed-mask-first}. */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }

  private ParityCaseGenerator() {}

  /** The case of {@code seed}. */
  public static ParityCase generate(long seed) {
    return new Builder(new SplittableRandom(seed), seed).build();
  }

  /** Case {@code index} of a run seeded with {@code runSeed}. */
  public static ParityCase generate(long runSeed, long index) {
    return generate(SynthRandom.mix(runSeed, index));
  }

  record Image(long id, int width, int height) {}

  /** A ground-truth object as written, plus its rasterised mask for making detections. */
  record Truth(long id, Image image, long category, double[] bbox, double area,
      boolean crowd, Object segmentation, Rle mask) {}

  /** One result as it will be written; null fields are left out of the record. */
  static final class Result {
    Object imageId;
    long category;
    double[] bbox;
    Double score;
    Object segmentation;
  }

  /** A compressed or uncompressed RLE as written in json. */
  record RleJson(int height, int width, String compressed, int[] runs) {}

  private static final class Builder {
    final SplittableRandom rng;
    final long seed;
    final Kind kind;
    final List<Image> images = new ArrayList<>();
    final List<Long> categories = new ArrayList<>();
    final List<Truth> truths = new ArrayList<>();
    final List<Result> results = new ArrayList<>();

    Builder(SplittableRandom rng, long seed) {
      this.rng = rng;
      this.seed = seed;
      this.kind = pickKind();
    }

    Kind pickKind() {
      int total = 0;
      for (Kind k : Kind.values()) {
        total += k.weight;
      }
      int r = rng.nextInt(total);
      for (Kind k : Kind.values()) {
        r -= k.weight;
        if (r < 0) {
          return k;
        }
      }
      throw new AssertionError();
    }

    ParityCase build() {
      makeImages();
      makeCategories();
      makeTruths();
      Kind shape = kind == Kind.REFUSED ? (rng.nextBoolean() ? Kind.FULL : Kind.MASK_ONLY) : kind;
      if (kind == Kind.PROPOSALS) {
        makeProposals();
      } else if (kind != Kind.EMPTY) {
        makeDetections(shape);
      }
      if (kind == Kind.REFUSED) {
        breakResults(shape);
      }
      List<Long> listed = new ArrayList<>(categories); // the file's order is not id order
      java.util.Collections.shuffle(listed, new java.util.Random(rng.nextLong()));
      return new ParityCase(seed, kind.label(), ParityCaseJson.gt(images, truths, listed),
          ParityCaseJson.results(results), evaluations());
    }

    List<ParityCase.Evaluation> evaluations() {
      List<ParityCase.Evaluation> e = new ArrayList<>();
      e.add(new ParityCase.Evaluation("bbox", "auto", "pycocotools"));
      e.add(new ParityCase.Evaluation("segm", "auto", "pycocotools"));
      e.add(new ParityCase.Evaluation("segm", "mask", "pycocotools"));
      if (kind == Kind.PROPOSALS || rng.nextInt(5) == 0) {
        e.add(new ParityCase.Evaluation("proposal", "auto", "pycocotools"));
      }
      if (rng.nextInt(3) == 0) {
        e.add(new ParityCase.Evaluation("bbox", "auto", "mmdet"));
      }
      if (rng.nextInt(3) == 0) {
        e.add(new ParityCase.Evaluation("segm", "auto", "mmdet"));
      }
      return e;
    }

    // ---- ground truth ----

    void makeImages() {
      int n = 1 + rng.nextInt(5);
      boolean huge = rng.nextInt(10) == 0;
      List<Long> ids = new ArrayList<>();
      while (ids.size() < n) {
        long id = huge ? (1L << 33) + rng.nextInt(1000) : 1 + rng.nextInt(500);
        if (!ids.contains(id)) {
          ids.add(id);
        }
      }
      for (long id : ids) {
        images.add(new Image(id, 8 + rng.nextInt(120), 8 + rng.nextInt(120)));
      }
    }

    void makeCategories() {
      int n = 1 + rng.nextInt(5);
      while (categories.size() < n) {
        long id = 1 + rng.nextInt(95);
        if (!categories.contains(id)) {
          categories.add(id);
        }
      }
    }

    void makeTruths() {
      // some categories keep no ground truth
      List<Long> withGt = new ArrayList<>(categories);
      if (withGt.size() > 1 && rng.nextInt(3) == 0) {
        withGt.remove(rng.nextInt(withGt.size()));
      }
      List<Long> ids = new ArrayList<>();
      boolean zeroId = rng.nextInt(20) == 0;
      for (Image im : images) {
        int n = rng.nextInt(5) == 0 ? 0 : 1 + rng.nextInt(7);
        for (int j = 0; j < n; j++) {
          long id;
          if (zeroId) {
            id = 0;
            zeroId = false;
          } else {
            do {
              id = 1 + rng.nextInt(1_000_000);
            } while (ids.contains(id));
          }
          ids.add(id);
          truths.add(truth(id, im, withGt.get(rng.nextInt(withGt.size()))));
        }
      }
    }

    Truth truth(long id, Image im, long category) {
      boolean crowd = rng.nextInt(12) == 0;
      int format = crowd ? 2 : rng.nextInt(20) < 11 ? 0 : rng.nextInt(2) + 1; // polygon/rle/raw
      Object seg;
      Rle mask;
      if (format == 0) {
        double[][] parts = polygons(im);
        seg = parts;
        mask = Rle.fromPolygons(parts, im.height(), im.width());
      } else {
        mask = blob(im, im.height(), im.width());
        seg = format == 1 ? new RleJson(mask.height(), mask.width(), mask.toCompressedString(),
            null) : new RleJson(mask.height(), mask.width(), null, mask.counts());
      }
      double[] box = mask.toBbox();
      if (rng.nextInt(10) < 3) {
        box = jitter(box, 0.15);
      }
      double area;
      int a = rng.nextInt(10);
      if (a < 6) {
        area = mask.area();
      } else if (a < 8) {
        area = box[2] * box[3];
      } else {
        double[] edges = {1024, 9216, 1023, 1025, 9215.5, 9216.5, 0, 1024.0000000000001};
        area = edges[rng.nextInt(edges.length)];
      }
      return new Truth(id, im, category, box, area, crowd, seg, mask);
    }

    /** One to three star-shaped polygons, some vertices possibly outside the image. */
    double[][] polygons(Image im) {
      int parts = rng.nextInt(6) == 0 ? 2 + rng.nextInt(2) : 1;
      double[][] out = new double[parts][];
      for (int p = 0; p < parts; p++) {
        double cx = rng.nextDouble() * im.width();
        double cy = rng.nextDouble() * im.height();
        double r = 2 + rng.nextDouble() * Math.max(im.width(), im.height()) / 2.5;
        int n = 3 + rng.nextInt(6);
        out[p] = new double[2 * n];
        for (int v = 0; v < n; v++) {
          double angle = 2 * Math.PI * (v + rng.nextDouble() * 0.8) / n;
          double rr = r * (0.4 + 0.6 * rng.nextDouble());
          out[p][2 * v] = round2(cx + rr * StrictMath.cos(angle));
          out[p][2 * v + 1] = round2(cy + rr * StrictMath.sin(angle));
        }
      }
      return out;
    }

    /** A union of one or two ellipses, as a mask of {@code h × w}. */
    Rle blob(Image im, int h, int w) {
      byte[] pixels = new byte[h * w];
      int shapes = 1 + rng.nextInt(2);
      for (int s = 0; s < shapes; s++) {
        double cx = rng.nextDouble() * im.width();
        double cy = rng.nextDouble() * im.height();
        double rx = 1 + rng.nextDouble() * im.width() / 3.0;
        double ry = 1 + rng.nextDouble() * im.height() / 3.0;
        for (int x = 0; x < w; x++) {
          for (int y = 0; y < h; y++) {
            double dx = (x + 0.5 - cx) / rx;
            double dy = (y + 0.5 - cy) / ry;
            if (dx * dx + dy * dy <= 1) {
              pixels[x * h + y] = 1;
            }
          }
        }
      }
      return Rle.encode(pixels, h, w);
    }

    /** {@code mask} moved by (dx, dy) pixels inside the same frame. */
    static Rle shifted(Rle mask, int dx, int dy) {
      int h = mask.height();
      int w = mask.width();
      byte[] src = mask.decode();
      byte[] dst = new byte[h * w];
      for (int x = 0; x < w; x++) {
        for (int y = 0; y < h; y++) {
          int sx = x - dx;
          int sy = y - dy;
          if (sx >= 0 && sx < w && sy >= 0 && sy < h) {
            dst[x * h + y] = src[sx * h + sy];
          }
        }
      }
      return Rle.encode(dst, h, w);
    }

    double[] jitter(double[] box, double amount) {
      double[] b = new double[4];
      double sx = Math.max(1, box[2]);
      double sy = Math.max(1, box[3]);
      b[0] = round2(box[0] + (rng.nextDouble() * 2 - 1) * amount * sx);
      b[1] = round2(box[1] + (rng.nextDouble() * 2 - 1) * amount * sy);
      b[2] = round2(Math.max(0, box[2] * (1 + (rng.nextDouble() * 2 - 1) * amount)));
      b[3] = round2(Math.max(0, box[3] * (1 + (rng.nextDouble() * 2 - 1) * amount)));
      return b;
    }

    static double round2(double v) {
      return Math.round(v * 100) / 100.0;
    }

    // ---- results ----

    double score() {
      int s = rng.nextInt(10);
      if (s < 3) {
        double[] ties = {0.9, 0.8, 0.5, 0.3};
        return ties[rng.nextInt(ties.length)];
      }
      if (s < 7) {
        return Math.round(rng.nextDouble() * 10000) / 10000.0;
      }
      return rng.nextDouble();
    }

    long resultCategory(long truthCategory) {
      int c = rng.nextInt(20);
      if (c == 0) {
        return 200 + rng.nextInt(3); // never a GT category: pycocotools never evaluates it
      }
      if (c < 3) {
        return categories.get(rng.nextInt(categories.size()));
      }
      return truthCategory;
    }

    void makeDetections(Kind shape) {
      for (Image im : images) {
        List<Truth> here = truths.stream().filter(t -> t.image() == im).toList();
        for (Truth t : here) {
          int copies = rng.nextInt(10) < 7 ? 1 + (rng.nextInt(4) == 0 ? 1 : 0) : 0;
          for (int c = 0; c < copies; c++) {
            Rle m = shifted(t.mask(), rng.nextInt(7) - 3, rng.nextInt(7) - 3);
            double[] box = rng.nextInt(3) == 0 ? jitter(t.bbox(), 0.2) : jitter(m.toBbox(), 0.05);
            add(im, resultCategory(t.category()), box, m, shape, t);
          }
        }
        int falses = rng.nextInt(5);
        for (int f = 0; f < falses; f++) {
          Rle m = blob(im, im.height(), im.width());
          add(im, resultCategory(categories.get(rng.nextInt(categories.size()))),
              jitter(m.toBbox(), 0.1), m, shape, null);
        }
      }
      if (!images.isEmpty() && rng.nextInt(15) == 0) {
        // more than maxDets (100) in one image and category: the cut is by score
        Image im = images.get(rng.nextInt(images.size()));
        long category = categories.get(rng.nextInt(categories.size()));
        List<Truth> here = truths.stream().filter(t -> t.image() == im).toList();
        for (int k = 0; k < 105 + rng.nextInt(30); k++) {
          Truth t = here.isEmpty() || rng.nextInt(3) > 0 ? null : here.get(rng.nextInt(here.size()));
          Rle m = t != null ? t.mask() : blob(im, im.height(), im.width());
          add(im, category, jitter(m.toBbox(), 0.1), m, shape, t);
        }
      }
      // file order is not image order
      if (rng.nextBoolean()) {
        java.util.Collections.shuffle(results, new java.util.Random(rng.nextLong()));
      }
      if (shape == Kind.MIXED_MASK_FIRST && !results.isEmpty()) {
        results.get(0).bbox = null;
        if (results.get(0).segmentation == null) {
          Image im = images.get(0);
          Rle m = blob(im, im.height(), im.width());
          results.get(0).segmentation = new RleJson(m.height(), m.width(),
              m.toCompressedString(), null);
        }
      }
    }

    void add(Image im, long category, double[] box, Rle mask, Kind shape, Truth truth) {
      Result r = new Result();
      r.imageId = im.id();
      r.category = category;
      r.score = score();
      if (rng.nextInt(40) == 0) {
        box = new double[] {box[0], box[1], rng.nextBoolean() ? 0 : box[2], 0}; // zero size
      } else if (rng.nextInt(40) == 0) {
        box = new double[] {box[0] - im.width() / 2.0, box[1], box[2] + im.width(), box[3]};
      }
      Rle m = mask;
      if (rng.nextInt(50) == 0) {
        m = blob(im, im.height() + 1, im.width()); // another size: IoU −1, never matches
      }
      RleJson compressed = new RleJson(m.height(), m.width(), m.toCompressedString(), null);
      switch (shape) {
        case FULL -> {
          r.bbox = box;
          r.segmentation = compressed;
        }
        case BOX_ONLY -> r.bbox = box;
        case MASK_ONLY -> r.segmentation = compressed;
        case MIXED_BOX_FIRST -> {
          r.bbox = box;
          int f = rng.nextInt(20);
          if (f < 7) {
            r.segmentation = null;
          } else if (f < 16) {
            r.segmentation = compressed;
          } else if (f < 18) {
            r.segmentation = truth != null && truth.segmentation() instanceof double[][] p
                ? p : new double[][] {{box[0], box[1], box[0] + box[2], box[1],
                    box[0] + box[2], box[1] + box[3]}};
          } else {
            r.segmentation = new RleJson(m.height(), m.width(), null, m.counts());
          }
        }
        case MIXED_MASK_FIRST -> {
          r.segmentation = compressed;
          int f = rng.nextInt(25);
          r.bbox = f == 0 ? new double[0] : f < 13 ? box : null;
        }
        default -> throw new IllegalStateException("no results of kind " + shape);
      }
      results.add(r);
    }

    void makeProposals() {
      long category = categories.get(0);
      for (Image im : images) {
        List<Truth> here = truths.stream().filter(t -> t.image() == im).toList();
        int n = 40 + rng.nextInt(120);
        for (int k = 0; k < n; k++) {
          Result r = new Result();
          r.imageId = im.id();
          r.category = rng.nextInt(30) == 0 ? 200 : category;
          r.score = score();
          if (!here.isEmpty() && rng.nextInt(3) == 0) {
            r.bbox = jitter(here.get(rng.nextInt(here.size())).bbox(), 0.25);
          } else {
            double x = rng.nextDouble() * im.width();
            double y = rng.nextDouble() * im.height();
            r.bbox = new double[] {round2(x), round2(y),
                round2(rng.nextDouble() * (im.width() - x + 5)),
                round2(rng.nextDouble() * (im.height() - y + 5))};
          }
          results.add(r);
        }
      }
    }

    /** One thing pycocotools refuses, in some or all evaluations. */
    void breakResults(Kind shape) {
      if (results.size() < 2) {
        Result r = new Result();
        r.imageId = images.get(0).id();
        r.category = categories.get(0);
        r.score = 0.5;
        r.bbox = new double[] {1, 1, 2, 2};
        Rle m = blob(images.get(0), images.get(0).height(), images.get(0).width());
        r.segmentation = shape == Kind.MASK_ONLY || results.isEmpty()
            ? new RleJson(m.height(), m.width(), m.toCompressedString(), null) : null;
        if (shape == Kind.MASK_ONLY) {
          r.bbox = null;
        }
        results.add(r);
        results.add(r);
      }
      Result victim = results.get(1 + rng.nextInt(results.size() - 1));
      int how = rng.nextInt(shape == Kind.MASK_ONLY ? 6 : 4);
      switch (how) {
        case 0 -> victim.imageId = 999_999_999_999L; // not a GT image: loadRes asserts
        case 1 -> victim.imageId = String.valueOf(victim.imageId); // a string id, likewise
        case 2 -> victim.score = null; // evaluateImg reads d['score']
        case 3 -> {
          if (shape == Kind.MASK_ONLY) {
            victim.segmentation = null; // segm branch: area(segmentation) of nothing
            victim.bbox = new double[] {1, 2, 3, 4};
          } else {
            victim.bbox = null; // bbox branch: bb = ann['bbox']
            if (victim.segmentation == null) {
              Image im = images.get(0);
              Rle m = blob(im, im.height(), im.width());
              victim.segmentation = new RleJson(m.height(), m.width(), m.toCompressedString(),
                  null);
            }
          }
        }
        case 4 -> { // segm branch: area() reads compressed RLE only
          RleJson c = (RleJson) victim.segmentation;
          Rle m = Rle.fromCompressed(c.compressed(), c.height(), c.width());
          victim.segmentation = rng.nextBoolean() ? new RleJson(c.height(), c.width(), null,
              m.counts()) : new double[][] {{1, 1, 5, 1, 5, 5}};
        }
        default -> victim.bbox = new double[0]; // segm branch: kept, box IoU cannot use it
      }
    }
  }
}
