package io.zoobench.detect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.zoobench.zoo.ModelSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Scripted torchvision-style models: input {@code List[Tensor]} (CHW, values as the manifest's
 * input pipeline makes them), output {@code List[Dict[str, Tensor]]} with {@code boxes}
 * x1y1x2y2 and {@code scores} in original-image pixels, plus {@code labels} and optionally
 * {@code masks} [N,1,H,W] probabilities for detectors ({@link TorchvisionOutputs}), or nothing
 * else for proposal networks ({@link ProposalOutputs}).
 */
abstract class DictOutputs implements OutputAdapter {
  private final boolean labelled;

  DictOutputs(boolean labelled) {
    this.labelled = labelled;
  }

  @Override
  public NDList inputs(NDManager manager, List<PreparedImage> batch) {
    return OutputTensors.imageList(manager, batch);
  }

  @Override
  public List<RawDetections> read(NDList outputs, List<PreparedImage> batch, ModelSpec spec) {
    String what = labelled ? "torchvision detector" : "proposals model";
    List<NDList> dicts = OutputTensors.dicts(outputs, batch.size(), what);
    List<RawDetections> out = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      NDList d = dicts.get(i);
      float[] boxes = OutputTensors.named(d, "boxes", what).toType(DataType.FLOAT32, false)
          .toFloatArray();
      float[] scores = OutputTensors.named(d, "scores", what).toType(DataType.FLOAT32, false)
          .toFloatArray();
      long[] labels = labelled ? OutputTensors.named(d, "labels", what)
          .toType(DataType.INT64, false).toLongArray() : new long[scores.length];
      NDArray masks = labelled ? d.get("masks") : null;
      byte[] maskBytes = null;
      int mh = 0;
      int mw = 0;
      if (masks != null) {
        Shape s = masks.getShape(); // [N, 1, H, W]
        mh = (int) s.get(s.dimension() - 2);
        mw = (int) s.get(s.dimension() - 1);
        maskBytes = OutputTensors.maskBytes(masks.reshape(scores.length, mh, mw),
            spec.maskThreshold());
      }
      out.add(new RawDetections(boxes, scores, labels, maskBytes, mh, mw));
    }
    return out;
  }
}
