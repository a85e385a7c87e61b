package io.zoobench.synth;

import com.fasterxml.jackson.core.JsonGenerator;
import io.zoobench.mask.Rle;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates the ground truth, detections and proposals of one image and writes them as JSON
 * records (one root-level object per record) to the given generators.
 *
 * <p>Each of the three outputs draws from its own random stream of (seed, image index), so the
 * ground truth does not change when the number of detections or proposals does, and nothing
 * depends on which thread handles the image. Not thread-safe: use one instance per thread.
 *
 * <p>One class (about 640 lines) on purpose: the three outputs are drawn from the same objects
 * of the image, and the order of the draws is what makes the files byte-for-byte reproducible;
 * split over classes, a change of that order would be easy to make by accident.
 */
final class ImageSynthesizer {
  // --- ground truth -------------------------------------------------------------------------

  /** Size class shares of non-crowd objects, tuned so the rasterised areas land on COCO's. */
  private static final double[] SIZE_CLASS_SHARES = SynthRandom.cumulative(
      new double[] {0.41, 0.34, 0.25});
  private static final int SMALL = 0;
  private static final int MEDIUM = 1;

  private static final double MIN_OBJECT_AREA = 12;
  /** Largest target area of a large object, as a share of the image. */
  private static final double MAX_OBJECT_SHARE = 0.6;

  private static final double[] CATEGORY_WEIGHTS =
      SynthRandom.cumulative(CocoCategories.instanceWeights());
  private static final int PERSON = 0;
  /** Share of objects drawn from the image's 1-3 "theme" categories (COCO images ≈ 2.9). */
  private static final double THEME_SHARE = 0.55;

  private static final double CROWD_SHARE = 0.01;
  private static final int MAX_CROWDS_PER_IMAGE = 2;
  /** COCO's crowd annotation ids look like 900100259690, beyond 32 bits; so do ours. */
  static final long CROWD_ID_BASE = 900_100_000_000L;

  private static final double MULTI_PART_SHARE = 0.10;
  private static final double PARTLY_OUTSIDE_SHARE = 0.02;
  private static final int MIN_VERTICES = 6;
  private static final int MAX_VERTICES = 20;

  // --- detections ---------------------------------------------------------------------------

  /** Recall of the simulated detector by size class: small objects are often missed. */
  private static final double[] DETECT_PROBABILITY = {0.62, 0.86, 0.94};
  private static final double WRONG_CATEGORY_SHARE = 0.08;
  private static final double DUPLICATE_SHARE = 0.35;
  private static final double NEAR_MISS_FP_SHARE = 0.25;
  private static final double CONFIDENT_FP_SHARE = 0.02;
  /** Shares of detection scores rounded to 2 decimals / copied from another detection. */
  private static final double ROUNDED_SCORE_SHARE = 0.15;
  private static final double COPIED_SCORE_SHARE = 0.03;

  // --- proposals ----------------------------------------------------------------------------

  private static final double MEAN_EXTRA_PROPOSALS_PER_OBJECT = 3;
  private static final double PROPOSAL_SWAP_SHARE = 0.05;

  private static final long GT_STREAM = 0;
  private static final long DT_STREAM = 1;
  private static final long PROPOSAL_STREAM = 2;

  private final SynthSpec spec;
  private final Decimals decimals = new Decimals();

  ImageSynthesizer(SynthSpec spec) {
    this.spec = spec;
  }

  /** One ground-truth object; polygons are already rounded to what the file holds. */
  private static final class GtObject {
    long id;
    int category;
    boolean crowd;
    double[][] parts;
    Rle crowdMask;
    long area;
    int sizeClass;
    /** Box in hundredths: x, y, w, h. */
    final long[] bboxCents = new long[4];

    double x0() {
      return bboxCents[0] / 100.0;
    }

    double y0() {
      return bboxCents[1] / 100.0;
    }

    double w() {
      return bboxCents[2] / 100.0;
    }

    double h() {
      return bboxCents[3] / 100.0;
    }
  }

  /** What a detection's mask looks like. */
  private enum MaskShape {
    /** {@link Box#maskParts}, rasterised like a COCO polygon. */
    POLYGON,
    /** The ellipse inscribed in the box. */
    ELLIPSE,
    /** The box itself. */
    BOX
  }

