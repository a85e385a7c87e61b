package io.zoobench.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.zoobench.coco.CocoDataset;
import io.zoobench.coco.CocoJsonReader;
import io.zoobench.coco.CocoResults;
import io.zoobench.coco.InvalidInputException;
import io.zoobench.testing.ReferenceCases;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every case and mode of ../shared/coco-reference against pycocotools' own outputs, bit for
 * bit: the 12 stats, per-category AP, {@code eval['recall']} and the per-threshold AP (the json
 * holds Python's shortest round-trip repr of each double, which parses back to that double).
 */
class ReferenceParityTest {

  static Stream<ReferenceCases.Mode> modes() {
    return ReferenceCases.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("modes")
  void matchesPycocotools(ReferenceCases.Mode m) {
    CocoDataset gt = CocoJsonReader.readDataset(m.gt());
    CocoResults dt = CocoJsonReader.readResults(m.dt(), true);
    CocoEvaluator evaluator = new CocoEvaluator(m.params(), 2);
    if (m.isError()) {
      assertThatThrownBy(() -> evaluator.evaluate(gt, dt))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("results[");
      return;
    }
    EvalResult r = evaluator.evaluate(gt, dt);
    double[] expected = m.stats();
    double[] actual = r.stats();
    for (int i = 0; i < 12; i++) {
      assertThat(actual[i]).as("%s stats[%d] %s", m, i, r.statNames().get(i))
          .isEqualTo(expected[i]);
    }
    assertThat(r.statNames()).isEqualTo(names(m.expected().get("stat_names")));

    JsonNode perCat = m.expected().get("per_category");
    if (perCat != null && m.params().useCats()) {
      List<EvalResult.CategoryAp> aps = r.perCategory();
      assertThat(aps).hasSize(perCat.size());
      for (int k = 0; k < perCat.size(); k++) {
        JsonNode e = perCat.get(k);
        assertThat(aps.get(k).id()).isEqualTo(e.get("id").asLong());
        if (e.get("AP").isNull()) {
          assertThat(aps.get(k).ap()).as("%s category %d AP", m, aps.get(k).id()).isNaN();
        } else {
          assertThat(aps.get(k).ap()).as("%s category %d AP", m, aps.get(k).id())
              .isEqualTo(e.get("AP").asDouble());
        }
      }
    }

    JsonNode recall = m.expected().get("recall_TKAM");
    JsonNode apTkam = m.expected().get("ap_TKAM");
    List<CategoryCurves> curves = r.summary().curves();
    if (recall != null) {
      for (int t = 0; t < recall.size(); t++) {
        for (int k = 0; k < recall.get(t).size(); k++) {
          for (int a = 0; a < recall.get(t).get(k).size(); a++) {
            for (int mm = 0; mm < recall.get(t).get(k).get(a).size(); mm++) {
              assertThat(curves.get(k).recall(t, a, mm)).as("%s recall[%d][%d][%d][%d]", m, t, k, a, mm)
                  .isEqualTo(recall.get(t).get(k).get(a).get(mm).asDouble());
              assertThat(r.summary().categoryApAt(k, t, a, mm)).as("%s ap[%d][%d][%d][%d]", m, t, k, a, mm)
                  .isEqualTo(apTkam.get(t).get(k).get(a).get(mm).asDouble());
            }
          }
        }
      }
    }
  }

  private static List<String> names(JsonNode n) {
    java.util.ArrayList<String> out = new java.util.ArrayList<>();
    n.forEach(x -> out.add(x.asText()));
    return out;
  }
}
