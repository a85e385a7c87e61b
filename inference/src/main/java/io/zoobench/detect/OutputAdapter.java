package io.zoobench.detect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.zoobench.zoo.ModelSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * How one family of models takes its inputs and lays out its outputs ({@link
 * ModelSpec.OutputKind}): builds the forward pass's inputs from a batch of prepared images and
 * reads the outputs into {@link RawDetections}, one per image. Masks are thresholded on the
 * engine side and copied out as bytes, a quarter of the float probabilities.
 */
interface OutputAdapter {

  NDList inputs(NDManager manager, List<PreparedImage> batch);

  List<RawDetections> read(NDList outputs, List<PreparedImage> batch, double maskThreshold);

  static OutputAdapter of(ModelSpec.OutputKind kind) {
    return switch (kind) {
      case TORCHVISION -> new ListOfDicts(true);
      case PROPOSALS -> new ListOfDicts(false);
      case TENSORS -> new Tensors();
    };
  }

  /** One {@code [3,H,W]} array per image, passed to TorchScript as {@code List[Tensor]}. */
  static NDList imageList(NDManager manager, List<PreparedImage> batch) {
    NDList in = new NDList(batch.size());
    for (PreparedImage p : batch) {
      NDArray a = manager.create(p.pixels(), new Shape(3, p.height(), p.width()));
      a.setName("images[]"); // DJL's convention for a List[Tensor] argument
      in.add(a);
    }
    return in;
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

  static NDArray named(NDList dict, String key, String model) {
    NDArray a = dict.get(key);
    if (a == null) {
      throw new IllegalStateException(model + ": output has no '" + key + "' (has "
          + String.join(", ", dict.stream().map(NDArray::getName).toList()) + ")");
    }
    return a;
  }

  /** Scripted torchvision detectors (with masks or not) and RPN proposals. */
  final class ListOfDicts implements OutputAdapter {
    private final boolean labelled;

    ListOfDicts(boolean labelled) {
      this.labelled = labelled;
    }

    @Override
    public NDList inputs(NDManager manager, List<PreparedImage> batch) {
      return imageList(manager, batch);
    }

    @Override
    public List<RawDetections> read(NDList outputs, List<PreparedImage> batch,
        double maskThreshold) {
      String what = labelled ? "torchvision detector" : "proposals model";
      List<NDList> dicts = dicts(outputs, batch.size(), what);
      List<RawDetections> out = new ArrayList<>(batch.size());
      for (int i = 0; i < batch.size(); i++) {
        NDList d = dicts.get(i);
        float[] boxes = named(d, "boxes", what).toType(DataType.FLOAT32, false).toFloatArray();
        float[] scores = named(d, "scores", what).toType(DataType.FLOAT32, false).toFloatArray();
        long[] labels = labelled ? named(d, "labels", what).toType(DataType.INT64, false)
            .toLongArray() : new long[scores.length];
        NDArray masks = labelled ? d.get("masks") : null;
        byte[] maskBytes = null;
        int mh = 0;
        int mw = 0;
        if (masks != null) {
          Shape s = masks.getShape(); // [N, 1, H, W]
          mh = (int) s.get(s.dimension() - 2);
          mw = (int) s.get(s.dimension() - 1);
          maskBytes = maskBytes(masks.reshape(scores.length, mh, mw), maskThreshold);
        }
        out.add(new RawDetections(boxes, scores, labels, maskBytes, mh, mw));
      }
      return out;
    }
  }

  /**
   * MMDeploy-style outputs: {@code dets [B,K,5]}, {@code labels [B,K]} (−1 pads), optional
   * {@code masks [B,K,H,W]} in input pixels; named, or else in that order.
   */
  final class Tensors implements OutputAdapter {
    @Override
    public NDList inputs(NDManager manager, List<PreparedImage> batch) {
      int h = 0;
      int w = 0;
      for (PreparedImage p : batch) {
        h = Math.max(h, p.height());
        w = Math.max(w, p.width());
      }
      float[] data = new float[batch.size() * 3 * h * w];
      for (int b = 0; b < batch.size(); b++) {
        PreparedImage p = batch.get(b);
        for (int c = 0; c < 3; c++) {
          for (int y = 0; y < p.height(); y++) {
            System.arraycopy(p.pixels(), (c * p.height() + y) * p.width(), data,
                ((b * 3 + c) * h + y) * w, p.width());
          }
        }
      }
      NDArray a = manager.create(data, new Shape(batch.size(), 3, h, w));
      a.setName("input");
      return new NDList(a);
    }

    private static NDArray pick(NDList outputs, String key, int position) {
      NDArray byName = outputs.get(key);
      if (byName != null) {
        return byName;
      }
      return position < outputs.size() ? outputs.get(position) : null;
    }

    @Override
    public List<RawDetections> read(NDList outputs, List<PreparedImage> batch,
        double maskThreshold) {
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
          NDArray m = masks.get(b).get(":" + k + ", :" + p.resizedHeight() + ", :"
              + p.resizedWidth());
          if (p.resizedHeight() != p.originalHeight() || p.resizedWidth() != p.originalWidth()) {
            // interpolate probabilities: bool or uint8 masks would be resized as integers
            m = ai.djl.modality.cv.util.NDImageUtils.resize(
                m.toType(DataType.FLOAT32, false).transpose(1, 2, 0),
                p.originalWidth(), p.originalHeight(),
                ai.djl.modality.cv.Image.Interpolation.BILINEAR).transpose(2, 0, 1);
          }
          maskBytes = maskBytes(m, maskThreshold);
        }
        out.add(new RawDetections(boxes, scores, java.util.Arrays.copyOf(l, k), maskBytes,
            masks == null ? 0 : p.originalHeight(), masks == null ? 0 : p.originalWidth()));
      }
      return out;
    }
  }
}