  /** One detection or proposal: corners, category index, score and mask shape. */
  private static final class Box {
    int category;
    double x0;
    double y0;
    double x1;
    double y1;
    double score;
    MaskShape maskShape = MaskShape.BOX;
    double[][] maskParts;

    Box(int category, double x0, double y0, double x1, double y1, double score) {
      this.category = category;
      this.x0 = x0;
      this.y0 = y0;
      this.x1 = x1;
      this.y1 = y1;
      this.score = score;
    }
  }

  private static final Comparator<Box> BY_SCORE_DESCENDING =
      (a, b) -> Double.compare(b.score, a.score);

  void synthesize(
      ImagePlan plan, JsonGenerator gtOut, JsonGenerator dtOut, JsonGenerator proposalOut,
      SynthCounts counts) throws IOException {
    long imageSeed = SynthRandom.mix(spec.seed(), plan.index());
    List<GtObject> objects =
        groundTruth(plan, new SplittableRandom(SynthRandom.mix(imageSeed, GT_STREAM)));
    counts.images++;
    if (objects.isEmpty()) {
      counts.imagesWithoutAnnotations++;
    }
    for (GtObject o : objects) {
      writeAnnotation(gtOut, plan, o);
      counts.countAnnotation(o.category, o.area, o.crowd, o.crowd ? 0 : o.parts.length);
    }
    if (spec.detectionsPerImage() > 0) {
      List<Box> dets = detections(
          plan, objects, new SplittableRandom(SynthRandom.mix(imageSeed, DT_STREAM)));
      for (Box d : dets) {
        writeResult(dtOut, plan, CocoCategories.id(d.category), d, spec.masks());
      }
      counts.detections += dets.size();
    }
    if (spec.proposalsPerImage() > 0) {
      List<Box> props = proposals(
          plan, objects, new SplittableRandom(SynthRandom.mix(imageSeed, PROPOSAL_STREAM)));
      for (Box p : props) {
        writeResult(proposalOut, plan, 1, p, false);
      }
      counts.proposals += props.size();
    }
  }

  // --- ground truth -------------------------------------------------------------------------

  private List<GtObject> groundTruth(ImagePlan plan, SplittableRandom rng) {
    int themeCount = 1 + rng.nextInt(3);
    int[] themes = new int[themeCount];
    for (int t = 0; t < themeCount; t++) {
      themes[t] = SynthRandom.pick(rng, CATEGORY_WEIGHTS);
    }
    List<GtObject> objects = new ArrayList<>(plan.instances());
    int crowds = 0;
    for (int k = 0; k < plan.instances(); k++) {
      int category = SynthRandom.chance(rng, THEME_SHARE)
          ? themes[rng.nextInt(themeCount)]
          : SynthRandom.pick(rng, CATEGORY_WEIGHTS);
      GtObject o;
      if (crowds < MAX_CROWDS_PER_IMAGE && SynthRandom.chance(rng, CROWD_SHARE)) {
        crowds++;
        o = crowdObject(plan, rng);
        o.id = CROWD_ID_BASE + plan.id() * 10 + crowds;
        // crowds in COCO are mostly groups of people
        o.category = SynthRandom.chance(rng, 0.6) ? PERSON : category;
      } else {
        o = polygonObject(plan, rng);
        o.id = plan.firstAnnotationId() + k;
        o.category = category;
      }
      objects.add(o);
    }
    return objects;
  }

