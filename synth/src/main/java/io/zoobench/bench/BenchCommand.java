package io.zoobench.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zoobench.coco.Redaction;
import io.zoobench.parity.ParityCase;
import io.zoobench.parity.ParityRun;
import io.zoobench.parity.PycocotoolsOracle;
import io.zoobench.synth.SynthSpec;
import io.zoobench.synth.SyntheticCoco;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code zoobench bench eval}: the speed check of the evaluation core. Makes a val2017-scale
 * synthetic set once (5,000 images, ~36k GT, 500k detections with masks), then runs
 * {@code bin/zoobench eval} as a separate process per IoU type and reports whole-process wall
 * time and peak resident memory (VmHWM), next to the targets.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {"Benchmarks at val2017 scale (a synthetic set made once):",
        "  bench eval    whole-process zoobench eval: wall time and peak RSS per IoU type",
        "  bench import  zoobench import on local[2] next to zoobench eval, in one run",
        "  bench infer   zoobench evaluate of the demo model on a rendered shapes set:",
        "                fps end-to-end vs compute, and local[2] vs local[1] throughput",
        "  bench parity  random COCO cases evaluated by pycocotools and by zoobench,",
        "                compared bit for bit (--cases, --seed; differing cases to --out)"})
public final class BenchCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Parameters(index = "0", paramLabel = "eval|import|infer|parity",
      description = "What to benchmark.")
  String what;

  @Option(names = "--data", defaultValue = "bench-data/val2017-scale", paramLabel = "DIR",
      description = "Where the synthetic set lives (made once; default ${DEFAULT-VALUE}).")
  Path data;

  @Option(names = "--images", defaultValue = "5000", paramLabel = "N",
      description = "Images of the synthetic set (default ${DEFAULT-VALUE}).")
  int images;

  @Option(names = "--seed", defaultValue = "2017", paramLabel = "S")
  long seed;

  @Option(names = "--iou", defaultValue = "bbox,segm", split = ",", paramLabel = "bbox,segm",
      description = "IoU types to time (default ${DEFAULT-VALUE}).")
  List<String> ious;

  @Option(names = "--repeat", defaultValue = "1", paramLabel = "R",
      description = "Runs per IoU type; the best wall time is reported (default 1).")
  int repeat;

  @Option(names = "--cases", defaultValue = "1000", paramLabel = "N",
      description = "parity: random cases to compare (default ${DEFAULT-VALUE}).")
  int cases;

  @Option(names = "--out", defaultValue = "bench-data/parity", paramLabel = "DIR",
      description = "parity: where differing cases are written (default ${DEFAULT-VALUE}).")
  Path parityOut;

  @Option(names = "--workers", defaultValue = "0", paramLabel = "W",
      description = "parity: pycocotools processes at once (default: one per core).")
  int workers;

  @Option(names = "--scale",
      description = "parity: instead of random cases, the val2017-scale synthetic set of"
          + " bench eval (--data, --images), in box, mask and Detectron2 mask evaluation.")
  boolean scale;

  @Option(names = "--python", paramLabel = "PATH",
      description = "parity: a python with pycocotools (default .venv/oracle/bin/python, made by"
          + " tools/python/setup.sh oracle).")
  Path python;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** The val2017-scale synthetic set (--data, --images, --seed), made once: {gt, dt}. */
  private Path[] syntheticSet(PrintWriter out) throws IOException {
    Path gt = data.resolve(SyntheticCoco.GT_FILE);
    Path dt = data.resolve(SyntheticCoco.DT_FILE);
    Path stamp = data.resolve("SPEC");
    String wanted = images + " images, seed " + seed + ", masks";
    if (!Files.isRegularFile(stamp) || !Files.readString(stamp).equals(wanted)) {
      out.println("making the synthetic set in " + shown(data) + " (" + wanted + ") ...");
      out.flush();
      long t0 = System.nanoTime();
      out.println(SyntheticCoco.generate(new SynthSpec(images, seed, true, 0), data));
      Files.writeString(stamp, wanted);
      out.printf(Locale.ROOT, "made in %.1fs%n", (System.nanoTime() - t0) / 1e9);
    }
    out.printf(Locale.ROOT, "data: %s (%.0f MB) + %s (%.0f MB)%n", shown(gt), Files.size(gt) / 1e6,
        shown(dt), Files.size(dt) / 1e6);
    return new Path[] {gt, dt};
  }

  /**
   * {@code bench parity}: the long run of the differential test, for people who change the
   * evaluator, or ({@code --scale}) the val2017-scale set against pycocotools. Exit status 1
   * when any evaluation differs (random cases that differ are written out).
   */
  private int benchParity(PrintWriter out) throws IOException {
    Path home = Path.of(System.getProperty("zoobench.home", "."));
    PycocotoolsOracle oracle = PycocotoolsOracle.inCheckout(home);
    if (python != null) {
      oracle = new PycocotoolsOracle(python, home.resolve("tools/oracle/coco_oracle.py"));
    }
    int w = workers > 0 ? workers : Runtime.getRuntime().availableProcessors();
    long t0 = System.nanoTime();
    if (scale) {
      Path[] set = syntheticSet(out);
      out.printf(Locale.ROOT, "parity: %s and %s, oracle %s%n", shown(set[0]), shown(set[1]),
          oracle.check().versions());
      out.flush();
      List<ParityCase.Evaluation> evals = List.of(
          new ParityCase.Evaluation("bbox", "auto", "pycocotools"),
          new ParityCase.Evaluation("segm", "auto", "pycocotools"),
          new ParityCase.Evaluation("segm", "mask", "pycocotools"));
      ParityRun.Summary s = ParityRun.compareFiles(oracle, set[0], set[1], evals,
          parityOut.resolve("scale"), w);
      for (ParityRun.Difference d : s.differences()) {
        out.println("differing: " + d.evaluation().label() + ": " + d.what());
      }
      out.printf(Locale.ROOT, "evaluations: %d, identical (12 stats and every category's AP,"
          + " bit for bit): %d, differing: %d (%.0fs)%n", s.evaluations(), s.identical(),
          s.differing(), (System.nanoTime() - t0) / 1e9);
      return s.differing() == 0 ? 0 : 1;
    }
    out.printf(Locale.ROOT, "parity: seed %d, %d cases, %d workers, oracle %s%n", seed, cases,
        w, oracle.check().versions());
    out.flush();
    ParityRun.Summary s = new ParityRun(oracle, seed, cases, parityOut).workers(w)
        .run(line -> {
          spec.commandLine().getErr().println(line);
          spec.commandLine().getErr().flush();
        });
    out.printf(Locale.ROOT, "cases run: %d, evaluations: %d, identical: %d, refused by both: %d,"
        + " differing: %d (%.0fs)%n", s.cases(), s.evaluations(), s.identical(),
        s.refusedByBoth(), s.differing(), (System.nanoTime() - t0) / 1e9);
    for (ParityRun.Difference d : s.differences().subList(0, Math.min(5, s.differences().size()))) {
      out.println("differing: " + d.parityCase().describe(d.caseIndex()) + " "
          + d.evaluation().label() + ": " + d.what() + " -> " + shown(d.writtenTo()));
    }
    out.flush();
    return s.differing() == 0 ? 0 : 1;
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    if (!List.of("eval", "import", "infer", "parity").contains(what)) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "unknown benchmark '" + what + "'; available: eval, import, infer, parity");
    }
    if ("parity".equals(what)) {
      return benchParity(out);
    }
    if ("infer".equals(what)) {
      return benchInfer(out);
    }
    Path[] set = syntheticSet(out);
    Path gt = set[0];
    Path dt = set[1];
    out.printf(Locale.ROOT, "machine: %d cores, java %s%n",
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
    if ("import".equals(what)) {
      return benchImport(out, gt, dt);
    }
    warmUp(out, "eval");
    out.printf(Locale.ROOT, "%-6s %9s %12s %8s   %s%n", "iou", "wall s", "peak RSS MB", "AP",
        "target (2 cores)");
    for (String iou : ious) {
      double best = Double.MAX_VALUE;
      long rss = 0;
      double ap = Double.NaN;
      for (int r = 0; r < repeat; r++) {
        Path json = Files.createTempFile("zoobench-bench", ".json");
        try {
          Measured m = runEval(gt, dt, iou, json);
          best = Math.min(best, m.seconds);
          rss = Math.max(rss, m.peakRssKb);
          JsonNode doc = JSON.readTree(json.toFile());
          ap = doc.get("stats").get(0).asDouble();
        } finally {
          Files.deleteIfExists(json);
        }
      }
      String target = iou.equals("bbox") ? "<= 7.5 s, <= 1500 MB"
          : iou.equals("segm") ? "<= 14 s, <= 1500 MB" : "";
      out.printf(Locale.ROOT, "%-6s %9.2f %12.0f %8.4f   %s%n", iou, best, rss / 1024.0, ap,
          target);
      out.flush();
    }
    return 0;
  }

  /**
   * One run of each, on the same files: {@code zoobench eval} per IoU type (whole process), then
   * {@code zoobench import --master local[2]} of all IoU types (whole process), reading the
   * import's evaluation-stage time from its runs row.
   */
  private int benchImport(PrintWriter out, Path gt, Path dt)
      throws IOException, InterruptedException {
    warmUp(out, "eval", "import");
    double evalTotal = 0;
    for (String iou : ious) {
      Path json = Files.createTempFile("zoobench-bench", ".json");
      try {
        Measured m = runEval(gt, dt, iou, json);
        evalTotal += m.seconds;
        out.printf(Locale.ROOT, "eval %-6s %8.2f s  (peak RSS %.0f MB)%n", iou, m.seconds,
            m.peakRssKb / 1024.0);
        out.flush();
      } finally {
        Files.deleteIfExists(json);
      }
    }
    Path warehouse = Files.createTempDirectory("zoobench-bench-wh");
    String home = System.getProperty("zoobench.home", ".");
    List<String> cmd = List.of(Path.of(home, "bin", "zoobench").toString(), "import",
        "--annotations", gt.toString(), "--results", dt.toString(), "--iou", String.join(",", ious),
        "--warehouse", warehouse.toString(), "--run-id", "bench", "--master", "local[2]");
    long t0 = System.nanoTime();
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    int exit = p.waitFor();
    double whole = (System.nanoTime() - t0) / 1e9;
    if (exit != 0) {
      throw new IllegalStateException("zoobench import failed:\n" + log);
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("evaluation ([0-9.]+)s, total")
        .matcher(log);
    double evalStage = m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    out.printf(Locale.ROOT, "import (%s, local[2]): evaluation stage %.2f s, whole job %.2f s%n",
        String.join(",", ious), evalStage, whole);
    out.printf(Locale.ROOT, "ratios to single-process eval (%.2f s): evaluation stage %.2fx"
        + " (target <= 1.2x), whole job %.2fx (target <= 2x)%n", evalTotal, evalStage / evalTotal,
        whole / evalTotal);
    return 0;
  }

  @Option(names = "--shapes", defaultValue = "bench-data/shapes-500", paramLabel = "DIR",
      description = "bench infer: rendered shapes set (made once with tools/fixtures/"
          + "render_shapes.py; default ${DEFAULT-VALUE}).")
  Path shapes;

  @Option(names = "--shape-images", defaultValue = "500", paramLabel = "N",
      description = "bench infer: images to render when the set is missing (default 500).")
  int shapeImages;

  /**
   * {@code zoobench evaluate} of the demo Mask R-CNN on a rendered shapes set, as whole
   * processes: one single-threaded task ({@code local[1]}, one shard), then two
   * ({@code local[2]}, two shards); reports each run's per-task fps (end-to-end and compute)
   * and the throughput of the inference stage (images per second of wall time).
   */
  private int benchInfer(PrintWriter out) throws IOException, InterruptedException {
    String home = System.getProperty("zoobench.home", ".");
    Path ann = shapes.resolve("instances.json");
    if (!Files.isRegularFile(ann)) {
      List<String> render = List.of("/usr/bin/python3",
          Path.of(home, "tools/fixtures/render_shapes.py").toString(), "--count",
          Integer.toString(shapeImages), "--seed", "500", "--out", shapes.toString());
      out.println(Redaction.text("rendering " + shapeImages + " shapes images into " + shapes
          + ": " + String.join(" ", render)));
      out.flush();
      Process p = new ProcessBuilder(render).inheritIO().start();
      if (p.waitFor() != 0 || !Files.isRegularFile(ann)) {
        throw new io.zoobench.coco.InvalidInputException("could not render the shapes set ("
            + String.join(" ", render) + "); it needs Debian's python3-numpy and python3-pil");
      }
    }
    out.printf(Locale.ROOT, "data: %s; machine: %d cores, java %s%n", shown(shapes),
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
    double[] one = runInfer(out, home, ann, "local[1]", 1);
    double[] two = runInfer(out, home, ann, "local[2]", 2);
    out.printf(Locale.ROOT, "end-to-end / compute fps: %.2f (local[1]), %.2f (local[2])"
        + " (target >= 0.9)%n", one[0] / one[1], two[0] / two[1]);
    out.printf(Locale.ROOT, "throughput local[2] / local[1]: %.2fx (target >= 1.7x)%n",
        two[2] / one[2]);
    return 0;
  }

  /** {fps end-to-end, fps compute, images per second of the inference stage} of one run. */
  private double[] runInfer(PrintWriter out, String home, Path ann, String master, int shards)
      throws IOException, InterruptedException {
    Path warehouse = Files.createTempDirectory("zoobench-bench-wh");
    List<String> cmd = List.of(Path.of(home, "bin", "zoobench").toString(), "evaluate",
        "--annotations", ann.toString(), "--images", shapes.resolve("images").toString(),
        "--model", Path.of(home, "conf/zoo/demo.yaml").toString() + "#shapes-maskrcnn-tiny",
        "--warehouse", warehouse.toString(), "--run-id", "bench", "--master", master,
        "--shards", Integer.toString(shards));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes(),
        java.nio.charset.StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("zoobench evaluate failed:\n" + log);
    }
    java.util.regex.Matcher fps = java.util.regex.Pattern.compile(
        "fps per task: ([0-9.]+) end-to-end, ([0-9.]+) compute").matcher(log);
    java.util.regex.Matcher run = java.util.regex.Pattern.compile(
        "run bench: ([0-9]+) images \\(([0-9]+) failed\\), [0-9]+ predictions, inference ([0-9.]+)s")
        .matcher(log);
    if (!fps.find() || !run.find()) {
      throw new IllegalStateException("unexpected zoobench evaluate output:\n" + log);
    }
    double[] r = {Double.parseDouble(fps.group(1)), Double.parseDouble(fps.group(2)),
        Long.parseLong(run.group(1)) / Double.parseDouble(run.group(3))};
    out.printf(Locale.ROOT, "%-9s %d task(s): fps per task %.1f end-to-end, %.1f compute;"
        + " inference stage %.1f images/s%n", master, shards, r[0], r[1], r[2]);
    out.flush();
    return r;
  }

  /**
   * One untimed run of each verb on the bundled 50-image fixture: the launcher saves a verb's
   * class-data archive on its first run after a build (slower, once), and the timings are of
   * the runs after that, as users see them.
   */
  private void warmUp(PrintWriter out, String... verbs) throws IOException, InterruptedException {
    String home = System.getProperty("zoobench.home", ".");
    String gt = Path.of(home, "fixtures/shapes-val/instances.json").toString();
    String dt = Path.of(home, "fixtures/expected/shapes_maskrcnn_val.json").toString();
    for (String verb : verbs) {
      List<String> cmd = new ArrayList<>(List.of(Path.of(home, "bin", "zoobench").toString(),
          verb));
      if (verb.equals("eval")) {
        cmd.addAll(List.of("--gt", gt, "--dt", dt, "--iou", "segm", "-q"));
      } else {
        cmd.addAll(List.of("--annotations", gt, "--results", dt, "--iou", "bbox,segm",
            "--warehouse", Files.createTempDirectory("zoobench-bench-wh").toString(),
            "--master", "local[2]"));
      }
      out.printf(Locale.ROOT, "warm-up: zoobench %s on the bundled fixture (untimed)%n", verb);
      out.flush();
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (p.waitFor() != 0) {
        throw new IllegalStateException("warm-up run failed: " + String.join(" ", cmd));
      }
    }
  }

  /** A path as the report shows it: without user info. */
  private static String shown(Object path) {
    return Redaction.path(String.valueOf(path));
  }

  /** Wall time and peak resident set of one whole {@code zoobench eval} process. */
  record Measured(double seconds, long peakRssKb) {}

  private Measured runEval(Path gt, Path dt, String iou, Path json)
      throws IOException, InterruptedException {
    String home = System.getProperty("zoobench.home", ".");
    List<String> cmd = new ArrayList<>(List.of(Path.of(home, "bin", "zoobench").toString(), "eval",
        "--gt", gt.toString(), "--dt", dt.toString(), "--iou", iou, "--json", json.toString(),
        "-q"));
    long t0 = System.nanoTime();
    Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    Path status = Path.of("/proc", Long.toString(p.pid()), "status");
    long peak = 0;
    while (p.isAlive()) {
      peak = Math.max(peak, vmHwmKb(status));
      Thread.sleep(5);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (p.exitValue() != 0) {
      throw new IllegalStateException("zoobench eval --iou " + iou + " failed with exit status "
          + p.exitValue());
    }
    return new Measured(seconds, peak);
  }

  /** VmHWM (the kernel's peak resident set) of a live process, 0 once it is gone. */
  private static long vmHwmKb(Path status) {
    try {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      // the process just exited
    }
    return 0;
  }
}
