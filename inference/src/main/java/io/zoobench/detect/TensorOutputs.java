package io.zoobench.detect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.zoobench.zoo.ModelSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code output: tensors}: MMDeploy-style exports. Input one {@code [B,3,H,W]} batch (padded
 * to the largest image); outputs {@code dets [B,K,5]} (x1, y1, x2, y2, score),
 * {@code labels [B,K]} (−1 pads) and optionally {@code masks [B,K,H,W]} probabilities in
 * input pixels; named, or else in that order.
 */
final class TensorOutputs implements OutputAdapter {
  @Override
  public String name() {
    return "tensors";
  }

  @Override
  public Set<Product> produces() {
    return Set.of(Product.BOXES, Product.MASKS);
  }

  @Override
  public NDList inputs(NDManager manager, List<PreparedImage> batch) {
    return new NDList(OutputTensors.paddedBatch(manager, batch, "input"));
  }

  private static NDArray pick(NDList outputs, String key, int position) {
    NDArray byName = outputs.get(key);
    if (byName != null) {
      return byName;
    }
    return position < outputs.size() ? outputs.get(position) : null;
  }

  @Override
  public List<RawDetections> read(NDList outputs, List<PreparedImage> batch, ModelSpec spec) {
    NDArray dets = pick(outputs, "dets", 0);
    NDArray labels = pick(outputs, "labels", 1);
    NDArray masks = pick(outputs, "masks", 2);
    if (dets == null || labels == null || dets.getShape().dimension() != 3
        || dets.getShape().get(2) != 5) {
      throw new IllegalStateException("tensors model: expected dets [B,K,5] and labels [B,K]"
          + ", got " + outputs.stream().map(a -> a.getName() + a.getShape()).toList());
    }
    List<RawDetections> out = new ArrayList<>(batch.size());
    for (int b = 0; b < batch.size(); b++) {
      PreparedImage p = batch.get(b);
      float[] d = dets.get(b).toType(DataType.FLOAT32, false).toFloatArray();
      long[] l = labels.get(b).toType(DataType.INT64, false).toLongArray();
      int k = 0;
      while (k < l.length && l[k] >= 0) {
        k++;
      }
      float[] boxes = new float[4 * k];
      float[] scores = new float[k];
      for (int i = 0; i < k; i++) {
        System.arraycopy(d, 5 * i, boxes, 4 * i, 4);
        scores[i] = d[5 * i + 4];
      }
      byte[] maskBytes = null;
      if (masks != null && k == 0) {
        maskBytes = new byte[0];
      } else if (masks != null) {
        // crop the padding, resize to the original image, then threshold (as MMDetection)
        NDArray m = masks.get(b).get(":" + k + ", " + p.padTop() + ":"
            + (p.padTop() + p.resizedHeight()) + ", " + p.padLeft() + ":"
            + (p.padLeft() + p.resizedWidth()));
        if (p.resizedHeight() != p.originalHeight() || p.resizedWidth() != p.originalWidth()) {
          // interpolate probabilities: bool or uint8 masks would be resized as integers
          m = ai.djl.modality.cv.util.NDImageUtils.resize(
              m.toType(DataType.FLOAT32, false).transpose(1, 2, 0),
              p.originalWidth(), p.originalHeight(),
              ai.djl.modality.cv.Image.Interpolation.BILINEAR).transpose(2, 0, 1);
        }
        maskBytes = OutputTensors.maskBytes(m, spec.maskThreshold());
      }
      out.add(new RawDetections(boxes, scores, java.util.Arrays.copyOf(l, k), maskBytes,
          masks == null ? 0 : p.originalHeight(), masks == null ? 0 : p.originalWidth()));
    }
    return out;
  }
}