  private static GtObject polygonObject(ImagePlan plan, SplittableRandom rng) {
    int w = plan.width();
    int h = plan.height();
    int sizeClass = SynthRandom.pick(rng, SIZE_CLASS_SHARES);
    double target = switch (sizeClass) {
      case SMALL -> SynthRandom.logUniform(rng, MIN_OBJECT_AREA, SynthCounts.SMALL_AREA);
      case MEDIUM -> SynthRandom.logUniform(rng, SynthCounts.SMALL_AREA, SynthCounts.MEDIUM_AREA);
      default -> SynthRandom.logUniform(
          rng, SynthCounts.MEDIUM_AREA, Math.max(2.0 * SynthCounts.MEDIUM_AREA,
              MAX_OBJECT_SHARE * w * h));
    };
    double aspect = clamp(StrictMath.exp(0.5 * SynthRandom.gaussian(rng)), 0.2, 5);
    int partCount = SynthRandom.chance(rng, MULTI_PART_SHARE)
        ? (SynthRandom.chance(rng, 0.7) ? 2 : 3)
        : 1;
    boolean partlyOutside = SynthRandom.chance(rng, PARTLY_OUTSIDE_SHARE);
    GtObject o = new GtObject();
    for (int attempt = 0; ; attempt++) {
      double[][] parts = outline(rng, partCount, target, aspect);
      double[] b = Shapes.bounds(parts);
      double bw = b[2] - b[0];
      double bh = b[3] - b[1];
      // the whole outline must fit the image (COCO objects are inside their image)
      double fit = Math.min(1, 0.98 * Math.min(w / bw, h / bh));
      double cx;
      double cy;
      if (partlyOutside) {
        cx = SynthRandom.uniform(rng, 0, w);
        cy = SynthRandom.uniform(rng, 0, h);
      } else {
        cx = SynthRandom.uniform(rng, 0.01 * w + bw * fit / 2, 0.99 * w - bw * fit / 2);
        cy = SynthRandom.uniform(rng, 0.01 * h + bh * fit / 2, 0.99 * h - bh * fit / 2);
      }
      double mx = (b[0] + b[2]) / 2;
      double my = (b[1] + b[3]) / 2;
      for (double[] xy : parts) {
        Shapes.scale(xy, fit, cx - mx * fit, cy - my * fit);
        Shapes.round2(xy);
      }
      long area = Rle.fromPolygons(parts, h, w).area();
      // tiny outlines can miss every pixel centre; COCO objects cover at least one pixel
      if (area > 0 || attempt >= 20) {
        o.parts = parts;
        o.area = area;
        o.sizeClass = sizeClass;
        setBboxFromPolygons(o);
        return o;
      }
      target *= 1.5;
    }
  }

  /** One or more star-shaped parts around the origin with total area about {@code target}. */
  private static double[][] outline(
      SplittableRandom rng, int partCount, double target, double aspect) {
    double[][] parts = new double[partCount][];
    if (partCount == 1) {
      parts[0] = star(rng, aspect);
      Shapes.scale(parts[0], StrictMath.sqrt(target), 0, 0);
      return parts;
    }
    // an occluded object: pieces laid out along a random direction with small gaps
    double direction = SynthRandom.uniform(rng, 0, Math.PI);
    double ux = StrictMath.cos(direction);
    double uy = StrictMath.sin(direction);
    double pieceSize = StrictMath.sqrt(target / partCount);
    double gap = pieceSize * SynthRandom.uniform(rng, 1.0, 1.4);
    for (int p = 0; p < partCount; p++) {
      double share = SynthRandom.uniform(rng, 0.6, 1.4);
      double[] xy = star(rng, aspect * StrictMath.exp(0.3 * SynthRandom.gaussian(rng)));
      double along = (p - (partCount - 1) / 2.0) * gap;
      double across = 0.2 * pieceSize * SynthRandom.gaussian(rng);
      Shapes.scale(xy, pieceSize * StrictMath.sqrt(share),
          along * ux - across * uy, along * uy + across * ux);
      parts[p] = xy;
    }
    return parts;
  }

  private static double[] star(SplittableRandom rng, double aspect) {
    int vertices = MIN_VERTICES + rng.nextInt(MAX_VERTICES - MIN_VERTICES + 1);
    return Shapes.unitStar(rng, vertices, aspect, SynthRandom.uniform(rng, 0, 0.45), 0.4);
  }

