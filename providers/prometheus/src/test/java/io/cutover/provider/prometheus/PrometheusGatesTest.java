// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.ArtifactRef;
import io.cutover.api.Digest;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.ProviderException;
import io.cutover.api.Release;
import io.cutover.api.Verdict;
import io.cutover.api.Verdict.Outcome;
import io.cutover.core.ProviderConfigs;
import io.cutover.core.ProviderRegistry;
import io.cutover.core.gate.NoDataPolicy;
import io.cutover.core.gate.QueryDialect;
import io.cutover.core.gate.ThresholdGate;
import io.cutover.core.judge.CanaryJudge;
import io.cutover.core.judge.CanaryJudgeGate;
import io.cutover.core.judge.CanaryMetric;
import io.cutover.spi.GateContext;
import io.cutover.spi.HealthGate;
import io.cutover.spi.MetricQuery;
import io.cutover.spi.MetricSourceProvider;
import io.cutover.spi.ProviderContext;
import io.cutover.testfixtures.PrometheusServer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Gates against a real Prometheus scraping a real target whose per-version error rate and latency
 * the test controls. (The engine-level "canary aborted" scenario belongs to the engine's tests;
 * here the gates themselves must turn FAIL once the target version fails.)
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PrometheusGatesTest {
  private static final Release STABLE =
      Release.of("checkout", new ArtifactRef("team/checkout", Digest.sha256("v1")));
  private static final Release CANARY =
      Release.of("checkout", new ArtifactRef("team/checkout", Digest.sha256("v2")));
  private static PrometheusFixture fixture;
  private static TestTarget target;
  private static PrometheusMetricSource source;

  @BeforeAll
  static void start() throws Exception {
    fixture =
        PrometheusFixture.start(
            Duration.ofMillis(200),
            t -> {
              t.set(STABLE.id(), 0.0, 0.04);
              t.set(CANARY.id(), 0.0, 0.04);
            });
    target = fixture.target;
    source = fixture.source;
  }

  @AfterAll
  static void stop() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
  }

  private static GateContext ctx() {
    Instant now = Instant.now();
    return GateContext.builder()
        .rolloutId("r-1")
        .service("checkout")
        .stable(STABLE)
        .candidate(CANARY)
        .windowStart(now.minusSeconds(3))
        .now(now)
        .build();
  }

  private static Verdict await(HealthGate gate, Outcome wanted) throws InterruptedException {
    Verdict last = null;
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      last = gate.evaluate(ctx());
      if (last.outcome() == wanted) {
        return last;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("gate " + gate.name() + " never became " + wanted + "; last: " + last);
  }

  private final HealthGate successRate =
      ThresholdGate.successRate("success-rate", source, QueryDialect.PROMETHEUS, 0.95)
          .lookback(Duration.ofSeconds(3))
          .build();
  private final HealthGate p99 =
      ThresholdGate.durationP99("p99", source, QueryDialect.PROMETHEUS, 0.2)
          .lookback(Duration.ofSeconds(3))
          .build();
  private final HealthGate judge =
      CanaryJudgeGate.of(
          "judge",
          source,
          CanaryJudge.builder().build(),
          List.of(
              CanaryMetric.builder(
                      "error-ratio",
                      "sum(rate(http_requests_total{release=\"{{release}}\",code=~\"5..\"}[1s]))"
                          + " / sum(rate(http_requests_total{release=\"{{release}}\"}[1s]))")
                  .direction(CanaryMetric.Direction.INCREASE)
                  .build()),
          Duration.ofMillis(200),
          Duration.ofSeconds(4),
          NoDataPolicy.INCONCLUSIVE);

  @Test
  @Order(1)
  void healthyCanaryPassesTheThresholdGates() throws Exception {
    Verdict sr = await(successRate, Outcome.PASS);
    assertThat(sr.measurements().get(0).value()).isEqualTo(1.0);
    Verdict lat = await(p99, Outcome.PASS);
    assertThat(lat.measurements().get(0).value()).isBetween(0.02, 0.06);
  }

  @Test
  @Order(2)
  void canaryThatStartsFailingFailsTheThresholdGatesAndTheJudge() throws Exception {
    await(judge, Outcome.PASS);
    target.set(CANARY.id(), 0.3, 0.4);
    Verdict sr = await(successRate, Outcome.FAIL);
    assertThat(sr.measurements().get(0).value()).isLessThan(0.95);
    assertThat(sr.reasons().get(0)).contains("violates >= 0.95").contains(CANARY.id());
    assertThat(await(p99, Outcome.FAIL).measurements().get(0).value()).isGreaterThan(0.2);
    Verdict j = await(judge, Outcome.FAIL);
    assertThat(j.reasons()).anyMatch(r -> r.startsWith("HIGH error-ratio is HIGH"));
  }

  @Test
  @Order(3)
  void anAbsentSeriesIsNoDataHandledByThePolicy() {
    var q = "sum(rate(http_requests_total{release=\"{{release}}\"}[5s]))";
    var inconclusive =
        ThresholdGate.builder("absent", source)
            .query(q.replace("{{release}}", "never-deployed"))
            .passWhen(io.cutover.core.gate.Comparison.AT_LEAST, 1)
            .build();
    var failing =
        ThresholdGate.builder("absent", source)
            .query("scalar(" + q.replace("{{release}}", "never-deployed") + ")")
            .passWhen(io.cutover.core.gate.Comparison.AT_LEAST, 1)
            .onNoData(NoDataPolicy.FAIL)
            .build();
    Verdict v = inconclusive.evaluate(ctx());
    assertThat(v.outcome()).isEqualTo(Outcome.INCONCLUSIVE);
    assertThat(v.reasons().get(0)).contains("no data");
    assertThat(failing.evaluate(ctx()).outcome())
        .isEqualTo(Outcome.FAIL); // scalar() of nothing is "NaN"
    assertThat(
            source
                .query(MetricQuery.instant("absent_metric_xyz", Map.of(), Instant.now()))
                .isNoData())
        .isTrue();
  }

  @Test
  @Order(4)
  void aBadQueryIsATypedConfigurationErrorNamingTheQuery() {
    assertThatThrownBy(
            () ->
                source.query(
                    MetricQuery.instant(
                        "sum(rate(http_requests_total[5s]", Map.of(), Instant.now())))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("sum(rate(http_requests_total[5s]")
        .hasMessageContaining("fix the PromQL");
    assertThatThrownBy(
            () -> source.query(MetricQuery.instant("http_requests_total", Map.of(), Instant.now())))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("series");
    var gate =
        ThresholdGate.builder("bad", source)
            .query("rate(x[")
            .passWhen(io.cutover.core.gate.Comparison.AT_MOST, 1)
            .build();
    assertThat(gate.evaluate(ctx()).outcome()).isEqualTo(Outcome.ERROR);
  }

  @Test
  @Order(5)
  void rangeQueriesReturnParsedSamples() throws InterruptedException {
    // The series may be younger than the window on a busy machine: wait (bounded) until it spans 3
    // steps.
    io.cutover.spi.MetricResult r = null;
    for (int attempt = 0; attempt < 40 && (r == null || r.samples().size() < 3); attempt++) {
      if (r != null) {
        Thread.sleep(250);
      }
      Instant now = Instant.now();
      r =
          source.query(
              new MetricQuery(
                  "sum(http_requests_total{release=\"{{release}}\"})",
                  Map.of("release", STABLE.id()),
                  now.minusSeconds(4),
                  now,
                  Duration.ofMillis(500)));
    }
    assertThat(r.samples()).hasSizeGreaterThanOrEqualTo(3);
    assertThat(r.values()[r.values().length - 1]).isGreaterThan(r.values()[0]);
  }

  @Test
  @Order(6)
  void anUnreachableServerIsRetryableAndTripsTheBreaker() throws Exception {
    int port = PrometheusServer.freePort();
    MetricSourceProvider p =
        ServiceLoader.load(MetricSourceProvider.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(x -> x.name().equals("prometheus"))
            .findFirst()
            .orElseThrow();
    ProviderContext context = ProviderRegistry.create().withDiscovery().context();
    var down =
        (PrometheusMetricSource)
            p.create(
                ProviderConfigs.of(
                    "prometheus",
                    Map.of(
                        "url",
                        "http://127.0.0.1:" + port,
                        "maxAttempts",
                        2,
                        "retryWait",
                        "10ms",
                        "breakerMinimumCalls",
                        2,
                        "timeout",
                        "500ms")),
                context);
    Supplier<Object> call = () -> down.query(MetricQuery.instant("up", Map.of(), Instant.now()));
    assertThat(down.circuitBreakerState()).isEqualTo("CLOSED");
    assertThatThrownBy(call::get)
        .isInstanceOf(ProviderException.class)
        .satisfies(e -> assertThat(((ProviderException) e).retryable()).isTrue())
        .hasMessageContaining("cannot reach");
    assertThatThrownBy(call::get).isInstanceOf(ProviderException.class);
    assertThatThrownBy(call::get).hasMessageContaining("circuit breaker open");
    assertThat(down.circuitBreakerState()).isEqualTo("OPEN");
    assertThatThrownBy(
            () ->
                p.create(
                    ProviderConfigs.of("prometheus", Map.of("url", "x", "retries", 1)), context))
        .hasMessageContaining("$.providers.prometheus.retries");
  }
}
