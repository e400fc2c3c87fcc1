// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.engine;

import static io.cutover.testkit.CutoverAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.Instance;
import io.cutover.api.InstanceState;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.core.strategy.Strategies;
import io.cutover.simulator.FakeFleet;
import io.cutover.simulator.FakeRouter;
import io.cutover.simulator.InMemoryArtifactStore;
import io.cutover.simulator.RolloutHarness;
import io.cutover.simulator.RolloutResult;
import io.cutover.simulator.VirtualClock;
import io.cutover.spi.OperationId;
import io.cutover.spi.RolloutStrategy;
import io.cutover.spi.Router;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link RolloutHarness} on providers other than its fakes (recorded by wrappers, so the timeline
 * and the checks still work), {@link RolloutHarness#adopt}, and unroutable splits reported as
 * router violations.
 */
class HarnessProvidersTest {
  static final RolloutStrategy CANARY = Strategies.canary().setWeight(10).setWeight(50).build();

  /** A stranger's router: keeps the split in a map, knows nothing about the harness. */
  static final class MapRouter implements Router {
    final Map<String, TrafficSplit> table = new ConcurrentHashMap<>();
    int failures;

    @Override
    public synchronized void apply(
        OperationId op, String service, TrafficSplit split, Map<String, List<Instance>> backends) {
      if (failures > 0) {
        failures--;
        throw io.cutover.api.ProviderException.retryable("map", "apply", "unreachable");
      }
      table.put(service, split);
    }

    @Override
    public Optional<TrafficSplit> current(String service) {
      return Optional.ofNullable(table.get(service));
    }
  }

  @Test
  @DisplayName("runs on a custom router and records its splits in the timeline")
  void customRouter() {
    MapRouter mine = new MapRouter();
    try (RolloutHarness h = RolloutHarness.builder().router(mine).build()) {
      Release v1 = h.release("shop", "v1");
      Release v2 = h.release("shop", "v2");
      h.adopt(v1, 2);
      mine.failures = 1; // the engine retries; the failed apply must not be in the timeline

      RolloutResult r = h.deploy(CANARY, v2, 2);

      assertThat(r).succeeded().endedWithAllTrafficOn(v2).hasNoRouterViolations();
      assertThat(mine.current("shop")).contains(TrafficSplit.all(v2.id()));
      assertThat(r.timeline()).extracting(e -> e.split().weight(v2.id())).contains(1_000, 5_000);
      assertThat(r.maxExposure(v2.id())).isEqualTo(TrafficSplit.TOTAL);
      assertThat(r.timeline())
          .extracting(e -> e.op())
          .as("each applied split once")
          .doesNotHaveDuplicates();
      assertThat(h.router().timeline("shop")).hasSize(r.timeline().size());
    }
  }

  @Test
  @DisplayName("runs on a custom fleet, records its calls and records its calls")
  void customFleet() {
    FakeFleet mine = FakeFleet.create();
    try (RolloutHarness h = RolloutHarness.builder().fleet(mine).build()) {
      Release v1 = h.release("shop", "v1");
      Release v2 = h.release("shop", "v2");
      List<Instance> launched = h.adopt(v1, 2);

      RolloutResult r = h.deploy(CANARY, v2, 2);

      assertThat(r).succeeded().hasNoRouterViolations();
      assertThat(launched).hasSize(2);
      assertThat(h.fleet().allInstances()).as("the harness's own fake is unused").isEmpty();
      assertThat(mine.instancesOf(v2.id())).hasSize(2);
      assertThat(r.fleetCalls())
          .extracting(c -> c.kind())
          .contains(FakeFleet.CallKind.LAUNCH, FakeFleet.CallKind.RETIRE);
    }
  }

  @Test
  @DisplayName("adopt launches the stable release's instances and routes all traffic to them")
  void adopt() {
    try (RolloutHarness h = RolloutHarness.create()) {
      Release v1 = h.release("shop", "v1");
      List<Instance> launched = h.adopt(v1, 3);

      assertThat(launched).hasSize(3);
      assertThat(h.fleet().instancesOf(v1.id()))
          .hasSize(3)
          .allSatisfy(i -> assertThat(i.state()).isEqualTo(InstanceState.READY));
      assertThat(h.router().current("shop")).contains(TrafficSplit.all(v1.id()));
      assertThat(h.router().timeline("shop").get(0).backends().get(v1.id()))
          .containsExactlyInAnyOrderElementsOf(h.fleet().instancesOf(v1.id()));

      RolloutResult r = h.deploy(CANARY, h.release("shop", "v2"), 3);
      assertThat(r).succeeded().hasNoRouterViolations();
      assertThat(r.unroutable()).isEmpty();
    }
  }

  @Test
  @DisplayName("a stable release adopted without instances makes every split unroutable: reported")
  void unroutableReported() {
    try (RolloutHarness h = RolloutHarness.create()) {
      Release v1 = h.release("shop", "v1");
      h.cutover().adopt(v1, 4); // the engine believes it; the fleet runs nothing

      RolloutResult r = h.deploy(CANARY, h.release("shop", "v2"), 2);

      assertThat(r).succeeded();
      assertThat(r.unroutable())
          .isNotEmpty()
          .allSatisfy(v -> assertThat(v.releaseId()).isEqualTo(v1.id()));
      assertThat(r.violations()).containsAll(r.unroutable());
      assertThatThrownBy(() -> assertThat(r).hasNoRouterViolations())
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("no READY backends")
          .hasMessageContaining(v1.id());
    }
  }

  @Test
  @DisplayName("with a custom artifact store, release() refuses instead of pushing elsewhere")
  void customStore() {
    try (RolloutHarness h =
        RolloutHarness.builder().artifactStore(InMemoryArtifactStore.create()).build()) {
      assertThatThrownBy(() -> h.release("shop", "v1"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("Builder.artifactStore");
    }
  }

  @Test
  @DisplayName("configure(b -> b.router(x)) is refused by the engine's builder: use router(x)")
  void configureRouterRefused() {
    Router other = FakeRouter.create(VirtualClock.create());
    assertThatThrownBy(() -> RolloutHarness.builder().configure(b -> b.router(other)).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("router");
  }
}
