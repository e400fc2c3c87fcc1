// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.engine;

import static io.cutover.testkit.CutoverAssertions.assertThat;

import io.cutover.api.Release;
import io.cutover.api.Verdict;
import io.cutover.api.plan.Step;
import io.cutover.api.rollout.RolloutState;
import io.cutover.core.Rollout;
import io.cutover.core.gate.Aggregation;
import io.cutover.core.gate.Comparison;
import io.cutover.core.gate.NoDataPolicy;
import io.cutover.core.gate.ThresholdGate;
import io.cutover.core.strategy.Strategies;
import io.cutover.simulator.RolloutHarness;
import io.cutover.simulator.RolloutResult;
import io.cutover.spi.GateContext;
import io.cutover.spi.MetricQuery;
import io.cutover.spi.RolloutStrategy;
import io.cutover.testkit.FakeHealthGate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The first analysis window (issue 12): a verify step without an initial delay measures for the
 * first time one interval after it began, so no measurement judges an empty window, and metric
 * gates never widen an empty window silently.
 */
@DisplayName("Analysis measurement windows")
class AnalysisWindowTest {
  static final String SVC = "checkout";
  static final Duration INTERVAL = Duration.ofSeconds(30);

  static Release[] v1v2(RolloutHarness h) {
    Release v1 = h.release(SVC, "v1");
    Release v2 = h.release(SVC, "v2");
    h.cutover().adopt(v1, 2);
    h.fleet().launch(new io.cutover.spi.OperationId("setup/v1"), v1, 2);
    return new Release[] {v1, v2};
  }

  static RolloutStrategy canary(Step.Verify verify) {
    return Strategies.canary().setWeight(20).analysis(verify).build();
  }

  @Test
  @DisplayName(
      "without initialDelay the first measurement comes one interval after the step began and"
          + " judges that interval; the windows tile the step")
  void firstMeasurementAfterOneInterval() {
    FakeHealthGate gate = FakeHealthGate.named("g").returning(Verdict.pass());
    RolloutHarness h = RolloutHarness.builder().gate(gate).build();
    Release[] r = v1v2(h);
    Instant began = h.clock().instant();

    RolloutResult res =
        h.deploy(canary(Step.Verify.gates("g").count(3).interval(INTERVAL).build()), r[1], 2);

    assertThat(res).succeeded();
    List<GateContext> seen = gate.evaluations();
    org.assertj.core.api.Assertions.assertThat(seen).hasSize(3);
    // launch and route take no virtual time: the verify step began when the rollout did
    org.assertj.core.api.Assertions.assertThat(seen.get(0).windowStart()).isEqualTo(began);
    org.assertj.core.api.Assertions.assertThat(seen.get(0).now()).isEqualTo(began.plus(INTERVAL));
    for (int i = 1; i < seen.size(); i++) {
      org.assertj.core.api.Assertions.assertThat(seen.get(i).windowStart())
          .isEqualTo(seen.get(i - 1).now());
      org.assertj.core.api.Assertions.assertThat(
              Duration.between(seen.get(i).windowStart(), seen.get(i).now()))
          .isEqualTo(INTERVAL);
    }
  }

  @Test
  @DisplayName("an initial delay still sets the first measurement, its window starting at the step")
  void initialDelayKept() {
    FakeHealthGate gate = FakeHealthGate.named("g").returning(Verdict.pass());
    RolloutHarness h = RolloutHarness.builder().gate(gate).build();
    Release[] r = v1v2(h);
    Instant began = h.clock().instant();

    h.deploy(
        canary(
            Step.Verify.gates("g")
                .count(2)
                .interval(INTERVAL)
                .initialDelay(Duration.ofMinutes(2))
                .build()),
        r[1],
        2);

    List<GateContext> seen = gate.evaluations();
    org.assertj.core.api.Assertions.assertThat(seen.get(0).windowStart()).isEqualTo(began);
    org.assertj.core.api.Assertions.assertThat(seen.get(0).now())
        .isEqualTo(began.plus(Duration.ofMinutes(2)));
    org.assertj.core.api.Assertions.assertThat(seen.get(1).now())
        .isEqualTo(began.plus(Duration.ofMinutes(2)).plus(INTERVAL));
  }

