package io.zoobench.detect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.zoobench.eval.StableSort;
import io.zoobench.zoo.ModelSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * {@code output: yolo}: YOLOv5-style exports (tools/export/yolov5.py, Ultralytics'
 * {@code export.py --include torchscript}). Input one {@code [B, 3, H, W]} batch (a letterbox
 * makes every image the same size); output the decoded {@code [B, N, 5 + K]}: box centre x, y,
 * width, height in input pixels, objectness, and one score per class. Post-processing is
 * YOLOv5's evaluation setting, in float arithmetic like PyTorch's:
 *
 * <ol>
 *   <li>{@link #read}: candidates are the (row, class) pairs whose objectness is above the
 *       score threshold and whose objectness × class score is too, in row-major order; boxes
 *       become corners {@code centre ∓ size·0.5};
 *   <li>{@link #select}: class-wise greedy NMS (a kept box suppresses later boxes of its class
 *       with IoU above {@code nms_iou}, in descending score order, ties in candidate order),
 *       then the survivors by descending score (stable), at most {@code max_detections}.
 * </ol>
 *
 * <p>Labels are class indices 0 to K−1; the manifest maps each to a COCO id (for COCO models,
 * the 80 ids in ascending order).
 */
final class YoloOutputs implements OutputAdapter {
  private static final int BOX_FIELDS = 5;

  @Override
  public String name() {
    return "yolo";
  }

  @Override
  public Set<Product> produces() {
    return Set.of(Product.BOXES);
  }

  @Override
  public double defaultScoreThreshold() {
    return 0.001;
  }

  @Override
  public int defaultMaxDetections() {
    return 300;
  }

  @Override
  public double defaultNmsIou() {
    return 0.65;
  }

  @Override
  public boolean classIndexLabels() {
    return true;
  }

  @Override
  public NDList inputs(NDManager manager, List<PreparedImage> batch) {
    return new NDList(OutputTensors.paddedBatch(manager, batch, "images"));
  }

  @Override
  public List<RawDetections> read(NDList outputs, List<PreparedImage> batch, ModelSpec spec) {
    int classes = spec.labels().size();
    NDArray out = outputs.isEmpty() ? null : outputs.get(0);
    Shape s = out == null ? null : out.getShape();
    if (outputs.size() != 1 || s.dimension() != 3 || s.get(0) != batch.size()
        || s.get(2) != BOX_FIELDS + classes) {
      throw new IllegalStateException("yolo model: output "
          + outputs.stream().map(a -> a.getShape().toString()).toList()
          + " does not fit the manifest's " + classes + " labels: expected one output ["
          + batch.size() + ", N, " + (BOX_FIELDS + classes) + "] (x, y, w, h, objectness and"
          + " one score per label)");
    }
    int rows = (int) s.get(1);
    float[] all = out.toType(DataType.FLOAT32, false).toFloatArray();
    float conf = (float) spec.scoreThreshold();
    List<RawDetections> result = new ArrayList<>(batch.size());
    for (int b = 0; b < batch.size(); b++) {
      result.add(candidates(all, b * rows * (BOX_FIELDS + classes), rows, classes, conf));
    }
    return result;
  }

  static RawDetections candidates(float[] d, int offset, int rows, int classes,
      float conf) {
    int stride = BOX_FIELDS + classes;
    int n = 0;
    float[] boxes = new float[64];
    float[] scores = new float[16];
    long[] labels = new long[16];
    for (int r = 0; r < rows; r++) {
      int o = offset + r * stride;
      float objectness = d[o + 4];
      if (!(objectness > conf)) {
        continue;
      }
      float halfW = d[o + 2] * 0.5f;
      float halfH = d[o + 3] * 0.5f;
      for (int c = 0; c < classes; c++) {
        float score = d[o + BOX_FIELDS + c] * objectness;
        if (!(score > conf)) {
          continue;
        }
        if (n == scores.length) {
          scores = Arrays.copyOf(scores, 2 * n);
          labels = Arrays.copyOf(labels, 2 * n);
          boxes = Arrays.copyOf(boxes, 8 * n);
        }
        boxes[4 * n] = d[o] - halfW;
        boxes[4 * n + 1] = d[o + 1] - halfH;
        boxes[4 * n + 2] = d[o] + halfW;
        boxes[4 * n + 3] = d[o + 1] + halfH;
        scores[n] = score;
        labels[n] = c;
        n++;
      }
    }
    return new RawDetections(Arrays.copyOf(boxes, 4 * n), Arrays.copyOf(scores, n),
        Arrays.copyOf(labels, n), null, 0, 0);
  }

  @Override
  public RawDetections select(RawDetections candidates, ModelSpec spec) {
    int n = candidates.size();
    float[] boxes = candidates.boxes();
    float[] scores = candidates.scores();
    long[] labels = candidates.labels();
    double[] keys = new double[n];
    for (int i = 0; i < n; i++) {
      keys[i] = scores[i];
    }
    // the candidates of each class, in candidate order, then by descending score (stable)
    int classes = spec.labels().size();
    int[] start = new int[classes + 1];
    for (long l : labels) {
      start[(int) l + 1]++;
    }
    for (int c = 0; c < classes; c++) {
      start[c + 1] += start[c];
    }
    int[] byClass = new int[n];
    int[] fill = Arrays.copyOf(start, classes);
    for (int i = 0; i < n; i++) {
      byClass[fill[(int) labels[i]]++] = i;
    }
    boolean[] kept = new boolean[n];
    float iou = (float) spec.nmsIou();
    for (int c = 0; c < classes; c++) {
      StableSort.byDescendingKey(byClass, start[c], start[c + 1], keys);
      suppress(boxes, byClass, start[c], start[c + 1], iou, kept);
    }
    int[] order = new int[n];
    int k = 0;
    for (int i = 0; i < n; i++) {
      if (kept[i]) {
        order[k++] = i;
      }
    }
    StableSort.byDescendingKey(order, 0, k, keys);
    int m = Math.min(k, spec.maxDetections());
    float[] outBoxes = new float[4 * m];
    float[] outScores = new float[m];
    long[] outLabels = new long[m];
    for (int j = 0; j < m; j++) {
      int i = order[j];
      System.arraycopy(boxes, 4 * i, outBoxes, 4 * j, 4);
      outScores[j] = scores[i];
      outLabels[j] = labels[i];
    }
    return new RawDetections(outBoxes, outScores, outLabels, null, 0, 0);
  }

  /**
   * Greedy NMS over {@code order[from, to)} (descending score): marks the kept boxes. IoU in
   * float, as torchvision's {@code nms} computes it.
   */
  private static void suppress(float[] b, int[] order, int from, int to, float threshold,
      boolean[] kept) {
    boolean[] suppressed = new boolean[to - from];
    for (int p = from; p < to; p++) {
      if (suppressed[p - from]) {
        continue;
      }
      int i = order[p];
      kept[i] = true;
      float x1 = b[4 * i];
      float y1 = b[4 * i + 1];
      float x2 = b[4 * i + 2];
      float y2 = b[4 * i + 3];
      float area = (x2 - x1) * (y2 - y1);
      for (int q = p + 1; q < to; q++) {
        if (suppressed[q - from]) {
          continue;
        }
        int j = order[q];
        float w = Math.max(Math.min(x2, b[4 * j + 2]) - Math.max(x1, b[4 * j]), 0f);
        float h = Math.max(Math.min(y2, b[4 * j + 3]) - Math.max(y1, b[4 * j + 1]), 0f);
        float inter = w * h;
        float other = (b[4 * j + 2] - b[4 * j]) * (b[4 * j + 3] - b[4 * j + 1]);
        if (inter / (area + other - inter) > threshold) {
          suppressed[q - from] = true;
        }
      }
    }
  }
}
