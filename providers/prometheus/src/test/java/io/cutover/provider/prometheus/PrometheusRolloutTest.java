// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import io.cutover.api.ArtifactRef;
import io.cutover.api.Digest;
import io.cutover.api.InstanceState;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.api.Verdict.Outcome;
import io.cutover.api.plan.Step;
import io.cutover.api.rollout.RolloutEvent;
import io.cutover.api.rollout.RolloutState;
import io.cutover.api.rollout.RolloutStatus;
import io.cutover.core.Cutover;
import io.cutover.core.Rollout;
import io.cutover.core.gate.NoDataPolicy;
import io.cutover.core.gate.QueryDialect;
import io.cutover.core.gate.ThresholdGate;
import io.cutover.core.judge.CanaryJudge;
import io.cutover.core.judge.CanaryJudgeGate;
import io.cutover.core.judge.CanaryMetric;
import io.cutover.core.strategy.Strategies;
import io.cutover.simulator.FakeFleet;
import io.cutover.simulator.FakeRouter;
import io.cutover.spi.HealthGate;
import io.cutover.spi.OperationId;
import io.cutover.spi.RolloutStrategy;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The engine ({@link Cutover} on the system clock and its own scheduler) runs canaries whose
 * analysis reads a real Prometheus scraping a real target every 100 ms. A canary that starts
 * failing in the middle of its analysis is aborted by the threshold gate and by the judge (native
 * and Kayenta mode): traffic back on stable, the canary retired, the reason naming the gate. An
 * absent series is no data, handled by the gate's policy at the engine level: INCONCLUSIVE pauses
 * the rollout, FAIL aborts it.
 */
@DisplayName("Canary rollouts judged by a real Prometheus")
class PrometheusRolloutTest {
  private static final String SERVICE = "checkout";
  private static final Release STABLE = release("v1");
  private static PrometheusFixture fixture;
  private static TestTarget target;
  private static PrometheusMetricSource source;

  /**
   * Releases whose instances serve traffic once launched; the others never show up in Prometheus.
   */
  private static final Set<String> SERVING = ConcurrentHashMap.newKeySet();

  private final FakeFleet fleet = FakeFleet.create();
  private final FakeRouter router = FakeRouter.create(InstantSource.system()).watch(fleet);
  private final List<RolloutEvent> events = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Void> firstPass = new CompletableFuture<>();
  private Cutover cutover;

  private static Release release(String version) {
    return Release.of(SERVICE, new ArtifactRef("team/checkout", Digest.sha256(version)))
        .withLabel(version);
  }

  @BeforeAll
  static void start() throws Exception {
    fixture = PrometheusFixture.start(Duration.ofMillis(100), t -> t.set(STABLE.id(), 0.0, 0.04));
    target = fixture.target;
    source = fixture.source;
    fixture.awaitData(
        "sum(rate(http_requests_total{release=\"{{release}}\"}[1s]))",
        Map.of("release", STABLE.id()));
  }

