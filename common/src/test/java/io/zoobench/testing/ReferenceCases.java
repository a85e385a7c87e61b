package io.zoobench.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zoobench.eval.EvalParams;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The pycocotools reference vectors in {@code ../shared/coco-reference} (beside the clone):
 * finds them and turns each (case, mode) into a {@link Mode} to check.
 */
public final class ReferenceCases {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One (case, mode) of a reference case. */
  public record Mode(String caseName, String mode, Path dir, JsonNode expected) {
    public Path gt() {
      return dir.resolve("gt.json");
    }

    public Path dt() {
      return dir.resolve(expected.get("dt_file").asText());
    }

    public boolean isError() {
      return expected.has("error") && !expected.has("stats");
    }

    /** The zoobench parameters that reproduce this mode. */
    public EvalParams params() {
      return paramsFor(mode);
    }

    /** The CLI flags that reproduce this mode. */
    public List<String> cliFlags() {
      return switch (mode) {
        case "bbox" -> List.of("--iou", "bbox");
        case "segm" -> List.of("--iou", "segm");
        case "segm_d2" -> List.of("--iou", "segm", "--det-area", "mask");
        case "proposal" -> List.of("--iou", "proposal");
        default -> throw new IllegalArgumentException(mode);
      };
    }

    public double[] stats() {
      double[] s = new double[12];
      for (int i = 0; i < 12; i++) {
        s[i] = expected.get("stats").get(i).asDouble();
      }
      return s;
    }

    @Override
    public String toString() {
      return caseName + "/" + mode;
    }
  }

  private ReferenceCases() {}

  public static EvalParams paramsFor(String mode) {
    return switch (mode) {
      case "bbox" -> EvalParams.of(EvalParams.IouType.BBOX);
      case "segm" -> EvalParams.of(EvalParams.IouType.SEGM);
      case "segm_d2" -> EvalParams.of(EvalParams.IouType.SEGM).withDetArea(EvalParams.DetArea.MASK);
      case "proposal" -> EvalParams.proposals();
      default -> throw new IllegalArgumentException("unknown reference mode " + mode);
    };
  }

  /** The reference folder: -Dzoobench.reference, else ../shared/coco-reference above the cwd. */
  public static Path root() {
    String prop = System.getProperty("zoobench.reference");
    if (prop != null) {
      return Path.of(prop);
    }
    Path dir = Path.of("").toAbsolutePath();
    for (int i = 0; i < 4 && dir != null; i++, dir = dir.getParent()) {
      Path candidate = dir.resolveSibling("shared").resolve("coco-reference");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("../shared/coco-reference not found above "
        + Path.of("").toAbsolutePath() + "; set -Dzoobench.reference=DIR");
  }

  public static Stream<Mode> all() {
    List<Mode> out = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(root())) {
      for (Path dir : dirs.sorted().toList()) {
        Path expected = dir.resolve("expected.json");
        if (!Files.isRegularFile(expected)) {
          continue;
        }
        JsonNode root = JSON.readTree(expected.toFile());
        Iterator<Map.Entry<String, JsonNode>> it = root.get("results").fields();
        while (it.hasNext()) {
          Map.Entry<String, JsonNode> e = it.next();
          out.add(new Mode(dir.getFileName().toString(), e.getKey(), dir, e.getValue()));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.stream();
  }
}
