// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.ProviderException;
import io.cutover.api.Verdict.Outcome;
import io.cutover.core.testing.TestContexts;
import io.cutover.core.testing.TestContexts.ManualClock;
import io.cutover.spi.MetricResult;
import io.cutover.spi.MetricSource;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReleaseFreezePolicyTest {
  private final Map<String, Double> errorRatio = new HashMap<>();
  private final Map<String, String> windows = new HashMap<>();
  private final MetricSource source =
      q -> {
        windows.put(q.labels().get("service"), q.labels().get("window"));
        Double r = errorRatio.get(q.labels().get("service"));
        return r == null
            ? MetricResult.noData(q.rendered())
            : MetricResult.of(q.end(), r, q.rendered());
      };
  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final ReleaseFreezePolicy policy =
      ReleaseFreezePolicy.builder(source, "err{s=\"{{service}}\"}[{{window}}]", 0.999, clock)
          .build();

  @Test
  void refusesAServiceWhoseBudgetIsExhaustedAndAllowsOthers() {
    errorRatio.putAll(Map.of("checkout", 0.0015, "search", 0.0004));
    assertThatThrownBy(() -> policy.check("checkout"))
        .isInstanceOf(ReleaseFrozenException.class)
        .hasMessageContaining("checkout")
        .hasMessageContaining("-50% of the 99.9% SLO's budget left over 2592000s")
        .satisfies(
            e ->
                assertThat(((ReleaseFrozenException) e).budgetRemaining())
                    .isCloseTo(-0.5, org.assertj.core.data.Offset.offset(1e-9)));
    assertThatCode(() -> policy.check("search")).doesNotThrowAnyException();
    assertThat(policy.budgetRemaining("search"))
        .isCloseTo(0.6, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(windows.get("search")).isEqualTo("2592000s");
  }

  @Test
  void gateFormFailsAConfirmRolloutHook() {
    errorRatio.put("checkout", 0.01);
    var v =
        policy
            .asGate("freeze")
            .evaluate(TestContexts.hook("r-1", "confirm-rollout", clock.instant(), Map.of()));
    assertThat(v.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(v.measurements().get(0).value())
        .isCloseTo(-9, org.assertj.core.data.Offset.offset(1e-9));
    errorRatio.put("checkout", 0.0);
    assertThat(
            policy
                .asGate("freeze")
                .evaluate(TestContexts.hook("r-1", "confirm-rollout", clock.instant(), Map.of()))
                .outcome())
        .isEqualTo(Outcome.PASS);
  }

  @Test
  void noDataAllowsByDefaultAndRefusesWhenConfigured() {
    assertThatCode(() -> policy.check("new-service")).doesNotThrowAnyException();
    var strict =
        ReleaseFreezePolicy.builder(source, "q{{window}}", 0.999, clock)
            .refuseWithoutData(true)
            .build();
    assertThatThrownBy(() -> strict.check("new-service"))
        .isInstanceOf(ReleaseFrozenException.class)
        .hasMessageContaining("refuseWithoutData");
  }

  @Test
  void exemptionLetsAFixThroughUntilItExpires() {
    errorRatio.put("checkout", 0.01);
    policy.exempt("checkout", "hotfix INC-42", clock.instant().plus(Duration.ofHours(1)));
    assertThatCode(() -> policy.check("checkout")).doesNotThrowAnyException();
    assertThat(policy.exempted("checkout")).isTrue();
    clock.advance(Duration.ofHours(1));
    assertThatThrownBy(() -> policy.check("checkout")).isInstanceOf(ReleaseFrozenException.class);
  }

  @Test
  void aMetricsOutageMakesCheckThrowAndTheGateError() {
    MetricSource down =
        q -> {
          throw ProviderException.retryable("prometheus", "query", "connection refused");
        };
    var p = ReleaseFreezePolicy.builder(down, "q", 0.99, clock).minimumRemaining(0.1).build();
    assertThatThrownBy(() -> p.check("checkout")).isInstanceOf(ProviderException.class);
    assertThat(p.asGate("f").evaluate(TestContexts.at(clock.instant())).outcome())
        .isEqualTo(Outcome.ERROR);
  }
}
