package io.zoobench.parity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zoobench.coco.Redaction;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * pycocotools itself, run as a Python process ({@code tools/oracle/coco_oracle.py}), for the
 * differential tests: given evaluations as (id, gt file, results file, flags) it returns
 * pycocotools' 12 stats and per-category AP as exact doubles (the script writes
 * {@code float.hex}), or the exception pycocotools raised.
 *
 * <p>A missing interpreter, a missing pycocotools, or a script that dies is an
 * {@link IllegalStateException} saying how to make the environment: the oracle never silently
 * answers nothing.
 */
public final class PycocotoolsOracle {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What pycocotools said for one evaluation: stats, or the error it raised. */
  public record Answer(String id, double[] stats, Map<Long, Double> perCategory, String error) {}

  /** One evaluation to run. */
  public record Job(String id, Path gt, Path dt, ParityCase.Evaluation evaluation) {}

  /**
   * pycocotools' accumulated arrays of one evaluation, flattened in C order:
   * {@code precision[T, R, K, A, M]} ({@code eval['precision']}) and {@code recall[T, K, A, M]}
   * ({@code eval['recall']}), with the category ids of K ({@code -1} without useCats) and the
   * maxDets of M.
   */
  public record Curves(String id, long[] categoryIds, int[] maxDets, int[] precisionShape,
      double[] precision, double[] recall) {
    /** {@code eval['precision'][t, r, k, a, m]}. */
    public double precision(int t, int r, int k, int a, int m) {
      int[] s = precisionShape;
      return precision[(((t * s[1] + r) * s[2] + k) * s[3] + a) * s[4] + m];
    }

    /** {@code eval['recall'][t, k, a, m]}. */
    public double recall(int t, int k, int a, int m) {
      int[] s = precisionShape;
      return recall[((t * s[2] + k) * s[3] + a) * s[4] + m];
    }
  }

  private final Path python;
  private final Path script;

  /**
   * @param python the interpreter of a venv with pycocotools (tools/python/setup.sh oracle)
   * @param script {@code tools/oracle/coco_oracle.py}
   */
  public PycocotoolsOracle(Path python, Path script) {
    this.python = python;
    this.script = script;
  }

  /** The oracle of a checkout: {@code .venv/oracle/bin/python} and the script under tools/. */
  public static PycocotoolsOracle inCheckout(Path root) {
    return new PycocotoolsOracle(root.resolve(".venv/oracle/bin/python"),
        root.resolve("tools/oracle/coco_oracle.py"));
  }

  /** Fails with instructions unless the interpreter and the script exist. */
  public PycocotoolsOracle check() {
    if (!Files.isExecutable(python)) {
      throw new IllegalStateException("the pycocotools oracle needs " + shown(python) + ": run"
          + " tools/python/setup.sh oracle (Maven runs it before the tests)");
    }
    if (!Files.isRegularFile(script)) {
      throw new IllegalStateException("the pycocotools oracle script " + shown(script)
          + " is missing");
    }
    return this;
  }

  /** {@code pycocotools 2.0.11, numpy 2.4.6, python 3.11.7}: what answers. */
  public String versions() {
    check();
    try {
      Process p = new ProcessBuilder(python.toString(), script.toString(), "--versions")
          .redirectErrorStream(true).start();
      String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (p.waitFor() != 0) {
        throw new IllegalStateException("the pycocotools oracle " + shown(python)
            + " does not run: " + text);
      }
      return text;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Runs {@code jobs} in one Python process; {@code work} holds its input and output. */
  public List<Answer> run(List<Job> jobs, Path work) {
    List<Answer> answers = new ArrayList<>();
    for (JsonNode n : answers(jobs, work, false)) {
      answers.add(answer(n));
    }
    return answers;
  }

  /**
   * pycocotools' {@code eval['precision']} and {@code eval['recall']} of each job (one Python
   * process); a job pycocotools refuses is an {@link IllegalStateException} naming its error.
   */
  public List<Curves> curves(List<Job> jobs, Path work) {
    List<Curves> out = new ArrayList<>();
    for (JsonNode n : answers(jobs, work, true)) {
      if (!n.path("error").isNull() && !n.path("error").isMissingNode()) {
        throw new IllegalStateException("pycocotools refused " + n.get("id").asText() + ": "
            + n.get("error").asText());
      }
      JsonNode c = n.get("curves");
      out.add(new Curves(n.get("id").asText(), longs(c.get("cat_ids")), ints(c.get("max_dets")),
          ints(c.get("precision_shape")), hexDoubles(c.get("precision")),
          hexDoubles(c.get("recall"))));
    }
    return out;
  }

  private static long[] longs(JsonNode array) {
    long[] out = new long[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asLong();
    }
    return out;
  }

  private static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asInt();
    }
    return out;
  }