  @AfterAll
  static void stop() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
  }

  @AfterEach
  void closeEngine() {
    if (cutover != null) {
      cutover.close();
    }
  }

  /**
   * An engine with one gate; instances of serving releases start healthy traffic when they become
   * ready.
   */
  private Cutover engine(HealthGate gate) {
    fleet.onInstanceChange(
        i -> {
          if (i.state() == InstanceState.READY && SERVING.contains(i.releaseId())) {
            target.set(i.releaseId(), 0.0, 0.04);
          }
        });
    cutover =
        Cutover.builder()
            .allowUnverifiedArtifacts()
            .fleet(fleet)
            .router(router)
            .gate(gate)
            .listener(
                e -> {
                  events.add(e);
                  if (e.type() == RolloutEvent.Type.GATE_VERDICT
                      && e.verdict() != null
                      && e.verdict().passed()) {
                    firstPass.complete(null);
                  }
                })
            .build();
    cutover.adopt(STABLE, 2);
    fleet.launch(new OperationId("setup/" + STABLE.id()), STABLE, 2);
    return cutover;
  }

  /**
   * 20 % then 50 %, each analysed by {@code gate} every second for 15 s after a 2 s delay for the
   * first scrapes.
   */
  private static RolloutStrategy canary(String gate, int inconclusiveLimit) {
    return canary(gate, inconclusiveLimit, Duration.ofSeconds(2));
  }

  /** As {@link #canary(String, int)}, with the first analysis {@code initialDelay} after a step. */
  private static RolloutStrategy canary(String gate, int inconclusiveLimit, Duration initialDelay) {
    Step.Verify verify =
        Step.Verify.gates(gate)
            .initialDelay(initialDelay)
            .interval(Duration.ofSeconds(1))
            .count(15)
            .inconclusiveLimit(inconclusiveLimit)
            .build();
    return Strategies.canary()
        .setWeight(20)
        .analysis(verify)
        .setWeight(50)
        .analysis(verify)
        .build();
  }

  private static RolloutStatus finished(Rollout rollout) throws Exception {
    return rollout.completion().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private void assertRolledBack(RolloutStatus end, Release canary, String gate) {
    assertThat(end.state()).isEqualTo(RolloutState.ABORTED);
    assertThat(end.reason()).contains("gate " + gate + " failed");
    assertThat(router.current(SERVICE)).contains(TrafficSplit.all(STABLE.id()));
    assertThat(fleet.instancesOf(canary.id())).isEmpty();
    assertThat(fleet.instancesOf(STABLE.id())).hasSize(2);
    assertThat(router.violations()).isEmpty();
  }

  /**
   * Runs the canary until its gate has passed once, then makes the canary fail and waits for the
   * end.
   */
  private RolloutStatus failMidRollout(HealthGate gate, Release canary) throws Exception {
    return failMidRollout(gate, canary, canary(gate.name(), 2));
  }

  private RolloutStatus failMidRollout(HealthGate gate, Release canary, RolloutStrategy strategy)
      throws Exception {
    SERVING.add(canary.id());
    Rollout rollout = engine(gate).deploy(strategy, canary, 2);
    firstPass.get(20, TimeUnit.SECONDS);
    target.set(canary.id(), 0.5, 0.4);
    return finished(rollout);
  }

  private List<Outcome> verdictsOf(String gate) {
    return events.stream()
        .filter(e -> e.type() == RolloutEvent.Type.GATE_VERDICT && gate.equals(e.gate()))
        .map(e -> e.verdict().outcome())
        .toList();
  }

  @Test
  @DisplayName(
      "the success-rate threshold gate aborts a canary that starts failing: 100 % stable, canary retired")
  void thresholdGateAbortsAFailingCanary() throws Exception {
    Release canary = release("v2");
    HealthGate successRate =
        ThresholdGate.successRate("success-rate", source, QueryDialect.PROMETHEUS, 0.95)
            .lookback(Duration.ofSeconds(2))
            .build();

    RolloutStatus end = failMidRollout(successRate, canary);

    assertRolledBack(end, canary, "success-rate");
    assertThat(end.reason()).contains("violates >= 0.95");
    assertThat(verdictsOf("success-rate"))
        .containsSubsequence(Outcome.PASS, Outcome.FAIL)
        .endsWith(Outcome.FAIL);
    assertThat(router.maxExposure(SERVICE, canary.id())).isEqualTo(2000);
  }

  /** Error ratio and mean latency per release, both harmful when they increase. */
  private static List<CanaryMetric> errorAndLatencyMetrics() {
    String perRelease = "{release=\"{{release}}\"";
    return List.of(
        CanaryMetric.builder(
                "error-ratio",
                "sum(rate(http_requests_total"
                    + perRelease
                    + ",code=~\"5..\"}[1s]))"
                    + " / sum(rate(http_requests_total"
                    + perRelease
                    + "}[1s]))")
            .direction(CanaryMetric.Direction.INCREASE)
            .groups("errors")
            .build(),
        CanaryMetric.builder(
                "latency",
                "sum(rate(http_request_duration_seconds_sum"
                    + perRelease
                    + "}[1s]))"
                    + " / sum(rate(http_request_duration_seconds_count"
                    + perRelease
                    + "}[1s]))")
            .direction(CanaryMetric.Direction.INCREASE)
            .effectSize(CanaryMetric.EffectMeasure.MEAN_RATIO, 1.2, 1.0)
            .groups("latency")
            .build());
  }

  @Test
  @DisplayName(
      "the canary judge aborts a canary whose errors and latency rise against the baseline")
  void judgeAbortsAFailingCanary() throws Exception {
    Release canary = release("v3");
    List<CanaryMetric> metrics = errorAndLatencyMetrics();
    HealthGate judge =
        CanaryJudgeGate.of(
            "judge",
            source,
            CanaryJudge.builder().build(),
            metrics,
            Duration.ofMillis(200),
            Duration.ofSeconds(3),
            NoDataPolicy.INCONCLUSIVE);

    RolloutStatus end = failMidRollout(judge, canary);

    assertRolledBack(end, canary, "judge");
    // Whichever metric crosses first decides: the window right after the flip is only partly bad.
    assertThat(end.reason())
        .contains("canary FAIL")
        .containsAnyOf("error-ratio is HIGH", "latency is HIGH");
    assertThat(verdictsOf("judge"))
        .containsSubsequence(Outcome.PASS, Outcome.FAIL)
        .endsWith(Outcome.FAIL);
  }

  @Test
  @DisplayName(
      "the canary judge in Kayenta mode (NetflixACAJudge rules) aborts a canary whose errors and latency rise")
  void kayentaModeJudgeAbortsAFailingCanary() throws Exception {
    Release canary = release("v6");
    HealthGate judge =
        CanaryJudgeGate.of(
            "kayenta-judge",
            source,
            CanaryJudge.builder()
                .mode(CanaryJudge.Mode.KAYENTA)
                .groupWeight("errors", 50)
                .groupWeight("latency", 50)
                .build(),
            errorAndLatencyMetrics(),
            Duration.ofMillis(200),
            Duration.ofSeconds(3),
            NoDataPolicy.INCONCLUSIVE);

    // Kayenta fails a canary with half or more of its metrics without data, so the first analysis
    // waits for the canary's first scrapes with a wide margin (native mode would be INCONCLUSIVE).
    RolloutStatus end =
        failMidRollout(judge, canary, canary(judge.name(), 2, Duration.ofSeconds(4)));

    assertRolledBack(end, canary, "kayenta-judge");
    // One HIGH group of two weighs 50, below the marginal threshold 75; an error ratio that rises
    // from an all-zero baseline is HIGH whatever the effect size (the mean ratio is undefined).
    assertThat(end.reason())
        .contains("canary FAIL")
        .containsAnyOf("error-ratio is HIGH", "latency is HIGH");
    assertThat(verdictsOf("kayenta-judge"))
        .containsSubsequence(Outcome.PASS, Outcome.FAIL)
        .endsWith(Outcome.FAIL);
  }

  @Test
  @DisplayName(
      "an absent series is no data: with the INCONCLUSIVE policy the rollout pauses for a human")
  void absentSeriesInconclusivePausesTheRollout() throws Exception {
    Release silent = release("v4");
    HealthGate gate =
        ThresholdGate.successRate("success-rate", source, QueryDialect.PROMETHEUS, 0.95)
            .lookback(Duration.ofSeconds(2))
            .onNoData(NoDataPolicy.INCONCLUSIVE)
            .build();
    Rollout rollout = engine(gate).deploy(canary("success-rate", 0), silent, 2);

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (rollout.status().state() != RolloutState.PAUSED && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    RolloutStatus paused = rollout.status();
    assertThat(paused.state()).isEqualTo(RolloutState.PAUSED);
    assertThat(paused.reason())
        .contains("gate success-rate was inconclusive")
        .contains("no data for");
    assertThat(router.current(SERVICE).orElseThrow().weight(silent.id())).isEqualTo(2000);
    assertThat(verdictsOf("success-rate")).containsOnly(Outcome.INCONCLUSIVE);

    cutover.abort(rollout.id(), "no metrics for the canary");
    RolloutStatus end = finished(rollout);
    assertThat(end.state()).isEqualTo(RolloutState.ABORTED);
    assertThat(router.current(SERVICE)).contains(TrafficSplit.all(STABLE.id()));
    assertThat(fleet.instancesOf(silent.id())).isEmpty();
  }

  @Test
  @DisplayName("an absent series is no data: with the FAIL policy the rollout aborts")
  void absentSeriesFailAbortsTheRollout() throws Exception {
    Release silent = release("v5");
    HealthGate gate =
        ThresholdGate.successRate("success-rate", source, QueryDialect.PROMETHEUS, 0.95)
            .lookback(Duration.ofSeconds(2))
            .onNoData(NoDataPolicy.FAIL)
            .build();

    RolloutStatus end = finished(engine(gate).deploy(canary("success-rate", 0), silent, 2));

    assertRolledBack(end, silent, "success-rate");
    assertThat(end.reason()).contains("no data for").contains("no-data policy: fail");
    assertThat(verdictsOf("success-rate")).containsExactly(Outcome.FAIL);
  }
}