  /** COCO's polygon bbox: tight around the stored (rounded) coordinates, in hundredths. */
  private static void setBboxFromPolygons(GtObject o) {
    long minX = Long.MAX_VALUE;
    long minY = Long.MAX_VALUE;
    long maxX = Long.MIN_VALUE;
    long maxY = Long.MIN_VALUE;
    for (double[] xy : o.parts) {
      for (int i = 0; i < xy.length; i += 2) {
        long x = Decimals.cents(xy[i]);
        long y = Decimals.cents(xy[i + 1]);
        minX = Math.min(minX, x);
        maxX = Math.max(maxX, x);
        minY = Math.min(minY, y);
        maxY = Math.max(maxY, y);
      }
    }
    o.bboxCents[0] = minX;
    o.bboxCents[1] = minY;
    o.bboxCents[2] = maxX - minX;
    o.bboxCents[3] = maxY - minY;
  }

  /** A crowd region: a union of overlapping blobs, stored as an uncompressed RLE like COCO's. */
  private static GtObject crowdObject(ImagePlan plan, SplittableRandom rng) {
    int w = plan.width();
    int h = plan.height();
    double bw = SynthRandom.uniform(rng, 0.2, 0.7) * w;
    double bh = SynthRandom.uniform(rng, 0.15, 0.6) * h;
    double x0 = SynthRandom.uniform(rng, 0, w - bw);
    double y0 = SynthRandom.uniform(rng, 0, h - bh);
    int blobCount = 3 + rng.nextInt(6);
    double[][] blobs = new double[blobCount][];
    for (int i = 0; i < blobCount; i++) {
      double rx = bw * SynthRandom.uniform(rng, 0.12, 0.3);
      double ry = bh * SynthRandom.uniform(rng, 0.15, 0.4);
      double cx = SynthRandom.uniform(rng, x0 + rx, x0 + bw - rx);
      double cy = SynthRandom.uniform(rng, y0 + ry, y0 + bh - ry);
      double[] xy = Shapes.unitStar(rng, 12, rx / ry, 0.2, 0.2);
      Shapes.scale(xy, StrictMath.sqrt(Math.PI * rx * ry), cx, cy);
      blobs[i] = xy;
    }
    GtObject o = new GtObject();
    o.crowd = true;
    o.crowdMask = Rle.fromPolygons(blobs, h, w);
    o.area = o.crowdMask.area();
    o.sizeClass = o.area < SynthCounts.SMALL_AREA ? 0 : o.area < SynthCounts.MEDIUM_AREA ? 1 : 2;
    double[] bb = o.crowdMask.toBbox();
    for (int k = 0; k < 4; k++) {
      o.bboxCents[k] = Decimals.cents(bb[k]);
    }
    return o;
  }

  // --- detections ---------------------------------------------------------------------------

  private List<Box> detections(ImagePlan plan, List<GtObject> objects, SplittableRandom rng) {
    int n = spec.detectionsPerImage();
    int w = plan.width();
    int h = plan.height();
    List<Box> dets = new ArrayList<>(n + 16);
    for (GtObject g : objects) {
      if (g.crowd) {
        crowdDetections(g, rng, dets);
        continue;
      }
      if (!SynthRandom.chance(rng, DETECT_PROBABILITY[g.sizeClass])) {
        continue;
      }
      // sigma: relative localisation error of this detection; small objects are harder
      double sigma = g.sizeClass == SMALL
          ? SynthRandom.uniform(rng, 0.03, 0.16)
          : SynthRandom.uniform(rng, 0.012, 0.10);
      double score = clamp(0.97 - 2.5 * sigma - (g.sizeClass == SMALL ? 0.1 : 0)
          + 0.1 * SynthRandom.gaussian(rng), 0.05, 0.999);
      int category = SynthRandom.chance(rng, WRONG_CATEGORY_SHARE)
          ? SynthRandom.pick(rng, CATEGORY_WEIGHTS)
          : g.category;
      dets.add(jitteredDetection(g, category, sigma, score, w, h, rng));
      if (SynthRandom.chance(rng, DUPLICATE_SHARE)) {
        int duplicates = SynthRandom.chance(rng, 0.3) ? 2 : 1;
        for (int d = 0; d < duplicates; d++) {
          dets.add(jitteredDetection(g, category, 2 * sigma + 0.04,
              score * SynthRandom.uniform(rng, 0.15, 0.7), w, h, rng));
        }
      }
    }
    if (dets.size() > n) {
      // a detector keeps its top-n boxes
      dets.sort(BY_SCORE_DESCENDING);
      dets.subList(n, dets.size()).clear();
    }
    while (dets.size() < n) {
      dets.add(falsePositive(plan, objects, rng));
    }
    finishScores(dets, rng);
    Box[] shuffled = dets.toArray(new Box[0]);
    // detectors write per-image lists in various orders; shuffling makes consumers sort
    SynthRandom.shuffle(rng, shuffled);
    return List.of(shuffled);
  }

