// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.engine;

import static io.cutover.testkit.CutoverAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.Instance;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.api.TrafficSplit.MatchRule;
import io.cutover.api.TrafficSplit.Mirror;
import io.cutover.api.plan.Step;
import io.cutover.core.strategy.CanaryStrategy;
import io.cutover.core.strategy.Strategies;
import io.cutover.simulator.FakeRouter;
import io.cutover.simulator.RolloutHarness;
import io.cutover.simulator.RolloutResult;
import io.cutover.spi.OperationId;
import io.cutover.spi.Router;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 12: the canary builder's A/B ({@code setHeaderRoute}) and mirroring ({@code
 * setMirrorRoute}) steps through the engine, and the engine's read-back of match rules and mirrors
 * (not only weights) after every route.
 */
@DisplayName("Canary header and mirror routes")
class CanaryRoutesTest {
  static final String SVC = "checkout";
  static final MatchRule.Kind HEADER = MatchRule.Kind.HEADER;

  static CanaryStrategy abCanary() {
    return Strategies.canary()
        .setHeaderRoute("X-Canary", "always")
        .pause(Duration.ofMinutes(1))
        .setMirrorRoute(20)
        .pause(Duration.ofMinutes(1))
        .setWeight(10)
        .pause(Duration.ofMinutes(1))
        .build();
  }

  /**
   * A stranger's router that keeps what {@code store} makes of each applied split: the identity for
   * a correct router, or a function that loses a part of it, as a router with an incomplete
   * implementation does.
   */
  static final class LossyRouter implements Router {
    final Map<String, TrafficSplit> table = new ConcurrentHashMap<>();
    final AtomicInteger applies = new AtomicInteger();
    final UnaryOperator<TrafficSplit> store;

    LossyRouter(UnaryOperator<TrafficSplit> store) {
      this.store = store;
    }

    @Override
    public void apply(
        OperationId op, String service, TrafficSplit split, Map<String, List<Instance>> backends) {
      applies.incrementAndGet();
      table.put(service, store.apply(split));
    }

    @Override
    public Optional<TrafficSplit> current(String service) {
      return Optional.ofNullable(table.get(service));
    }
  }

  /** Keeps the weights and the mirror, drops every match rule. */
  static TrafficSplit dropRules(TrafficSplit s) {
    TrafficSplit.Builder b = TrafficSplit.builder();
    s.weights().forEach(b::weight);
    Mirror m = s.mirror();
    if (m != null) {
      b.mirror(m);
    }
    return b.build();
  }

  /** Keeps the weights and the rules, drops the mirror. */
  static TrafficSplit dropMirror(TrafficSplit s) {
    TrafficSplit.Builder b = TrafficSplit.builder();
    s.weights().forEach(b::weight);
    s.rules().forEach(b::rule);
    return b.build();
  }

  @Test
  @DisplayName(
      "header route, then mirror, then weight: each route carries the earlier ones, promotion"
          + " removes them")
  void compilesAndRuns() {
    try (RolloutHarness h = RolloutHarness.create()) {
      Release v1 = h.release(SVC, "v1");
      Release v2 = h.release(SVC, "v2");
      h.adopt(v1, 4);

      RolloutResult r = h.deploy(abCanary(), v2, 4);

      assertThat(r).succeeded().endedWithAllTrafficOn(v2).hasNoRouterViolations();
      MatchRule rule = new MatchRule(HEADER, "X-Canary", "always", v2.id());
      Mirror mirror = new Mirror(v2.id(), 2_000);
      List<TrafficSplit> routes =
          r.plan().steps().stream()
              .filter(Step.Route.class::isInstance)
              .map(s -> ((Step.Route) s).split())
              .toList();
      assertThat(routes)
          .containsExactly(
              TrafficSplit.builder().weight(v1.id(), 10_000).weight(v2.id(), 0).rule(rule).build(),
              TrafficSplit.builder()
                  .weight(v1.id(), 10_000)
                  .weight(v2.id(), 0)
                  .rule(rule)
                  .mirror(mirror)
                  .build(),
              TrafficSplit.builder()
                  .weight(v1.id(), 9_000)
                  .weight(v2.id(), 1_000)
                  .rule(rule)
                  .mirror(mirror)
                  .build(),
              TrafficSplit.all(v2.id()));
      assertThat(r.plan().steps().get(0)).isEqualTo(new Step.Launch(v2.id(), 1));
      // what the router had in effect, in order: the rules and the mirror really went through
      assertThat(r.timeline())
          .extracting(FakeRouter.Entry::split)
          .filteredOn(s -> !s.rules().isEmpty())
          .isNotEmpty()
          .allSatisfy(s -> assertThat(s.rules()).containsExactly(rule));
      assertThat(r.timeline()).extracting(e -> e.split().mirror()).contains(mirror).last().isNull();
      assertThat(r.finalSplit()).contains(TrafficSplit.all(v2.id()));
    }
  }

  @Test
  @DisplayName("a custom router that reads back rules and mirror exactly passes")
  void exactRouterPasses() {
    LossyRouter exact = new LossyRouter(UnaryOperator.identity());
    try (RolloutHarness h = RolloutHarness.builder().router(exact).build()) {
      Release v1 = h.release(SVC, "v1");
      Release v2 = h.release(SVC, "v2");
      h.adopt(v1, 2);

      assertThat(h.deploy(abCanary(), v2, 2)).succeeded().endedWithAllTrafficOn(v2);
    }
  }

