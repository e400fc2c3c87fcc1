// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.judge;

import static org.assertj.core.api.Assertions.assertThat;

import io.cutover.api.Verdict.Outcome;
import io.cutover.core.gate.NoDataPolicy;
import io.cutover.core.judge.CanaryMetric.Direction;
import io.cutover.core.judge.CanaryMetric.EffectMeasure;
import io.cutover.core.judge.CanaryMetric.NanStrategy;
import io.cutover.core.judge.MetricJudgement.Classification;
import io.cutover.core.metrics.InProcessMetricSource;
import io.cutover.core.metrics.InProcessMetrics;
import io.cutover.core.testing.TestContexts;
import io.cutover.core.testing.TestContexts.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CanaryJudgeTest {
  private final Random random = new Random(11);

  private double[] normal(int n, double mean, double sd) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = mean + sd * random.nextGaussian();
    }
    return v;
  }

  private static CanaryMetric latency() {
    return CanaryMetric.builder("latency", "q")
        .direction(Direction.INCREASE)
        .groups("latency")
        .build();
  }

  private static MetricJudgement only(CanaryJudge judge, CanaryMetric m, double[] c, double[] b) {
    return judge.judge(List.of(new CanaryJudge.Input(m, c, b))).metrics().get(0);
  }

  @ParameterizedTest
  @EnumSource(CanaryJudge.Mode.class)
  void aClearIncreaseIsHighAndNoiseIsPass(CanaryJudge.Mode mode) {
    CanaryJudge judge = CanaryJudge.builder().mode(mode).build();
    var high = only(judge, latency(), normal(60, 130, 10), normal(60, 100, 10));
    assertThat(high.classification()).isEqualTo(Classification.HIGH);
    assertThat(high.shift()).isBetween(20.0, 40.0);
    assertThat(high.shiftLower()).isPositive();
    assertThat(high.reason()).contains("latency is HIGH").contains("canary n=60");
    var same = only(judge, latency(), normal(60, 100, 10), normal(60, 100, 10));
    assertThat(same.classification()).isEqualTo(Classification.PASS);
  }

  @ParameterizedTest
  @EnumSource(CanaryJudge.Mode.class)
  void aDecreaseOfAnIncreaseOnlyMetricPasses(CanaryJudge.Mode mode) {
    var r =
        only(
            CanaryJudge.builder().mode(mode).build(),
            latency(),
            normal(60, 70, 10),
            normal(60, 100, 10));
    assertThat(r.classification()).isEqualTo(Classification.PASS);
  }

  @Test
  void effectSizeBelowTheAllowedIncreasePasses() {
    var m =
        CanaryMetric.builder("latency", "q")
            .direction(Direction.INCREASE)
            .effectSize(EffectMeasure.MEAN_RATIO, 1.5, 0.5)
            .build();
    var r = only(CanaryJudge.builder().build(), m, normal(200, 110, 5), normal(200, 100, 5));
    assertThat(r.classification()).isEqualTo(Classification.PASS);
    assertThat(r.reason()).contains("below the allowed mean ratio 1.5");
    var cles =
        CanaryMetric.builder("latency", "q").effectSize(EffectMeasure.CLES, 0.9, 0.1).build();
    var rc = only(CanaryJudge.builder().build(), cles, normal(200, 101, 5), normal(200, 100, 5));
    assertThat(rc.cles()).isBetween(0.5, 0.7);
    assertThat(rc.classification()).isEqualTo(Classification.PASS);
  }

  @Test
  void tiesAndSmallSamplesUseTheRightTest() {
    // Heavily tied error counts: still detects the shift (asymptotic with tie correction).
    double[] canary = {0, 1, 1, 2, 2, 2, 3, 3, 4, 5, 5, 6};
    double[] baseline = {0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0};
    var r = only(CanaryJudge.builder().build(), latency(), canary, baseline);
    assertThat(r.classification()).isEqualTo(Classification.HIGH);
    assertThat(r.reason()).contains("asymptotic");
    var small =
        only(
            CanaryJudge.builder().build(),
            latency(),
            new double[] {10, 11, 12, 13},
            new double[] {1, 2, 3, 4});
    assertThat(small.reason()).contains("exact");
    assertThat(small.pValue()).isEqualTo(1.0 / 70); // P(U = 16) for 4 x 4 under the null
  }

  @ParameterizedTest
  @EnumSource(CanaryJudge.Mode.class)
  void identicalAndConstantSamplesPass(CanaryJudge.Mode mode) {
    CanaryJudge judge = CanaryJudge.builder().mode(mode).build();
    assertThat(only(judge, latency(), new double[] {3, 1, 2}, new double[] {1, 2, 3}).reason())
        .contains("identical");
    assertThat(only(judge, latency(), new double[] {5, 5, 5}, new double[] {5, 5}).classification())
        .isEqualTo(Classification.PASS);
  }

  @Test
  void twoDifferentConstantsAreJudgedDeterministically() {
    CanaryJudge judge = CanaryJudge.builder().mode(CanaryJudge.Mode.KAYENTA).seed(42).build();
    double[] c = {2, 2, 2, 2, 2, 2, 2, 2, 2, 2};
    double[] b = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    var first = only(judge, latency(), c, b);
    var again = only(judge, latency(), c, b);
    assertThat(first.classification()).isEqualTo(Classification.HIGH);
    assertThat(again.shift()).isEqualTo(first.shift());
    assertThat(only(CanaryJudge.builder().build(), latency(), c, b).classification())
        .isEqualTo(Classification.HIGH);
  }

  @Test
  void emptySamplesAreNoDataUnlessTheMetricMustHaveData() {
    CanaryJudge judge = CanaryJudge.builder().build();
    double[] nan = {Double.NaN, Double.NaN};
    assertThat(only(judge, latency(), nan, new double[] {1}).classification())
        .isEqualTo(Classification.NODATA);
    var must = CanaryMetric.builder("m", "q").mustHaveData(true).build();
    assertThat(only(judge, must, new double[0], new double[] {1}).classification())
        .isEqualTo(Classification.NODATA_FAIL);
    var replace = CanaryMetric.builder("errors", "q").nanStrategy(NanStrategy.REPLACE).build();
    // NaN replaced by 0: the canary's errors are data, compared with the baseline's zeros.
    assertThat(
            only(judge, replace, new double[] {Double.NaN, 0, 0}, new double[] {0, 0, 0})
                .classification())
        .isEqualTo(Classification.PASS);
    assertThat(
            only(
                    CanaryJudge.builder().mode(CanaryJudge.Mode.KAYENTA).build(),
                    replace,
                    new double[0],
                    new double[] {1})
                .classification())
        .isEqualTo(Classification.PASS);
  }

  @Test
  void aCriticalMetricFailsTheCanaryWhateverTheScore() {
    List<CanaryJudge.Input> in = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      in.add(
          new CanaryJudge.Input(
              CanaryMetric.builder("ok" + i, "q").groups("g").build(),
              normal(40, 1, 1),
              normal(40, 1, 1)));
    }
    var critical =
        CanaryMetric.builder("errors", "q")
            .direction(Direction.INCREASE)
            .critical(true)
            .groups("g")
            .build();
    in.add(new CanaryJudge.Input(critical, normal(40, 5, 1), normal(40, 1, 1)));
    var report = CanaryJudge.builder().thresholds(80, 50).build().judge(in);
    assertThat(report.groupScores().get("g")).isEqualTo(90.0);
    assertThat(report.score()).isZero();
    assertThat(report.classification()).isEqualTo(JudgeReport.Classification.FAIL);
    assertThat(report.reason())
        .contains("critical metric failed")
        .contains("errors is HIGH (critical)");
  }

  @Test
  void groupsAreWeightedAndUnweightedGroupsShareTheRest() {
    List<CanaryJudge.Input> in =
        List.of(
            new CanaryJudge.Input(
                CanaryMetric.builder("a", "q").groups("errors").build(),
                normal(40, 5, 1),
                normal(40, 1, 1)),
            new CanaryJudge.Input(
                CanaryMetric.builder("b", "q").groups("errors").build(),
                normal(40, 1, 1),
                normal(40, 1, 1)),
            new CanaryJudge.Input(
                CanaryMetric.builder("c", "q").groups("latency").build(),
                normal(40, 1, 1),
                normal(40, 1, 1)),
            new CanaryJudge.Input(
                CanaryMetric.builder("d", "q").groups("cpu").build(),
                normal(40, 1, 1),
                normal(40, 1, 1)),
            new CanaryJudge.Input(
                CanaryMetric.builder("e", "q").groups("cpu").muted(true).build(),
                normal(40, 9, 1),
                normal(40, 1, 1)));
    var report =
        CanaryJudge.builder().groupWeight("errors", 60).thresholds(90, 70).build().judge(in);
    // errors 50 x 0.6 + latency 100 x 0.2 + cpu 100 x 0.2 (the muted metric does not count)
    assertThat(report.score()).isEqualTo(70.0);
    assertThat(report.classification()).isEqualTo(JudgeReport.Classification.MARGINAL);
    assertThat(report.metrics().get(4).classification()).isEqualTo(Classification.HIGH);
  }

  @Test
  void halfTheMetricsWithoutDataIsNoDataNativelyAndFailureForKayenta() {
    List<CanaryJudge.Input> in =
        List.of(
            new CanaryJudge.Input(
                CanaryMetric.builder("a", "q").build(), new double[0], normal(10, 1, 1)),
            new CanaryJudge.Input(
                CanaryMetric.builder("b", "q").build(), normal(10, 1, 1), normal(10, 1, 1)));
    assertThat(CanaryJudge.builder().build().judge(in).classification())
        .isEqualTo(JudgeReport.Classification.NODATA);
    var k = CanaryJudge.builder().mode(CanaryJudge.Mode.KAYENTA).build().judge(in);
    assertThat(k.classification()).isEqualTo(JudgeReport.Classification.FAIL);
    assertThat(k.reason()).contains("50% or more");
  }

  @Test
  void gateJudgesCandidateAgainstStableFromAMetricSource() {
    var clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    var metrics = InProcessMetrics.create(clock, Duration.ofHours(1));
    var h = metrics.histogram("latency");
    for (int i = 0; i < 50; i++) {
      clock.advance(Duration.ofSeconds(1));
      h.record(100 + random.nextGaussian() * 5, "release", TestContexts.STABLE.id());
      h.record(160 + random.nextGaussian() * 5, "release", TestContexts.CANDIDATE.id());
    }
    var metric =
        CanaryMetric.builder("latency", "samples(latency{release=\"{{release}}\"})")
            .direction(Direction.INCREASE)
            .build();
    var gate =
        CanaryJudgeGate.of(
            "judge",
            InProcessMetricSource.of(metrics),
            CanaryJudge.builder().build(),
            List.of(metric),
            Duration.ofSeconds(10),
            Duration.ofMinutes(5),
            NoDataPolicy.INCONCLUSIVE);
    var v = gate.evaluate(TestContexts.at(clock.instant()));
    assertThat(v.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(v.measurements().get(0).value()).isZero();
    assertThat(v.reasons()).anyMatch(r -> r.startsWith("HIGH latency is HIGH"));
    var first =
        io.cutover.spi.GateContext.builder()
            .rolloutId("r")
            .service("checkout")
            .candidate(TestContexts.CANDIDATE)
            .windowStart(clock.instant())
            .now(clock.instant())
            .phase("analysis")
            .build();
    assertThat(gate.evaluate(first).outcome()).isEqualTo(Outcome.INCONCLUSIVE);
  }
}
