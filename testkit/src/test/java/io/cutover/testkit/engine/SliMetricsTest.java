// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.engine;

import static io.cutover.testkit.CutoverAssertions.assertThat;
import static io.cutover.testkit.CutoverAssertions.assertThatThrownBy;

import io.cutover.api.DigestMismatchException;
import io.cutover.api.Release;
import io.cutover.api.Verdict;
import io.cutover.api.VerificationException;
import io.cutover.api.plan.Step;
import io.cutover.api.rollout.RolloutEvent;
import io.cutover.core.Rollout;
import io.cutover.core.gate.Comparison;
import io.cutover.core.gate.ThresholdGate;
import io.cutover.core.strategy.Strategies;
import io.cutover.simulator.RolloutHarness;
import io.cutover.simulator.RolloutResult;
import io.cutover.testkit.FakeHealthGate;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The seed's SLIs (issue 12) as OpenTelemetry metrics, read with an in-memory metric reader while
 * the engine runs rollouts under virtual time. One test per SLI; the names, units and attributes
 * are those docs/telemetry.md lists.
 */
@DisplayName("SLI metrics")
class SliMetricsTest {
  static final String SVC = EngineFixture.SVC;

  private final InMemoryMetricReader reader = InMemoryMetricReader.create();

  private RolloutHarness harness(FakeHealthGate gate) {
    OpenTelemetrySdk otel =
        OpenTelemetrySdk.builder()
            .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(reader).build())
            .build();
    return RolloutHarness.builder().gate(gate).configure(b -> b.openTelemetry(otel)).build();
  }

  private static Step.Verify verify(int count, int failureLimit) {
    return Step.Verify.gates("g")
        .count(count)
        .interval(Duration.ofSeconds(10))
        .failureLimit(failureLimit)
        .build();
  }

  @Test
  @DisplayName(
      "M1, M2: cutover.deployments.finished and cutover.deployment.duration carry service,"
          + " strategy and outcome; the duration is the virtual run time")
  void finishedRolloutsByOutcome() {
    FakeHealthGate gate = FakeHealthGate.named("g").returning(Verdict.pass());
    RolloutHarness h = harness(gate);
    Release[] r = EngineFixture.v1v2(h, 2);
    RolloutResult ok =
        h.deploy(Strategies.canary().setWeight(20).analysis(verify(3, 0)).build(), r[1], 2);
    assertThat(ok).succeeded();
    gate.returning(Verdict.fail("errors"));
    RolloutResult bad =
        h.deploy(
            Strategies.canary().setWeight(20).analysis(verify(3, 0)).build(),
            h.release(SVC, "v3"),
            2);
    assertThat(bad).wasAborted();

    assertThat(sums("cutover.deployments.finished"))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "{cutover.outcome=succeeded, cutover.service=checkout, cutover.strategy=canary}",
                1L,
                "{cutover.outcome=aborted, cutover.service=checkout, cutover.strategy=canary}",
                1L));
    Map<String, HistogramPointData> durations = histograms("cutover.deployment.duration");
    HistogramPointData succeeded =
        durations.get(
            "{cutover.outcome=succeeded, cutover.service=checkout, cutover.strategy=canary}");
    assertThat(succeeded.getCount()).isEqualTo(1);
    assertThat(succeeded.getSum()).isEqualTo(ok.virtualDuration().toNanos() / 1e9);
    assertThat(metric("cutover.deployment.duration").getUnit()).isEqualTo("s");
    assertThat(
            durations
                .get("{cutover.outcome=aborted, cutover.service=checkout, cutover.strategy=canary}")
                .getCount())
        .isEqualTo(1);
  }

  @Test
  @DisplayName(
      "PROVIDER_RETRY: each retried router call of a rollout is an event of that rollout, and"
          + " counts in cutover.provider.retries")
  void providerRetriesAreRolloutEvents() {
    RolloutHarness h = harness(FakeHealthGate.named("g").returning(Verdict.pass()));
    Release[] r = EngineFixture.v1v2(h, 2);
    h.router().failNextApplies(2);
    RolloutResult res = h.deploy(Strategies.canary().setWeight(20).build(), r[1], 2);
    assertThat(res).succeeded();

    List<RolloutEvent> retries =
        res.events().stream().filter(e -> e.type() == RolloutEvent.Type.PROVIDER_RETRY).toList();
    assertThat(retries).hasSize(2);
    assertThat(retries)
        .allSatisfy(
            e -> {
              assertThat(e.rolloutId()).isEqualTo(res.rollout().id());
              assertThat(e.message()).startsWith("router ").contains("retrying");
              assertThat(e.releaseId()).isEqualTo(r[1].id());
            });
    assertThat(retries.get(0).message()).contains("attempt 1");
    assertThat(retries.get(1).message()).contains("attempt 2");
    assertThat(sums("cutover.provider.retries")).containsEntry("{cutover.provider=router}", 2L);
  }

  @Test
  @DisplayName(
      "M8: verifications count by outcome (verified, rejected) and the store reads a verifier makes"
          + " count by operation and outcome (ok, digest_mismatch)")
  void artifactVerificationsAndReads() {
    InMemoryMetricReader r = reader;
    OpenTelemetrySdk otel =
        OpenTelemetrySdk.builder()
            .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(r).build())
            .build();
    RolloutHarness h =
        RolloutHarness.builder()
            .configure(
                b ->
                    b.openTelemetry(otel)
                        .verifier(
                            (ref, store) -> {
                              try (InputStream in = store.fetch(ref)) {
                                in.readAllBytes();
                                store.verify(ref);
                              } catch (DigestMismatchException | java.io.IOException e) {
                                throw new VerificationException(
                                    ref.toString(), List.of(String.valueOf(e.getMessage())));
                              }
                              return List.of("content matches " + ref.digest());
                            }))
            .build();
    Release[] v = EngineFixture.v1v2(h, 2);
    assertThat(h.deploy(Strategies.blueGreen().build(), v[1], 2)).succeeded();
    Release v3 = h.release(SVC, "v3");
    h.store().corrupt(v3.artifact());
    assertThatThrownBy(() -> h.cutover().deploy(Strategies.blueGreen().build(), v3, 2))
        .isInstanceOf(VerificationException.class);

    assertThat(sums("cutover.artifact.verifications"))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "{cutover.outcome=verified, cutover.service=checkout}", 1L,
                "{cutover.outcome=rejected, cutover.service=checkout}", 1L));
    assertThat(sums("cutover.artifact.reads"))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "{cutover.operation=fetch, cutover.outcome=ok, cutover.service=checkout}",
                1L,
                "{cutover.operation=verify, cutover.outcome=ok, cutover.service=checkout}",
                1L,
                "{cutover.operation=fetch, cutover.outcome=digest_mismatch,"
                    + " cutover.service=checkout}",
                1L));
  }

  @Test
  @DisplayName(
      "M5: time to rollback from the abort decision and from the first failed verdict to traffic on"
          + " stable only; M6: the flagged canary counts once")
  void timeToRollbackFromFirstFailedVerdict() {
    // pass, fail, fail: the first failure is tolerated (failureLimit 1), the second aborts
    FakeHealthGate gate =
        FakeHealthGate.named("g")
            .sequence(Verdict.pass(), Verdict.fail("errors"), Verdict.fail("errors"));
    RolloutHarness h = harness(gate);
    Release[] r = EngineFixture.v1v2(h, 2);
    RolloutResult bad =
        h.deploy(Strategies.canary().setWeight(20).analysis(verify(5, 1)).build(), r[1], 2);
    assertThat(bad).wasAborted();

    Map<String, HistogramPointData> ttr = histograms("cutover.time_to_rollback");
    HistogramPointData fromAbort =
        ttr.get("{cutover.rollback.from=abort, cutover.service=checkout, cutover.strategy=canary}");
    HistogramPointData fromFailure =
        ttr.get(
            "{cutover.rollback.from=first_failed_verdict, cutover.service=checkout,"
                + " cutover.strategy=canary}");
    assertThat(fromAbort.getCount()).isEqualTo(1);
    assertThat(fromFailure.getCount()).isEqualTo(1);
    assertThat(fromAbort.getSum()).isEqualTo(bad.timeToRollback().orElseThrow().toNanos() / 1e9);
    // the first failure came one analysis interval (10 s) before the one that aborted
    assertThat(fromFailure.getSum()).isEqualTo(fromAbort.getSum() + 10.0);
    assertThat(sums("cutover.canaries.flagged"))
        .containsExactly(
            Map.entry("{cutover.gate=g, cutover.service=checkout, cutover.strategy=canary}", 1L));
  }

  @Test
  @DisplayName(
      "M5: an abort command is timed from the command to stable-only traffic; a canary that never"
          + " failed is not flagged")
  void timeToRollbackFromAbortCommand() {
    RolloutHarness h = harness(FakeHealthGate.named("g").returning(Verdict.pass()));
    Release[] r = EngineFixture.v1v2(h, 2);
    Rollout ro =
        h.cutover()
            .deploy(Strategies.canary().setWeight(20).analysis(verify(100, 0)).build(), r[1], 2);
    h.runFor(ro, Duration.ofMinutes(2));
    h.cutover().abort(ro.id(), "operator");
    RolloutResult res = h.run(ro);
    assertThat(res).wasAborted();

    assertThat(histograms("cutover.time_to_rollback").keySet())
        .containsExactly(
            "{cutover.rollback.from=abort, cutover.service=checkout, cutover.strategy=canary}");
    assertThat(sums("cutover.canaries.flagged")).isEmpty();
    assertThat(sums("cutover.rollbacks"))
        .containsExactly(Map.entry("{cutover.rollback.cause=abort, cutover.service=checkout}", 1L));
  }

  @Test
  @DisplayName(
      "M3, M7: a threshold gate measured as the error-rate or p95-latency delta feeds"
          + " cutover.analysis.error_rate_delta and cutover.analysis.latency_p95_delta at every"
          + " analysis")
  void canaryMinusBaselineDeltasAtEachAnalysis() {
    InMemoryMetricReader r = reader;
    OpenTelemetrySdk otel =
        OpenTelemetrySdk.builder()
            .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(r).build())
            .build();
    RolloutHarness h =
        RolloutHarness.builder()
            .gate(
                m ->
                    ThresholdGate.builder("errors", m)
                        .query("error_rate_delta")
                        .passWhen(Comparison.AT_MOST, 0.01)
                        .measuredAs(Verdict.Measurement.ERROR_RATE_DELTA)
                        .build())
            .gate(
                m ->
                    ThresholdGate.builder("latency", m)
                        .query("latency_p95_delta")
                        .passWhen(Comparison.AT_MOST, 0.05)
                        .measuredAs(Verdict.Measurement.LATENCY_P95_DELTA)
                        .build())
            .configure(b -> b.openTelemetry(otel))
            .build();
    Release[] v = EngineFixture.v1v2(h, 2);
    // what a difference query (canary minus baseline) returns for the canary
    h.metrics().series("error_rate_delta").release(v[1].id()).constant(0.004);
    h.metrics().series("latency_p95_delta").release(v[1].id()).constant(0.02);
    Step.Verify analysis =
        Step.Verify.gates("errors", "latency").count(3).interval(Duration.ofSeconds(10)).build();
    assertThat(h.deploy(Strategies.canary().setWeight(20).analysis(analysis).build(), v[1], 2))
        .succeeded();

    HistogramPointData errors =
        histograms("cutover.analysis.error_rate_delta")
            .get("{cutover.gate=errors, cutover.service=checkout, cutover.strategy=canary}");
    assertThat(errors.getCount()).isEqualTo(3);
    assertThat(errors.getSum()).isCloseTo(3 * 0.004, org.assertj.core.data.Offset.offset(1e-12));
    HistogramPointData latency =
        histograms("cutover.analysis.latency_p95_delta")
            .get("{cutover.gate=latency, cutover.service=checkout, cutover.strategy=canary}");
    assertThat(latency.getCount()).isEqualTo(3);
    assertThat(latency.getSum()).isCloseTo(3 * 0.02, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(metric("cutover.analysis.latency_p95_delta").getUnit()).isEqualTo("s");
  }

  // ---------------------------------------------------------------- reading the metrics

  private MetricData metric(String name) {
    return reader.collectAllMetrics().stream()
        .filter(m -> m.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no metric " + name));
  }

  /** A counter's points, keyed by their sorted attributes. */
  Map<String, Long> sums(String name) {
    Map<String, Long> out = new TreeMap<>();
    for (MetricData m : reader.collectAllMetrics()) {
      if (m.getName().equals(name)) {
        for (LongPointData p : m.getLongSumData().getPoints()) {
          out.merge(key(p.getAttributes()), p.getValue(), Long::sum);
        }
      }
    }
    return out;
  }

  /** A histogram's points, keyed by their sorted attributes. */
  Map<String, HistogramPointData> histograms(String name) {
    Map<String, HistogramPointData> out = new TreeMap<>();
    for (MetricData m : reader.collectAllMetrics()) {
      if (m.getName().equals(name)) {
        for (HistogramPointData p : m.getHistogramData().getPoints()) {
          out.put(key(p.getAttributes()), p);
        }
      }
    }
    return out;
  }

  static String key(Attributes a) {
    return new TreeMap<>(
            a.asMap().entrySet().stream()
                .collect(
                    Collectors.toMap(e -> e.getKey().getKey(), e -> String.valueOf(e.getValue()))))
        .toString();
  }
}
