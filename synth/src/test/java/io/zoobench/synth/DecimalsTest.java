package io.zoobench.synth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Fixed-point number output: Python-like text that parses back to the exact value used. */
class DecimalsTest {

  @Test
  void printsLikePythonFloats() throws IOException {
    assertThat(render(g -> {
      Decimals d = new Decimals();
      d.write(g, 15415);
      d.write(g, 15410);
      d.write(g, 15400);
      d.write(g, 5);
      d.write(g, -1234);
      d.write(g, 0);
      d.writeScore(g, 0.29);
      d.writeScore(g, 0.001);
      d.writeScore(g, 1.0);
      d.writeScore(g, Decimals.roundScore(0.123456789));
    })).isEqualTo("[154.15,154.1,154.0,0.05,-12.34,0.0,0.29,0.001,1.0,0.12345679]");
  }

  @Test
  void parsesBackToTheRoundedValue() throws IOException {
    SplittableRandom rng = new SplittableRandom(3);
    for (int i = 0; i < 2000; i++) {
      double coordinate = rng.nextDouble(-50, 1000);
      double score = Decimals.roundScore(rng.nextDouble());
      String text = render(g -> {
        Decimals d = new Decimals();
        d.write(g, Decimals.cents(coordinate));
        d.writeScore(g, score);
      });
      String[] parts = text.substring(1, text.length() - 1).split(",");
      assertThat(Double.parseDouble(parts[0])).isEqualTo(Decimals.round2(coordinate));
      assertThat(Double.parseDouble(parts[1])).isEqualTo(score);
    }
  }

  private interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  private static String render(Body body) throws IOException {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
      g.writeStartArray();
      body.write(g);
      g.writeEndArray();
    }
    return out.toString();
  }
}
