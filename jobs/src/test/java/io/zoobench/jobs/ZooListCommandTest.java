package io.zoobench.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zoobench.testing.ReferenceCases;
import io.zoobench.zoo.ModelSpec;
import io.zoobench.zoo.ZooManifest;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code zoobench zoo list} on {@code conf/zoo/mmdet-v1.yaml} against the published CSV
 * ({@code ../shared/seed-zoo/mmdet_v1_model_zoo.csv}), read here on its own: every model, every
 * string, every figure (AP/AR ÷ 100, null where the page gives none), in the jsonl contract and
 * in the table; the manifest's labels against COCO's category ids from a COCO file; bad
 * manifests; and that listing starts no Spark.
 */
class ZooListCommandTest {
  private static final Path HOME =
      Path.of(System.getProperty("zoobench.home", "..")).toAbsolutePath().normalize();
  private static final Path MANIFEST = HOME.resolve("conf/zoo/mmdet-v1.yaml");

  /** CSV column, contract key, whether the CSV gives it as a percentage. */
  private static final List<String[]> FIGURES = List.of(
      new String[] {"train_mem_gb", "train_mem_gb", ""},
      new String[] {"train_s_iter", "train_s_iter", ""},
      new String[] {"inf_fps", "fps", ""},
      new String[] {"inf_fps_batch8", "fps_batch8", ""},
      new String[] {"box_ap", "box_ap", "%"},
      new String[] {"mask_ap", "mask_ap", "%"},
      new String[] {"ar1000", "ar1000", "%"});

  private static List<Map<String, String>> csv;

  @TempDir Path tmp;

  /** The seed zoo: -Dzoobench.seedZoo, else ../shared/seed-zoo above the working directory. */
  static Path seedZoo() {
    String prop = System.getProperty("zoobench.seedZoo");
    if (prop != null) {
      return Path.of(prop);
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolveSibling("shared").resolve("seed-zoo");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("../shared/seed-zoo not found above "
        + Path.of("").toAbsolutePath() + "; set -Dzoobench.seedZoo=DIR");
  }

  @BeforeAll
  static void readTheCsv() throws IOException {
    List<String> lines = Files.readAllLines(seedZoo().resolve("mmdet_v1_model_zoo.csv"));
    String[] header = lines.get(0).split(",", -1);
    csv = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      if (line.isBlank()) {
        continue;
      }
      // no cell of this file is quoted or holds a comma
      String[] cells = line.split(",", -1);
      assertThat(cells).as(line).hasSameSizeAs(header);
      Map<String, String> row = new LinkedHashMap<>();
      for (int c = 0; c < header.length; c++) {
        row.put(header[c], cells[c].trim());
      }
      csv.add(row);
    }
    assertThat(csv).as("the README's 123 models").hasSize(123);
  }

  private static String arch(Map<String, String> row) {
    return row.get("family").equals("Fast R-CNN") ? row.get("type") : row.get("family");
  }

  private static String key(Map<String, String> row) {
    return String.join(",", row.get("family"), row.get("backbone"), row.get("style"),
        row.get("type"), row.get("lr_schd"));
  }