  /** Doubles written by Python's {@code float.hex} (exact), which Java parses as they are. */
  private static double[] hexDoubles(JsonNode array) {
    double[] out = new double[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = Double.parseDouble(array.get(i).asText());
    }
    return out;
  }

  private List<JsonNode> answers(List<Job> jobs, Path work, boolean curves) {
    check();
    try {
      Files.createDirectories(work);
      Path in = work.resolve("jobs.jsonl");
      Path out = work.resolve("answers.jsonl");
      Path log = work.resolve("oracle.log");
      try (BufferedWriter w = Files.newBufferedWriter(in, StandardCharsets.UTF_8)) {
        for (Job j : jobs) {
          Map<String, Object> line = new HashMap<>();
          line.put("id", j.id());
          line.put("gt", j.gt().toAbsolutePath().toString());
          line.put("dt", j.dt().toAbsolutePath().toString());
          line.put("iou", j.evaluation().iou());
          line.put("det_area", j.evaluation().detArea());
          line.put("mode", j.evaluation().mode());
          line.put("curves", curves);
          w.write(JSON.writeValueAsString(line));
          w.write('\n');
        }
      }
      Process p = new ProcessBuilder(python.toString(), script.toString(), "--jobs",
          in.toString(), "--out", out.toString())
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      int rc;
      try {
        rc = p.waitFor();
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while pycocotools ran", e);
      }
      if (rc != 0) {
        throw new IllegalStateException("the pycocotools oracle (" + shown(python) + " "
            + shown(script) + ") exited with " + rc + ": " + tail(log));
      }
      List<JsonNode> answers = new ArrayList<>();
      for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          answers.add(JSON.readTree(line));
        }
      }
      if (answers.size() != jobs.size()) {
        throw new IllegalStateException("the pycocotools oracle answered " + answers.size()
            + " of " + jobs.size() + " evaluations: " + tail(log));
      }
      return answers;
    } catch (IOException e) {
      throw new UncheckedIOException("running the pycocotools oracle " + shown(python), e);
    }
  }

  /** A path as messages show it: without user info (--python is the user's). */
  private static String shown(Path p) {
    return Redaction.path(p.toString());
  }

  private static Answer answer(JsonNode n) {
    String id = n.get("id").asText();
    if (!n.path("error").isNull() && !n.path("error").isMissingNode()) {
      return new Answer(id, null, null, n.get("error").asText());
    }
    double[] stats = new double[12];
    for (int i = 0; i < 12; i++) {
      stats[i] = Double.parseDouble(n.get("stats").get(i).asText());
    }
    Map<Long, Double> perCategory = new HashMap<>();
    for (JsonNode c : n.get("per_category")) {
      JsonNode ap = c.get("ap");
      perCategory.put(c.get("id").asLong(), ap.isNull() ? null : Double.parseDouble(ap.asText()));
    }
    return new Answer(id, stats, perCategory, null);
  }

  private static String tail(Path log) throws IOException {
    if (!Files.exists(log)) {
      return "(no output)";
    }
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
  }
}
