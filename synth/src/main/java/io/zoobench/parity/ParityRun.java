package io.zoobench.parity;

import io.zoobench.coco.CocoDataset;
import io.zoobench.coco.CocoJsonReader;
import io.zoobench.coco.CocoResults;
import io.zoobench.coco.InvalidInputException;
import io.zoobench.eval.CocoEvaluator;
import io.zoobench.eval.EvalParams;
import io.zoobench.eval.EvalResult;
import io.zoobench.eval.LoadRes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The differential test against pycocotools: random cases from {@link ParityCaseGenerator},
 * each evaluated by pycocotools ({@link PycocotoolsOracle}) and by zoobench's evaluator exactly
 * as {@code zoobench eval} runs it, compared bit for bit — the 12 stats and every category's
 * AP — or, where pycocotools raises, checked to be refused by zoobench too.
 *
 * <p>Cases run in batches, one Python process per batch, {@code workers} batches at a time. A
 * differing evaluation is written out ({@code gt.json}, {@code dt.json}, {@code README.txt}
 * with both outcomes and the commands that reproduce them); the others leave nothing behind.
 * The JUnit differential test and {@code zoobench bench parity} both run this.
 *
 * <pre>{@code
 * ParityRun.Summary s = new ParityRun(oracle, 42, 200, work).run(System.err::println);
 * assert s.differing() == 0;
 * }</pre>
 */
public final class ParityRun {
  private static final int BATCH = 100;

  /** How zoobench's side of one evaluation ended. */
  public record Outcome(EvalResult result, String refusal, String crash) {}

  /** One evaluation where zoobench and pycocotools disagree. */
  public record Difference(long caseIndex, ParityCase parityCase, ParityCase.Evaluation evaluation,
      String what, Path writtenTo) {}

  /** What a run found. */
  public record Summary(long cases, long evaluations, long identical, long refusedByBoth,
      List<Difference> differences) {
    public long differing() {
      return differences.size();
    }

    /** {@code 200 cases, 812 evaluations: 790 identical, 22 refused by both, 0 differing}. */
    public String line() {
      return String.format(Locale.ROOT, "%d cases, %d evaluations: %d identical (bit for bit),"
          + " %d refused by both, %d differing", cases, evaluations, identical, refusedByBoth,
          differing());
    }
  }

  private final PycocotoolsOracle oracle;
  private final long seed;
  private final long firstCase;
  private final int cases;
  private final Path work;
  private int workers = 1;

  /**
   * @param seed the run's seed: case {@code i} is {@code ParityCaseGenerator.generate(seed, i)}
   * @param cases how many cases, from case 0
   * @param work a folder for the batches and the differing cases
   */
  public ParityRun(PycocotoolsOracle oracle, long seed, int cases, Path work) {
    this(oracle, seed, 0, cases, work);
  }

  /** Cases {@code firstCase .. firstCase + cases - 1} of {@code seed}. */
  public ParityRun(PycocotoolsOracle oracle, long seed, long firstCase, int cases, Path work) {
    this.oracle = oracle.check();
    this.seed = seed;
    this.firstCase = firstCase;
    this.cases = cases;
    this.work = work;
  }

  /** Batches run at once (one Python process each). */
  public ParityRun workers(int n) {
    this.workers = Math.max(1, n);
    return this;
  }

