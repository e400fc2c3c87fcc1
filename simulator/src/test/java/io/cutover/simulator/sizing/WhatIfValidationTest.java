// SPDX-License-Identifier: Apache-2.0
package io.cutover.simulator.sizing;

import static io.cutover.simulator.sizing.SizingFixtures.canary;
import static io.cutover.simulator.sizing.SizingFixtures.thresholdDetection;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.cutover.core.gate.NoDataPolicy;
import io.cutover.core.gate.QueryDialect;
import io.cutover.core.gate.ThresholdGate;
import io.cutover.core.judge.CanaryJudge;
import io.cutover.core.judge.CanaryJudgeGate;
import io.cutover.core.judge.CanaryMetric;
import io.cutover.core.judge.JudgeReport;
import io.cutover.spi.HealthGate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The simulator against results computed without it, at a size the test suite can afford (the full
 * 10,000-run validation is {@code ./benchmarks/run sizing}). Seeds are fixed, so the numbers are
 * the same on every run; the tolerances are nonetheless correct for the sizes: about 3.5 standard
 * errors of the Monte Carlo estimates.
 */
class WhatIfValidationTest {

  /** Closed form: a success-rate gate over binomial windows of 60 requests, three windows. */
  @Test
  void thresholdGateDetectionMatchesTheBinomialClosedForm() {
    // 20 req/s, 5 % to the candidate, 1 min windows: 60 requests per window.
    int runs = 2_000;
    WhatIfReport report =
        WhatIf.builder(canary("success-rate", 5, 3, Duration.ofMinutes(1)))
            .gates(m -> Map.of("success-rate", successRate(m, 0.96)))
            .traffic(new Traffic(20, 0.005, Duration.ofMillis(200)))
            .regression(Regression.errors(2))
            .runs(runs)
            .seed(7)
            .build()
            .run();
    double expected = thresholdDetection(60, 0.025, 0.96, 3);
    double expectedFalse = thresholdDetection(60, 0.005, 0.96, 3);
    assertThat(expected).isBetween(0.3, 0.7);
    // SE <= sqrt(0.25 / 2000) = 0.0112; for the false aborts (p about 0.01) 0.0023.
    assertThat(report.detectionProbability()).isCloseTo(expected, within(0.04));
    assertThat(report.falseAbortProbability()).isCloseTo(expectedFalse, within(0.01));
    assertThat(report.byStep()).singleElement().satisfies(s -> assertThat(s.step()).isEqualTo(3));
    // An abort at measurement k has served exactly 60 k requests; undetected runs 180.
    assertThat(report.blastRequestsP95()).isEqualTo(180);
    assertThat(report.detectMedian()).isIn(Duration.ofMinutes(1), Duration.ofMinutes(2));
    assertThat(report.nominalDuration()).isEqualTo(Duration.ofMinutes(3));
  }

  /** The judge's own power: the real judge called directly on samples of the same law. */
  @Test
  void judgeDetectionMatchesTheJudgesOwnPowerForAKnownShift() {
    int runs = 1_000;
    CanaryJudge judge = CanaryJudge.builder().build();
    CanaryMetric metric = latencyMetric();
    // 200 req/s, 10 % canary: 200 vs 1,800 requests per 10 s sample, six samples a side.
    WhatIfReport report =
        WhatIf.builder(canary("judge", 10, 1, Duration.ofMinutes(1)))
            .gates(m -> Map.of("judge", judgeGate(m, judge, metric)))
            .traffic(new Traffic(200, 0.001, Duration.ofMillis(200)))
            .regression(Regression.latency(20))
            .runs(runs)
            .seed(11)
            .build()
            .run();
    double power = judgePower(judge, metric, 0.020, runs, 12);
    double size = judgePower(judge, metric, 0, runs, 13);
    assertThat(power).isBetween(0.3, 0.95);
    // Two independent estimates: SE of the difference <= sqrt(2 * 0.25 / 1000) = 0.022; for the
    // false aborts (size about 0.05 or less) <= 0.01.
    assertThat(report.detectionProbability()).isCloseTo(power, within(0.08));
    assertThat(report.falseAbortProbability()).isCloseTo(size, within(0.035));
  }

