// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.ProviderException;
import io.cutover.api.Verdict.Outcome;
import io.cutover.core.ProviderConfigs;
import io.cutover.core.ProviderRegistry;
import io.cutover.core.metrics.InProcessMetricSource;
import io.cutover.core.metrics.InProcessMetrics;
import io.cutover.core.testing.TestContexts;
import io.cutover.core.testing.TestContexts.ManualClock;
import io.cutover.spi.HealthGate;
import io.cutover.spi.HealthGateProvider;
import io.cutover.spi.MetricSource;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ThresholdGateTest {
  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final InProcessMetrics metrics = InProcessMetrics.create(clock, Duration.ofHours(1));
  private final MetricSource source = InProcessMetricSource.of(metrics);
  private final String candidate = TestContexts.CANDIDATE.id();

  private void traffic(String release, int ok, int errors) {
    var requests = metrics.counter("http_requests_total");
    for (int i = 0; i < ok; i++) {
      requests.add(1, "release", release, "code", "200");
    }
    for (int i = 0; i < errors; i++) {
      requests.add(1, "release", release, "code", "503");
    }
  }

  @Test
  void successRatePassesForAHealthyCandidateAndFailsOnceItErrors() {
    HealthGate gate =
        ThresholdGate.successRate("success-rate", source, QueryDialect.IN_PROCESS, 0.99).build();
    clock.advance(Duration.ofSeconds(10));
    traffic(candidate, 1000, 2);
    traffic(TestContexts.STABLE.id(), 0, 500); // the stable release's errors must not count
    var pass = gate.evaluate(TestContexts.at(clock.instant()));
    assertThat(pass.outcome()).isEqualTo(Outcome.PASS);
    assertThat(pass.measurements().get(0).value())
        .isCloseTo(1000 / 1002.0, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(pass.measurements().get(0).detail()).isEqualTo(">= 0.99");

    clock.advance(Duration.ofMinutes(6)); // the healthy minute falls out of the 5-minute window
    traffic(candidate, 90, 10);
    var fail = gate.evaluate(TestContexts.at(clock.instant()));
    assertThat(fail.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(fail.measurements().get(0).value()).isEqualTo(0.9);
    assertThat(fail.reasons().get(0)).contains("0.9 violates >= 0.99").contains(candidate);
  }

  @Test
  void p99PassesUnderTheLimitAndFailsAboveIt() {
    HealthGate gate =
        ThresholdGate.durationP99("p99", source, QueryDialect.IN_PROCESS, 0.5).build();
    var d = metrics.histogram("http_request_duration_seconds");
    for (int i = 1; i <= 100; i++) {
      d.record(i / 1000.0, "release", candidate);
    }
    assertThat(gate.evaluate(TestContexts.at(clock.instant())).outcome()).isEqualTo(Outcome.PASS);
    for (int i = 0; i < 10; i++) {
      d.record(2.0, "release", candidate);
    }
    var v = gate.evaluate(TestContexts.at(clock.instant()));
    assertThat(v.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(v.measurements().get(0).value()).isEqualTo(2.0);
  }

  @Test
  void noDataFollowsTheConfiguredPolicyAndNeverPasses() {
    var inconclusive =
        ThresholdGate.successRate("sr", source, QueryDialect.IN_PROCESS, 0.99).build();
    var failing =
        ThresholdGate.successRate("sr", source, QueryDialect.IN_PROCESS, 0.99)
            .onNoData(NoDataPolicy.FAIL)
            .build();
    traffic(TestContexts.STABLE.id(), 100, 0); // data exists, but not for the candidate
    var v = inconclusive.evaluate(TestContexts.at(clock.instant()));
    assertThat(v.outcome()).isEqualTo(Outcome.INCONCLUSIVE);
    assertThat(v.reasons().get(0)).contains("no data").contains(candidate);
    assertThat(v.measurements().get(0).value()).isNaN();
    assertThat(failing.evaluate(TestContexts.at(clock.instant())).outcome())
        .isEqualTo(Outcome.FAIL);
    assertThatThrownBy(() -> NoDataPolicy.parse("pass", "$.noData"))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("never a pass");
  }

  @Test
  void aFailingSourceIsAnErrorNamingTheGate() {
    MetricSource down =
        q -> {
          throw ProviderException.retryable("prometheus", "query", "connection refused");
        };
    var v =
        ThresholdGate.builder("errors", down)
            .query("x")
            .passWhen(Comparison.LESS_THAN, 1)
            .build()
            .evaluate(TestContexts.at(clock.instant()));
    assertThat(v.outcome()).isEqualTo(Outcome.ERROR);
    assertThat(v.reasons().get(0)).contains("errors").contains("connection refused");
  }

  @Test
  void aMalformedQueryIsAnErrorThatNamesTheQuery() {
    var v =
        ThresholdGate.builder("bad", source)
            .query("nonsense{{{")
            .passWhen(Comparison.LESS_THAN, 1)
            .build()
            .evaluate(TestContexts.at(clock.instant()));
    assertThat(v.outcome()).isEqualTo(Outcome.ERROR);
    assertThat(v.reasons().get(0)).contains("nonsense{{{");
  }

  @Test
  void rendersTemplatePlaceholdersFromTheContext() {
    AtomicReference<String> seen = new AtomicReference<>();
    MetricSource spy =
        q -> {
          seen.set(q.rendered());
          return io.cutover.spi.MetricResult.of(q.end(), 0, q.rendered());
        };
    var ctx = TestContexts.analysis(clock.instant().minus(Duration.ofMinutes(2)), clock.instant());
    ThresholdGate.builder("t", spy)
        .query("m{r=\"{{release}}\",s=\"{{stable}}\",svc=\"{{service}}\"}[{{window}}]")
        .passWhen(Comparison.AT_MOST, 0)
        .build()
        .evaluate(ctx);
    assertThat(seen.get())
        .isEqualTo(
            "m{r=\""
                + candidate
                + "\",s=\""
                + TestContexts.STABLE.id()
                + "\",svc=\"checkout\"}[120s]");
  }

  @Test
  void rangeQueriesAggregateTheirSamples() {
    MetricSource series =
        q ->
            new io.cutover.spi.MetricResult(
                List.of(
                    new io.cutover.spi.MetricResult.Sample(q.start(), 1),
                    new io.cutover.spi.MetricResult.Sample(q.end(), 3)),
                "s");
    var mean =
        ThresholdGate.builder("m", series)
            .query("x")
            .passWhen(Comparison.AT_MOST, 2)
            .step(Duration.ofSeconds(15), Aggregation.MEAN)
            .build();
    var max =
        ThresholdGate.builder("m", series)
            .query("x")
            .passWhen(Comparison.AT_MOST, 2)
            .step(Duration.ofSeconds(15), Aggregation.MAX)
            .build();
    assertThat(mean.evaluate(TestContexts.at(clock.instant())).outcome()).isEqualTo(Outcome.PASS);
    assertThat(max.evaluate(TestContexts.at(clock.instant())).outcome()).isEqualTo(Outcome.FAIL);
  }

  @Test
  void builderRefusesAGateWithoutQueryOrThreshold() {
    assertThatThrownBy(() -> ThresholdGate.builder("g", source).build())
        .isInstanceOf(InvalidSpecException.class)
        .satisfies(e -> assertThat(((InvalidSpecException) e).violations()).hasSize(2));
    assertThatThrownBy(() -> ThresholdGate.builder("bad name!", source))
        .hasMessageContaining("gate.name");
    assertThatThrownBy(
            () -> ThresholdGate.builder("g", source).passWhen(Comparison.AT_LEAST, Double.NaN))
        .hasMessageContaining("finite");
  }

  @Test
  void providerIsFoundByServiceLoaderAndBuildsABuiltinGateOverANamedRegistry() {
    HealthGateProvider p =
        ServiceLoader.load(HealthGateProvider.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(x -> x.name().equals("threshold"))
            .findFirst()
            .orElseThrow();
    InProcessMetrics shared = InProcessMetrics.shared("threshold-gate-test");
    shared.counter("http_requests_total").add(99, "release", candidate, "code", "200");
    shared.counter("http_requests_total").add(1, "release", candidate, "code", "500");
    HealthGate gate =
        p.create(
            ProviderConfigs.of(
                "threshold",
                Map.of(
                    "name",
                    "sr",
                    "builtin",
                    "success-rate",
                    "dialect",
                    "in-process",
                    "threshold",
                    0.95,
                    "source",
                    Map.of("type", "in-process", "registry", "threshold-gate-test"))),
            ProviderRegistry.create().withDiscovery().context());
    var now = shared.clock().instant();
    var v =
        gate.evaluate(TestContexts.analysis(now.minus(Duration.ofMinutes(1)), now.plusSeconds(1)));
    assertThat(v.outcome()).isEqualTo(Outcome.PASS);
    assertThat(v.measurements().get(0).value()).isEqualTo(0.99);
  }

  @Test
  void measuredAsNamesTheMeasurementForTheSliHistograms() {
    InProcessMetrics shared = InProcessMetrics.shared("threshold-gate-measurement-test");
    shared.counter("http_requests_total").add(99, "release", candidate, "code", "200");
    shared.counter("http_requests_total").add(1, "release", candidate, "code", "500");
    HealthGate gate =
        new ThresholdGateProvider()
            .create(
                ProviderConfigs.of(
                    "threshold",
                    Map.of(
                        "name",
                        "sr",
                        "builtin",
                        "success-rate",
                        "dialect",
                        "in-process",
                        "threshold",
                        0.95,
                        "measurement",
                        io.cutover.api.Verdict.Measurement.ERROR_RATE_DELTA,
                        "source",
                        Map.of(
                            "type", "in-process", "registry", "threshold-gate-measurement-test"))),
                ProviderRegistry.create().withDiscovery().context());
    var now = shared.clock().instant();
    var v =
        gate.evaluate(TestContexts.analysis(now.minus(Duration.ofMinutes(1)), now.plusSeconds(1)));
    assertThat(v.measurements())
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.name()).isEqualTo("cutover.error_rate_delta");
              assertThat(m.value()).isEqualTo(0.99);
            });
    assertThatThrownBy(
            () ->
                new ThresholdGateProvider()
                    .create(
                        ProviderConfigs.of(
                            "threshold",
                            Map.of(
                                "name",
                                "g",
                                "query",
                                "x",
                                "threshold",
                                1,
                                "comparison",
                                "<",
                                "measurement",
                                " ")),
                        ProviderRegistry.create().withDiscovery().context()))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("$.providers.threshold.measurement");
  }

  @Test
  void providerNamesTheWrongKey() {
    var p = new ThresholdGateProvider();
    assertThatThrownBy(
            () ->
                p.create(
                    ProviderConfigs.of(
                        "threshold", Map.of("name", "g", "query", "x", "treshold", 1)),
                    ProviderRegistry.create().withDiscovery().context()))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("$.providers.threshold.treshold");
    assertThatThrownBy(
            () ->
                p.create(
                    ProviderConfigs.of(
                        "threshold", Map.of("name", "g", "query", "x", "threshold", 1)),
                    ProviderRegistry.create().withDiscovery().context()))
        .hasMessageContaining("$.providers.threshold.comparison");
    assertThatThrownBy(
            () ->
                p.create(
                    ProviderConfigs.of(
                        "threshold",
                        Map.of(
                            "name",
                            "g",
                            "query",
                            "x",
                            "threshold",
                            1,
                            "comparison",
                            "<",
                            "source",
                            Map.of("type", "nope"))),
                    ProviderRegistry.create().withDiscovery().context()))
        .hasMessageContaining("$.providers.threshold.source.type")
        .hasMessageContaining("in-process");
    assertThatThrownBy(
            () ->
                p.create(
                    ProviderConfigs.of(
                        "threshold", Map.of("name", "g", "builtin", "x", "threshold", 1)),
                    ProviderRegistry.create().withDiscovery().context()))
        .hasMessageContaining("builtin");
  }

  @Test
  void anEmptyWindowIsInconclusiveSayingHowToFixItNeverWidened() {
    List<io.cutover.spi.MetricQuery> asked = new java.util.ArrayList<>();
    MetricSource recording =
        q -> {
          asked.add(q);
          return source.query(q);
        };
    Instant now = clock.instant();
    var range =
        ThresholdGate.builder("errors", recording)
            .query("rate(errors[{{window}}])")
            .passWhen(Comparison.AT_MOST, 0.01)
            .build()
            .evaluate(TestContexts.analysis(now, now));
    assertThat(range.outcome()).isEqualTo(Outcome.INCONCLUSIVE);
    assertThat(range.reasons().get(0))
        .contains("gate 'errors'")
        .contains("measurement window is empty")
        .contains("initialDelay or an interval")
        .contains("lookback");
    assertThat(asked).isEmpty();

    // a lookback is a window of its own: the gate queries it
    ThresholdGate.builder("errors", recording)
        .query("rate(errors[{{window}}])")
        .passWhen(Comparison.AT_MOST, 0.01)
        .lookback(Duration.ofMinutes(5))
        .build()
        .evaluate(TestContexts.analysis(now, now));
    assertThat(asked).hasSize(1);
    assertThat(asked.get(0).rendered()).contains("[300s]");
  }
}