  /** A detection of {@code g}: its outline moved, scaled and roughened by about {@code sigma}. */
  private static Box jitteredDetection(
      GtObject g, int category, double sigma, double score, int w, int h,
      SplittableRandom rng) {
    double gw = Math.max(1, g.w());
    double gh = Math.max(1, g.h());
    double cx = g.x0() + gw / 2;
    double cy = g.y0() + gh / 2;
    double sx = StrictMath.exp(sigma * SynthRandom.gaussian(rng));
    double sy = StrictMath.exp(sigma * SynthRandom.gaussian(rng));
    double tx = sigma * gw * SynthRandom.gaussian(rng);
    double ty = sigma * gh * SynthRandom.gaussian(rng);
    double noiseX = sigma * gw * 0.5;
    double noiseY = sigma * gh * 0.5;
    double[][] parts = new double[g.parts.length][];
    for (int p = 0; p < parts.length; p++) {
      double[] src = g.parts[p];
      double[] xy = new double[src.length];
      for (int i = 0; i < xy.length; i += 2) {
        xy[i] = cx + tx + (src[i] - cx) * sx + noiseX * (rng.nextDouble() - 0.5);
        xy[i + 1] = cy + ty + (src[i + 1] - cy) * sy + noiseY * (rng.nextDouble() - 0.5);
      }
      parts[p] = xy;
    }
    double[] b = Shapes.bounds(parts);
    // box and mask come from different heads: perturb the box edges a little on their own
    double edge = sigma / 4;
    Box d = new Box(category,
        b[0] + edge * gw * SynthRandom.gaussian(rng),
        b[1] + edge * gh * SynthRandom.gaussian(rng),
        b[2] + edge * gw * SynthRandom.gaussian(rng),
        b[3] + edge * gh * SynthRandom.gaussian(rng),
        score);
    clipToImage(d, w, h);
    d.maskShape = MaskShape.POLYGON;
    d.maskParts = parts;
    return d;
  }

  /** A few detections inside a crowd region: evaluation must ignore them. */
  private static void crowdDetections(GtObject g, SplittableRandom rng, List<Box> dets) {
    int count = 2 + rng.nextInt(4);
    for (int i = 0; i < count; i++) {
      double bw = g.w() * SynthRandom.uniform(rng, 0.1, 0.5);
      double bh = g.h() * SynthRandom.uniform(rng, 0.15, 0.6);
      double x0 = g.x0() + rng.nextDouble() * (g.w() - bw);
      double y0 = g.y0() + rng.nextDouble() * (g.h() - bh);
      Box d = new Box(g.category, x0, y0, x0 + bw, y0 + bh, SynthRandom.uniform(rng, 0.2, 0.8));
      d.maskShape = MaskShape.ELLIPSE;
      dets.add(d);
    }
  }

