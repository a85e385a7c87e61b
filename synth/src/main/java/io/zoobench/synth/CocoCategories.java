package io.zoobench.synth;

import io.zoobench.coco.CocoDataset;
import java.util.List;

/**
 * The 80 COCO 2017 object categories with their real ids (1..90 with gaps), names and
 * supercategories, plus an approximate val2017 instance count per category.
 *
 * <p>{@link SyntheticCoco} writes this list as the {@code categories} of its ground truth and
 * draws object categories with the counts as weights, so that "person" dominates and "toaster"
 * is rare, as in the real data set. The counts are rounded recollections of val2017's
 * per-category instance numbers: good for realistic skew, not for exact statistics.
 */
public final class CocoCategories {
  private record Row(int id, String name, String supercategory, int val2017Instances) {}

  private static final Row[] ROWS = {
    new Row(1, "person", "person", 11004),
    new Row(2, "bicycle", "vehicle", 316),
    new Row(3, "car", "vehicle", 1932),
    new Row(4, "motorcycle", "vehicle", 371),
    new Row(5, "airplane", "vehicle", 143),
    new Row(6, "bus", "vehicle", 285),
    new Row(7, "train", "vehicle", 190),
    new Row(8, "truck", "vehicle", 415),
    new Row(9, "boat", "vehicle", 430),
    new Row(10, "traffic light", "outdoor", 634),
    new Row(11, "fire hydrant", "outdoor", 101),
    new Row(13, "stop sign", "outdoor", 75),
    new Row(14, "parking meter", "outdoor", 60),
    new Row(15, "bench", "outdoor", 413),
    new Row(16, "bird", "animal", 440),
    new Row(17, "cat", "animal", 202),
    new Row(18, "dog", "animal", 218),
    new Row(19, "horse", "animal", 273),
    new Row(20, "sheep", "animal", 361),
    new Row(21, "cow", "animal", 380),
    new Row(22, "elephant", "animal", 255),
    new Row(23, "bear", "animal", 71),
    new Row(24, "zebra", "animal", 268),
    new Row(25, "giraffe", "animal", 232),
    new Row(27, "backpack", "accessory", 371),
    new Row(28, "umbrella", "accessory", 413),
    new Row(31, "handbag", "accessory", 540),
    new Row(32, "tie", "accessory", 254),
    new Row(33, "suitcase", "accessory", 303),
    new Row(34, "frisbee", "sports", 115),
    new Row(35, "skis", "sports", 241),
    new Row(36, "snowboard", "sports", 69),
    new Row(37, "sports ball", "sports", 263),
    new Row(38, "kite", "sports", 336),
    new Row(39, "baseball bat", "sports", 146),
    new Row(40, "baseball glove", "sports", 148),
    new Row(41, "skateboard", "sports", 179),
    new Row(42, "surfboard", "sports", 269),
    new Row(43, "tennis racket", "sports", 225),
    new Row(44, "bottle", "kitchen", 1025),
    new Row(46, "wine glass", "kitchen", 343),
    new Row(47, "cup", "kitchen", 899),
    new Row(48, "fork", "kitchen", 215),
    new Row(49, "knife", "kitchen", 326),
    new Row(50, "spoon", "kitchen", 253),
    new Row(51, "bowl", "kitchen", 626),
    new Row(52, "banana", "food", 379),
    new Row(53, "apple", "food", 239),
    new Row(54, "sandwich", "food", 177),
    new Row(55, "orange", "food", 287),
    new Row(56, "broccoli", "food", 316),
    new Row(57, "carrot", "food", 371),
    new Row(58, "hot dog", "food", 127),
    new Row(59, "pizza", "food", 285),
    new Row(60, "donut", "food", 338),
    new Row(61, "cake", "food", 316),
    new Row(62, "chair", "furniture", 1791),
    new Row(63, "couch", "furniture", 261),
    new Row(64, "potted plant", "furniture", 343),
    new Row(65, "bed", "furniture", 163),
    new Row(67, "dining table", "furniture", 697),
    new Row(70, "toilet", "furniture", 179),
    new Row(72, "tv", "electronic", 288),
    new Row(73, "laptop", "electronic", 231),
    new Row(74, "mouse", "electronic", 106),
    new Row(75, "remote", "electronic", 283),
    new Row(76, "keyboard", "electronic", 153),
    new Row(77, "cell phone", "electronic", 262),
    new Row(78, "microwave", "appliance", 55),
    new Row(79, "oven", "appliance", 143),
    new Row(80, "toaster", "appliance", 9),
    new Row(81, "sink", "appliance", 225),
    new Row(82, "refrigerator", "appliance", 126),
    new Row(84, "book", "indoor", 1161),
    new Row(85, "clock", "indoor", 267),
    new Row(86, "vase", "indoor", 277),
    new Row(87, "scissors", "indoor", 36),
    new Row(88, "teddy bear", "indoor", 191),
    new Row(89, "hair drier", "indoor", 11),
    new Row(90, "toothbrush", "indoor", 57),
  };

  private static final List<CocoDataset.Category> ALL = List.of(
      java.util.Arrays.stream(ROWS)
          .map(r -> new CocoDataset.Category(r.id(), r.name(), r.supercategory()))
          .toArray(CocoDataset.Category[]::new));

  private CocoCategories() {}

  /** The 80 categories in ascending id order. */
  public static List<CocoDataset.Category> all() {
    return ALL;
  }

  /** Number of categories (80). */
  public static int count() {
    return ROWS.length;
  }

  /** The COCO id of the category at {@code index} (0..79). */
  public static int id(int index) {
    return ROWS[index].id();
  }

  /** Approximate val2017 instance counts, indexed like {@link #all()}; used as draw weights. */
  static double[] instanceWeights() {
    double[] w = new double[ROWS.length];
    for (int i = 0; i < ROWS.length; i++) {
      w[i] = ROWS[i].val2017Instances();
    }
    return w;
  }
}
