package io.zoobench.detect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The tensor plumbing output adapters share: images as a TorchScript {@code List[Tensor]},
 * DJL's flattened {@code List[Dict]} outputs split back into dicts, named outputs, and
 * thresholded masks copied out as column-major bytes (a quarter of the float probabilities).
 */
final class OutputTensors {
  private OutputTensors() {}

  /**
   * One {@code [3,H,W]} array per image, passed to TorchScript as {@code List[Tensor]}; when
   * the images carry proposals, a second {@code List[Tensor]} argument of one {@code [K,4]}
   * array per image.
   */
  static NDList imageList(NDManager manager, List<PreparedImage> batch) {
    boolean proposals = !batch.isEmpty() && batch.get(0).proposals() != null;
    NDList in = new NDList(proposals ? 2 * batch.size() : batch.size());
    for (PreparedImage p : batch) {
      NDArray a = manager.create(p.pixels(), new Shape(3, p.height(), p.width()));
      a.setName("images[]"); // DJL's convention for a List[Tensor] argument
      in.add(a);
    }
    if (proposals) {
      for (PreparedImage p : batch) {
        float[] boxes = p.proposals() == null ? new float[0] : p.proposals();
        NDArray a = manager.create(boxes, new Shape(boxes.length / 4, 4));
        a.setName("proposals[]");
        in.add(a);
      }
    }
    return in;
  }

  /**
   * One {@code [B, 3, H, W]} tensor of {@code batch}, each image at the top left of the largest
   * image's size, the rest zeros (images of one size, as a letterbox makes them, need none).
   */
  static NDArray paddedBatch(NDManager manager, List<PreparedImage> batch, String name) {
    int h = 0;
    int w = 0;
    for (PreparedImage p : batch) {
      h = Math.max(h, p.height());
      w = Math.max(w, p.width());
    }
    float[] data = new float[batch.size() * 3 * h * w];
    for (int b = 0; b < batch.size(); b++) {
      PreparedImage p = batch.get(b);
      if (p.height() == h && p.width() == w) {
        System.arraycopy(p.pixels(), 0, data, b * 3 * h * w, 3 * h * w);
        continue;
      }
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < p.height(); y++) {
          System.arraycopy(p.pixels(), (c * p.height() + y) * p.width(), data,
              ((b * 3 + c) * h + y) * w, p.width());
        }
      }
    }
    NDArray a = manager.create(data, new Shape(batch.size(), 3, h, w));
    a.setName(name);
    return a;
  }

  /**
   * The per-image dicts of a {@code List[Dict[str, Tensor]]} output, which DJL flattens into
   * arrays named by their keys: a dict ends where a key repeats.
   */
  static List<NDList> dicts(NDList outputs, int images, String model) {
    List<NDList> out = new ArrayList<>();
    NDList current = new NDList();
    Set<String> keys = new HashSet<>();
    for (NDArray a : outputs) {
      String name = a.getName();
      if (name == null || !keys.add(name)) {
        if (!current.isEmpty()) {
          out.add(current);
        }
        current = new NDList();
        keys.clear();
        keys.add(name);
      }
      current.add(a);
    }
    if (!current.isEmpty()) {
      out.add(current);
    }
    if (out.size() != images) {
      throw new IllegalStateException(model + ": returned " + out.size()
          + " detection dicts for " + images + " images");
    }
    return out;
  }

  /** Thresholded masks {@code [N, H, W]} as column-major bytes ({@code [N, W, H]} order). */
  static byte[] maskBytes(NDArray probabilities, double threshold) {
    return probabilities.gt(threshold).transpose(0, 2, 1).toType(DataType.UINT8, false)
        .toByteArray();
  }

  /** The output called {@code key} of a dict, or a message naming the keys it has. */
  static NDArray named(NDList dict, String key, String model) {
    NDArray a = dict.get(key);
    if (a == null) {
      throw new IllegalStateException(model + ": output has no '" + key + "' (has "
          + String.join(", ", dict.stream().map(NDArray::getName).toList()) + ")");
    }
    return a;
  }
}
