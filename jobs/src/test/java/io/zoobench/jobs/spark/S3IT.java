package io.zoobench.jobs.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.zoobench.jobs.Zoobench;
import io.zoobench.jobs.tables.Tables;
import io.zoobench.jobs.tables.Warehouse;
import io.zoobench.testing.ReferenceCases;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * End to end over S3: annotations, results and the warehouse on a real S3 API server
 * (s3proxy, in-memory backend) on 127.0.0.1, reached through Hadoop's S3A; credentials come
 * from S3A's configuration and must appear nowhere in output or tables.
 */
class S3IT {
  private static final String ACCESS = "zoobench-test-access";
  private static final String SECRET = "zb-SECRET-9f3c1a7e";

  static S3Proxy proxy;
  static BlobStoreContext blobs;
  static SparkSession spark;

  @BeforeAll
  static void startS3() throws Exception {
    // jclouds' in-memory store: its filesystem store sleeps and retries when S3A deletes a
    // directory marker before the files under it, which turns every job commit into ~10 s
    blobs = ContextBuilder.newBuilder("transient").credentials("local", "local")
        .build(BlobStoreContext.class);
    BlobStore store = blobs.getBlobStore();
    store.createContainerInLocation(null, "bench");
    proxy = S3Proxy.builder().blobStore(store).endpoint(URI.create("http://127.0.0.1:0"))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS, SECRET).build();
    proxy.start();
    for (int i = 0; i < 200 && !proxy.getState().equals("STARTED"); i++) {
      Thread.sleep(50);
    }
    ReferenceCases.Mode m = mode();
    put(store, "in/gt.json", m.gt());
    put(store, "in/dt.json", m.dt());
    putShapes(store);

    spark = LocalSpark.get();
    var conf = spark.sparkContext().hadoopConfiguration();
    conf.set("fs.s3a.endpoint", "http://127.0.0.1:" + proxy.getPort());
    conf.set("fs.s3a.endpoint.region", "us-east-1");
    conf.set("fs.s3a.path.style.access", "true");
    conf.set("fs.s3a.connection.ssl.enabled", "false");
    conf.set("fs.s3a.aws.credentials.provider",
        "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    conf.set("fs.s3a.access.key", ACCESS);
    conf.set("fs.s3a.secret.key", SECRET);
    conf.set("fs.s3a.multiobjectdelete.enable", "false");
    conf.set("fs.s3a.change.detection.version.required", "false");
    // s3proxy answers "Expect: 100-continue" late; without this every PUT waits seconds
    conf.set("fs.s3a.connection.expect.continue", "false");
  }

  @TempDir static Path catalogs;

  /**
   * An Iceberg JDBC catalog (on a local SQLite file of its own) for a warehouse on S3: the
   * embedded catalog needs a local folder.
   */
  static List<String> catalog(String name) {
    String key = "spark.sql.catalog.zoobench";
    return List.of("--conf", key + "=org.apache.iceberg.spark.SparkCatalog",
        "--conf", key + ".type=jdbc",
        "--conf", key + ".uri=jdbc:sqlite:" + catalogs.resolve(name + ".db"),
        "--conf", key + ".jdbc.schema-version=V1");
  }

  /** The CLI's --conf stays on the shared session: other tests use the embedded catalog. */
  @AfterEach
  void forgetCatalog() {
    for (String k : scala.jdk.javaapi.CollectionConverters.asJava(spark.conf().getAll())
        .keySet()) {
      if (k.startsWith("spark.sql.catalog.zoobench")) {
        spark.conf().unset(k);
      }
    }
  }

  static int execute(CommandLine cl, List<String> args, List<String> catalog) {
    List<String> all = new java.util.ArrayList<>(args);
    all.addAll(catalog);
    return cl.execute(all.toArray(String[]::new));
  }

  @AfterAll
  static void stopS3() throws Exception {
    if (proxy != null) {
      proxy.stop();
    }
    if (blobs != null) {
      blobs.close();
    }
  }

  static ReferenceCases.Mode mode() {
    return ReferenceCases.all().filter(x -> x.caseName().startsWith("05") && x.mode().equals("bbox"))
        .findFirst().orElseThrow();
  }

  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  /** The first 8 images of the shapes set, their annotations, and the tiny Mask R-CNN. */
  private static void putShapes(BlobStore store) throws Exception {
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    Path val = ROOT.resolve("fixtures/shapes-val");
    var gt = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(
        val.resolve("instances.json").toFile());
    var images = json.createArrayNode();
    java.util.Set<Long> ids = new java.util.HashSet<>();
    for (int i = 0; i < 8; i++) {
      var im = gt.path("images").get(i);
      images.add(im);
      ids.add(im.path("id").asLong());
      put(store, "shapes/images/" + im.path("file_name").asText(),
          val.resolve("images").resolve(im.path("file_name").asText()));
    }
    var anns = json.createArrayNode();
    gt.path("annotations").forEach(a -> {
      if (ids.contains(a.path("image_id").asLong())) {
        anns.add(a);
      }
    });
    gt.set("images", images);
    gt.set("annotations", anns);
    store.putBlob("bench", store.blobBuilder("shapes/instances.json")
        .payload(json.writeValueAsBytes(gt)).build());
    put(store, "models/shapes_maskrcnn.pt", ROOT.resolve("fixtures/models/shapes_maskrcnn.pt"));
  }

