// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.engine;

import static io.cutover.testkit.CutoverAssertions.assertThat;
import static io.cutover.testkit.engine.EngineFixture.v1v2;

import io.cutover.api.Release;
import io.cutover.api.Verdict;
import io.cutover.api.plan.Plan;
import io.cutover.api.plan.Step;
import io.cutover.core.strategy.LifecycleHooks;
import io.cutover.core.strategy.Strategies;
import io.cutover.simulator.RolloutHarness;
import io.cutover.simulator.RolloutResult;
import io.cutover.spi.GateContext;
import io.cutover.testkit.FakeHealthGate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 12: every evaluation the engine asks of a gate names its plan step ({@link
 * GateContext#step()}), so that rollout, step, phase and measurement identify it: what {@code
 * WebhookGate}'s Idempotency-Key is built from (before, the first measurement of two analysis
 * steps, or two confirm-traffic-increase hooks, had the same key, and a receiver dropped the second
 * as a retry).
 */
@DisplayName("Gate contexts name their step")
class GateContextStepTest {

  @Test
  @DisplayName(
      "two analyses and two confirm hooks through the engine: each evaluation has its step, no"
          + " two share rollout/step/phase/measurement")
  void stepsTellEvaluationsApart() {
    FakeHealthGate health = FakeHealthGate.named("health").returning(Verdict.pass());
    FakeHealthGate confirm = FakeHealthGate.named("confirm").returning(Verdict.pass());
    RolloutHarness h = RolloutHarness.builder().gate(health).gate(confirm).build();
    Release[] r = v1v2(h, 2);
    Step.Verify once =
        Step.Verify.gates("health").count(1).interval(Duration.ofSeconds(30)).build();

    RolloutResult res =
        h.deploy(
            Strategies.canary()
                .setWeight(10)
                .analysis(once)
                .setWeight(50)
                .analysis(once)
                .hooks(LifecycleHooks.builder().confirmTrafficIncrease("confirm").build())
                .build(),
            r[1],
            2);

    assertThat(res).succeeded();
    Plan plan = res.plan();
    List<GateContext> all =
        java.util.stream.Stream.concat(
                health.evaluations().stream(), confirm.evaluations().stream())
            .toList();
    assertThat(all).hasSize(4);
    assertThat(all)
        .allSatisfy(
            c -> {
              assertThat(c.step()).isBetween(0, plan.steps().size() - 1);
              Step s = plan.steps().get(c.step());
              if (c.phase().equals(GateContext.ANALYSIS)) {
                assertThat(s).isInstanceOf(Step.Verify.class);
              } else {
                assertThat(s).isInstanceOf(Step.Hook.class);
                assertThat(((Step.Hook) s).phase()).isEqualTo(c.phase());
              }
            });
    assertThat(all)
        .extracting(c -> c.rolloutId() + "/" + c.step() + "/" + c.phase() + "/" + c.measurement())
        .doesNotHaveDuplicates();
  }
}
