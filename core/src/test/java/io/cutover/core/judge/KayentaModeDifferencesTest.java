// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.judge;

import static org.assertj.core.api.Assertions.assertThat;

import io.cutover.core.judge.CanaryMetric.Direction;
import io.cutover.core.judge.CanaryMetric.EffectMeasure;
import io.cutover.core.judge.CanaryMetric.NanStrategy;
import io.cutover.core.judge.MetricJudgement.Classification;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Where Cutover's native judge decides differently from Kayenta mode on purpose (docs/gates.md,
 * "Kayenta fidelity"): each example is judged in both modes. Every other case of Kayenta's
 * ClassifierSuite is classified the same way by both modes (asserted in {@link
 * KayentaClassifierSuiteTest}).
 */
class KayentaModeDifferencesTest {

  private static MetricJudgement judge(
      CanaryJudge.Mode mode, CanaryMetric metric, double[] canary, double[] baseline) {
    return CanaryJudge.builder()
        .mode(mode)
        .build()
        .judge(List.of(new CanaryJudge.Input(metric, canary, baseline)))
        .metrics()
        .get(0);
  }

  /**
   * ClassifierSuite "Mann-Whitney Missing Experiment Data with NaN Replacement": no canary values
   * and NaN strategy replace. Kayenta passes the metric; native mode never passes missing data.
   */
  @Test
  void missingDataWithNanReplacementPassesOnlyInKayentaMode() {
    CanaryMetric m =
        CanaryMetric.builder("errors", "q")
            .direction(Direction.DECREASE)
            .nanStrategy(NanStrategy.REPLACE)
            .groups("g")
            .build();
    double[] none = {};
    double[] baseline = {1.0, 2.0, 3.0, 4.0, 5.0};
    assertThat(judge(CanaryJudge.Mode.KAYENTA, m, none, baseline).classification())
        .isEqualTo(Classification.PASS);
    assertThat(judge(CanaryJudge.Mode.NATIVE, m, none, baseline).classification())
        .isEqualTo(Classification.NODATA);
  }

  /**
   * Half of the canary's latencies are 3x slower. Over the gap between the canary's two clusters
   * the rank statistic is flat at 0, so Kayenta's shift estimate is wherever Brent's method stops
   * on that flat stretch, the interval's lower end stays below {@code tolerance} × |estimate|, and
   * Kayenta (and Kayenta mode) passes the metric. Native mode tests the ranks directly: HIGH.
   */
  @Test
  void aCanaryWithHalfItsRequestsSlowerPassesOnlyInKayentaMode() {
    Random random = new Random(3);
    double[] baseline = new double[120];
    double[] canary = new double[120];
    for (int i = 0; i < 120; i++) {
      baseline[i] = 0.1 + 0.01 * random.nextGaussian();
      canary[i] = (i < 60 ? 1 : 3) * (0.1 + 0.01 * random.nextGaussian());
    }
    CanaryMetric m =
        CanaryMetric.builder("latency", "q")
            .direction(Direction.INCREASE)
            .effectSize(EffectMeasure.MEAN_RATIO, 1.2, 1.0)
            .groups("latency")
            .build();
    MetricJudgement kayenta = judge(CanaryJudge.Mode.KAYENTA, m, canary, baseline);
    assertThat(kayenta.classification()).isEqualTo(Classification.PASS);
    assertThat(kayenta.shift())
        .as("on the flat stretch between the clusters")
        .isBetween(0.05, 0.15);
    assertThat(kayenta.shiftLower()).isLessThan(0.25 * kayenta.shift());
    assertThat(kayenta.meanRatio()).isGreaterThan(1.9);

    MetricJudgement nativeMode = judge(CanaryJudge.Mode.NATIVE, m, canary, baseline);
    assertThat(nativeMode.classification()).isEqualTo(Classification.HIGH);
    assertThat(nativeMode.pValue()).isLessThan(1e-6);
  }
}