  @Test
  void jsonlGivesEveryModelOfTheCsvWithEveryPublishedFigure() throws IOException {
    Cli.Result r = Cli.run("zoo", "list", "--manifest", MANIFEST.toString(), "--format",
        "jsonl");

    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.err()).isEmpty();
    List<String> lines = r.out().lines().toList();
    assertThat(lines).hasSameSizeAs(csv);
    // exact decimals: 0.371 in the output is 37.1 / 100, not a double near it
    ObjectMapper json = new ObjectMapper()
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    Set<String> names = new HashSet<>();
    Map<String, String> nameByRow = new TreeMap<>();
    int figures = 0;
    int nulls = 0;
    for (int i = 0; i < csv.size(); i++) {
      Map<String, String> row = csv.get(i);
      JsonNode o = json.readTree(lines.get(i));
      String what = "line " + (i + 1) + " (CSV row " + key(row) + "): " + lines.get(i);
      List<String> keys = new ArrayList<>();
      o.fieldNames().forEachRemaining(keys::add);
      assertThat(keys).as(what).containsExactlyInAnyOrder("name", "family", "arch", "backbone",
          "style", "lr_schedule", "reference");
      assertThat(o.get("family").textValue()).as(what).isEqualTo(row.get("family"));
      assertThat(o.get("arch").textValue()).as(what).isEqualTo(arch(row));
      assertThat(o.get("backbone").textValue()).as(what).isEqualTo(row.get("backbone"));
      assertThat(o.get("style").textValue()).as(what).isEqualTo(row.get("style"));
      assertThat(o.get("lr_schedule").textValue()).as(what).isEqualTo(row.get("lr_schd"));
      String name = o.get("name").textValue();
      assertThat(name).as(what).matches("[a-z0-9_]+");
      assertThat(names.add(name)).as("%s: name '%s' is unique", what, name).isTrue();
      nameByRow.put(key(row), name);

      JsonNode ref = o.get("reference");
      List<String> refKeys = new ArrayList<>();
      ref.fieldNames().forEachRemaining(refKeys::add);
      assertThat(refKeys).as(what).containsExactlyInAnyOrder("train_mem_gb", "train_s_iter",
          "fps", "fps_batch8", "box_ap", "mask_ap", "ar1000");
      for (String[] f : FIGURES) {
        String published = row.get(f[0]);
        JsonNode v = ref.get(f[1]);
        if (published.isEmpty()) {
          assertThat(v.isNull()).as("%s: %s is null", what, f[1]).isTrue();
          nulls++;
        } else {
          BigDecimal expected = new BigDecimal(published).movePointLeft(f[2].isEmpty() ? 0 : 2);
          assertThat(v.isNumber()).as("%s: %s is a number", what, f[1]).isTrue();
          assertThat(v.decimalValue()).as("%s: %s", what, f[1]).isEqualByComparingTo(expected);
          figures++;
        }
      }
    }
    // both kinds met: the RPN rows have no box AP, the SSD rows have fps at batch 8
    assertThat(figures).isPositive();
    assertThat(nulls).isPositive();
    // MMDetection's config names, as its model zoo page gives them
    assertThat(nameByRow).containsEntry("Mask R-CNN,R-50-FPN,pytorch,,1x",
            "mask_rcnn_r50_fpn_1x")
        .containsEntry("Faster R-CNN,X-101-32x4d-FPN,pytorch,,1x",
            "faster_rcnn_x101_32x4d_fpn_1x")
        .containsEntry("RPN,R-50-C4,caffe,,1x", "rpn_r50_caffe_c4_1x")
        .containsEntry("RPN,R-50-C4,pytorch,,1x", "rpn_r50_c4_1x")
        .containsEntry("SSD,VGG16-300,caffe,,120e", "ssd300")
        .containsEntry("SSD,VGG16-512,caffe,,120e", "ssd512")
        .containsEntry("Cascade Mask R-CNN,R-50-C4,caffe,,1x",
            "cascade_mask_rcnn_r50_caffe_c4_1x")
        .containsEntry("Fast R-CNN,R-50-FPN,pytorch,Faster,1x", "fast_rcnn_r50_fpn_1x")
        .containsEntry("Fast R-CNN,R-50-FPN,pytorch,Mask,1x", "fast_mask_rcnn_r50_fpn_1x")
        .containsEntry("HTC,HRNetV2p-W48,pytorch,,28e", "htc_hrnetv2p_w48_28e")
        .containsEntry("RetinaNet,R-101-FPN,caffe,,1x", "retinanet_r101_caffe_fpn_1x");
  }

  @Test
  void theTableShowsEveryFigureAsPublished() {
    Cli.Result r = Cli.run("zoo", "list", "--manifest", MANIFEST.toString());

    assertThat(r.exit()).as(r.toString()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines).hasSize(csv.size() + 1);
    // columns are two or more spaces apart; no cell holds two spaces in a row
    assertThat(lines.get(0).split(" {2,}")).containsExactly("name", "family/arch", "backbone",
        "style", "lr schd", "mem (GB)", "s/iter", "fps", "fps b8", "box AP", "mask AP",
        "AR1000");
    for (int i = 0; i < csv.size(); i++) {
      Map<String, String> row = csv.get(i);
      String[] cells = lines.get(i + 1).split(" {2,}");
      String what = "table line " + (i + 2) + ": " + lines.get(i + 1);
      assertThat(cells).as(what).hasSize(12);
      String family = arch(row).equals(row.get("family")) ? row.get("family")
          : row.get("family") + "/" + arch(row);
      assertThat(List.of(cells).subList(1, 5)).as(what).containsExactly(family,
          row.get("backbone"), row.get("style"), row.get("lr_schd"));
      for (int f = 0; f < FIGURES.size(); f++) {
        String published = row.get(FIGURES.get(f)[0]);
        String cell = cells[5 + f];
        if (published.isEmpty()) {
          assertThat(cell).as(what).isEqualTo("-");
        } else {
          // the published percentage (37.1), not the fraction the manifest stores
          assertThat(new BigDecimal(cell)).as("%s: %s", what, FIGURES.get(f)[1])
              .isEqualByComparingTo(new BigDecimal(published));
          assertThat(cell).as(what).contains(".");
        }
      }
    }
  }

  @Test
  void everyEntryIsFedAndReadAsItsFamilyNeeds() throws IOException {
    // MMDetection v1's labels 1..80 are COCO's category ids in ascending order
    JsonNode gt = new ObjectMapper().readTree(ReferenceCases.root()
        .resolve("17_medium_seed1/gt.json").toFile());
    List<Long> cocoIds = new ArrayList<>();
    gt.get("categories").forEach(c -> cocoIds.add(c.get("id").asLong()));
    cocoIds.sort(null);
    assertThat(cocoIds).hasSize(80).endsWith(90L);
    Map<Long, Long> v1Labels = new TreeMap<>();
    for (int i = 0; i < cocoIds.size(); i++) {
      v1Labels.put(i + 1L, cocoIds.get(i));
    }

    List<ModelSpec> models = ZooManifest.read(MANIFEST, Map.of("ZOO_ROOT", "/zoo")).models();

    assertThat(models).hasSize(123);
    for (ModelSpec m : models) {
      String what = m.name();
      assertThat(m.artifactFile()).as(what).isEqualTo("/zoo/" + m.name() + ".pt");
      ModelSpec.InputSpec in = m.input();
      assertThat(in.pixelScale()).as(what).isEqualTo(255.0);
      assertThat(in.normalizedByModel()).as(what).isFalse();
      if (m.family().equals("RPN")) {
        assertThat(m.output()).as(what).isEqualTo("proposals");
        assertThat(m.labels()).as(what).isEmpty();
      } else {
        assertThat(m.output()).as(what).isEqualTo("torchvision");
        assertThat(m.labels()).as(what).isEqualTo(v1Labels);
      }
      if (m.family().equals("SSD")) {
        int size = Integer.parseInt(m.backbone().substring("VGG16-".length()));
        assertThat(in.resize()).as(what).isEqualTo(ModelSpec.Resize.FIXED);
        assertThat(in.scale()).as(what).containsExactly(size, size);
        assertThat(in.sizeDivisor()).as(what).isZero();
        assertThat(in.bgr()).as(what).isFalse();
        assertThat(in.mean()).as(what).containsExactly(123.675, 116.28, 103.53);
        assertThat(in.std()).as(what).containsExactly(1.0, 1.0, 1.0);
        continue;
      }
      assertThat(in.resize()).as(what).isEqualTo(ModelSpec.Resize.KEEP_RATIO);
      assertThat(in.scale()).as(what).containsExactly(1333, 800);
      assertThat(in.sizeDivisor()).as(what).isEqualTo(32);
      if (m.style().equals("caffe")) {
        assertThat(in.bgr()).as(what).isTrue();
        assertThat(in.mean()).as(what).containsExactly(102.9801, 115.9465, 122.7717);
        assertThat(in.std()).as(what).containsExactly(1.0, 1.0, 1.0);
      } else {
        assertThat(in.bgr()).as(what).isFalse();
        assertThat(in.mean()).as(what).containsExactly(123.675, 116.28, 103.53);
        assertThat(in.std()).as(what).containsExactly(58.395, 57.12, 57.375);
      }
    }
  }

  @Test
  void listingNeedsNoModelFilesAndNoZooRoot() throws IOException {
    Path m = Files.writeString(tmp.resolve("zoo.yaml"), """
        models:
          - {name: a, arch: RPN, backbone: R-50-FPN, artifact: "${ZOO_TEST_NEVER_SET_ROOT}/a.pt",
             output: proposals, input: {resize: none, normalized_by_model: true}}
        """);

    Cli.Result r = Cli.run("zoo", "list", "--manifest", m.toString(), "--format", "jsonl");

    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).isEqualTo("{\"name\":\"a\",\"family\":\"RPN\",\"arch\":\"RPN\","
        + "\"backbone\":\"R-50-FPN\",\"style\":\"\",\"lr_schedule\":\"\",\"reference\":"
        + "{\"train_mem_gb\":null,\"train_s_iter\":null,\"fps\":null,\"fps_batch8\":null,"
        + "\"box_ap\":null,\"mask_ap\":null,\"ar1000\":null}}\n");
  }

  @Test
  void aBadManifestIsOneLineNamingTheFileAndExit1() throws IOException {
    Path bad = Files.writeString(tmp.resolve("bad.yaml"), """
        models:
          - {name: a, arch: RPN, backbone: R-50-FPN, artifact: a.pt, output: proposals,
             input: {resize: none, normalized_by_model: true}, reference: {ar1000: 51.1}}
        """);
    Path absent = tmp.resolve("absent.yaml");

    Cli.Result r = Cli.run("zoo", "list", "--manifest", bad.toString(), "--format", "jsonl");
    Cli.Result none = Cli.run("zoo", "list", "--manifest", absent.toString());

    assertThat(r.exit()).as(r.toString()).isEqualTo(Zoobench.EXIT_BAD_INPUT);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).isEqualTo("zoobench zoo list: bad.yaml: models[0] (a): reference.ar1000"
        + " is 51.1, expected a fraction 0 to 1 (0.371 for 37.1%)\n");
    assertThat(none.exit()).as(none.toString()).isEqualTo(Zoobench.EXIT_BAD_INPUT);
    assertThat(none.err()).isEqualTo("zoobench zoo list: " + absent + ": no such file\n");
  }

  @Test
  void usageErrorsExit2() {
    Cli.Result noVerb = Cli.run("zoo");
    Cli.Result noManifest = Cli.run("zoo", "list");
    Cli.Result badFormat = Cli.run("zoo", "list", "--manifest", MANIFEST.toString(),
        "--format", "csv");

    assertThat(noVerb.exit()).as(noVerb.toString()).isEqualTo(2);
    assertThat(noVerb.err()).contains("Missing required subcommand");
    assertThat(noManifest.exit()).as(noManifest.toString()).isEqualTo(2);
    assertThat(noManifest.err()).contains("--manifest");
    assertThat(badFormat.exit()).as(badFormat.toString()).isEqualTo(2);
    assertThat(badFormat.err()).contains("csv");
  }

  @Test
  void listingStartsNoSpark() throws Exception {
    // a JVM of its own: the test JVM has Spark's classes loaded by other tests
    Path classes = tmp.resolve("classes.log");
    Path out = tmp.resolve("out.txt");
    List<String> cmd = new ArrayList<>(List.of(StandaloneClusterIT.java(), "-Xmx512m",
        "-XX:TieredStopAtLevel=1", "-Xlog:class+load=info:file=" + classes));
    cmd.addAll(StandaloneClusterIT.OPENS);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"),
        "io.zoobench.jobs.Zoobench", "zoo", "list", "--manifest", MANIFEST.toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
        .start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("finished").isTrue();

    assertThat(p.exitValue()).as(Files.readString(out)).isZero();
    assertThat(Files.readString(out)).contains("mask_rcnn_r50_fpn_1x");
    List<String> loaded = Files.readAllLines(classes);
    assertThat(loaded).as("the class log works")
        .anyMatch(l -> l.contains(" io.zoobench.zoo.ZooManifest "));
    // SparkSession's class does get loaded, with the other verbs' classes that picocli builds:
    // loading a class starts nothing; every Spark application starts a SparkContext
    assertThat(loaded).noneMatch(l -> l.contains(" org.apache.spark.SparkContext "));
  }
}