  /** Runs every case; {@code progress} gets a line per finished batch. */
  public Summary run(Consumer<String> progress) {
    ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
      Thread t = new Thread(r, "zoobench-parity");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<Summary>> batches = new ArrayList<>();
      for (long from = firstCase; from < firstCase + cases; from += BATCH) {
        long start = from;
        long end = Math.min(firstCase + cases, from + BATCH);
        batches.add(pool.submit(() -> batch(start, end)));
      }
      long done = 0;
      long evaluations = 0;
      long identical = 0;
      long refused = 0;
      List<Difference> differences = new ArrayList<>();
      for (Future<Summary> f : batches) {
        Summary s = f.get();
        done += s.cases();
        evaluations += s.evaluations();
        identical += s.identical();
        refused += s.refusedByBoth();
        differences.addAll(s.differences());
        progress.accept(String.format(Locale.ROOT, "parity: %d/%d cases, %d evaluations,"
            + " %d differing", done, cases, evaluations, differences.size()));
      }
      differences.sort(Comparator.comparingLong(Difference::caseIndex));
      return new Summary(done, evaluations, identical, refused, differences);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } finally {
      pool.shutdownNow();
    }
  }

  private Summary batch(long from, long to) throws IOException {
    Path dir = work.resolve("batch-" + from);
    List<ParityCase> made = new ArrayList<>();
    List<PycocotoolsOracle.Job> jobs = new ArrayList<>();
    for (long i = from; i < to; i++) {
      ParityCase c = ParityCaseGenerator.generate(seed, i);
      made.add(c);
      Path caseDir = dir.resolve("case-" + i);
      c.write(caseDir);
      for (int e = 0; e < c.evaluations().size(); e++) {
        jobs.add(new PycocotoolsOracle.Job(i + "/" + e, caseDir.resolve(ParityCase.GT_FILE),
            caseDir.resolve(ParityCase.DT_FILE), c.evaluations().get(e)));
      }
    }
    List<PycocotoolsOracle.Answer> answers = oracle.run(jobs, dir);
    long identical = 0;
    long refused = 0;
    List<Difference> differences = new ArrayList<>();
    for (int j = 0; j < jobs.size(); j++) {
      PycocotoolsOracle.Job job = jobs.get(j);
      PycocotoolsOracle.Answer answer = answers.get(j);
      if (!answer.id().equals(job.id())) {
        throw new IllegalStateException("the oracle answered " + answer.id() + " for " + job.id());
      }
      Outcome ours = zoobench(job.gt(), job.dt(), job.evaluation().params());
      String what = compare(answer, ours);
      if (what == null) {
        if (answer.error() != null) {
          refused++;
        } else {
          identical++;
        }
        continue;
      }
      long index = Long.parseLong(job.id().substring(0, job.id().indexOf('/')));
      ParityCase c = made.get((int) (index - from));
      differences.add(new Difference(index, c, job.evaluation(), what,
          writeOut(index, c, job, answer, ours, what)));
    }
    deleteTree(dir);
    return new Summary(to - from, jobs.size(), identical, refused, differences);
  }

  /**
   * One file pair (e.g. a val2017-scale synthetic set) under several evaluations: pycocotools
   * runs each in a process of its own, {@code workers} at a time; zoobench on every core.
   * Differences are reported, the files are not copied.
   */
  public static Summary compareFiles(PycocotoolsOracle oracle, Path gt, Path dt,
      List<ParityCase.Evaluation> evaluations, Path work, int workers) {
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, workers));
    try {
      List<Future<PycocotoolsOracle.Answer>> answers = new ArrayList<>();
      for (int e = 0; e < evaluations.size(); e++) {
        PycocotoolsOracle.Job job = new PycocotoolsOracle.Job(evaluations.get(e).label(), gt, dt,
            evaluations.get(e));
        Path dir = work.resolve("files-" + e);
        answers.add(pool.submit(() -> oracle.run(List.of(job), dir).get(0)));
      }
      long identical = 0;
      long refused = 0;
      List<Difference> differences = new ArrayList<>();
      int threads = Runtime.getRuntime().availableProcessors();
      for (int e = 0; e < evaluations.size(); e++) {
        PycocotoolsOracle.Answer answer = answers.get(e).get();
        String what = compare(answer, zoobench(gt, dt, evaluations.get(e).params(), threads));
        if (what == null) {
          if (answer.error() != null) {
            refused++;
          } else {
            identical++;
          }
        } else {
          differences.add(new Difference(0, null, evaluations.get(e), what, null));
        }
      }
      return new Summary(1, evaluations.size(), identical, refused, differences);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } finally {
      pool.shutdownNow();
    }
  }

  /** zoobench's evaluation of one file pair, the way {@code zoobench eval} runs it. */
  public static Outcome zoobench(Path gt, Path dt, EvalParams params) {
    return zoobench(gt, dt, params, 1);
  }

  /** As {@link #zoobench(Path, Path, EvalParams)}, on {@code threads} threads. */
  public static Outcome zoobench(Path gt, Path dt, EvalParams params, int threads) {
    try {
      CocoDataset d = CocoJsonReader.readDataset(gt);
      CocoResults r = CocoJsonReader.readResults(dt, LoadRes.masksNeeded(params));
      return new Outcome(new CocoEvaluator(params, threads).evaluate(d, r), null, null);
    } catch (InvalidInputException e) {
      return new Outcome(null, e.getMessage(), null);
    } catch (RuntimeException e) {
      return new Outcome(null, null, e.toString());
    }
  }

  /** Why the two outcomes differ, or {@code null} when they agree. */
  public static String compare(PycocotoolsOracle.Answer oracle, Outcome ours) {
    if (ours.crash() != null) {
      return "zoobench crashed: " + ours.crash();
    }
    if (oracle.error() != null) {
      return ours.refusal() != null ? null
          : "pycocotools raises (" + oracle.error() + "), zoobench evaluates";
    }
    if (ours.refusal() != null) {
      return "pycocotools evaluates, zoobench refuses: " + ours.refusal();
    }
    return compare(oracle, ours.result().stats(), ours.result().perCategory());
  }

  /** Why zoobench's stats and per-category AP differ from pycocotools', or {@code null}. */
  public static String compare(PycocotoolsOracle.Answer oracle, double[] stats,
      List<EvalResult.CategoryAp> perCategory) {
    List<String> diffs = new ArrayList<>();
    for (int k = 0; k < 12; k++) {
      if (Double.doubleToLongBits(oracle.stats()[k]) != Double.doubleToLongBits(stats[k])) {
        diffs.add("stats[" + k + "] pycocotools " + oracle.stats()[k] + " zoobench " + stats[k]);
      }
    }
    if (perCategory.size() != oracle.perCategory().size()) {
      diffs.add("per-category AP of " + oracle.perCategory().size() + " categories, zoobench "
          + perCategory.size());
    }
    for (EvalResult.CategoryAp c : perCategory) {
      Double expected = oracle.perCategory().get(c.id());
      double got = c.ap();
      boolean same = expected == null ? Double.isNaN(got)
          : Double.doubleToLongBits(expected) == Double.doubleToLongBits(got);
      if (!same && oracle.perCategory().containsKey(c.id())) {
        diffs.add("AP of category " + c.id() + " pycocotools " + expected + " zoobench " + got);
      }
    }
    return diffs.isEmpty() ? null : String.join("; ", diffs);
  }

  private Path writeOut(long index, ParityCase c, PycocotoolsOracle.Job job,
      PycocotoolsOracle.Answer answer, Outcome ours, String what) throws IOException {
    Path dir = work.resolve("differing").resolve("case-" + index + "-"
        + job.evaluation().label().replace('/', '-'));
    c.write(dir);
    String zoobench = ours.result() != null ? Arrays.toString(ours.result().stats())
        : ours.refusal() != null ? "refused: " + ours.refusal() : "crashed: " + ours.crash();
    String pycocotools = answer.error() != null ? "raised: " + answer.error()
        : Arrays.toString(answer.stats());
    Files.writeString(dir.resolve("README.txt"), String.join("\n",
        c.describe(index) + ", evaluation " + job.evaluation().label(),
        "difference: " + what,
        "pycocotools: " + pycocotools,
        "zoobench:    " + zoobench,
        "",
        "reproduce:",
        "  bin/zoobench eval --gt gt.json --dt dt.json " + job.evaluation().flags(),
        "  echo '{\"id\": \"x\", \"gt\": \"gt.json\", \"dt\": \"dt.json\", \"iou\": \""
            + job.evaluation().iou() + "\", \"det_area\": \"" + job.evaluation().detArea()
            + "\", \"mode\": \"" + job.evaluation().mode() + "\"}' | .venv/oracle/bin/python"
            + " tools/oracle/coco_oracle.py",
        ""), StandardCharsets.UTF_8);
    return dir;
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      List<Path> paths = new ArrayList<>(s.toList());
      Collections.reverse(paths);
      for (Path p : paths) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
