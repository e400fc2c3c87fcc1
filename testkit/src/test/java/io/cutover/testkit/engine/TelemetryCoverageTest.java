// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.engine;

import static io.cutover.testkit.CutoverAssertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.cutover.api.Release;
import io.cutover.api.Verdict;
import io.cutover.api.plan.Step;
import io.cutover.api.rollout.RolloutEvent;
import io.cutover.core.Rollout;
import io.cutover.core.strategy.Strategies;
import io.cutover.simulator.RolloutHarness;
import io.cutover.simulator.RolloutResult;
import io.cutover.testkit.FakeHealthGate;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * M9 (issue 12): the spans, events and log lines of rollouts that succeed, abort and roll back
 * carry the release id and the artifact digest of the release they deploy, so any of them leads to
 * the exact bytes that ran. The engine's own log lines are switched to DEBUG for the test (one line
 * per event), and the gate logs from the provider side, as a provider would.
 */
@DisplayName("M9: release id and artifact digest on spans, events and log lines")
class TelemetryCoverageTest {
  static final AttributeKey<String> RELEASE = AttributeKey.stringKey("cutover.release");
  static final AttributeKey<String> DIGEST = AttributeKey.stringKey("cutover.artifact.digest");
  static final org.slf4j.Logger GATE_LOG = LoggerFactory.getLogger("io.cutover.test.gate");

  @Test
  @DisplayName(
      "at least 95 % of spans, events and MDC-bearing log lines of a successful, an aborted and a"
          + " rolled-back rollout carry both, with the right values")
  void everySignalNamesTheReleaseAndDigest() {
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    OpenTelemetrySdk otel =
        OpenTelemetrySdk.builder()
            .setTracerProvider(
                SdkTracerProvider.builder()
                    .addSpanProcessor(SimpleSpanProcessor.create(spans))
                    .build())
            .build();
    FakeHealthGate gate =
        FakeHealthGate.named("g")
            .answering(
                ctx -> {
                  GATE_LOG.info("evaluating {}", ctx.candidate().id());
                  return Verdict.pass();
                });
    // Captured here instead of the console: io.cutover.* (engine and test gate) at DEBUG.
    ListAppender<ILoggingEvent> logs =
        new ListAppender<>() {
          @Override
          protected void append(ILoggingEvent e) {
            // Logback reads the MDC lazily; take it now, on the thread that logged.
            e.prepareForDeferredProcessing();
            super.append(e);
          }
        };
    Logger cutover = (Logger) LoggerFactory.getLogger("io.cutover");
    Level levelBefore = cutover.getLevel();
    boolean additiveBefore = cutover.isAdditive();
    logs.start();
    cutover.addAppender(logs);
    cutover.setAdditive(false);
    cutover.setLevel(Level.DEBUG);
    Map<String, Release> byRollout = new HashMap<>();
    try {
      RolloutHarness h =
          RolloutHarness.builder().gate(gate).configure(b -> b.openTelemetry(otel)).build();
      Release[] r = EngineFixture.v1v2(h, 2);
      Step.Verify verify = Step.Verify.gates("g").count(3).interval(Duration.ofSeconds(10)).build();

      // success, with two retried router calls on the way
      h.router().failNextApplies(2);
      RolloutResult ok =
          h.deploy(Strategies.canary().setWeight(20).analysis(verify).build(), r[1], 2);
      assertThat(ok).succeeded();
      byRollout.put(ok.rollout().id(), r[1]);

      // aborted by a command in the middle of its analysis
      Release v3 = h.release(EngineFixture.SVC, "v3");
      Rollout aborting =
          h.cutover()
              .deploy(
                  Strategies.canary()
                      .setWeight(20)
                      .analysis(
                          Step.Verify.gates("g")
                              .count(100)
                              .interval(Duration.ofSeconds(10))
                              .build())
                      .build(),
                  v3,
                  2);
      h.runFor(aborting, Duration.ofMinutes(1));
      h.cutover().abort(aborting.id(), "operator");
      assertThat(h.run(aborting)).wasAborted();
      byRollout.put(aborting.id(), v3);

      // rolled back to v1 after v2 became stable
      RolloutResult back = h.run(h.cutover().rollback(EngineFixture.SVC));
      assertThat(back).succeeded();
      byRollout.put(back.rollout().id(), r[0]);

      List<RolloutEvent> events = h.events();
      assertThat(events.stream().map(RolloutEvent::type))
          .contains(
              RolloutEvent.Type.PROVIDER_RETRY,
              RolloutEvent.Type.ABORT_STARTED,
              RolloutEvent.Type.ROLLOUT_ABORTED);
      long eventsWith =
          events.stream()
              .filter(
                  e -> {
                    Release rel = byRollout.get(e.rolloutId());
                    return rel != null
                        && e.releaseId().equals(rel.id())
                        && e.artifactDigest().equals(rel.artifact().digest().toString());
                  })
              .count();
      assertCoverage("events", eventsWith, events.size());

      List<SpanData> finished = spans.getFinishedSpanItems();
      assertThat(finished).hasSizeGreaterThan(10);
      long spansWith =
          finished.stream()
              .filter(
                  s -> {
                    String release = s.getAttributes().get(RELEASE);
                    String digest = s.getAttributes().get(DIGEST);
                    return byRollout.values().stream()
                        .anyMatch(
                            rel ->
                                rel.id().equals(release)
                                    && rel.artifact().digest().toString().equals(digest));
                  })
              .count();
      assertCoverage("spans", spansWith, finished.size());

      List<ILoggingEvent> mdcLines =
          logs.list.stream()
              .filter(e -> e.getMDCPropertyMap().containsKey("cutover.rollout"))
              .toList();
      assertThat(mdcLines).hasSizeGreaterThan(events.size());
      long linesWith =
          mdcLines.stream()
              .filter(
                  e -> {
                    Release rel = byRollout.get(e.getMDCPropertyMap().get("cutover.rollout"));
                    return rel != null
                        && rel.id().equals(e.getMDCPropertyMap().get("cutover.release"))
                        && rel.artifact()
                            .digest()
                            .toString()
                            .equals(e.getMDCPropertyMap().get("cutover.artifact.digest"));
                  })
              .count();
      assertCoverage("MDC-bearing log lines", linesWith, mdcLines.size());
      // the gate's lines, logged on the provider side, are among them
      assertThat(mdcLines.stream().filter(e -> e.getLoggerName().equals("io.cutover.test.gate")))
          .isNotEmpty();
    } finally {
      cutover.detachAppender(logs);
      cutover.setAdditive(additiveBefore);
      cutover.setLevel(levelBefore);
    }
  }

  private static void assertCoverage(String what, long with, long all) {
    assertThat(all).as(what).isPositive();
    assertThat((double) with / all)
        .as("%s carrying the release id and digest: %d of %d", what, with, all)
        .isGreaterThanOrEqualTo(0.95);
  }
}
