// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.engine;

import static io.cutover.testkit.CutoverAssertions.assertThat;

import io.cutover.api.Release;
import io.cutover.api.Verdict;
import io.cutover.api.plan.Step;
import io.cutover.core.strategy.Strategies;
import io.cutover.simulator.RolloutHarness;
import io.cutover.simulator.RolloutResult;
import io.cutover.spi.OperationId;
import io.cutover.spi.RolloutStrategy;
import io.cutover.testkit.FakeHealthGate;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every built-in strategy, run by the engine to success, and aborted at every analysis it contains.
 */
class StrategiesEndToEndTest {
  static final Step.Verify CHECK =
      Step.Verify.gates("g").count(2).interval(Duration.ofSeconds(30)).build();

  static Stream<Arguments> strategies() {
    return Stream.of(
        Arguments.of(
            "canary",
            Strategies.canary()
                .setWeight(10)
                .analysis(CHECK)
                .setWeight(40)
                .analysis(CHECK)
                .setWeight(70)
                .analysis(CHECK)
                .build(),
            3),
        Arguments.of(
            "blue/green",
            Strategies.blueGreen()
                .prePromotionAnalysis(CHECK)
                .postPromotionAnalysis(CHECK)
                .scaleDownDelay(Duration.ofSeconds(30))
                .build(),
            2),
        Arguments.of(
            "linear",
            Strategies.linear()
                .stepWeight(25)
                .interval(Duration.ofMinutes(1))
                .analysis(CHECK)
                .build(),
            4),
        Arguments.of(
            "rolling",
            Strategies.rolling().maxSurge(1).maxUnavailable(0).analysis(CHECK).build(),
            4),
        Arguments.of("recreate", Strategies.recreate().analysis(CHECK).build(), 1));
  }

  static RolloutHarness harness(FakeHealthGate gate, Release[] out) {
    RolloutHarness h = RolloutHarness.builder().gate(gate).build();
    out[0] = h.release("shop", "v1");
    out[1] = h.release("shop", "v2");
    h.fleet().launch(new OperationId("setup"), out[0], 4);
    h.cutover().adopt(out[0], 4);
    return h;
  }

  @ParameterizedTest(name = "{0} completes")
  @MethodSource("strategies")
  void completes(String name, RolloutStrategy strategy, int analyses) {
    FakeHealthGate gate = FakeHealthGate.named("g").returning(Verdict.pass());
    Release[] r = new Release[2];
    RolloutHarness h = harness(gate, r);
    RolloutResult res = h.deploy(strategy, r[1], 4);
    assertThat(res).succeeded().endedWithAllTrafficOn(r[1]).routedToStableBeforeAnyRetire();
    assertThat(h.fleet().instancesOf(r[1].id())).hasSize(4);
    assertThat(h.fleet().instancesOf(r[0].id())).isEmpty();
    assertThat(gate.evaluationCount()).isEqualTo(2 * analyses);
  }

  @ParameterizedTest(name = "{0} aborted at every analysis returns to stable")
  @MethodSource("strategies")
  void abortsAtEveryAnalysis(String name, RolloutStrategy strategy, int analyses) {
    for (int failing = 0; failing < analyses; failing++) {
      FakeHealthGate gate = FakeHealthGate.named("g");
      for (int i = 0; i < 2 * failing; i++) {
        gate.sequence(Verdict.pass());
      }
      gate.sequence(Verdict.fail("analysis " + failing + " fails")).returning(Verdict.pass());
      Release[] r = new Release[2];
      RolloutHarness h = harness(gate, r);
      RolloutResult res = h.deploy(strategy, r[1], 4);
      assertThat(res)
          .as("%s failing at analysis %d", name, failing)
          .wasAborted()
          .hasReasonContaining("analysis " + failing + " fails")
          .endedWithAllTrafficOn(r[0])
          .routedToStableBeforeAnyRetire();
      assertThat(h.fleet().instancesOf(r[1].id())).isEmpty();
      assertThat(h.fleet().instancesOf(r[0].id())).as("stable back at full size").hasSize(4);
      assertThat(h.cutover().stable("shop")).contains(r[0]);
    }
  }
}