  /** A near miss around a real object, or a random box; mostly low scores, some confident. */
  private static Box falsePositive(ImagePlan plan, List<GtObject> objects, SplittableRandom rng) {
    int w = plan.width();
    int h = plan.height();
    Box d;
    if (!objects.isEmpty() && SynthRandom.chance(rng, NEAR_MISS_FP_SHARE)) {
      GtObject g = objects.get(rng.nextInt(objects.size()));
      double bw = Math.max(2, g.w() * StrictMath.exp(0.4 * SynthRandom.gaussian(rng)));
      double bh = Math.max(2, g.h() * StrictMath.exp(0.4 * SynthRandom.gaussian(rng)));
      double dx = sign(rng) * SynthRandom.uniform(rng, 0.4, 1.2) * g.w();
      double dy = sign(rng) * SynthRandom.uniform(rng, 0.0, 0.8) * g.h();
      double x0 = g.x0() + g.w() / 2 + dx - bw / 2;
      double y0 = g.y0() + g.h() / 2 + dy - bh / 2;
      int category = SynthRandom.chance(rng, 0.5) ? g.category
          : SynthRandom.pick(rng, CATEGORY_WEIGHTS);
      d = new Box(category, x0, y0, x0 + bw, y0 + bh, 0);
    } else {
      double[] b = randomBox(rng, w, h, 64, 0.5 * w * h);
      int category = !objects.isEmpty() && SynthRandom.chance(rng, 0.4)
          ? objects.get(rng.nextInt(objects.size())).category
          : SynthRandom.pick(rng, CATEGORY_WEIGHTS);
      d = new Box(category, b[0], b[1], b[2], b[3], 0);
    }
    double u = rng.nextDouble();
    d.score = SynthRandom.chance(rng, CONFIDENT_FP_SHARE)
        ? SynthRandom.uniform(rng, 0.3, 0.9)
        : 0.001 + 0.35 * u * u * u;
    clipToImage(d, w, h);
    d.maskShape = SynthRandom.chance(rng, 0.7) ? MaskShape.ELLIPSE : MaskShape.BOX;
    return d;
  }

  /**
   * Gives scores the texture of real output: some rounded to 2 decimals and some exact copies
   * of another score in the image, so that score ties are common; the rest keep 8 decimals.
   */
  private static void finishScores(List<Box> dets, SplittableRandom rng) {
    for (int i = 0; i < dets.size(); i++) {
      Box d = dets.get(i);
      double u = rng.nextDouble();
      if (u < ROUNDED_SCORE_SHARE) {
        d.score = Math.max(0.01, Decimals.round2(d.score));
      } else if (u < ROUNDED_SCORE_SHARE + COPIED_SCORE_SHARE && i > 0) {
        d.score = dets.get(rng.nextInt(i)).score;
      } else {
        d.score = Decimals.roundScore(d.score);
      }
    }
  }

  // --- proposals ----------------------------------------------------------------------------

  private List<Box> proposals(ImagePlan plan, List<GtObject> objects, SplittableRandom rng) {
    int n = spec.proposalsPerImage();
    int w = plan.width();
    int h = plan.height();
    List<Box> props = new ArrayList<>(n + 64);
    for (GtObject g : objects) {
      int count = 1 + Math.min(20,
          SynthRandom.geometric(rng, MEAN_EXTRA_PROPOSALS_PER_OBJECT));
      for (int i = 0; i < count; i++) {
        double sigma = SynthRandom.uniform(rng, 0.02, 0.35);
        double bw = Math.max(1, g.w() * StrictMath.exp(sigma * SynthRandom.gaussian(rng)));
        double bh = Math.max(1, g.h() * StrictMath.exp(sigma * SynthRandom.gaussian(rng)));
        double cx = g.x0() + g.w() / 2 + sigma * g.w() * SynthRandom.gaussian(rng);
        double cy = g.y0() + g.h() / 2 + sigma * g.h() * SynthRandom.gaussian(rng);
        double score = clamp(0.95 - 1.8 * sigma + 0.15 * SynthRandom.gaussian(rng), 0.01, 0.999);
        Box p = new Box(0, cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2, score);
        clipToImage(p, w, h);
        props.add(p);
      }
    }
    props.sort(BY_SCORE_DESCENDING);
    if (props.size() > n) {
      props.subList(n, props.size()).clear();
    }
    while (props.size() < n) {
      double[] b = randomBox(rng, w, h, 16, 0.8 * w * h);
      double u = rng.nextDouble();
      props.add(new Box(0, b[0], b[1], b[2], b[3], 0.6 * u * StrictMath.sqrt(u)));
    }
    for (Box p : props) {
      p.score = Decimals.roundScore(p.score);
    }
    props.sort(BY_SCORE_DESCENDING);
    // "descending-ish": a few neighbours swapped, so readers cannot rely on file order
    for (int i = 0; i + 1 < props.size(); i++) {
      if (SynthRandom.chance(rng, PROPOSAL_SWAP_SHARE)) {
        Box t = props.get(i);
        props.set(i, props.get(i + 1));
        props.set(i + 1, t);
        i++;
      }
    }
    return props;
  }

  // --- shared helpers -----------------------------------------------------------------------

