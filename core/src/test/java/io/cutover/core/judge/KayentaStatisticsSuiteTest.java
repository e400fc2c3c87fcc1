// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.judge;

import static io.cutover.core.judge.KayentaSuiteData.DETECTOR_SUITE;
import static io.cutover.core.judge.KayentaSuiteData.STATISTIC_SUITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.cutover.core.judge.internal.Samples;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The statistics Kayenta mode shares with Kayenta's judge tie out with Kayenta's tests of them:
 * percentiles (R-7, used by the IQR outlier fences), mean ratio and CLES from {@code
 * kayenta-judge/src/test/scala/com/netflix/kayenta/judge/StatisticSuite.scala}, NaN handling and
 * IQR outlier removal from {@code TransformSuite.scala} and {@code DetectorSuite.scala} (same
 * directory, spinnaker/kayenta@a69573be), at the suites' tolerances.
 *
 * <p>Not ported: the summary-statistics tests (Cutover reports count and mean only, and NaN rather
 * than 0 for the mean of no data), Cohen's d, the k-sigma detector and the noise generator's
 * moments (none is used by NetflixACAJudge). Kayenta's detector tests use the plain IQR detector
 * (factor 1.5); NetflixACAJudge uses it with reduced sensitivity (fences widened to the 1st/99th
 * percentiles), the only form Cutover has, and these tests check that it flags the same values on
 * the suites' inputs.
 */
class KayentaStatisticsSuiteTest {

  private static double percentile(double[] values, double p) {
    double[] s = values.clone();
    Arrays.sort(s);
    return Samples.percentile(s, p);
  }

  private static double[] stat(String test, String array) {
    return KayentaSuiteData.array(STATISTIC_SUITE, test, array);
  }

  /** Kayenta's {@code EffectSizes.meanRatio(control, experiment)}, as Kayenta mode reports it. */
  private static double meanRatio(String test) {
    CanaryMetric m = CanaryMetric.builder("m", "q").groups("g").build();
    return CanaryJudge.builder()
        .mode(CanaryJudge.Mode.KAYENTA)
        .build()
        .judge(
            List.of(
                new CanaryJudge.Input(m, stat(test, "experimentData"), stat(test, "controlData"))))
        .metrics()
        .get(0)
        .meanRatio();
  }

  /** Kayenta's {@code EffectSizes.cles(control, experiment)}: P(experiment > control) + ties/2. */
  private static double cles(String test) {
    double[] x = stat(test, "experimentData");
    double[] y = stat(test, "controlData");
    return MannWhitney.test(x, y).u() / ((double) x.length * y.length);
  }

  // StatisticSuite: test("Summary Statistics: Basic Percentile")
  @Test
  void basicPercentile() {
    double[] d = stat("Summary Statistics: Basic Percentile", "testData");
    assertThat(percentile(d, 5)).isCloseTo(0.175, within(1.0e-4));
    assertThat(percentile(d, 50)).isEqualTo(1.75);
    assertThat(percentile(d, 100)).isEqualTo(3.5);
  }

  // StatisticSuite: test("Summary Statistics: Basic Percentile Estimate (Linear Interpolation)")
  @Test
  void basicPercentileLinearInterpolation() {
    double[] d =
        stat("Summary Statistics: Basic Percentile Estimate (Linear Interpolation)", "testData");
    assertThat(percentile(d, 50)).isEqualTo(4.5);
  }

  // StatisticSuite: test("Summary Statistics: Percentile (NIST Data)")
  @Test
  void percentileNistData() {
    double[] d = stat("Summary Statistics: Percentile (NIST Data)", "testData");
    assertThat(percentile(d, 90)).isEqualTo(95.19568);
  }

  // StatisticSuite: test("Summary Statistics: Percentile Metric Object")
  @Test
  void percentileOfOneValue() {
    assertThat(percentile(new double[] {1.0}, 100)).isEqualTo(1.0);
  }

  // StatisticSuite: test("Summary Statistics: Percentile Estimate (Linear Interpolation)")
  // (zero-inflated error ratios)
  @Test
  void percentileOfZeroInflatedData() {
    double[] d = stat("Summary Statistics: Percentile Estimate (Linear Interpolation)", "testData");
    assertThat(percentile(d, 25)).isEqualTo(0.0);
    assertThat(percentile(d, 75)).isCloseTo(0.0416, within(1.0e-4));
  }

