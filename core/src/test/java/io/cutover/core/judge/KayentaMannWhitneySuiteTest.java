// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.judge;

import static io.cutover.core.judge.KayentaSuiteData.MANN_WHITNEY_SUITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.cutover.core.judge.internal.KayentaInterval;
import io.cutover.core.judge.internal.Normal;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Kayenta mode's interval and estimate tie out with Kayenta's own Mann-Whitney tests: every case of
 * {@code kayenta-mannwhitney/src/test/scala/com/netflix/kayenta/mannwhitney/MannWhitneySuite.scala}
 * (spinnaker/kayenta@a69573be), with its inputs (read from {@code kayenta-suite-data.tsv}), its
 * expected values and its tolerances ({@code E} = 1e-6, and 1e-4 on the estimates it checks against
 * R). Kayenta's {@code mannWhitneyUTest(x, y, level)} is {@link KayentaInterval#estimate} ({lower,
 * upper, estimate}) and its {@code wilcoxonDiff(mu, q, x, y)} is {@link KayentaInterval#statistic}.
 */
class KayentaMannWhitneySuiteTest {
  /** MannWhitneySuite's {@code E}. */
  private static final double E = 0.000001;

  private static double[] data(String test, String array) {
    double[] v = KayentaSuiteData.array(MANN_WHITNEY_SUITE, test, array);
    Arrays.sort(v);
    return v;
  }

  // MannWhitneySuite: test("Wilcoxon Diff Function")
  @Test
  void wilcoxonDiffFunction() {
    double[] x = data("Wilcoxon Diff Function", "x");
    double[] y = data("Wilcoxon Diff Function", "y");
    assertThat(KayentaInterval.statistic(x, y, 0, 0)).isCloseTo(-1.229416, within(E));
    assertThat(KayentaInterval.statistic(x, y, 5, 0)).isCloseTo(-35.80606, within(E));
  }

  // MannWhitneySuite: test("Test zQuant")
  @Test
  void zQuant() {
    assertThat(Normal.quantile(0.02 / 2)).isCloseTo(-2.326348, within(E));
  }

  // MannWhitneySuite: test("Mann-Whitney Confidence Interval & Estimate")
  @Test
  void confidenceIntervalAndEstimate() {
    double[] r =
        KayentaInterval.estimate(
            new double[] {10.0, 20.0, 30.0, 40.0}, new double[] {1.0, 2.0, 3.0, 4.0}, 0.95);
    assertThat(r[0]).isCloseTo(6.0, within(E));
    assertThat(r[1]).isCloseTo(39.0, within(E));
    assertThat(r[2]).isCloseTo(22.5, within(E));
  }

  // MannWhitneySuite: test("Mann-Whitney Confidence Interval & Estimate: Problem Case")
  // (850 values around 1/30 differing in the 6th digit, many ties)
  @Test
  void problemCase() {
    String test = "Mann-Whitney Confidence Interval & Estimate: Problem Case";
    double[] r = KayentaInterval.estimate(data(test, "experiment"), data(test, "control"), 0.98);
    assertThat(r[0]).isCloseTo(-1.4808028936386108E-5, within(E));
    assertThat(r[1]).isCloseTo(1.808255910873413E-5, within(E));
    assertThat(r[2]).isCloseTo(1.808255910873413E-5, within(E));
  }

  // MannWhitneySuite: test("Mann-Whitney Confidence Interval & Estimate: Tie out with R Version")
  // (values on a 0.5 grid: the statistic is a step function, R's uniroot stops inside a step)
  @Test
  void tieOutWithR() {
    String test = "Mann-Whitney Confidence Interval & Estimate: Tie out with R Version";
    double[] r = KayentaInterval.estimate(data(test, "experiment"), data(test, "control"), 0.95);
    assertThat(r[0]).isCloseTo(-0.500002521696696, within(E));
    assertThat(r[1]).isCloseTo(-3.486287505871302E-5, within(E));
    assertThat(r[2]).isCloseTo(-0.4999393907180323, within(0.0001));
  }

  // MannWhitneySuite: test("Mann-Whitney Confidence Interval & Estimate: Tie out with R Version
  // (Large)")
  @Test
  void tieOutWithRLarge() {
    String test = "Mann-Whitney Confidence Interval & Estimate: Tie out with R Version (Large)";
    double[] r = KayentaInterval.estimate(data(test, "experiment"), data(test, "control"), 0.98);
    assertThat(r[0]).isCloseTo(-0.4999173250549087, within(E));
    assertThat(r[1]).isCloseTo(-6.912685789769486E-6, within(E));
    assertThat(r[2]).isCloseTo(-3.45044082729315E-5, within(0.0001));
  }

  // MannWhitneySuite: test("Mann-Whitney Intermediate Values / Variables")
  // (zero-inflated samples: 84 % and 95 % zeros)
  @Test
  void intermediateValuesOfZeroInflatedSamples() {
    String test = "Mann-Whitney Intermediate Values / Variables";
    double[] x = data(test, "x");
    double[] y = data(test, "y");
    double muMin = x[0] - y[y.length - 1];
    double muMax = x[x.length - 1] - y[0];
    double zqLower = -Normal.quantile(0.05 / 2);
    double zqUpper = Normal.quantile(0.05 / 2);
    assertThat(muMin).isCloseTo(-3.124999999999986, within(E));
    assertThat(muMax).isCloseTo(5.555555555555557, within(E));
    assertThat(zqLower).isCloseTo(1.9599639845400536, within(E));
    assertThat(zqUpper).isCloseTo(-1.9599639845400536, within(E));
    assertThat(KayentaInterval.statistic(x, y, muMin, zqLower))
        .isCloseTo(17.090968923762254, within(E));
    assertThat(KayentaInterval.statistic(x, y, muMax, zqLower))
        .isCloseTo(-20.997687930433106, within(E));
    assertThat(KayentaInterval.statistic(x, y, muMin, zqUpper))
        .isCloseTo(21.01089689284236, within(E));
    assertThat(KayentaInterval.statistic(x, y, muMax, zqUpper))
        .isCloseTo(-17.077759961353, within(E));
    double[] r = KayentaInterval.estimate(x, y, 0.95);
    assertThat(r[0]).isCloseTo(3.521755377702165E-5, within(E));
    assertThat(r[1]).isCloseTo(2.02456461662334E-5, within(E));
    assertThat(r[2]).isCloseTo(2.6279243045155653E-5, within(E));
  }
}
