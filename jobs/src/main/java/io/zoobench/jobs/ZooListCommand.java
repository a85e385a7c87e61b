package io.zoobench.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zoobench.zoo.ModelSpec;
import io.zoobench.zoo.ZooManifest;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code zoobench zoo list}: the models of a zoo manifest with their published reference
 * figures, in manifest order, as the model-zoo table or as JSON lines. Reads the manifest only:
 * no Spark, no model files (an artifact's unset {@code ${ZOO_ROOT}} is no error here).
 *
 * <p>The JSON lines are a contract (scripts and acceptance checks read them): one object per
 * model with {@code name}, {@code family}, {@code arch}, {@code backbone}, {@code style},
 * {@code lr_schedule} and {@code reference}, which holds exactly
 * {@link ModelSpec#REFERENCE_KEYS}, AP and AR as fractions, {@code null} where no figure was
 * published. The table shows AP and AR as the published percentages (37.1).
 *
 * <pre>
 * zoobench zoo list --manifest conf/zoo/mmdet-v1.yaml --format jsonl
 * </pre>
 */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description = "Lists a zoo manifest's models and published figures (no Spark, no model files).")
public final class ZooListCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Output format of {@code --format}. */
  enum Format { table, jsonl }

  /** The table's columns: five texts (left-aligned), then the figures (right-aligned). */
  private static final String[] HEADER = {"name", "family/arch", "backbone", "style",
      "lr schd", "mem (GB)", "s/iter", "fps", "fps b8", "box AP", "mask AP", "AR1000"};

  @Option(names = "--manifest", required = true, paramLabel = "M.yaml",
      description = "The zoo manifest, e.g. conf/zoo/mmdet-v1.yaml.")
  Path manifest;

  @Option(names = "--format", defaultValue = "table", paramLabel = "table|jsonl",
      description = "table (default) or jsonl: one JSON object per model.")
  Format format;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws JsonProcessingException {
    List<ModelSpec> models = ZooManifest.read(manifest).models();
    PrintWriter out = spec.commandLine().getOut();
    if (format == Format.jsonl) {
      for (ModelSpec m : models) {
        out.println(JSON.writeValueAsString(json(m)));
      }
    } else {
      printTable(out, models);
    }
    out.flush();
    return 0;
  }

  /** One model as the contract's JSON object. */
  private static ObjectNode json(ModelSpec m) {
    ObjectNode o = JSON.createObjectNode();
    o.put("name", m.name());
    o.put("family", m.family());
    o.put("arch", m.arch());
    o.put("backbone", m.backbone());
    o.put("style", m.style());
    o.put("lr_schedule", m.lrSchedule());
    ObjectNode ref = o.putObject("reference");
    for (String key : ModelSpec.REFERENCE_KEYS) {
      Double v = m.reference().get(key);
      if (v == null) {
        ref.putNull(key);
      } else {
        ref.put(key, v);
      }
    }
    return o;
  }

  private static void printTable(PrintWriter out, List<ModelSpec> models) {
    List<String[]> rows = new ArrayList<>();
    rows.add(HEADER);
    for (ModelSpec m : models) {
      String family = m.family().equals(m.arch()) ? m.family() : m.family() + "/" + m.arch();
      List<String> row = new ArrayList<>(List.of(m.name(), family, m.backbone(),
          m.style(), m.lrSchedule()));
      for (String key : ModelSpec.REFERENCE_KEYS) {
        Double v = m.reference().get(key);
        row.add(v == null ? "-" : figure(v, ModelSpec.FRACTION_KEYS.contains(key)));
      }
      rows.add(row.toArray(String[]::new));
    }
    int[] width = new int[HEADER.length];
    for (String[] r : rows) {
      for (int c = 0; c < r.length; c++) {
        width[c] = Math.max(width[c], r[c].length());
      }
    }
    int textColumns = 5;
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < r.length; c++) {
        String cell = r[c];
        String pad = " ".repeat(width[c] - cell.length());
        line.append(c == 0 ? "" : "  ").append(c < textColumns ? cell + pad : pad + cell);
      }
      out.println(line.toString().stripTrailing());
    }
  }

  /**
   * A figure as published: AP/AR as percentages (0.371 → 37.1), at least one decimal (20.0
   * fps stays 20.0), never more digits than the manifest gives.
   */
  private static String figure(double v, boolean percent) {
    BigDecimal d = BigDecimal.valueOf(v);
    if (percent) {
      d = d.movePointRight(2);
    }
    d = d.stripTrailingZeros();
    return d.setScale(Math.max(1, d.scale())).toPlainString();
  }
}