  @Test
  void sameSeedSameReportAndRecommendationReachesTheTarget() {
    WhatIf whatIf =
        WhatIf.builder(canary("success-rate", 5, 3, Duration.ofMinutes(1)))
            .gates(m -> Map.of("success-rate", successRate(m, 0.99)))
            .traffic(new Traffic(20, 0.005, Duration.ofMillis(200)))
            .regression(Regression.errors(2))
            .runs(300)
            .recommendRuns(100)
            .seed(3)
            .build();
    SizingTarget target = new SizingTarget(Regression.errors(2), 0.9, Duration.ofMinutes(30));
    WhatIfReport a = whatIf.run(target);
    WhatIfReport b = whatIf.run(target);
    assertThat(a).isEqualTo(b);
    Recommendation r = a.recommendation();
    assertThat(r).isNotNull();
    assertThat(r.found()).as(r.explanation()).isTrue();
    assertThat(r.nominalDuration()).isLessThanOrEqualTo(Duration.ofMinutes(30));
    // Re-measured with 300 runs: within a few standard errors of the screening's >= 0.9.
    assertThat(r.detectionProbability()).isGreaterThan(0.8);
    assertThat(a.toText()).contains("recommendation for 90.0% of +2% errors within 30m");
  }

  @Test
  void unmodeledGatesAreNamedAndPass() {
    WhatIfReport report =
        WhatIf.builder(canary("webhook", 5, 3, Duration.ofMinutes(1)))
            .gates(m -> Map.of())
            .runs(50)
            .build()
            .run();
    assertThat(report.detectionProbability()).isZero();
    assertThat(report.notes()).anyMatch(n -> n.contains("[webhook] are not modeled"));
  }

  @Test
  void regressionsParseOrSayHowToWriteThem() {
    assertThat(Regression.parse("+2% errors")).isEqualTo(Regression.errors(2));
    assertThat(Regression.parse(" +0.5 % error ")).isEqualTo(Regression.errors(0.5));
    assertThat(Regression.parse("+50ms p95")).isEqualTo(Regression.latency(50));
    assertThat(Regression.parse("+50 ms latency")).isEqualTo(Regression.latency(50));
    assertThat(Regression.parse("none")).isEqualTo(Regression.NONE);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Regression.parse("2x errors"))
        .hasMessageContaining("'+2% errors'");
  }

  private static HealthGate successRate(SyntheticMetrics m, double minimum) {
    return ThresholdGate.successRate("success-rate", m, QueryDialect.PROMETHEUS, minimum).build();
  }

  private static CanaryMetric latencyMetric() {
    return CanaryMetric.builder(
            "p95",
            "histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket"
                + "{release=\"{{release}}\"}[10s])))")
        .direction(CanaryMetric.Direction.INCREASE)
        .critical(true)
        .build();
  }

  private static HealthGate judgeGate(SyntheticMetrics m, CanaryJudge judge, CanaryMetric metric) {
    return CanaryJudgeGate.of(
        "judge",
        m,
        judge,
        List.of(metric),
        Duration.ofSeconds(10),
        Duration.ZERO,
        NoDataPolicy.INCONCLUSIVE);
  }

  /**
   * The share of FAIL verdicts of the judge on six canary and six baseline p95 samples drawn,
   * independently of the simulator, from the sample quantile's normal law: log-normal latencies
   * (sigma 0.5, p95 200 ms), 200 and 1,800 requests per sample, the canary shifted by {@code shift}
   * seconds.
   */
  private static double judgePower(
      CanaryJudge judge, CanaryMetric metric, double shift, int trials, long seed) {
    double q95 = 0.2;
    double density =
        Math.exp(-1.6448536269514722 * 1.6448536269514722 / 2)
            / (q95 * Traffic.LATENCY_SIGMA * Math.sqrt(2 * Math.PI));
    double sdCanary = Math.sqrt(0.95 * 0.05 / 200) / density;
    double sdBaseline = Math.sqrt(0.95 * 0.05 / 1800) / density;
    Random r = new Random(seed);
    int fails = 0;
    for (int t = 0; t < trials; t++) {
      double[] c = new double[6];
      double[] b = new double[6];
      for (int i = 0; i < 6; i++) {
        c[i] = q95 + shift + sdCanary * r.nextGaussian();
        b[i] = q95 + sdBaseline * r.nextGaussian();
      }
      JudgeReport rep = judge.judge(List.of(new CanaryJudge.Input(metric, c, b)));
      if (rep.classification() == JudgeReport.Classification.FAIL) {
        fails++;
      }
    }
    return (double) fails / trials;
  }
}
