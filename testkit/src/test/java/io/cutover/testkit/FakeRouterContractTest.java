// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.ArtifactRef;
import io.cutover.api.Digest;
import io.cutover.api.Instance;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.ProviderException;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.simulator.FakeFleet;
import io.cutover.simulator.FakeRouter;
import io.cutover.simulator.FakeRouter.Violation.Kind;
import io.cutover.simulator.VirtualClock;
import io.cutover.spi.OperationId;
import io.cutover.spi.Router;
import io.cutover.testkit.contract.RouterContract;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("FakeRouter")
class FakeRouterContractTest extends RouterContract {
  private final VirtualClock clock = VirtualClock.create();

  @Override
  protected Router createRouter() {
    return FakeRouter.create(clock);
  }

  @Override
  protected boolean arrangeNextApplyFailure(Router router) {
    ((FakeRouter) router).failNextApplies(1);
    return true;
  }

  @Override
  protected boolean supportsMatchRules() {
    return true;
  }

  @Override
  protected boolean supportsMirror() {
    return true;
  }

  @Nested
  @DisplayName("timeline and contract checks")
  class Specifics {
    private final FakeFleet fleet = FakeFleet.create();
    private final FakeRouter router = FakeRouter.create(clock).watch(fleet);
    private final Release v1 =
        Release.of("shop", new ArtifactRef("team/shop", Digest.sha256("v1")));
    private final Release v2 =
        Release.of("shop", new ArtifactRef("team/shop", Digest.sha256("v2")));
    private final Instant t0 = clock.instant();
    private int step;

    private OperationId op() {
      return new OperationId("r-1/s" + (step++) + "/route");
    }

    private void route(int v2BasisPoints, List<Instance> ofV1, List<Instance> ofV2) {
      router.apply(
          op(),
          "shop",
          TrafficSplit.of(v1.id(), v2.id(), v2BasisPoints),
          Map.of(v1.id(), ofV1, v2.id(), ofV2));
    }

    @Test
    @DisplayName(
        "records a timeline with times, ops and backends, and answers exposure questions from it")
    void timelineAndExposure() {
      List<Instance> a = fleet.launch(new OperationId("r-1/s90/launch"), v1, 2);
      List<Instance> b = fleet.launch(new OperationId("r-1/s91/launch"), v2, 1);
      route(0, a, List.of());
      clock.advance(Duration.ofMinutes(1));
      route(1_000, a, b);
      clock.advance(Duration.ofMinutes(5));
      route(5_000, a, b);
      clock.advance(Duration.ofMinutes(2));
      route(0, a, b);
      clock.advance(Duration.ofMinutes(10));

      assertThat(router.timeline("shop")).hasSize(4);
      assertThat(router.timeline().get(1).time()).isEqualTo(t0.plus(Duration.ofMinutes(1)));
      assertThat(router.timeline().get(1).op()).isEqualTo(new OperationId("r-1/s1/route"));
      assertThat(router.timeline().get(1).backends().get(v2.id())).isEqualTo(b);
      assertThat(router.maxExposure("shop", v2.id())).isEqualTo(5_000);
      assertThat(router.maxExposure("shop", "nobody")).isZero();
      assertThat(router.exposureDuration("shop", v2.id())).isEqualTo(Duration.ofMinutes(7));
      assertThat(router.exposureDuration("shop", v1.id())).isEqualTo(Duration.ofMinutes(18));
      assertThat(router.splitAt("shop", t0.plus(Duration.ofMinutes(3))))
          .contains(TrafficSplit.of(v1.id(), v2.id(), 1_000));
      assertThat(router.splitAt("shop", t0.minusSeconds(1))).isEmpty();
      assertThat(router.violations()).isEmpty();
      assertThat(router.unroutable()).isEmpty();
    }

    @Test
    @DisplayName("flags weight on a release without backends as unroutable, not as a violation")
    void unroutable() {
      List<Instance> a = fleet.launch(new OperationId("r-1/s90/launch"), v1, 1);
      route(1_000, a, List.of());
      assertThat(router.unroutable())
          .singleElement()
          .satisfies(
              v -> {
                assertThat(v.kind()).isEqualTo(Kind.UNROUTABLE);
                assertThat(v.releaseId()).isEqualTo(v2.id());
                assertThat(v.message()).contains("10.00%").contains("no READY backends");
              });
      assertThat(router.violations()).isEmpty();
    }

