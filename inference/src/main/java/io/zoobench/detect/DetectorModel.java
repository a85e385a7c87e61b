package io.zoobench.detect;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.ParameterStore;
import ai.djl.translate.NoopTranslator;
import io.zoobench.coco.InvalidInputException;
import io.zoobench.coco.Redaction;
import io.zoobench.zoo.ModelSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A TorchScript detector loaded with DJL's PyTorch engine on one device, with its
 * {@link ModelSpec}: runs batches of {@link PreparedImage}s and returns {@link Detections}
 * in original-image pixels, timing the forward pass and the post-processing separately.
 * Loading never touches the network ({@link DjlRuntime}). One instance serves one caller at a
 * time: scripted detectors change their own state in the forward pass (torchvision's anchor
 * cache), so concurrent tasks each take their own instance (the jobs' model pool).
 *
 * <pre>
 * try (DetectorModel m = DetectorModel.load(spec, Path.of("model.pt"), Device.cpu())) {
 *   DetectorModel.Batch out = m.run(List.of(pipeline.prepare(bytes, "0001.png")));
 * }
 * </pre>
 */
public final class DetectorModel implements AutoCloseable {
  private final ModelSpec spec;
  private final ZooModel<NDList, NDList> model;
  private final Block block;
  private final OutputAdapter adapter;
  private final Device device;
  private long peakDeviceBytes = -1;
  private long batchesRun;

  /** A batch's detections (one per image, in order) and where its time went. */
  public record Batch(List<Detections> detections, long forwardNanos, long postprocessNanos) {}

  private DetectorModel(ModelSpec spec, ZooModel<NDList, NDList> model, Device device) {
    this.spec = spec;
    this.model = model;
    this.block = model.getBlock();
    this.adapter = OutputAdapters.get(spec.output());
    this.device = device;
  }

  /**
   * Loads {@code file} (a local TorchScript file) for {@code spec} on {@code device}.
   *
   * @throws InvalidInputException when the file is missing or not TorchScript DJL can load
   */
  /**
   * Whether {@code in} starts as a TorchScript file does (a zip archive: "PK\3\4"), so that a
   * wrong file is refused by one check on the driver instead of by every inference task.
   * Reads four bytes; does not close {@code in}.
   */
  public static boolean startsLikeTorchScript(java.io.InputStream in) throws IOException {
    byte[] magic = in.readNBytes(4);
    return magic.length == 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3
        && magic[3] == 4;
  }

  public static DetectorModel load(ModelSpec spec, Path file, Device device) {
    DjlRuntime.configure();
    if (!Files.isRegularFile(file)) {
      throw new InvalidInputException(Redaction.path(file.toString())
          + ": model file not found (model " + spec.name() + ")");
    }
    Criteria<NDList, NDList> criteria = Criteria.builder()
        .setTypes(NDList.class, NDList.class)
        .optModelPath(file)
        .optEngine("PyTorch")
        .optDevice(device)
        .optTranslator(new NoopTranslator())
        .optOption("mapLocation", "true")
        .build();
    try {
      return new DetectorModel(spec, criteria.loadModel(), device);
    } catch (ModelNotFoundException | MalformedModelException | IOException
        | RuntimeException e) {
      throw new InvalidInputException(file.getFileName() + ": cannot load TorchScript model "
          + spec.name() + ": " + firstLine(e), e);
    }
  }

  private static String firstLine(Throwable e) {
    String m = String.valueOf(e.getMessage());
    return m.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst()
        .orElse(e.getClass().getSimpleName());
  }

  /** How this model's inputs and outputs are laid out. */
  public OutputAdapter adapter() {
    return adapter;
  }

  public ModelSpec spec() {
    return spec;
  }

  public Device device() {
    return device;
  }

  /**
   * Peak device memory seen after batches, in bytes: the device's used memory (all processes),
   * so above the model's own peak; −1 when the device does not say (CPU).
   */
  public synchronized long peakDeviceBytes() {
    return peakDeviceBytes;
  }

  /** Runs one batch (at most the spec's batch size is sensible; any size works). */
  public Batch run(List<PreparedImage> images) {
    try (NDManager batch = model.getNDManager().newSubManager(device)) {
      NDList inputs = adapter.inputs(batch, images);
      long t0 = System.nanoTime();
      NDList outputs = block.forward(new ParameterStore(batch, false), inputs, false);
      // reading the outputs waits for an asynchronous device: part of the forward pass
      List<RawDetections> raw = adapter.read(outputs, images, spec);
      long t1 = System.nanoTime();
      List<Detections> out = new ArrayList<>(images.size());
      for (int i = 0; i < images.size(); i++) {
        out.add(Postprocess.finish(adapter.select(raw.get(i), spec), images.get(i), spec,
            adapter.proposals()));
      }
      long t2 = System.nanoTime();
      notePeakMemory();
      batchesRun++;
      return new Batch(out, t1 - t0, t2 - t1);
    } catch (ai.djl.engine.EngineException e) {
      if (batchesRun > 0) {
        throw new NativeModelException("model " + spec.name() + " failed after " + batchesRun
            + " batches: " + firstLine(e), e);
      }
      throw doesNotFit(e);
    } catch (IllegalStateException e) {
      throw doesNotFit(e);
    }
  }

  /** The model does not fit its spec (output layout, input) or fails on this input. */
  private InvalidInputException doesNotFit(RuntimeException e) {
    return new InvalidInputException(
        spec.artifact().substring(spec.artifact().lastIndexOf('/') + 1) + " (model "
        + spec.name() + ", output " + spec.output() + "): " + firstLine(e), e);
  }

  private synchronized void notePeakMemory() {
    if (device.isGpu()) {
      try {
        java.lang.management.MemoryUsage u = ai.djl.util.cuda.CudaUtils.getGpuMemory(device);
        peakDeviceBytes = Math.max(peakDeviceBytes, u.getUsed());
      } catch (RuntimeException e) {
        // the device does not report memory: leave it unknown
      }
    }
  }

  @Override
  public void close() {
    model.close();
  }

}