  @Test
  @DisplayName(
      "a strict range-query threshold gate judges the first interval itself, not a widened second")
  void strictRangeGateMeasuresTheInterval() {
    RolloutHarness h =
        RolloutHarness.builder()
            .gate(
                m ->
                    ThresholdGate.builder("error-rate", m)
                        .query("error_rate")
                        .step(Duration.ofSeconds(10), Aggregation.MAX)
                        .passWhen(Comparison.AT_MOST, 0.01)
                        .onNoData(NoDataPolicy.FAIL)
                        .build())
            .build();
    Release[] r = v1v2(h);
    h.metrics().series("error_rate").release(r[1].id()).constant(0.001);
    Instant began = h.clock().instant();

    RolloutResult res =
        h.deploy(
            canary(Step.Verify.gates("error-rate").count(2).interval(INTERVAL).build()), r[1], 2);

    assertThat(res).succeeded();
    MetricQuery first = h.metrics().queries().get(0);
    org.assertj.core.api.Assertions.assertThat(first.start()).isEqualTo(began);
    org.assertj.core.api.Assertions.assertThat(first.end()).isEqualTo(began.plus(INTERVAL));
  }

  @Test
  @DisplayName(
      "a one-shot verify (no delay, no interval) gives a window-based gate an empty window: it is"
          + " inconclusive saying how to fix the step, and the rollout pauses with that reason")
  void oneShotEmptyWindowIsExplicit() {
    RolloutHarness h =
        RolloutHarness.builder()
            .gate(
                m ->
                    ThresholdGate.builder("error-rate", m)
                        .query("rate(errors[{{window}}])")
                        .passWhen(Comparison.AT_MOST, 0.01)
                        .build())
            .build();
    Release[] r = v1v2(h);

    Rollout rollout = h.cutover().deploy(canary(Step.Verify.gates("error-rate").build()), r[1], 2);
    h.runFor(rollout, Duration.ofMinutes(1));

    org.assertj.core.api.Assertions.assertThat(rollout.status().state())
        .isEqualTo(RolloutState.PAUSED);
    org.assertj.core.api.Assertions.assertThat(rollout.status().reason())
        .contains("measurement window is empty")
        .contains("initialDelay or an interval")
        .contains("lookback");
    // nothing was asked of the metric source for a window that does not exist
    org.assertj.core.api.Assertions.assertThat(h.metrics().queries()).isEmpty();
  }

  @Test
  @DisplayName("a one-shot instant query that does not name the window needs none and passes")
  void oneShotInstantQueryPasses() {
    RolloutHarness h =
        RolloutHarness.builder()
            .gate(
                m ->
                    ThresholdGate.builder("error-rate", m)
                        .query("error_rate")
                        .passWhen(Comparison.AT_MOST, 0.01)
                        .build())
            .build();
    Release[] r = v1v2(h);
    h.metrics().series("error_rate").release(r[1].id()).constant(0.001);

    RolloutResult res = h.deploy(canary(Step.Verify.gates("error-rate").build()), r[1], 2);

    assertThat(res).succeeded();
  }

  @Test
  @DisplayName(
      "after a crash before the first measurement, the restarted engine measures one interval after"
          + " the step began, over the whole interval")
  void firstWindowSurvivesRestart() {
    FakeHealthGate gate = FakeHealthGate.named("g").returning(Verdict.pass());
    RolloutHarness h = RolloutHarness.builder().gate(gate).build();
    Release[] r = v1v2(h);
    Instant began = h.clock().instant();
    Rollout rollout =
        h.cutover()
            .deploy(canary(Step.Verify.gates("g").count(2).interval(INTERVAL).build()), r[1], 2);
    h.runFor(rollout, Duration.ofSeconds(10));
    org.assertj.core.api.Assertions.assertThat(gate.evaluations()).isEmpty();

    List<Rollout> resumed = h.restart();
    org.assertj.core.api.Assertions.assertThat(resumed).hasSize(1);
    RolloutResult res = h.run(resumed.get(0));

    assertThat(res).succeeded();
    GateContext first = gate.evaluations().get(0);
    org.assertj.core.api.Assertions.assertThat(first.windowStart()).isEqualTo(began);
    org.assertj.core.api.Assertions.assertThat(first.now()).isEqualTo(began.plus(INTERVAL));
  }
}
