package io.zoobench.jobs.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How the report prints figures and differences. */
class ReportPageTest {
  @Test
  void aDifferenceOfFloatNoisePrintsAsZeroWithoutAMinus() {
    assertThat(ReportPage.format(-4e-17, 100, 1, true)).isEqualTo("+0.0");
    assertThat(ReportPage.format(-0.0004, 100, 1, true)).isEqualTo("+0.0");
    assertThat(ReportPage.format(-0.0006, 100, 1, true)).isEqualTo("-0.1");
    assertThat(ReportPage.format(0.3018, 100, 1, false)).isEqualTo("30.2");
    assertThat(ReportPage.format(-1e-9, 1, 3, false)).isEqualTo("0.000");
    assertThat(ReportPage.format(null, 1, 3, true)).isEqualTo("-");
  }
}
