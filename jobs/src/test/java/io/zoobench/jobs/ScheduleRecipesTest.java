package io.zoobench.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import picocli.CommandLine;

/**
 * The scheduling recipes users copy (conf/schedule/airflow/zoobench_nightly.py,
 * conf/schedule/k8s/zoobench-nightly-cronjob.yaml) parse, and their spark-submit arguments name
 * the jar the cluster module builds, its main class, and verbs and options that exist in
 * {@link Zoobench}'s command line: renaming any of them breaks this test. The DAG is read by
 * Python's own parser ({@code ast}, no Airflow needed), the CronJob by Jackson's YAML reader.
 */
class ScheduleRecipesTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Verbs the recipes call that are built on another branch (issue 14: {@code report}); a
   * verb that exists is checked whatever this says, so the exemption ends with the merge.
   */
  static final Set<String> VERBS_BUILT_ELSEWHERE = Set.of("report");

  static String jarName;
  static String mainClass;

  /** The jar name and main class as cluster/pom.xml builds them. */
  @BeforeAll
  static void clusterJar() throws Exception {
    Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(ROOT.resolve("cluster/pom.xml").toFile());
    jarName = pom.getElementsByTagName("finalName").item(0).getTextContent().strip() + ".jar";
    mainClass = pom.getElementsByTagName("mainClass").item(0).getTextContent().strip();
    assertThat(mainClass).isEqualTo(Zoobench.class.getName());
  }

  /**
   * Checks a zoobench command line (what follows the jar) names a verb of the CLI and only
   * options of that verb; returns the verb's path ("zoo run").
   */
  static String checkCommandLine(List<String> args) {
    CommandLine cl = Zoobench.commandLine();
    List<String> verbs = new ArrayList<>();
    int i = 0;
    while (i < args.size() && !args.get(i).startsWith("-")) {
      CommandLine sub = cl.getSubcommands().get(args.get(i));
      if (sub == null) {
        if (verbs.isEmpty() && VERBS_BUILT_ELSEWHERE.contains(args.get(i))) {
          return args.get(i);
        }
        throw new AssertionError("'" + args.get(i) + "' is not a verb of " + String.join(" ",
            verbs.isEmpty() ? List.of("zoobench") : verbs) + " (" + cl.getSubcommands().keySet()
            + "): " + args);
      }
      verbs.add(args.get(i));
      cl = sub;
      i++;
    }
    assertThat(verbs).as("a verb in %s", args).isNotEmpty();
    for (; i < args.size(); i++) {
      String a = args.get(i);
      if (a.startsWith("--")) {
        assertThat(cl.getCommandSpec().findOption(a)).as("option %s of zoobench %s", a,
            String.join(" ", verbs)).isNotNull();
      }
    }
    return String.join(" ", verbs);
  }

  /** Options a shell wrapper appends after {@code "$@"} (the --run-prefix with the date). */
  static List<String> appendedOptions(JsonNode command) {
    List<String> out = new ArrayList<>();
    if (command.size() > 2 && command.get(0).asText().equals("/bin/sh")) {
      String script = command.get(2).asText();
      String after = script.substring(script.indexOf("\"$@\"") + 4);
      for (String word : after.strip().split(" ")) {
        if (word.startsWith("--")) {
          out.add(word);
        }
      }
    }
    return out;
  }

  @Test
  void theAirflowDagSubmitsTheClusterJarWithRealVerbsInOrder() throws Exception {
    JsonNode dag = parseAirflowDag(ROOT.resolve("conf/schedule/airflow/zoobench_nightly.py"));
    JsonNode operators = dag.get("operators");
    List<String> tasks = new ArrayList<>();
    List<String> verbs = new ArrayList<>();
    for (JsonNode op : operators) {
      tasks.add(op.get("task_id").asText());
      assertThat(op.get("application").asText()).as("%s", op).endsWith("/" + jarName);
      assertThat(op.get("java_class").asText()).isEqualTo(mainClass);
      List<String> args = new ArrayList<>();
      op.get("application_args").forEach(a -> args.add(a.asText()));
      verbs.add(checkCommandLine(args));
      if (args.get(0).equals("zoo")) {
        assertThat(args).as("one run id per night").containsSubsequence("--run-prefix",
            "nightly-{{ ds }}");
      }
    }
    assertThat(tasks).containsExactly("zoo_run", "gate", "report");
    assertThat(verbs).containsExactly("zoo run", "gate", "report");
    assertThat(dag.get("edges").toString()).isEqualTo(
        "[[\"zoo_run\",\"gate\"],[\"gate\",\"report\"]]");
    assertThat(operators.get(2).get("trigger_rule").asText()).as("report even after a drop")
        .isEqualTo("all_done");
  }

  @Test
  void theKubernetesCronJobSubmitsTheClusterJarWithRealVerbs() throws Exception {
    JsonNode cron = new ObjectMapper(new YAMLFactory()).readTree(
        ROOT.resolve("conf/schedule/k8s/zoobench-nightly-cronjob.yaml").toFile());
    assertThat(cron.get("kind").asText()).isEqualTo("CronJob");
    assertThat(cron.at("/spec/concurrencyPolicy").asText()).as("nights never overlap")
        .isEqualTo("Forbid");
    JsonNode pod = cron.at("/spec/jobTemplate/spec/template/spec");
    List<JsonNode> containers = new ArrayList<>();
    pod.get("initContainers").forEach(containers::add);
    pod.get("containers").forEach(containers::add);
    List<String> verbs = new ArrayList<>();
    for (JsonNode c : containers) {
      JsonNode command = c.get("command");
      String submit = command.get(command.size() - 1).asText();
      assertThat(submit).as("%s", c.get("name")).endsWith("/bin/spark-submit");
      List<String> args = new ArrayList<>();
      c.get("args").forEach(a -> args.add(a.asText()));
      int cls = args.indexOf("--class");
      assertThat(cls).as("%s: --class", c.get("name")).isNotNegative();
      assertThat(args.get(cls + 1)).isEqualTo(mainClass);
      int jar = -1;
      for (int i = 0; i < args.size(); i++) {
        if (args.get(i).endsWith(".jar")) {
          jar = i;
          break;
        }
      }
      assertThat(jar).as("%s: the application jar", c.get("name")).isNotNegative();
      assertThat(args.get(jar)).endsWith("/" + jarName);
      List<String> zoobench = new ArrayList<>(args.subList(jar + 1, args.size()));
      zoobench.addAll(appendedOptions(command));
      verbs.add(checkCommandLine(zoobench));
      if (zoobench.get(0).equals("zoo")) {
        assertThat(zoobench).as("one run id per night").contains("--run-prefix");
      }
    }
    assertThat(verbs).containsExactly("zoo run", "gate", "report");
  }

  @Test
  void aRenamedVerbOrOptionIsCaught() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> checkCommandLine(List.of("gates",
        "--warehouse", "w"))).isInstanceOf(AssertionError.class).hasMessageContaining("gates");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> checkCommandLine(List.of("zoo",
        "run", "--run-prefixes", "x"))).isInstanceOf(AssertionError.class)
        .hasMessageContaining("--run-prefixes");
  }

  /**
   * The DAG's SparkSubmitOperator calls (keywords, with module constants, Variable.get
   * defaults and string concatenations resolved) and its task edges (a >> b), as JSON, by
   * Python's ast module.
   */
  static JsonNode parseAirflowDag(Path file) throws Exception {
    String script = """
        import ast, json, sys
        tree = ast.parse(open(sys.argv[1]).read())
        consts = {}
        def value(n):
            if isinstance(n, ast.Constant):
                return n.value
            if isinstance(n, ast.Name):
                return consts.get(n.id, '<' + n.id + '>')
            if isinstance(n, (ast.List, ast.Tuple)):
                return [value(e) for e in n.elts]
            if isinstance(n, ast.Dict):
                return {value(k): value(v) for k, v in zip(n.keys, n.values)}
            if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Add):
                return str(value(n.left)) + str(value(n.right))
            if isinstance(n, ast.Call) and getattr(n.func, 'attr', None) == 'get':
                for k in n.keywords:
                    if k.arg == 'default_var':
                        return value(k.value)
            return '<expr>'
        for s in tree.body:
            if isinstance(s, ast.Assign) and len(s.targets) == 1 \\
                    and isinstance(s.targets[0], ast.Name):
                consts[s.targets[0].id] = value(s.value)
        ops, names, edges = [], {}, []
        for n in ast.walk(tree):
            if isinstance(n, ast.Assign) and isinstance(n.value, ast.Call) \\
                    and getattr(n.value.func, 'id', None) == 'SparkSubmitOperator':
                kw = {k.arg: value(k.value) for k in n.value.keywords}
                names[n.targets[0].id] = kw['task_id']
                ops.append(kw)
        def chain(n):
            if isinstance(n, ast.BinOp) and isinstance(n.op, ast.RShift):
                left, right = chain(n.left), chain(n.right)
                edges.append([left, right])
                return right
            return names.get(getattr(n, 'id', None), '<expr>')
        for n in ast.walk(tree):
            if isinstance(n, ast.Expr) and isinstance(n.value, ast.BinOp):
                chain(n.value)
        print(json.dumps({'operators': ops, 'edges': edges}))
        """;
    Process p = new ProcessBuilder("python3", "-c", script, file.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("python3 ast of %s: %s", file, out).isZero();
    return JSON.readTree(out);
  }
}