  /** A box {@code [x0, y0, x1, y1]} inside the image with log-uniform area and varied shape. */
  private static double[] randomBox(
      SplittableRandom rng, int w, int h, double minArea, double maxArea) {
    double area = SynthRandom.logUniform(rng, minArea, Math.max(minArea + 1, maxArea));
    double aspect = clamp(StrictMath.exp(0.6 * SynthRandom.gaussian(rng)), 0.2, 5);
    double bw = Math.min(w, StrictMath.sqrt(area * aspect));
    double bh = Math.min(h, area / bw);
    double x0 = rng.nextDouble() * (w - bw);
    double y0 = rng.nextDouble() * (h - bh);
    return new double[] {x0, y0, x0 + bw, y0 + bh};
  }

  /** Detectors clip their boxes to the image; keep at least a sliver so the box is not empty. */
  private static void clipToImage(Box b, int w, int h) {
    b.x0 = clamp(b.x0, 0, w - 1);
    b.y0 = clamp(b.y0, 0, h - 1);
    b.x1 = clamp(b.x1, b.x0 + 1, w);
    b.y1 = clamp(b.y1, b.y0 + 1, h);
  }

  private static double sign(SplittableRandom rng) {
    return rng.nextBoolean() ? 1 : -1;
  }

  private static double clamp(double v, double lo, double hi) {
    return Math.max(lo, Math.min(hi, v));
  }

  // --- json ---------------------------------------------------------------------------------

  private void writeAnnotation(JsonGenerator g, ImagePlan plan, GtObject o) throws IOException {
    g.writeStartObject();
    g.writeNumberField("id", o.id);
    g.writeNumberField("image_id", plan.id());
    g.writeNumberField("category_id", CocoCategories.id(o.category));
    g.writeFieldName("segmentation");
    if (o.crowd) {
      g.writeStartObject();
      writeSize(g, plan);
      g.writeFieldName("counts");
      int[] counts = o.crowdMask.counts();
      g.writeArray(counts, 0, counts.length);
      g.writeEndObject();
    } else {
      g.writeStartArray();
      for (double[] xy : o.parts) {
        g.writeStartArray();
        for (double v : xy) {
          decimals.write(g, Decimals.cents(v));
        }
        g.writeEndArray();
      }
      g.writeEndArray();
    }
    g.writeNumberField("area", o.area);
    g.writeFieldName("bbox");
    g.writeStartArray();
    for (long c : o.bboxCents) {
      decimals.write(g, c);
    }
    g.writeEndArray();
    g.writeNumberField("iscrowd", o.crowd ? 1 : 0);
    g.writeEndObject();
  }

  private void writeResult(JsonGenerator g, ImagePlan plan, int categoryId, Box b, boolean mask)
      throws IOException {
    g.writeStartObject();
    g.writeNumberField("image_id", plan.id());
    g.writeNumberField("category_id", categoryId);
    g.writeFieldName("bbox");
    g.writeStartArray();
    long x = Decimals.cents(b.x0);
    long y = Decimals.cents(b.y0);
    decimals.write(g, x);
    decimals.write(g, y);
    decimals.write(g, Decimals.cents(b.x1) - x);
    decimals.write(g, Decimals.cents(b.y1) - y);
    g.writeEndArray();
    g.writeFieldName("score");
    decimals.writeScore(g, b.score);
    if (mask) {
      Rle rle = switch (b.maskShape) {
        case POLYGON -> Rle.fromPolygons(b.maskParts, plan.height(), plan.width());
        case ELLIPSE -> ShapeMasks.ellipse(b.x0, b.y0, b.x1, b.y1, plan.height(), plan.width());
        case BOX -> ShapeMasks.box(b.x0, b.y0, b.x1, b.y1, plan.height(), plan.width());
      };
      g.writeObjectFieldStart("segmentation");
      writeSize(g, plan);
      g.writeStringField("counts", rle.toCompressedString());
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  private static void writeSize(JsonGenerator g, ImagePlan plan) throws IOException {
    g.writeFieldName("size");
    g.writeStartArray();
    g.writeNumber(plan.height());
    g.writeNumber(plan.width());
    g.writeEndArray();
  }
}