  @Test
  void evaluateReadsImagesAndTheModelFromS3(@org.junit.jupiter.api.io.TempDir Path tmp)
      throws Exception {
    String manifest = Files.readString(ROOT.resolve("conf/zoo/demo.yaml"))
        .replace("../../fixtures/models/shapes_maskrcnn.pt", "s3a://bench/models/shapes_maskrcnn.pt");
    Path yaml = tmp.resolve("s3.yaml");
    Files.writeString(yaml, manifest);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Zoobench.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = execute(cl, List.of("evaluate", "--annotations",
        "s3a://bench/shapes/instances.json", "--images", "s3a://bench/shapes/images",
        "--model", yaml + "#shapes-maskrcnn-tiny", "--warehouse", "s3a://bench/wh-eval",
        "--run-id", "s3eval"), catalog("eval"));
    assertThat(exit).as(err.toString()).isZero();
    Warehouse wh = Warehouse.open(spark, "s3a://bench/wh-eval");
    Row run = wh.table(Tables.RUNS).where("run_id = 's3eval'").collectAsList().get(0);
    assertThat(run.<String>getAs("status")).isEqualTo("succeeded");
    assertThat(run.<Long>getAs("images_total")).isEqualTo(8L);
    assertThat(run.<Long>getAs("images_failed")).isZero();
    assertThat(run.<Long>getAs("predictions")).isPositive();
    assertThat(run.<String>getAs("model_path")).isEqualTo("s3a://bench/models/shapes_maskrcnn.pt");
    // the executor copied the model into its temporary folder
    try (var files = Files.walk(Path.of(System.getProperty("java.io.tmpdir"), "zoobench-models"))) {
      assertThat(files.filter(f -> f.getFileName().toString().equals("shapes_maskrcnn.pt"))
          .filter(f -> f.toFile().length() == ROOT.resolve("fixtures/models/shapes_maskrcnn.pt")
              .toFile().length()).count()).isPositive();
    }
    assertThat(out + "\n" + err + "\n" + run).doesNotContain(SECRET).doesNotContain(ACCESS);
  }

  private static void put(BlobStore store, String name, Path file) throws Exception {
    store.putBlob("bench", store.blobBuilder(name).payload(Files.readAllBytes(file)).build());
  }

  @Test
  void importReadsAndWritesS3WithoutLeakingCredentials() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Zoobench.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = execute(cl, List.of("import", "--annotations", "s3a://bench/in/gt.json",
        "--results", "s3a://bench/in/dt.json", "--iou", "bbox", "--warehouse", "s3a://bench/wh",
        "--run-id", "s3run", "--model", "m", "--partitions", "3"), catalog("import"));
    System.err.print(err);
    assertThat(exit).as(err.toString()).isZero();

    Warehouse wh = Warehouse.open(spark, "s3a://bench/wh");
    List<Row> metrics = wh.table(Tables.METRICS).where("run_id = 's3run'")
        .orderBy("slot").collectAsList();
    double[] expected = mode().stats();
    assertThat(metrics).hasSize(12);
    for (int i = 0; i < 12; i++) {
      assertThat(metrics.get(i).getDouble(metrics.get(i).fieldIndex("value")))
          .isCloseTo(expected[i], within(1e-12));
    }
    List<Row> runs = wh.table(Tables.RUNS).where("run_id = 's3run'").collectAsList();
    assertThat(runs).hasSize(1);
    assertThat(runs.get(0).<String>getAs("status")).isEqualTo("succeeded");
    assertThat(runs.get(0).<String>getAs("results_path")).isEqualTo("s3a://bench/in/dt.json");

    String everything = out + "\n" + err + "\n" + runs.get(0).toString() + "\n"
        + wh.table(Tables.RUNS).toJSON().collectAsList();
    assertThat(everything).doesNotContain(SECRET).doesNotContain(ACCESS);
  }

  @Test
  void missingObjectIsOneLineErrorWithoutCredentials() {
    StringWriter err = new StringWriter();
    CommandLine cl = Zoobench.commandLine();
    cl.setOut(new PrintWriter(new StringWriter(), true));
    cl.setErr(new PrintWriter(err, true));
    int exit = execute(cl, List.of("import", "--annotations", "s3a://bench/in/nope.json",
        "--results", "s3a://bench/in/dt.json", "--iou", "bbox", "--warehouse",
        "s3a://bench/wh2", "--run-id", "missing"), catalog("missing"));
    assertThat(exit).isEqualTo(Zoobench.EXIT_BAD_INPUT);
    String last = err.toString().strip().lines().reduce((a, b) -> b).orElse("");
    assertThat(last).contains("nope.json").doesNotContain(SECRET).doesNotContain("Exception");
  }
}