    @Test
    @DisplayName("catches an instance retired while it still receives traffic")
    void retiredWhileRouted() {
      List<Instance> a = fleet.launch(new OperationId("r-1/s90/launch"), v1, 1);
      List<Instance> b = fleet.launch(new OperationId("r-1/s91/launch"), v2, 1);
      route(5_000, a, b);
      fleet.retire(new OperationId("r-1/s92/retire"), v1); // the bug: retired before routing away

      assertThat(router.violations())
          .singleElement()
          .satisfies(
              v -> {
                assertThat(v.kind()).isEqualTo(Kind.RETIRED_INSTANCE);
                assertThat(v.instanceId()).isEqualTo(a.get(0).id());
                assertThat(v.message()).contains("retired while receiving 50.00%");
              });
    }

    @Test
    @DisplayName(
        "retiring after traffic moved away is fine; routing to the retired instance later is a violation")
    void routedAfterRetirement() {
      List<Instance> a = fleet.launch(new OperationId("r-1/s90/launch"), v1, 1);
      List<Instance> b = fleet.launch(new OperationId("r-1/s91/launch"), v2, 1);
      route(10_000, a, b);
      fleet.retire(new OperationId("r-1/s92/retire"), v1);
      assertThat(router.violations()).isEmpty();

      route(5_000, a, b); // stale backends: a[0] is gone
      assertThat(router.violations())
          .extracting(FakeRouter.Violation::kind)
          .containsExactly(Kind.RETIRED_INSTANCE);
      assertThat(router.violations().get(0).message())
          .contains("traffic routed to retired instance");
    }

    @Test
    @DisplayName("traffic to an instance that is not READY is a violation")
    void notReady() {
      List<Instance> a = fleet.launch(new OperationId("r-1/s90/launch"), v1, 1);
      fleet.drain(new OperationId("r-1/s91/drain"), v1);
      route(0, fleet.instancesOf(v1.id()), List.of());
      assertThat(router.violations())
          .singleElement()
          .satisfies(
              v -> {
                assertThat(v.kind()).isEqualTo(Kind.NOT_READY_INSTANCE);
                assertThat(v.instanceId()).isEqualTo(a.get(0).id());
                assertThat(v.message()).contains("DRAINING");
              });
      assertThat(router.unroutable())
          .as("a release whose only backend is draining has nowhere to send its traffic")
          .singleElement()
          .satisfies(v -> assertThat(v.releaseId()).isEqualTo(v1.id()));
    }

    @Test
    @DisplayName("a repeated op id adds no entry; reusing it for another split is refused")
    void idempotency() {
      OperationId op = new OperationId("r-1/s0/route");
      router.apply(op, "shop", TrafficSplit.all(v1.id()), Map.of());
      router.apply(op, "shop", TrafficSplit.all(v1.id()), Map.of());
      assertThat(router.timeline()).hasSize(1);
      assertThat(router.applyCalls()).isEqualTo(2);
      assertThatThrownBy(() -> router.apply(op, "shop", TrafficSplit.all(v2.id()), Map.of()))
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("operationId")
          .hasMessageContaining("distinct operation id");
      assertThat(router.current("shop")).contains(TrafficSplit.all(v1.id()));
    }

    @Test
    @DisplayName("injected failures are retryable, change nothing, and run out")
    void injectedFailures() {
      router.apply(op(), "shop", TrafficSplit.all(v1.id()), Map.of());
      router.failNextApplies(2);
      for (int i = 0; i < 2; i++) {
        assertThatThrownBy(() -> router.apply(op(), "shop", TrafficSplit.all(v2.id()), Map.of()))
            .isInstanceOfSatisfying(
                ProviderException.class, e -> assertThat(e.retryable()).isTrue());
      }
      assertThat(router.current("shop")).contains(TrafficSplit.all(v1.id()));
      router.apply(op(), "shop", TrafficSplit.all(v2.id()), Map.of());
      assertThat(router.current("shop")).contains(TrafficSplit.all(v2.id()));
      assertThat(router.timeline()).hasSize(2);
    }

    @Test
    @DisplayName("backends listed under the wrong release are refused before anything changes")
    void wrongBackends() {
      List<Instance> a = fleet.launch(new OperationId("r-1/s90/launch"), v1, 1);
      assertThatThrownBy(
              () -> router.apply(op(), "shop", TrafficSplit.all(v2.id()), Map.of(v2.id(), a)))
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("backends." + v2.id() + "[0]");
      assertThat(router.current("shop")).isEmpty();
      assertThat(router.timeline()).isEmpty();
    }
  }
}
