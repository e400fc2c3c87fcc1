// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.engine;

import static io.cutover.testkit.CutoverAssertions.assertThat;

import io.cutover.api.Release;
import io.cutover.api.Verdict;
import io.cutover.api.plan.Step;
import io.cutover.core.strategy.Strategies;
import io.cutover.simulator.RolloutHarness;
import io.cutover.simulator.RolloutResult;
import io.cutover.spi.GateContext;
import io.cutover.spi.HealthGate;
import io.cutover.spi.OperationId;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class TelemetryTest {

  /** Records the MDC the engine sets while it calls the gate. */
  static final class MdcGate implements HealthGate {
    final List<Map<String, String>> seen = new ArrayList<>();
    final Verdict verdict;

    MdcGate(Verdict verdict) {
      this.verdict = verdict;
    }

    @Override
    public String name() {
      return "mdc";
    }

    @Override
    public Verdict evaluate(GateContext context) {
      seen.add(MDC.getCopyOfContextMap());
      return verdict;
    }
  }

  @Test
  void spansMetricsAndMdcDescribeTheRollouts() {
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    InMemoryMetricReader metrics = InMemoryMetricReader.create();
    OpenTelemetry otel =
        OpenTelemetrySdk.builder()
            .setTracerProvider(
                SdkTracerProvider.builder()
                    .addSpanProcessor(SimpleSpanProcessor.create(spans))
                    .build())
            .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
            .build();
    MdcGate gate = new MdcGate(Verdict.pass());
    RolloutHarness h =
        RolloutHarness.builder().gate(gate).configure(b -> b.openTelemetry(otel)).build();
    Release v1 = h.release("cart", "v1");
    Release v2 = h.release("cart", "v2");
    h.fleet().launch(new OperationId("setup"), v1, 2);
    h.cutover().adopt(v1, 2);

    Step.Verify verify = Step.Verify.gates("mdc").count(2).interval(Duration.ofSeconds(10)).build();
    RolloutResult ok = h.deploy(Strategies.canary().setWeight(50).analysis(verify).build(), v2, 2);
    assertThat(ok).succeeded();

    // MDC keys are set while providers run on the rollout's behalf
    assertThat(gate.seen)
        .isNotEmpty()
        .allSatisfy(
            m ->
                assertThat(m)
                    .containsEntry("cutover.service", "cart")
                    .containsEntry("cutover.rollout", ok.rollout().id())
                    .containsEntry("cutover.artifact", v2.artifact().toString()));

    List<SpanData> finished = spans.getFinishedSpanItems();
    SpanData root =
        finished.stream().filter(s -> s.getName().equals("rollout cart")).findFirst().orElseThrow();
    assertThat(root.getAttributes().asMap().toString()).contains(ok.rollout().id());
    assertThat(
            finished.stream()
                .filter(s -> s.getName().startsWith("step "))
                .allMatch(s -> s.getParentSpanId().equals(root.getSpanId())))
        .isTrue();
    assertThat(finished.stream().filter(s -> s.getName().startsWith("step ")).count())
        .isEqualTo(ok.plan().steps().size());
    // span times are virtual: the rollout span lasts exactly as long as the virtual run
    assertThat(root.getEndEpochNanos() - root.getStartEpochNanos())
        .isEqualTo(ok.virtualDuration().toNanos());

    Map<String, Long> sums = new java.util.HashMap<>();
    for (MetricData m : metrics.collectAllMetrics()) {
      if (m.getType() == io.opentelemetry.sdk.metrics.data.MetricDataType.LONG_SUM) {
        sums.put(
            m.getName(),
            m.getLongSumData().getPoints().stream().mapToLong(p -> p.getValue()).sum());
      }
    }
    assertThat(sums)
        .containsEntry("cutover.deployments.started", 1L)
        .containsEntry("cutover.deployments.succeeded", 1L)
        .containsEntry("cutover.gate.verdicts", 2L)
        .doesNotContainKey("cutover.deployments.failed");
  }

  @Test
  void aFailedRolloutIsCountedWithItsTimeToRollback() {
    InMemoryMetricReader metrics = InMemoryMetricReader.create();
    OpenTelemetry otel =
        OpenTelemetrySdk.builder()
            .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
            .build();
    RolloutHarness h =
        RolloutHarness.builder()
            .gate(new MdcGate(Verdict.fail("bad")))
            .configure(b -> b.openTelemetry(otel))
            .build();
    Release v1 = h.release("cart", "v1");
    h.fleet().launch(new OperationId("setup"), v1, 2);
    h.cutover().adopt(v1, 2);
    RolloutResult bad =
        h.deploy(
            Strategies.canary().setWeight(50).analysis(Step.Verify.gates("mdc").build()).build(),
            h.release("cart", "v2"),
            2);
    assertThat(bad).wasAborted();
    List<String> names = metrics.collectAllMetrics().stream().map(MetricData::getName).toList();
    assertThat(names)
        .contains(
            "cutover.deployments.failed",
            "cutover.rollbacks",
            "cutover.time_to_rollback",
            "cutover.deployment.duration");
  }

  @Test
  @DisplayName(
      "M4: Cutover.rollback(service) increments cutover.rollbacks with cause rollback; an abort"
          + " counts with cause abort")
  void explicitRollbackIsCounted() {
    InMemoryMetricReader metrics = InMemoryMetricReader.create();
    OpenTelemetry otel =
        OpenTelemetrySdk.builder()
            .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
            .build();
    RolloutHarness h = RolloutHarness.builder().configure(b -> b.openTelemetry(otel)).build();
    Release v1 = h.release("cart", "v1");
    h.adopt(v1, 2);
    assertThat(h.deploy(Strategies.blueGreen().build(), h.release("cart", "v2"), 2)).succeeded();
    assertThat(rollbacks(metrics)).isEmpty();

    assertThat(h.run(h.cutover().rollback("cart"))).succeeded();

    assertThat(rollbacks(metrics))
        .containsExactly(Map.entry("{cutover.rollback.cause=rollback, cutover.service=cart}", 1L));
  }

  private static Map<String, Long> rollbacks(InMemoryMetricReader metrics) {
    Map<String, Long> out = new java.util.TreeMap<>();
    for (MetricData m : metrics.collectAllMetrics()) {
      if (m.getName().equals("cutover.rollbacks")) {
        m.getLongSumData()
            .getPoints()
            .forEach(
                p ->
                    out.merge(
                        new java.util.TreeMap<>(
                                p.getAttributes().asMap().entrySet().stream()
                                    .collect(
                                        java.util.stream.Collectors.toMap(
                                            e -> e.getKey().getKey(),
                                            e -> String.valueOf(e.getValue()))))
                            .toString(),
                        p.getValue(),
                        Long::sum));
      }
    }
    return out;
  }
}
