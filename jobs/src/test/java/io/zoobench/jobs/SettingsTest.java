package io.zoobench.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every spark.zoobench.* key and ZOOBENCH_* variable is declared in Settings and documented. */
class SettingsTest {
  private static final Path HOME = Path.of(System.getProperty("zoobench.home", ".."));
  private static final Pattern KEY = Pattern.compile("spark\\.zoobench\\.[A-Za-z0-9.]*[A-Za-z0-9]");
  private static final Pattern VARIABLE = Pattern.compile("ZOOBENCH_[A-Z0-9_]*[A-Z0-9]");

  /** The names the sources and docs use, outside tests. */
  static Set<String> used(Pattern p) throws IOException {
    Set<String> found = new TreeSet<>();
    List<Path> roots = List.of(HOME.resolve("bin"), HOME.resolve("tools"), HOME.resolve("conf"),
        HOME.resolve("docs"), HOME.resolve("README.md"), HOME.resolve("common/src/main"),
        HOME.resolve("inference/src/main"), HOME.resolve("synth/src/main"),
        HOME.resolve("jobs/src/main"));
    for (Path root : roots) {
      try (Stream<Path> files = Files.walk(root)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          String name = f.getFileName().toString();
          // binaries, and what Python leaves beside the tools (ignored by git)
          if (name.endsWith(".pt") || name.endsWith(".png") || name.endsWith(".jpg")
              || name.endsWith(".pyc") || f.toString().contains("__pycache__")) {
            continue;
          }
          Matcher m = p.matcher(Files.readString(f));
          while (m.find()) {
            found.add(m.group());
          }
        }
      }
    }
    return found;
  }

  @Test
  void everyKeyAndVariableIsDeclared() throws IOException {
    Set<String> keys = new TreeSet<>(Settings.keys().stream().map(Settings.Key::key).toList());
    Set<String> variables = new TreeSet<>(Settings.variables().stream()
        .map(Settings.Variable::name).toList());
    assertThat(used(KEY)).containsExactlyElementsOf(keys);
    assertThat(used(VARIABLE)).containsExactlyElementsOf(variables);
  }

  @Test
  void docsListEveryOneWithItsDefault() throws IOException {
    String doc = Files.readString(HOME.resolve("docs/settings.md"));
    for (Settings.Key k : Settings.keys()) {
      assertThat(doc).contains("| `" + k.key() + "` | `" + k.defaultValue() + "` |");
    }
    for (Settings.Variable v : Settings.variables()) {
      assertThat(doc).contains("| `" + v.name() + "` | "
          + (v.defaultValue().isEmpty() ? "" : "`" + v.defaultValue() + "` ") + "|");
    }
  }

  @Test
  void aKeyReadsItsDefaultWhenUnset() {
    assertThat(Settings.INFERENCE_DEVICE.get(k -> null)).isEqualTo("auto");
    assertThat(Settings.INFERENCE_DEVICE.get(k -> " gpu ")).isEqualTo("gpu");
  }
}
