package io.zoobench.jobs;

import io.zoobench.coco.CocoDataset;
import io.zoobench.coco.CocoJsonReader;
import io.zoobench.coco.CocoResults;
import io.zoobench.coco.OutputPaths;
import io.zoobench.eval.CocoEvaluator;
import io.zoobench.eval.EvalInputs;
import io.zoobench.eval.EvalParams;
import io.zoobench.eval.EvalReport;
import io.zoobench.eval.EvalResult;
import io.zoobench.eval.LoadRes;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code zoobench eval}: COCO evaluation of a results file against a ground-truth file in one
 * process, without Spark, printing what pycocotools' {@code summarize()} prints. The two files
 * are read in parallel; images are matched and categories accumulated on all cores.
 */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description = {
        "COCO evaluation (pycocotools parity) of a results file, without Spark.",
        "Prints the 12 summary lines of pycocotools' summarize() on stdout."})
public final class EvalCommand implements Callable<Integer> {
  /** What the evaluation measures: {@code --iou}. */
  enum Iou { bbox, segm, proposal }

  /** Whose maxDets convention: {@code --mode}. */
  enum ModeOption { pycocotools, mmdet }

  /** Where detection areas come from: {@code --det-area}. */
  enum DetAreaOption { box, mask }

  @Option(names = "--gt", required = true, paramLabel = "GT.json",
      description = "COCO instances file (ground truth), .json or .json.gz.")
  Path gt;

  @Option(names = "--dt", required = true, paramLabel = "DT.json",
      description = "Results file: [{image_id, category_id, bbox, score[, segmentation]}], .json or .json.gz.")
  Path dt;

  @Option(names = "--iou", required = true, paramLabel = "bbox|segm|proposal",
      description = "bbox: box AP; segm: mask AP; proposal: class-agnostic AR@100/300/1000.")
  Iou iou;

  @Option(names = "--det-area", paramLabel = "box|mask",
      description = "Detection area for the area ranges: box = w*h (pycocotools with results that"
          + " carry a bbox), mask = mask pixel area (Detectron2). Default: as pycocotools'"
          + " loadRes, box when the first result has a bbox.")
  DetAreaOption detArea;

  @Option(names = "--mode", defaultValue = "pycocotools", paramLabel = "pycocotools|mmdet",
      description = "pycocotools: maxDets 1/10/100 (default); mmdet: maxDets 100/300/1000 for every"
          + " metric, as MMDetection's CocoMetric.")
  ModeOption mode;

  @Option(names = "--per-category", description = "Also print AP per category (Detectron2's definition).")
  boolean perCategory;

  @Option(names = "--json", paramLabel = "FILE|-",
      description = "Write {iou, stats, stat_names, per_category} as json to FILE, or to stdout with -"
          + " (the summary lines then go to stderr).")
  String json;

  @Option(names = "--threads", paramLabel = "N",
      description = "Worker threads (default: all cores).")
  Integer threads;

  @Option(names = {"-q", "--quiet"}, description = "No progress lines on stderr.")
  boolean quiet;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (threads != null && threads < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--threads must be 1 or more, got " + threads);
    }
    if (json != null && !json.equals("-")) {
      OutputPaths.checkFile("--json", Path.of(json));
    }
    EvalParams params = params();
    long t0 = System.nanoTime();
    boolean keepMasks = LoadRes.masksNeeded(params);
    // ground truth and results are independent files: read both at once
    CompletableFuture<CocoResults> results =
        CompletableFuture.supplyAsync(() -> CocoJsonReader.readResults(dt, keepMasks));
    CocoDataset dataset;
    CocoResults detections;
    try {
      dataset = CocoJsonReader.readDataset(gt);
      detections = results.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : e;
    }
    long t1 = System.nanoTime();
    progress(err, "loaded %s (%d images, %d annotations) and %s (%d results) in %.2fs",
        gt.getFileName(), dataset.imageCount(), dataset.annotationCount(), dt.getFileName(),
        detections.size(), (t1 - t0) / 1e9);
    int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
    EvalInputs inputs = EvalInputs.prepare(params, dataset, detections, n);
    for (String w : inputs.warnings()) {
      err.println("warning: " + w);
    }
    EvalResult r = new CocoEvaluator(params, n).evaluate(inputs);
    long t2 = System.nanoTime();
    progress(err, "evaluated %s (%s, det area %s) in %.2fs: matching %.2fs, accumulation %.2fs",
        params.label(), params.mode().name().toLowerCase(Locale.ROOT), r.detAreaLabel(),
        (t2 - t1) / 1e9, r.matchSeconds(), r.accumulateSeconds());

    boolean jsonToStdout = "-".equals(json);
    PrintWriter summary = jsonToStdout ? err : out;
    for (String line : r.summaryLines()) {
      summary.println(line);
    }
    if (perCategory) {
      for (String line : EvalReport.perCategoryTable(r)) {
        summary.println(line);
      }
    }
    summary.flush();
    if (json != null) {
      if (jsonToStdout) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        EvalReport.writeJson(r, buf);
        out.print(buf.toString(StandardCharsets.UTF_8));
        out.flush();
      } else {
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(Path.of(json)))) {
          EvalReport.writeJson(r, os);
        }
      }
    }
    return 0;
  }

  private EvalParams params() {
    return params(iou, mode, detArea);
  }

  /** The evaluation the flags describe (shared with {@code import}). */
  static EvalParams params(Iou iou, ModeOption mode, DetAreaOption detArea) {
    EvalParams p = iou == Iou.proposal ? EvalParams.proposals()
        : EvalParams.of(iou == Iou.bbox ? EvalParams.IouType.BBOX : EvalParams.IouType.SEGM);
    if (mode == ModeOption.mmdet) {
      p = p.withMode(EvalParams.Mode.MMDET);
    }
    if (detArea != null) {
      p = p.withDetArea(detArea == DetAreaOption.box ? EvalParams.DetArea.BOX : EvalParams.DetArea.MASK);
    }
    return p;
  }

  private void progress(PrintWriter err, String fmt, Object... args) {
    if (!quiet) {
      err.println(String.format(Locale.ROOT, fmt, args));
      err.flush();
    }
  }
}
