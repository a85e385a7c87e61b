package io.zoobench.zoo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.zoobench.coco.InvalidInputException;
import io.zoobench.coco.Redaction;
import io.zoobench.detect.OutputAdapter;
import io.zoobench.detect.OutputAdapters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;

/**
 * A zoo manifest: a YAML file under {@code conf/zoo/} listing models ({@link ModelSpec}).
 * Every field is checked when the file is read; a problem is reported as one line naming the
 * file, the model and the field, e.g. {@code demo.yaml: models[0] (tiny): input.mean has 2
 * numbers, expected 3}. Unknown keys are refused, so a typo never silently falls back to a
 * default.
 *
 * <p>{@code ${NAME}} in an {@code artifact} is replaced when the file is read, from the
 * caller's variables, else the system property, else the environment variable NAME (e.g.
 * {@code artifact: ${ZOO_ROOT}/ssd300.pt}). One that is not set stays in the text: listing a
 * manifest needs no model files, so only {@link ModelSpec#artifactFile()} (and
 * {@link #resolve}, which picks a model to run) refuse it.
 *
 * <pre>
 * ModelSpec spec = ZooManifest.resolve("conf/zoo/demo.yaml#shapes-maskrcnn-tiny");
 * </pre>
 */
public final class ZooManifest {
  private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
      .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());
  private static final Set<String> MODEL_KEYS = Set.of("name", "family", "arch", "backbone",
      "style", "lr_schedule", "artifact", "input", "output", "labels", "score_threshold",
      "max_detections", "mask_threshold", "nms_iou", "batch_size", "proposals", "reference");
  private static final Set<String> PROPOSAL_KEYS = Set.of("from_model", "run_id", "top_k");
  private static final Set<String> INPUT_KEYS = Set.of("resize", "scale", "size_divisor",
      "mean", "std", "channels", "pixel_scale", "normalized_by_model", "pad_value",
      "exif_orientation");
  /** The letterbox canvas's grey when a manifest gives no {@code input.pad_value} (YOLOv5's). */
  static final double LETTERBOX_PAD_VALUE = 114;

  private final Path file;
  private final List<ModelSpec> models;

  private ZooManifest(Path file, List<ModelSpec> models) {
    this.file = file;
    this.models = List.copyOf(models);
  }

  public Path file() {
    return file;
  }

  public List<ModelSpec> models() {
    return models;
  }

  /** The model called {@code name}; the only one when {@code name} is null. */
  public ModelSpec model(String name) {
    if (name == null || name.isEmpty()) {
      if (models.size() == 1) {
        return models.get(0);
      }
      throw new InvalidInputException(file.getFileName() + ": holds " + models.size()
          + " models, name one with FILE#NAME: " + names());
    }
    return models.stream().filter(m -> m.name().equals(name)).findFirst()
        .orElseThrow(() -> new InvalidInputException(file.getFileName() + ": no model named '"
            + name + "' (models: " + names() + ")"));
  }

  private String names() {
    return String.join(", ", models.stream().map(ModelSpec::name).toList());
  }

  /**
   * {@code FILE.yaml[#name]}: reads the file and picks the model to run, refusing it when its
   * artifact names a variable that is not set.
   */
  public static ModelSpec resolve(String ref) {
    int hash = ref.lastIndexOf('#');
    String path = hash < 0 ? ref : ref.substring(0, hash);
    Redaction.checkNoCredentials("zoo manifest", path);
    ModelSpec spec = read(Path.of(path)).model(hash < 0 ? null : ref.substring(hash + 1));
    spec.artifactFile();
    return spec;
  }

  /** Reads {@code file}, taking {@code ${NAME}} from system properties and the environment. */
  public static ZooManifest read(Path file) {
    return read(file, Map.of());
  }

  /**
   * Reads {@code file}; {@code ${NAME}} in an artifact is taken from {@code variables}, else
   * the system property NAME, else the environment variable NAME (an empty value is unset).
   */
  public static ZooManifest read(Path file, Map<String, String> variables) {
    return read(file, name -> {
      String v = variables.get(name);
      if (v == null || v.isEmpty()) {
        v = System.getProperty(name);
      }
      if (v == null || v.isEmpty()) {
        v = System.getenv(name);
      }
      return v == null || v.isEmpty() ? null : v;
    });
  }

  /** Reads {@code file} with {@code variables} (null: not set) as the only source of values. */
  static ZooManifest read(Path file, Function<String, String> variables) {
    JsonNode root;
    String label = file.getFileName().toString();
    try {
      root = YAML.readTree(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      throw new InvalidInputException(Redaction.path(file.toString()) + ": no such file");
    } catch (IOException e) {
      throw new InvalidInputException(label + ": not valid YAML: "
          + e.getMessage().lines().findFirst().orElse(""));
    }
    if (root == null || !root.isObject() || !root.path("models").isArray()) {
      throw new InvalidInputException(label + ": expected a mapping with a 'models' list");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!key.equals("models")) {
        throw new InvalidInputException(label + ": " + key + " is not a known top-level field"
            + " (known: models)");
      }
    }
    List<ModelSpec> models = new ArrayList<>();
    Set<String> seen = new java.util.HashSet<>();
    int i = 0;
    for (JsonNode m : root.get("models")) {
      ModelSpec spec = new ModelReader(label, i, m, file.toAbsolutePath().getParent(),
          variables).read();
      if (!seen.add(spec.name())) {
        throw new InvalidInputException(label + ": models[" + i + "]: duplicate name '"
            + spec.name() + "'");
      }
      models.add(spec);
      i++;
    }
    if (models.isEmpty()) {
      throw new InvalidInputException(label + ": 'models' is empty");
    }
    return new ZooManifest(file, models);
  }

  /** Reads one entry, naming it in every message. */
  private static final class ModelReader {
    private final String file;
    private final JsonNode node;
    private final Path dir;
    private final Function<String, String> variables;
    private String where;

    ModelReader(String file, int index, JsonNode node, Path dir,
        Function<String, String> variables) {
      this.file = file;
      this.node = node;
      this.dir = dir;
      this.variables = variables;
      this.where = "models[" + index + "]";
    }

    private InvalidInputException bad(String field, String problem) {
      return new InvalidInputException(file + ": " + where + ": " + field + " " + problem);
    }

    ModelSpec read() {
      if (!node.isObject()) {
        throw bad("entry", "is not a mapping");
      }
      String name = text(node, "name", null);
      if (!name.matches("[A-Za-z0-9._-]+")) {
        throw bad("name", "'" + name + "' may only hold letters, digits, '.', '_' and '-'");
      }
      where = where + " (" + name + ")";
      unknownKeys(node, MODEL_KEYS, "");
      String output = adapter();
      OutputAdapter adapter = OutputAdapters.get(output);
      boolean proposals = adapter.proposals();
      Map<Long, Long> labels = labels(proposals);
      if (adapter.classIndexLabels()) {
        classIndices(labels, output);
      }
      double score = number(node, "score_threshold", adapter.defaultScoreThreshold(), 0, 1);
      int maxDets = integer(node, "max_detections", adapter.defaultMaxDetections(), 1, 100_000);
      double maskThreshold = number(node, "mask_threshold", 0.5, 0, 1);
      double nmsIou = adapter.defaultNmsIou();
      if (Double.isNaN(nmsIou) && node.hasNonNull("nms_iou")) {
        throw bad("nms_iou", "does not apply to output " + output + ": its models return"
            + " final detections");
      }
      if (!Double.isNaN(nmsIou)) {
        nmsIou = number(node, "nms_iou", nmsIou, 0, 1);
      }
      int batch = integer(node, "batch_size", 1, 1, 1024);
      String arch = text(node, "arch", null);
      return new ModelSpec(name, text(node, "family", arch), arch, text(node, "backbone", null),
          text(node, "style", ""), text(node, "lr_schedule", ""), artifact(), input(), output,
          Map.copyOf(labels), score, maxDets, maskThreshold, nmsIou, batch, proposals(output),
          reference(), file);
    }

    /**
     * The published figures. Names are checked like keys (a typo would drop a figure from the
     * zoo table), a figure the page does not give is absent or null, and AP/AR must be
     * fractions: 37.1 where 0.371 is meant is the mistake to catch.
     */
    private Map<String, Double> reference() {
      JsonNode ref = node.get("reference");
      if (ref == null || ref.isNull()) {
        return Map.of();
      }
      if (!ref.isObject()) {
        throw bad("reference", "is not a mapping");
      }
      Map<String, Double> reference = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = ref.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String key = e.getKey();
        if (!ModelSpec.REFERENCE_KEYS.contains(key)) {
          throw bad("reference." + key, "is not a known figure (known: "
              + String.join(", ", ModelSpec.REFERENCE_KEYS) + ")");
        }
        if (e.getValue().isNull()) {
          continue;
        }
        if (!e.getValue().isNumber()) {
          throw bad("reference." + key, "is not a number");
        }
        double v = e.getValue().asDouble();
        if (ModelSpec.FRACTION_KEYS.contains(key) && !(v >= 0 && v <= 1)) {
          throw bad("reference." + key, "is " + e.getValue().asText()
              + ", expected a fraction 0 to 1 (0.371 for 37.1%)");
        }
        if (!(v >= 0 && v < Double.POSITIVE_INFINITY)) {
          throw bad("reference." + key, "is " + e.getValue().asText() + ", expected >= 0");
        }
        reference.put(key, v);
      }
      return Map.copyOf(reference);
    }

    /**
     * The {@code proposals:} block of a model that takes precomputed proposals with its images
     * (null without one): only adapters that pass them ({@code OutputAdapter#takesProposals}).
     */
    private ModelSpec.ProposalInput proposals(String output) {
      JsonNode p = node.get("proposals");
      if (p == null || p.isNull()) {
        return null;
      }
      if (!p.isObject()) {
        throw bad("proposals", "is not a mapping (from_model or run_id, top_k)");
      }
      if (!OutputAdapters.get(output).takesProposals()) {
        throw bad("proposals", "do not apply to output " + output + " (adapters that take"
            + " proposals: " + String.join(", ", OutputAdapters.names().stream()
                .filter(n -> OutputAdapters.get(n).takesProposals()).toList()) + ")");
      }
      unknownKeys(p, PROPOSAL_KEYS, "proposals.");
      String fromModel = optionalText(p, "from_model");
      String runId = optionalText(p, "run_id");
      if (fromModel != null && runId != null) {
        throw bad("proposals", "name both from_model and run_id: name one");
      }
      int topK = integer(p, "top_k", ModelSpec.ProposalInput.DEFAULT_TOP_K, 1, 100_000);
      return new ModelSpec.ProposalInput(fromModel, runId, topK);
    }

    private String optionalText(JsonNode n, String field) {
      JsonNode v = n.get(field);
      if (v == null || v.isNull()) {
        return null;
      }
      if (!v.isValueNode() || v.asText().isBlank()) {
        throw bad(prefix(n) + field, "is not a non-empty text");
      }
      return v.asText();
    }

    /** The {@code output:} adapter's name, one of the registry's. */
    private String adapter() {
      JsonNode v = node.get("output");
      String known = String.join(", ", OutputAdapters.names());
      if (v == null || v.isNull()) {
        throw bad("output", "is missing (one of " + known + ")");
      }
      String s = v.asText().trim().toLowerCase(Locale.ROOT);
      if (!OutputAdapters.names().contains(s)) {
        throw bad("output", "is '" + v.asText() + "', expected one of " + known);
      }
      return s;
    }

    private String artifact() {
      String written = text(node, "artifact", null);
      // the artifact is read through Hadoop, printed and stored (runs.model_path)
      Redaction.checkNoCredentials(file + ": " + where + ": artifact", written);
      if (ModelSpec.VARIABLE.matcher(written).replaceAll("").contains("${")) {
        throw bad("artifact", "has a '${' that is not ${NAME} (NAME: letters, digits, '_')");
      }
      Matcher m = ModelSpec.VARIABLE.matcher(written);
      StringBuilder out = new StringBuilder();
      boolean unset = false;
      while (m.find()) {
        String value = variables.apply(m.group(1));
        unset |= value == null;
        m.appendReplacement(out, Matcher.quoteReplacement(value == null ? m.group() : value));
      }
      m.appendTail(out);
      String a = out.toString();
      if (unset) {
        // never read in this form: ModelSpec.artifactFile() refuses it
        return a;
      }
      if (!a.equals(written)) {
        Redaction.checkNoCredentials(file + ": " + where + ": artifact " + written, a);
      }
      if (a.contains("://") || a.startsWith("file:") || Path.of(a).isAbsolute()) {
        return a;
      }
      // a relative ${ZOO_ROOT} means what it means in the shell that set it
      return (written.startsWith("${") ? Path.of(a).toAbsolutePath() : dir.resolve(a))
          .normalize().toString();
    }

    private Map<Long, Long> labels(boolean proposals) {
      JsonNode l = node.get("labels");
      Map<Long, Long> out = new LinkedHashMap<>();
      if (l == null || l.isNull()) {
        if (!proposals) {
          throw bad("labels", "is missing (model label -> COCO category id)");
        }
        return out;
      }
      if (!l.isObject()) {
        throw bad("labels", "is not a mapping of model label -> COCO category id");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = l.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        long label;
        try {
          label = Long.parseLong(e.getKey().trim());
        } catch (NumberFormatException x) {
          throw bad("labels", "key '" + e.getKey() + "' is not an integer label");
        }
        if (!e.getValue().canConvertToLong() || !e.getValue().isIntegralNumber()) {
          throw bad("labels." + label, "is not an integer category id");
        }
        out.put(label, e.getValue().asLong());
      }
      return out;
    }

    /**
     * An adapter whose labels are the model's class indices needs exactly 0 to K−1 mapped: the
     * output's width is checked against K when the model runs, so a gap or an extra label is a
     * label map of the wrong length.
     */
    private void classIndices(Map<Long, Long> labels, String output) {
      for (long i = 0; i < labels.size(); i++) {
        if (!labels.containsKey(i)) {
          throw bad("labels", "has " + labels.size() + " labels but not " + i + ": output "
              + output + " labels are the class indices 0 to K-1 of the model's output, one"
              + " for each of its K classes");
        }
      }
    }

    private ModelSpec.InputSpec input() {
      JsonNode in = node.get("input");
      if (in == null || !in.isObject()) {
        throw bad("input", "is missing or not a mapping");
      }
      unknownKeys(in, INPUT_KEYS, "input.");
      ModelSpec.Resize resize = choice(in, "resize", ModelSpec.Resize.class, "input.");
      int[] scale = null;
      if (resize != ModelSpec.Resize.NONE) {
        double[] s = numbers(in, "scale", 2, "input.");
        if (s == null) {
          throw bad("input.scale", "is missing (needed by resize " + lower(resize) + ")");
        }
        scale = new int[] {(int) s[0], (int) s[1]};
        if (scale[0] < 1 || scale[1] < 1 || scale[0] != s[0] || scale[1] != s[1]) {
          throw bad("input.scale", "must be two positive integers");
        }
      }
      int divisor = integer(in, "size_divisor", 0, 0, 4096);
      boolean byModel = in.path("normalized_by_model").asBoolean(false);
      if (in.has("normalized_by_model") && !in.get("normalized_by_model").isBoolean()) {
        throw bad("input.normalized_by_model", "is not true or false");
      }
      double[] mean = numbers(in, "mean", 3, "input.");
      double[] std = numbers(in, "std", 3, "input.");
      if (!byModel && (mean == null || std == null)) {
        throw bad("input.mean/std", "are missing (or set normalized_by_model: true)");
      }
      if (std != null) {
        for (double v : std) {
          if (!(v > 0)) {
            throw bad("input.std", "must be positive");
          }
        }
      }
      String channels = in.path("channels").asText("RGB").toUpperCase(Locale.ROOT);
      if (!channels.equals("RGB") && !channels.equals("BGR")) {
        throw bad("input.channels", "is '" + in.path("channels").asText()
            + "', expected RGB or BGR");
      }
      double pixelScale = number(in, "pixel_scale", 1, 1, 255);
      if (pixelScale != 1 && pixelScale != 255) {
        throw bad("input.pixel_scale", "is " + pixelScale + ", expected 1 or 255");
      }
      boolean letterbox = resize == ModelSpec.Resize.LETTERBOX;
      if (!letterbox && in.hasNonNull("pad_value")) {
        throw bad("input.pad_value", "applies to resize letterbox only (other resizes pad"
            + " with 0 after normalisation)");
      }
      double padValue = letterbox ? number(in, "pad_value", LETTERBOX_PAD_VALUE, 0, 255) : 0;
      String exif = in.path("exif_orientation").asText("ignore").toLowerCase(Locale.ROOT);
      if (!exif.equals("ignore") && !exif.equals("apply")) {
        throw bad("input.exif_orientation", "is '" + in.path("exif_orientation").asText()
            + "', expected ignore or apply");
      }
      return new ModelSpec.InputSpec(resize, scale, divisor, byModel ? null : mean,
          byModel ? null : std, channels.equals("BGR"), pixelScale, byModel, padValue,
          exif.equals("apply"));
    }

    private void unknownKeys(JsonNode n, Set<String> known, String prefix) {
      for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (!known.contains(k)) {
          throw bad(prefix + k, "is not a known field (known: "
              + String.join(", ", known.stream().sorted().toList()) + ")");
        }
      }
    }

    private String text(JsonNode n, String field, String fallback) {
      JsonNode v = n.get(field);
      if (v == null || v.isNull()) {
        if (fallback == null) {
          throw bad(field, "is missing");
        }
        return fallback;
      }
      if (!v.isValueNode() || v.asText().isBlank()) {
        throw bad(field, "is not a non-empty text");
      }
      return v.asText();
    }

    /** The name of {@code n}'s block in messages: the model's own fields have none. */
    private String prefix(JsonNode n) {
      return n == node ? "" : n == node.get("proposals") ? "proposals." : "input.";
    }

    private double number(JsonNode n, String field, double fallback, double min, double max) {
      JsonNode v = n.get(field);
      String name = prefix(n) + field;
      if (v == null || v.isNull()) {
        return fallback;
      }
      if (!v.isNumber()) {
        throw bad(name, "is '" + v.asText() + "', expected a number");
      }
      double d = v.asDouble();
      if (!(d >= min && d <= max)) {
        throw bad(name, "is " + v.asText() + ", expected " + fmt(min) + " to " + fmt(max));
      }
      return d;
    }

    private int integer(JsonNode n, String field, int fallback, int min, int max) {
      double d = number(n, field, fallback, min, max);
      if (d != Math.rint(d)) {
        throw bad(prefix(n) + field, "is " + n.get(field).asText()
            + ", expected a whole number");
      }
      return (int) d;
    }

    private double[] numbers(JsonNode n, String field, int count, String prefix) {
      JsonNode v = n.get(field);
      if (v == null || v.isNull()) {
        return null;
      }
      if (!v.isArray() || v.size() != count) {
        throw bad(prefix + field, "has " + (v.isArray() ? v.size() + " numbers" : "no list")
            + ", expected " + count + " numbers");
      }
      double[] out = new double[count];
      for (int i = 0; i < count; i++) {
        if (!v.get(i).isNumber()) {
          throw bad(prefix + field, "holds '" + v.get(i).asText() + "', not a number");
        }
        out[i] = v.get(i).asDouble();
      }
      return out;
    }

    private <E extends Enum<E>> E choice(JsonNode n, String field, Class<E> type, String prefix) {
      String name = (prefix == null ? "" : prefix) + field;
      JsonNode v = n.get(field);
      List<String> allowed = new ArrayList<>();
      for (E e : type.getEnumConstants()) {
        allowed.add(lower(e));
      }
      if (v == null || v.isNull()) {
        throw bad(name, "is missing (one of " + String.join(", ", allowed) + ")");
      }
      String s = v.asText().trim().toLowerCase(Locale.ROOT).replace('-', '_');
      for (E e : type.getEnumConstants()) {
        if (lower(e).equals(s)) {
          return e;
        }
      }
      throw bad(name, "is '" + v.asText() + "', expected one of " + String.join(", ", allowed));
    }

    private static String lower(Enum<?> e) {
      return e.name().toLowerCase(Locale.ROOT);
    }

    private static String fmt(double d) {
      return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
  }

}
