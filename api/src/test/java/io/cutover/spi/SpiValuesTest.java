// SPDX-License-Identifier: Apache-2.0
package io.cutover.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.ArtifactRef;
import io.cutover.api.Digest;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.Release;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SpiValuesTest {
  private static final Release V1 =
      Release.of("checkout", new ArtifactRef("team/checkout", Digest.sha256("v1")));
  private static final Release V2 =
      Release.of("checkout", new ArtifactRef("team/checkout", Digest.sha256("v2")));
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  @DisplayName("PlanRequest: at least one replica, one service")
  void planRequest() {
    assertThat(new PlanRequest(V1, V2, 3).service()).isEqualTo("checkout");
    assertThat(new PlanRequest(null, V2, 1).stable()).isNull();
    assertThatThrownBy(() -> new PlanRequest(V1, V2, 0))
        .isInstanceOfSatisfying(
            InvalidSpecException.class, e -> assertThat(e.path()).isEqualTo("replicas"));
    Release cart = Release.of("cart", new ArtifactRef("team/cart", Digest.sha256("v1")));
    assertThatThrownBy(() -> new PlanRequest(cart, V2, 1))
        .isInstanceOfSatisfying(
            InvalidSpecException.class, e -> assertThat(e.path()).isEqualTo("stable.service"));
  }

  @Test
  @DisplayName(
      "OperationId: opaque, compared by value; children are deterministic and distinct; no whitespace")
  void operationId() {
    OperationId op = new OperationId("r-7f3a/s3/route");
    assertThat(op).hasToString("r-7f3a/s3/route").isEqualTo(new OperationId("r-7f3a/s3/route"));
    assertThat(op.child("prescale"))
        .isEqualTo(op.child("prescale"))
        .isNotEqualTo(op)
        .isNotEqualTo(op.child("backends"));
    // Journals written before child() existed hold these ids: the engine must keep deriving the
    // same ones.
    assertThat(op.child("prescale").value()).isEqualTo("r-7f3a/s3/route-prescale");
    for (String bad : new String[] {"", " ", "a b"}) {
      assertThatThrownBy(() -> op.child(bad)).as(bad).isInstanceOf(InvalidSpecException.class);
    }
    assertThatThrownBy(() -> new OperationId("x".repeat(250)).child("toolong"))
        .isInstanceOf(InvalidSpecException.class);
    for (String bad : new String[] {"", " ", "a b", "x".repeat(257)}) {
      assertThatThrownBy(() -> new OperationId(bad))
          .as(bad)
          .isInstanceOf(InvalidSpecException.class);
    }
  }

  @Test
  @DisplayName(
      "MetricQuery: a window that does not run backwards, a positive step, placeholders rendered")
  void metricQuery() {
    MetricQuery q =
        new MetricQuery(
            "rate(http_errors{release=\"{{release}}\"}[1m])",
            Map.of("release", V2.id()),
            T0,
            T0.plusSeconds(60),
            Duration.ofSeconds(15));
    assertThat(q.rendered()).isEqualTo("rate(http_errors{release=\"" + V2.id() + "\"}[1m])");
    assertThat(MetricQuery.instant("up", Map.of(), T0).step()).isNull();
    assertThatThrownBy(() -> new MetricQuery("up", Map.of(), T0, T0.minusSeconds(1), null))
        .isInstanceOfSatisfying(
            InvalidSpecException.class, e -> assertThat(e.path()).isEqualTo("query.end"));
    assertThatThrownBy(() -> new MetricQuery("up", Map.of(), T0, T0, Duration.ZERO))
        .isInstanceOfSatisfying(
            InvalidSpecException.class, e -> assertThat(e.path()).isEqualTo("query.step"));
    assertThatThrownBy(() -> MetricQuery.instant(" ", Map.of(), T0))
        .isInstanceOfSatisfying(
            InvalidSpecException.class, e -> assertThat(e.path()).isEqualTo("query.metric"));
  }

  @Test
  @DisplayName("MetricResult: NaN is no data, never a value")
  void metricResult() {
    MetricResult r =
        new MetricResult(
            List.of(
                new MetricResult.Sample(T0, 0.5),
                new MetricResult.Sample(T0, Double.NaN),
                new MetricResult.Sample(T0.plusSeconds(1), 0.75)),
            "q");
    assertThat(r.values()).containsExactly(0.5, 0.75);
    assertThat(r.last()).isEqualTo(0.75);
    assertThat(r.isNoData()).isFalse();
    MetricResult nan = MetricResult.of(T0, Double.NaN, "scalar(x)");
    assertThat(nan.isNoData()).isTrue();
    assertThatThrownBy(nan::last)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("scalar(x)");
    assertThat(MetricResult.noData("q").samples()).isEmpty();
  }

  @Test
  @DisplayName(
      "GateContext is built by name: defaults, every missing field at once, no double set, copies")
  void gateContextBuilder() {
    GateContext ctx =
        GateContext.builder()
            .rolloutId("r-1")
            .service("checkout")
            .candidate(V2)
            .windowStart(T0)
            .now(T0.plusSeconds(30))
            .build();
    assertThat(ctx.stable()).isNull();
    assertThat(ctx.measurement()).isEqualTo(1);
    assertThat(ctx.candidateInstances()).isEmpty();
    assertThat(ctx.phase()).isEqualTo(GateContext.ANALYSIS);
    assertThat(ctx.params()).isEmpty();
    assertThatThrownBy(() -> GateContext.builder().service("checkout").now(T0).build())
        .isInstanceOfSatisfying(
            InvalidSpecException.class,
            e ->
                assertThat(e.violations())
                    .extracting(InvalidSpecException.Violation::path)
                    .containsExactly(
                        "gateContext.rolloutId",
                        "gateContext.candidate",
                        "gateContext.windowStart"));
    assertThatThrownBy(() -> GateContext.builder().phase("a").phase("b"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("phase");
    GateContext hook =
        ctx.toBuilder().stable(V1).phase("pre-rollout").params(Map.of("job", "migrate")).build();
    assertThat(hook.rolloutId()).isEqualTo("r-1");
    assertThat(hook.stable()).isEqualTo(V1);
    assertThat(hook.params()).containsEntry("job", "migrate");
    assertThat(hook.toBuilder().build()).isEqualTo(hook).hasSameHashCodeAs(hook).isNotEqualTo(ctx);
    assertThat(hook.toString()).contains("phase=pre-rollout");
  }

  @Test
  @DisplayName("GateContext and JournalRecord copy and require their parts")
  void records() {
    GateContext ctx =
        GateContext.builder()
            .rolloutId("r-1")
            .service("checkout")
            .stable(V1)
            .candidate(V2)
            .windowStart(T0)
            .now(T0.plusSeconds(30))
            .build();
    assertThat(ctx.phase()).isEqualTo("analysis");
    JournalRecord rec =
        JournalRecord.of(T0, "r-1", "checkout", JournalRecord.Type.INTENT, "r-1/s0/launch", "{}");
    assertThat(rec.sequence()).isEqualTo(-1);
    assertThat(rec.withSequence(7).sequence()).isEqualTo(7);
    assertThat(rec.withSequence(7).operationId()).isEqualTo("r-1/s0/launch");
    assertThatThrownBy(
            () -> JournalRecord.of(T0, "r-1", "checkout", JournalRecord.Type.DONE, null, null))
        .isInstanceOf(NullPointerException.class);
  }
}