  @Test
  @DisplayName(
      "a router that drops the header rule is caught on read-back: retried, then the rollout"
          + " aborts back to stable")
  void droppedRuleDetected() {
    LossyRouter lossy = new LossyRouter(CanaryRoutesTest::dropRules);
    try (RolloutHarness h = RolloutHarness.builder().router(lossy).build()) {
      Release v1 = h.release(SVC, "v1");
      Release v2 = h.release(SVC, "v2");
      h.adopt(v1, 2);
      int before = lossy.applies.get();

      RolloutResult r = h.deploy(abCanary(), v2, 2);

      assertThat(r)
          .wasAborted()
          .hasReasonContaining("match rules differ")
          .hasReasonContaining("X-Canary")
          .hasMaxExposure(v2, 0)
          .endedWithAllTrafficOn(v1);
      // the first route (the header route) was applied more than once (retries) before the abort,
      // and the rollout never got to the mirror step
      assertThat(lossy.applies.get() - before).isGreaterThan(2);
      assertThat(r.timeline()).noneMatch(e -> e.split().mirror() != null);
    }
  }

  @Test
  @DisplayName("a router that drops the mirror is caught on read-back and the rollout aborts")
  void droppedMirrorDetected() {
    LossyRouter lossy = new LossyRouter(CanaryRoutesTest::dropMirror);
    try (RolloutHarness h = RolloutHarness.builder().router(lossy).build()) {
      Release v1 = h.release(SVC, "v1");
      Release v2 = h.release(SVC, "v2");
      h.adopt(v1, 2);

      RolloutResult r = h.deploy(abCanary(), v2, 2);

      assertThat(r)
          .wasAborted()
          .hasReasonContaining("mirror is null, not Mirror[releaseId=" + v2.id())
          .hasMaxExposure(v2, 0)
          .endedWithAllTrafficOn(v1);
      assertThat(r.timeline())
          .as("the header route before it went through")
          .anyMatch(e -> !e.split().rules().isEmpty());
    }
  }

  @Test
  @DisplayName("a router that reorders rules is caught: rule order decides which release answers")
  void reorderedRulesDetected() {
    LossyRouter lossy =
        new LossyRouter(
            s -> {
              TrafficSplit.Builder b = TrafficSplit.builder();
              s.weights().forEach(b::weight);
              List<MatchRule> reversed = new ArrayList<>(s.rules());
              Collections.reverse(reversed);
              reversed.forEach(b::rule);
              return b.build();
            });
    try (RolloutHarness h = RolloutHarness.builder().router(lossy).build()) {
      Release v1 = h.release(SVC, "v1");
      Release v2 = h.release(SVC, "v2");
      h.adopt(v1, 2);
      CanaryStrategy twoRules =
          Strategies.canary()
              .setHeaderRoute("X-Canary", "always")
              .setHeaderRoute("X-Beta", "yes")
              .setWeight(10)
              .build();

      assertThat(h.deploy(twoRules, v2, 2))
          .wasAborted()
          .hasReasonContaining("match rules in another order")
          .endedWithAllTrafficOn(v1);
    }
  }

  @Test
  @DisplayName("builder validation names the step, what is wrong and how to fix it")
  void validation() {
    assertThatThrownBy(
            () ->
                Strategies.canary()
                    .setHeaderRoute("X Canary", "always")
                    .setHeaderRoute("X-Beta", "")
                    .setMirrorRoute(0)
                    .setHeaderRoute("x-canary2", "a")
                    .setHeaderRoute("X-CANARY2", "a")
                    .setMirrorRoute(101)
                    .build())
        .isInstanceOfSatisfying(
            InvalidSpecException.class,
            e ->
                assertThat(e.violations())
                    .extracting(InvalidSpecException.Violation::path)
                    .containsExactly(
                        "canary.steps[0].setHeaderRoute.header",
                        "canary.steps[1].setHeaderRoute.value",
                        "canary.steps[2].setMirrorRoute.percent",
                        "canary.steps[4].setHeaderRoute",
                        "canary.steps[5].setMirrorRoute.percent"))
        .hasMessageContaining("'X Canary', not an HTTP header name")
        .hasMessageContaining("e.g. X-Canary")
        .hasMessageContaining("is empty")
        .hasMessageContaining("is 0")
        .hasMessageContaining("use a percentage from 1 to 100")
        .hasMessageContaining("already routed at steps[3]")
        .hasMessageContaining("is 101");
  }

  @Test
  @DisplayName("header and mirror routes alone expose the canary: a valid step list")
  void routesExpose() {
    CanaryStrategy mirrorOnly = Strategies.canary().setMirrorRoute(50).build();
    try (RolloutHarness h = RolloutHarness.create()) {
      Release v1 = h.release(SVC, "v1");
      Release v2 = h.release(SVC, "v2");
      h.adopt(v1, 2);

      RolloutResult r = h.deploy(mirrorOnly, v2, 2);

      assertThat(r).succeeded().endedWithAllTrafficOn(v2);
      assertThat(r.timeline())
          .extracting(e -> e.split().mirror())
          .contains(new Mirror(v2.id(), 5_000));
    }
  }
}
