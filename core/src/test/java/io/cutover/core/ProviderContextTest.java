// SPDX-License-Identifier: Apache-2.0
package io.cutover.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.Verdict.Outcome;
import io.cutover.core.gate.ManualApprovalGateProvider;
import io.cutover.core.gate.ThresholdGateProvider;
import io.cutover.core.metrics.InProcessMetricSourceProvider;
import io.cutover.core.testing.TestContexts;
import io.cutover.spi.HealthGate;
import io.cutover.spi.MetricSourceProvider;
import io.cutover.spi.ProviderContext;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ProviderContextTest {
  private static final Map<String, Object> THRESHOLD =
      Map.of(
          "name",
          "errors",
          "query",
          "x",
          "comparison",
          "<",
          "threshold",
          1,
          "source",
          Map.of("type", "in-process"));

  @Test
  @DisplayName(
      "a gate's nested metric source comes from the same registry: explicit registration, no implicit discovery")
  void nestedProvidersObeyTheRegistry() {
    ProviderRegistry bare = ProviderRegistry.create().register(new ThresholdGateProvider());
    assertThatThrownBy(
            () -> bare.healthGate("threshold", ProviderConfigs.of("threshold", THRESHOLD)))
        .isInstanceOfSatisfying(
            InvalidSpecException.class,
            e -> assertThat(e.path()).isEqualTo("$.providers.threshold.source.type"))
        .hasMessageContaining("'in-process'")
        .hasMessageContaining("register the provider");

    bare.register(new InProcessMetricSourceProvider());
    assertThat(bare.healthGate("threshold", ProviderConfigs.of("threshold", THRESHOLD)).name())
        .isEqualTo("errors");
    assertThat(
            ProviderRegistry.create()
                .withDiscovery()
                .healthGate("threshold", ProviderConfigs.of("threshold", THRESHOLD))
                .name())
        .isEqualTo("errors");
  }

  @Test
  @DisplayName("a composite's child gates come from the same registry too")
  void compositeChildren() {
    Map<String, Object> composite =
        Map.of(
            "name",
            "both",
            "gates",
            List.of(Map.of("type", "manual-approval", "name", "ok", "timeout", "1m")));
    ProviderRegistry reg =
        ProviderRegistry.create().register(new io.cutover.core.gate.CompositeGateProvider());
    assertThatThrownBy(
            () -> reg.healthGate("composite", ProviderConfigs.of("composite", composite)))
        .isInstanceOfSatisfying(
            InvalidSpecException.class,
            e -> assertThat(e.path()).isEqualTo("$.providers.composite.gates[0].type"));
    reg.register(new ManualApprovalGateProvider());
    assertThat(reg.healthGate("composite", ProviderConfigs.of("composite", composite)).name())
        .isEqualTo("both");
  }

  @Test
  @DisplayName("gates that keep time use the registry's clock")
  void clock() {
    TestContexts.ManualClock clock =
        new TestContexts.ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    HealthGate approval =
        ProviderRegistry.create()
            .withClock(clock)
            .register(new ManualApprovalGateProvider())
            .healthGate(
                "manual-approval",
                ProviderConfigs.of(
                    "manual-approval", Map.of("name", "ok", "timeout", "1m", "onTimeout", "pass")));
    var ctx = TestContexts.at(clock.instant());
    assertThat(approval.evaluate(ctx).outcome()).isEqualTo(Outcome.INCONCLUSIVE);
    clock.advance(java.time.Duration.ofMinutes(2));
    assertThat(approval.evaluate(ctx).outcome())
        .as("timed out by the registry's clock")
        .isEqualTo(Outcome.PASS);
  }

  @Test
  @DisplayName(
      "the context carries clock, scheduler, OpenTelemetry (no-op by default) and host components")
  void contents() throws Exception {
    ProviderContext plain = ProviderRegistry.create().context();
    assertThat(plain.clock()).isEqualTo(InstantSource.system());
    assertThat(plain.lookup(OpenTelemetry.class)).contains(OpenTelemetry.noop());
    assertThat(plain.lookup(StringBuilder.class)).isEmpty();
    assertThat(
            plain
                .scheduler()
                .schedule(() -> "ran", 1, java.util.concurrent.TimeUnit.MILLISECONDS)
                .get())
        .isEqualTo("ran");

    ScheduledExecutorService mine = Executors.newSingleThreadScheduledExecutor();
    try {
      OpenTelemetry otel =
          OpenTelemetry.propagating(io.opentelemetry.context.propagation.ContextPropagators.noop());
      StringBuilder component = new StringBuilder("shared");
      ProviderRegistry reg =
          ProviderRegistry.create()
              .withScheduler(mine)
              .withOpenTelemetry(otel)
              .withComponent(StringBuilder.class, component)
              .withDiscovery();
      ProviderContext c = reg.context();
      assertThat(c.scheduler()).isSameAs(mine);
      assertThat(c.lookup(OpenTelemetry.class)).containsSame(otel);
      assertThat(c.lookup(StringBuilder.class)).containsSame(component);
      assertThat(c.names(MetricSourceProvider.class)).contains("in-process");
      assertThat(
              c.create(
                  MetricSourceProvider.class, "in-process", ProviderConfigs.empty("in-process")))
          .isNotNull();
    } finally {
      mine.shutdownNow();
    }
  }
}