  // StatisticSuite: test("Effect Size: Mean Ratio (No Effect)") and test("Effect Size: Mean Ratio
  // (Summary Stats)") (the same data)
  @Test
  void meanRatioNoEffect() {
    assertThat(meanRatio("Effect Size: Mean Ratio (No Effect)")).isEqualTo(1.0);
    assertThat(meanRatio("Effect Size: Mean Ratio (Summary Stats)")).isEqualTo(1.0);
  }

  // StatisticSuite: test("Effect Size: Mean Ratio (High)")
  @Test
  void meanRatioHigh() {
    assertThat(meanRatio("Effect Size: Mean Ratio (High)")).isEqualTo(10.0);
  }

  // StatisticSuite: test("Effect Size: Mean Ratio (Low)")
  @Test
  void meanRatioLow() {
    assertThat(meanRatio("Effect Size: Mean Ratio (Low)")).isEqualTo(0.1);
  }

  // StatisticSuite: test("Effect Size: Mean Ratio (Zero Mean)")
  @Test
  void meanRatioOfAZeroMeanIsUndefined() {
    assertThat(meanRatio("Effect Size: Mean Ratio (Zero Mean)")).isNaN();
  }

  // StatisticSuite: test("CLES Effect Size: Identical")
  @Test
  void clesIdentical() {
    assertThat(cles("CLES Effect Size: Identical")).isEqualTo(0.5);
  }

  // StatisticSuite: test("CLES Effect Size: Different (No Overlap)")
  @Test
  void clesNoOverlap() {
    assertThat(cles("CLES Effect Size: Different (No Overlap)")).isEqualTo(0.0);
  }

  // StatisticSuite: test("CLES Effect Size: High Metric")
  @Test
  void clesHigh() {
    assertThat(cles("CLES Effect Size: High Metric")).isCloseTo(0.771, within(0.001));
  }

  // StatisticSuite: test("CLES Effect Size: Low Metric")
  @Test
  void clesLow() {
    assertThat(cles("CLES Effect Size: Low Metric")).isEqualTo(0.12);
  }

  // TransformSuite: test("Remove Single NaN"), test("Remove Multiple NaN"), test("Replace NANs")
  @Test
  void nanHandling() {
    assertThat(Samples.handleNaN(new double[] {0.0, 1.0, Double.NaN, 1.0, 0.0}, false))
        .containsExactly(0.0, 1.0, 1.0, 0.0);
    assertThat(Samples.handleNaN(new double[] {Double.NaN, Double.NaN, Double.NaN}, false))
        .isEmpty();
    assertThat(
            Samples.handleNaN(
                new double[] {Double.NaN, 10.10, 20.20, 30.30, Double.NaN, 40.40}, true))
        .containsExactly(0.0, 10.10, 20.20, 30.30, 0.0, 40.40);
  }

  // TransformSuite: test("IQR Outlier Removal") and DetectorSuite: test("IQR Detection")
  @Test
  void iqrOutlierRemoval() {
    assertThat(
            Samples.removeOutliers(
                new double[] {21.0, 23.0, 24.0, 25.0, 50.0, 29.0, 23.0, 21.0}, 1.5))
        .containsExactly(21.0, 23.0, 24.0, 25.0, 29.0, 23.0, 21.0);
  }

  // DetectorSuite: test("IQR Detect Two Sided")
  @Test
  void iqrTwoSided() {
    assertThat(
            Samples.removeOutliers(new double[] {1.0, 1.0, 1.0, 5.0, -1.0, -1.0, -1.0, -5.0}, 1.5))
        .containsExactly(1.0, 1.0, 1.0, -1.0, -1.0, -1.0);
  }

  // DetectorSuite: test("IQR Empty Data")
  @Test
  void iqrEmptyData() {
    assertThat(Samples.removeOutliers(new double[0], 1.5)).isEmpty();
  }

  // DetectorSuite: test("IQR NIST Test") (only the last value is an outlier)
  @Test
  void iqrNist() {
    double[] d = KayentaSuiteData.array(DETECTOR_SUITE, "IQR NIST Test", "testData");
    assertThat(Samples.removeOutliers(d, 1.5)).containsExactly(Arrays.copyOf(d, d.length - 1));
  }
}
