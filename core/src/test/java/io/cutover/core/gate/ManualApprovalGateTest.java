// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.Verdict;
import io.cutover.api.Verdict.Outcome;
import io.cutover.core.ProviderConfigs;
import io.cutover.core.ProviderRegistry;
import io.cutover.core.testing.TestContexts;
import io.cutover.core.testing.TestContexts.ManualClock;
import io.cutover.spi.GateContext;
import io.cutover.spi.HealthGate;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ManualApprovalGateTest {
  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final ManualApprovalGate gate =
      ManualApprovalGate.of("approval", Duration.ofMinutes(30), Outcome.FAIL, clock);

  private GateContext ctx(String rollout) {
    return TestContexts.hook(rollout, "confirm-promotion", clock.instant(), Map.of());
  }

  @Test
  void waitsThenPassesOnceApproved() {
    assertThat(gate.evaluate(ctx("r-1")).outcome()).isEqualTo(Outcome.INCONCLUSIVE);
    clock.advance(Duration.ofMinutes(10));
    assertThat(gate.evaluate(ctx("r-1")).reasons().get(0))
        .contains("awaiting approval")
        .contains("600s of 1800s");
    assertThat(gate.approve("r-1")).isTrue();
    assertThat(gate.evaluate(ctx("r-1")).outcome()).isEqualTo(Outcome.PASS);
    assertThat(gate.evaluate(ctx("r-2")).outcome()).isEqualTo(Outcome.INCONCLUSIVE); // per rollout
  }

  @Test
  void denialFailsWithTheReasonAndCannotBeOverturned() {
    gate.evaluate(ctx("r-1"));
    assertThat(gate.deny("r-1", "error spike in eu-west")).isTrue();
    assertThat(gate.approve("r-1")).isFalse();
    Verdict v = gate.evaluate(ctx("r-1"));
    assertThat(v.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(v.reasons().get(0)).contains("error spike in eu-west");
    assertThatThrownBy(() -> gate.deny("r-2", " ")).isInstanceOf(InvalidSpecException.class);
  }

  @Test
  void timeoutGivesTheConfiguredOutcomeMeasuredOnTheInjectedClock() {
    gate.evaluate(ctx("r-1"));
    clock.advance(Duration.ofMinutes(29));
    assertThat(gate.evaluate(ctx("r-1")).outcome()).isEqualTo(Outcome.INCONCLUSIVE);
    clock.advance(Duration.ofMinutes(1));
    assertThat(gate.evaluate(ctx("r-1")).outcome()).isEqualTo(Outcome.FAIL);
    assertThat(gate.approve("r-1")).isFalse(); // too late
    assertThat(gate.decision("r-1").toCompletableFuture().join().outcome()).isEqualTo(Outcome.FAIL);

    var lenient = ManualApprovalGate.of("a", Duration.ofMinutes(5), Outcome.PASS, clock);
    lenient.evaluate(ctx("r-9"));
    clock.advance(Duration.ofMinutes(5));
    assertThat(lenient.evaluate(ctx("r-9")).outcome()).isEqualTo(Outcome.PASS);
  }

  @Test
  void approvalBeforeTheFirstEvaluationIsKeptAndDecisionCompletes() {
    var decision = gate.decision("r-7").toCompletableFuture();
    assertThat(decision).isNotDone();
    gate.approve("r-7");
    assertThat(decision).isCompletedWithValueMatching(Verdict::passed);
    assertThat(gate.evaluate(ctx("r-7")).outcome()).isEqualTo(Outcome.PASS);
  }

  @Test
  void providerUsesTheClockPassedFromCode() {
    HealthGate g =
        new ManualApprovalGateProvider()
            .create(
                ProviderConfigs.of(
                    "manual-approval",
                    Map.of(
                        "name",
                        "ok",
                        "timeout",
                        "1m",
                        "onTimeout",
                        "inconclusive",
                        "clock",
                        clock)),
                ProviderRegistry.create().withDiscovery().context());
    g.evaluate(ctx("r-1"));
    clock.advance(Duration.ofMinutes(2));
    assertThat(g.evaluate(ctx("r-1")).reasons().get(0)).contains("no decision within");
    assertThatThrownBy(
            () ->
                new ManualApprovalGateProvider()
                    .create(
                        ProviderConfigs.of(
                            "manual-approval",
                            Map.of("name", "ok", "timeout", "1m", "onTimeout", "maybe")),
                        ProviderRegistry.create().withDiscovery().context()))
        .hasMessageContaining("onTimeout");
  }
}
