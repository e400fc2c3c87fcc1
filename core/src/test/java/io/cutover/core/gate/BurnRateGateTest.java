// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.ProviderException;
import io.cutover.api.Verdict;
import io.cutover.api.Verdict.Outcome;
import io.cutover.core.ProviderConfigs;
import io.cutover.core.ProviderRegistry;
import io.cutover.core.testing.TestContexts;
import io.cutover.core.testing.TestContexts.ManualClock;
import io.cutover.spi.HealthGate;
import io.cutover.spi.MetricResult;
import io.cutover.spi.MetricSource;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BurnRateGateTest {
  private static final String Q = "errors{service=\"{{service}}\"}[{{window}}]";
  private final Map<String, Double> ratios = new HashMap<>();
  private final MetricSource source =
      q -> {
        Double r = ratios.get(q.labels().get("window"));
        return r == null
            ? MetricResult.noData(q.rendered())
            : MetricResult.of(q.end(), r, q.rendered());
      };
  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final BurnRateGate gate =
      BurnRateGate.of("slo", source, Q, 0.999, BurnRateWindow.DEFAULTS, NoDataPolicy.INCONCLUSIVE);

  private Verdict eval() {
    return gate.evaluate(TestContexts.at(clock.instant()));
  }

  @Test
  void failsOnlyWhenBothWindowsOfAConditionBurnTooFast() {
    ratios.putAll(Map.of("3600s", 0.02, "300s", 0.02, "21600s", 0.001, "1800s", 0.001));
    Verdict v = eval();
    assertThat(v.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(v.reasons().get(0)).contains("20x over 3600s").contains("99.9% SLO");
    assertThat(v.measurements())
        .extracting(Verdict.Measurement::name)
        .containsExactly(
            "burn_rate_3600s", "burn_rate_300s", "burn_rate_21600s", "burn_rate_1800s");

    ratios.put("300s", 0.001); // the spike is over: the short window recovers first
    assertThat(eval().outcome()).isEqualTo(Outcome.PASS);
  }

  @Test
  void slowBurnFiresOnItsOwnWindows() {
    ratios.putAll(Map.of("3600s", 0.007, "300s", 0.007, "21600s", 0.007, "1800s", 0.007));
    Verdict v = eval();
    assertThat(v.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(v.reasons()).hasSize(1).first().asString().contains("over 21600s");
  }

  @Test
  void missingWindowsFollowTheNoDataPolicyUnlessAnotherConditionFires() {
    ratios.putAll(Map.of("3600s", 0.0, "300s", 0.0));
    assertThat(eval().outcome()).isEqualTo(Outcome.INCONCLUSIVE);
    var strict =
        BurnRateGate.of("slo", source, Q, 0.999, BurnRateWindow.DEFAULTS, NoDataPolicy.FAIL);
    assertThat(strict.evaluate(TestContexts.at(clock.instant())).outcome()).isEqualTo(Outcome.FAIL);
    ratios.putAll(Map.of("3600s", 0.5, "300s", 0.5));
    assertThat(eval().reasons().get(0)).contains("burning");
  }

  @Test
  void sourceFailureIsAnError() {
    MetricSource down =
        q -> {
          throw ProviderException.retryable("prometheus", "query", "503");
        };
    var v =
        BurnRateGate.of("slo", down, Q, 0.99, List.of(BurnRateWindow.FAST), NoDataPolicy.FAIL)
            .evaluate(TestContexts.at(clock.instant()));
    assertThat(v.outcome()).isEqualTo(Outcome.ERROR);
  }

  @Test
  void validatesItsConfiguration() {
    assertThatThrownBy(
            () ->
                BurnRateGate.of(
                    "slo", source, "errors", 0.999, BurnRateWindow.DEFAULTS, NoDataPolicy.FAIL))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("{{window}}");
    assertThatThrownBy(
            () ->
                BurnRateGate.of("slo", source, Q, 99.9, BurnRateWindow.DEFAULTS, NoDataPolicy.FAIL))
        .hasMessageContaining("0.999");
    assertThatThrownBy(() -> new BurnRateWindow(Duration.ofMinutes(5), Duration.ofHours(1), 14.4))
        .hasMessageContaining("shorter");
    assertThatThrownBy(
            () ->
                new BurnRateGateProvider()
                    .create(
                        ProviderConfigs.of(
                            "burn-rate",
                            Map.of(
                                "name",
                                "s",
                                "query",
                                Q,
                                "objective",
                                0.999,
                                "period",
                                "30d",
                                "source",
                                Map.of("type", "in-process"))),
                        ProviderRegistry.create().withDiscovery().context()))
        .hasMessageContaining("freeze: true");
  }

  @Test
  void providerReadsCustomWindows() {
    HealthGate g =
        new BurnRateGateProvider()
            .create(
                ProviderConfigs.of(
                    "burn-rate",
                    Map.of(
                        "name",
                        "s",
                        "query",
                        "ratio(err{service=\"{{service}}\"}[{{window}}] / req{service=\"{{service}}\"}[{{window}}])",
                        "objective",
                        0.99,
                        "windows",
                        List.of(Map.of("long", "10m", "short", "1m", "factor", 2)),
                        "source",
                        Map.of("type", "in-process", "registry", "burn-rate-test"))),
                ProviderRegistry.create().withDiscovery().context());
    var m = io.cutover.core.metrics.InProcessMetrics.shared("burn-rate-test");
    m.counter("req").add(100, "service", "checkout");
    m.counter("err").add(50, "service", "checkout");
    Instant now = m.clock().instant().plusMillis(1);
    Verdict v = g.evaluate(TestContexts.at(now));
    assertThat(v.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(v.measurements().get(0).value())
        .isCloseTo(50, org.assertj.core.data.Offset.offset(1e-9));
  }
}
