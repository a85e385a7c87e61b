package io.zoobench.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.zoobench.jobs.spark.LocalSpark;
import io.zoobench.jobs.tables.TableSchema;
import io.zoobench.jobs.tables.Tables;
import io.zoobench.jobs.tables.Warehouse;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * No verb prints, logs or stores a credential given in an argument. Sweeps every verb
 * {@link Zoobench} registers and, from picocli's {@link CommandSpec}, every option that takes a
 * value and every positional parameter (so a new flag is swept without editing this test; a new
 * verb fails until it has minimal valid arguments in {@link #BASE}). A verb with verbs of its own
 * ({@code zoo list}) is swept through those. Each is given each
 * credential-bearing value in turn, the other arguments valid, so that without the refusal the
 * value would be read, printed, logged and stored.
 *
 * <p>The rule for "a path": an argument whose value reaches the verb as text or as a path
 * (type, or element type of a collection or map, {@code String}, {@code Path}, {@code File},
 * {@code URI} or {@code URL}) - paramLabels lie (import's {@code --model NAME} is stored as the
 * run's model name). Those must be refused up front, exit 1 (2 for {@code gate}, whose 1 is
 * its verdict), in one line naming the argument.
 * Typed ones (numbers, enums) are refused by picocli's conversion, whose message quotes the
 * value: it must not show the secret either.
 *
 * <p>Checked: stdout and stderr (the CLI's and {@code System}'s), the log events (INFO and up,
 * more than {@code logs/zoobench.log} gets), every row of every warehouse table (published or
 * not), and the names of the files the verbs could have created.
 */
class CredentialSweepTest {
  /** A credential-bearing value and the parts of it that must never appear. */
  record Secret(String value, List<String> secrets) {}

  static final List<Secret> SECRETS = List.of(
      new Secret("s3a://AKIAEXAMPLEKEY:S3cr3t%2Fx@bucket/x.json",
          List.of("AKIAEXAMPLEKEY", "S3cr3t")),
      new Secret("https://webuser:pa55word@example.com/x.json", List.of("webuser", "pa55word")),
      new Secret("hdfs://hdfsuser:hdfsPa55@nn:8020/x", List.of("hdfsuser", "hdfsPa55")),
      new Secret("hdfs://u:p@nn/x", List.of("u:p@")),
      new Secret("s3a://AKIAOTHERKEY:wJalr/K7MDENG#f?g@bucket/dir/x.json",
          List.of("AKIAOTHERKEY", "wJalr", "K7MDENG")),
      new Secret("https://webuser2:pa55@w0rd@example.com/x.json", List.of("webuser2", "w0rd")));

  static final List<String> ALL_SECRETS = SECRETS.stream()
      .flatMap(s -> s.secrets().stream()).toList();

  /** Types whose values reach a verb as given: they can hold a path. */
  static final Set<Class<?>> TEXT_TYPES =
      Set.of(String.class, Path.class, File.class, URI.class, URL.class);

  @TempDir static Path tmp;

  /** Per verb: minimal valid arguments, options (value null: a flag) then positionals. */
  static final Map<String, Args> BASE = new LinkedHashMap<>();

  static Path warehouse;

  /** Valid arguments of one verb. */
  record Args(Map<String, String> options, List<String> positionals) {
    /** These arguments with {@code swept} given {@code value} ({@code --option=value} form). */
    List<String> with(ArgSpec swept, String value, boolean attached) {
      Map<String, String> o = new LinkedHashMap<>(options);
      List<String> p = new ArrayList<>(positionals);
      if (swept instanceof OptionSpec opt) {
        for (String n : opt.names()) {
          o.remove(n);
        }
        if (attached) {
          o.put(opt.longestName() + "=" + value, null);
        } else {
          o.put(opt.longestName(), value);
        }
      } else if (swept != null) {
        int i = ((PositionalParamSpec) swept).index().min();
        if (i < p.size()) {
          p.set(i, value);
        } else {
          p.add(value);
        }
      }
      List<String> out = new ArrayList<>();
      o.forEach((k, v) -> {
        out.add(k);
        if (v != null) {
          out.add(v);
        }
      });
      out.addAll(p);
      return out;
    }
  }

  @BeforeAll
  static void warehouseAndArguments() {
    Path home = Path.of(System.getProperty("zoobench.home", "..")).toAbsolutePath().normalize();
    String gt = home.resolve("fixtures/shapes-val/instances.json").toString();
    String dt = home.resolve("fixtures/expected/shapes_maskrcnn_val.json").toString();
    String images = home.resolve("fixtures/shapes-val/images").toString();
    String model = home.resolve("conf/zoo/demo.yaml") + "#shapes-maskrcnn-tiny";
    warehouse = tmp.resolve("warehouse");
    String wh = warehouse.toString();
    // an existing warehouse: rows written by any verb land where they are looked for
    Warehouse.open(LocalSpark.get(), wh);
    // the Spark-free verbs first: a leak there fails in milliseconds
    base("eval", Map.of("--gt", gt, "--dt", dt, "--iou", "bbox",
        "--json", tmp.resolve("eval.json").toString(), "-q", ""));
    base("synth", Map.of("--images", "1", "--out", tmp.resolve("synth").toString()));
    base("zoo list", Map.of("--manifest", home.resolve("conf/zoo/mmdet-v1.yaml").toString(),
        "--format", "jsonl"));
    base("bench", Map.of("--cases", "1", "--workers", "1", "--data",
        tmp.resolve("bench-data").toString(), "--out", tmp.resolve("parity").toString(),
        "--shapes", tmp.resolve("shapes").toString(), "--python",
        tmp.resolve("no-python").toString()), "parity");
    base("help", Map.of(), "eval");
    base("import", Map.of("--annotations", gt, "--results", dt, "--iou", "bbox",
        "--warehouse", wh, "--run-id", "sweep-import", "--master", "local[1]"));
    base("evaluate", Map.of("--annotations", gt, "--images", images, "--model", model,
        "--warehouse", wh, "--run-id", "sweep-evaluate", "--master", "local[1]"));
    base("zoo run", Map.of("--manifest", home.resolve("conf/zoo/demo.yaml").toString(),
        "--annotations", gt, "--images", images, "--models", "shapes-rpn-tiny", "--zoo-root",
        tmp.toString(), "--warehouse", wh, "--master", "local[1]"));
    base("demo", Map.of("--warehouse", wh, "--run-id", "sweep-demo", "--master", "local[1]"));
    base("sql", Map.of("--warehouse", wh, "--master", "local[1]"), "SELECT 1");
    base("export", Map.of("--warehouse", wh, "--out", tmp.resolve("export").toString(),
        "--master", "local[1]"));
    base("maintenance", Map.of("--warehouse", wh, "--master", "local[1]"));
    base("gate", Map.of("--warehouse", wh, "--master", "local[1]"));
    base("report", Map.of("--warehouse", wh, "--out", tmp.resolve("report").toString(),
        "--master", "local[1]"));
  }

  private static void base(String verb, Map<String, String> options, String... positionals) {
    Map<String, String> o = new LinkedHashMap<>();
    new TreeSet<>(options.keySet()).forEach(k -> o.put(k, options.get(k).isEmpty() ? null
        : options.get(k)));
    BASE.put(verb, new Args(o, List.of(positionals)));
  }

  /** The verbs picocli knows, in {@link #BASE}'s order (a verb missing there fails). */
  static List<CommandLine> verbs() {
    Map<String, CommandLine> leaves = new LinkedHashMap<>();
    Zoobench.commandLine().getSubcommands().values().forEach(c -> addLeaves(c, leaves));
    assertThat(BASE.keySet()).as("every verb needs minimal valid arguments in BASE")
        .containsAll(leaves.keySet());
    return BASE.keySet().stream().map(leaves::get).toList();
  }

  /** {@code verb}, or the verbs under it ({@code zoo list}), by {@link #verb} name. */
  private static void addLeaves(CommandLine verb, Map<String, CommandLine> leaves) {
    if (verb.getSubcommands().isEmpty()) {
      leaves.put(verb(verb), verb);
    } else {
      verb.getSubcommands().values().forEach(c -> addLeaves(c, leaves));
    }
  }

  /** The verb's words after {@code zoobench}: {@code eval}, {@code zoo list}. */
  static String verb(CommandLine verb) {
    return verb.getCommandSpec().qualifiedName(" ").substring("zoobench ".length());
  }

  /** The verb's words as arguments. */
  private static List<String> words(String verb) {
    return List.of(verb.split(" "));
  }

  /** What the sweep gives a value: every option that takes one, every positional. */
  static List<ArgSpec> swept(CommandSpec spec) {
    List<ArgSpec> out = new ArrayList<>();
    for (OptionSpec o : spec.options()) {
      if (o.arity().max() > 0 && !o.usageHelp() && !o.versionHelp()) {
        out.add(o);
      }
    }
    out.addAll(spec.positionalParameters());
    return out;
  }

  /** Whether the value reaches the verb as given (text or a path), per the class's rule. */
  static boolean textLike(ArgSpec a) {
    boolean container = Collection.class.isAssignableFrom(a.type())
        || Map.class.isAssignableFrom(a.type()) || a.type().isArray();
    List<Class<?>> types = container ? List.of(a.auxiliaryTypes()) : List.of(a.type());
    return types.stream().allMatch(TEXT_TYPES::contains);
  }

  private static String name(ArgSpec a) {
    return a instanceof OptionSpec o ? o.longestName() : a.paramLabel();
  }

  @Test
  void theRuleFindsEveryKnownPathOption() {
    Set<String> paths = new TreeSet<>();
    for (CommandLine verb : verbs()) {
      for (ArgSpec a : swept(verb.getCommandSpec())) {
        if (textLike(a)) {
          paths.add(verb(verb) + " " + name(a));
        }
      }
    }
    assertThat(paths).contains("eval --gt", "eval --dt", "eval --json", "import --annotations",
        "import --results", "import --warehouse", "import --model", "evaluate --annotations",
        "evaluate --images", "evaluate --model", "evaluate --warehouse", "demo --warehouse",
        "sql --file", "sql --warehouse", "sql SQL", "export --warehouse", "export --out",
        "maintenance --warehouse", "report --warehouse", "report --out", "synth --out",
        "bench --data", "bench --out",
        "bench --python", "bench --shapes", "zoo list --manifest", "zoo run --manifest",
        "zoo run --annotations", "zoo run --images", "zoo run --zoo-root",
        "zoo run --warehouse", "gate --warehouse", "gate --against");
  }

  @Test
  void noVerbPrintsLogsOrStoresACredential() throws IOException {
    int runs = 0;
    for (CommandLine verb : verbs()) {
      String v = verb(verb);
      Args base = BASE.get(v);
      for (ArgSpec a : swept(verb.getCommandSpec())) {
        boolean map = Map.class.isAssignableFrom(a.type());
        for (Secret s : SECRETS) {
          List<String> values = new ArrayList<>(List.of(s.value()));
          if (map) {
            values.add("spark.hadoop.zoobench.sweep=" + s.value());
          }
          for (String value : values) {
            List<String> args = new ArrayList<>(words(v));
            args.addAll(base.with(a, value, false));
            Cli.Result r = run(args);
            runs++;
            String what = v + " " + name(a) + " (secret " + SECRETS.indexOf(s) + ")";
            assertThat(r.exit()).as("%s: %s", what, r).isNotZero();
            boolean reachesTheVerb = textLike(a) && (!map || value.contains("="));
            if (reachesTheVerb) {
              // gate's 1 is its verdict "dropped": its bad input exits 2
              assertThat(r.exit()).as("%s is refused as bad input: %s", what, r)
                  .isEqualTo(verb.getCommandSpec().userObject() instanceof Zoobench.VerdictVerb
                      ? 2 : Zoobench.EXIT_BAD_INPUT);
              assertThat(r.err().strip()).as(what).doesNotContain("\n")
                  .startsWith("zoobench " + v + ": " + name(a) + " ")
                  .contains("credentials in a path are refused");
            } else {
              assertThat(r.err()).as(what).contains(name(a));
            }
          }
        }
        if (a instanceof OptionSpec) {
          // --option=value: picocli splits it, messages may quote it whole
          List<String> args = new ArrayList<>(words(v));
          args.addAll(base.with(a, SECRETS.get(0).value(), true));
          assertThat(run(args).exit()).isNotZero();
          runs++;
        }
      }
      // what picocli quotes verbatim: unmatched arguments, unknown options, a mistyped verb
      for (String odd : List.of(SECRETS.get(1).value(), "--no-such=" + SECRETS.get(2).value())) {
        List<String> args = new ArrayList<>(words(v));
        args.addAll(base.with(null, null, false));
        args.add(odd);
        assertThat(run(args).exit()).isNotZero();
      }
      List<String> typo = new ArrayList<>(words(v + "x"));
      typo.add(SECRETS.get(4).value());
      assertThat(run(typo).exit()).isNotZero();
      runs += 3;
    }
    assertThat(run(List.of(SECRETS.get(5).value())).exit()).isNotZero();
    assertThat(runs).as("runs of the sweep").isGreaterThan(300);
    assertNothingStored();
  }

  /** Runs the CLI, capturing its output, System's and the logs; fails when a secret shows. */
  private static Cli.Result run(List<String> args) {
    StringBuilder logs = new StringBuilder();
    ByteArrayOutputStream sys = new ByteArrayOutputStream();
    PrintStream out = System.out;
    PrintStream err = System.err;
    PrintStream capture = new PrintStream(sys, true, StandardCharsets.UTF_8);
    Cli.Result r;
    System.setOut(capture);
    System.setErr(capture);
    try {
      r = LogCapture.during(logs, () -> Cli.run(args.toArray(String[]::new)));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    String shown = r.out() + r.err() + logs + sys.toString(StandardCharsets.UTF_8);
    for (String secret : ALL_SECRETS) {
      if (shown.contains(secret)) {
        fail("'" + secret + "' shown by zoobench " + String.join(" ", args.subList(0, 1))
            + " ...:\n" + r + "\n--- logs\n" + logs + "--- System.out/err\n" + sys);
      }
    }
    return r;
  }

  /** No table row and no file name holds a secret; no relative "s3a:" folder appeared. */
  private static void assertNothingStored() throws IOException {
    SparkSession s = Warehouse.open(LocalSpark.get(), warehouse.toString()).session();
    for (TableSchema<?> t : Tables.all()) {
      // the raw table: the rows of attempts that never published too
      String rows = String.join("\n", s.table(Warehouse.name(t)).toJSON().collectAsList());
      assertThat(rows).as(t.name()).doesNotContain(ALL_SECRETS.toArray(String[]::new));
    }
    try (Stream<Path> files = Files.walk(tmp)) {
      files.forEach(f -> assertThat(f.toString())
          .doesNotContain(ALL_SECRETS.toArray(String[]::new)));
    }
    for (String scheme : List.of("s3a:", "https:", "hdfs:")) {
      assertThat(Path.of(scheme)).as("made from a relative path").doesNotExist();
    }
  }
}
