// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit;

import static io.cutover.testkit.CutoverAssertions.assertThat;

import io.cutover.api.Release;
import io.cutover.api.Verdict;
import io.cutover.api.plan.Step;
import io.cutover.core.strategy.Strategies;
import io.cutover.simulator.RolloutHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class CutoverExtensionTest {
  @RegisterExtension
  static final CutoverExtension cutover =
      CutoverExtension.create(b -> b.gate(FakeHealthGate.named("ok").returning(Verdict.pass())));

  static RolloutHarness previous;

  @Test
  void injectsAFreshHarnessConfiguredBySetup(RolloutHarness harness) {
    assertThat(harness).isSameAs(cutover.harness()).isNotSameAs(previous);
    previous = harness;
    Release v1 = harness.release("api", "v1");
    assertThat(
            harness.deploy(
                Strategies.canary().setWeight(50).analysis(Step.Verify.gates("ok").build()).build(),
                v1,
                2))
        .succeeded();
  }

  @Test
  void eachTestGetsItsOwnEngine(RolloutHarness harness) {
    assertThat(harness).isNotSameAs(previous);
    previous = harness;
    assertThat(harness.cutover().stable("api")).isEmpty();
  }
}
