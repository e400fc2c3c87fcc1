// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.engine;

import static io.cutover.testkit.CutoverAssertions.assertThat;
import static io.cutover.testkit.CutoverAssertions.assertThatThrownBy;
import static io.cutover.testkit.engine.EngineFixture.SVC;

import io.cutover.api.Instance;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.Release;
import io.cutover.api.Verdict;
import io.cutover.api.plan.Plan;
import io.cutover.api.plan.Step;
import io.cutover.api.rollout.RolloutEvent;
import io.cutover.core.Rollout;
import io.cutover.core.strategy.LifecycleHooks;
import io.cutover.core.strategy.Strategies;
import io.cutover.simulator.RolloutHarness;
import io.cutover.simulator.RolloutResult;
import io.cutover.spi.PlanRequest;
import io.cutover.spi.RolloutStrategy;
import io.cutover.testkit.FakeHealthGate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 (seed F6): per-instance warm-up hooks (an instance counts as READY for routing only once
 * it passed) and pre-stop hooks (run before an instance is stopped; failure reported, the stop
 * still happens), through the engine under virtual time.
 */
@DisplayName("Warm-up and pre-stop hooks")
class WarmUpPreStopTest {
  static final Duration EVERY = Duration.ofSeconds(10);

  static RolloutStrategy canary(LifecycleHooks hooks) {
    return Strategies.canary()
        .setWeight(25)
        .pause(Duration.ofMinutes(1))
        .setWeight(50)
        .pause(Duration.ofMinutes(1))
        .hooks(hooks)
        .build();
  }

  static RolloutStrategy warmingCanary(Duration deadline) {
    return canary(LifecycleHooks.builder().warmUp("warm", deadline).interval(EVERY).build());
  }

  /** Stable v1 with 4 instances really running and routed; target v2. */
  static Release[] v1v2(RolloutHarness h) {
    Release v1 = h.release(SVC, "v1");
    Release v2 = h.release(SVC, "v2");
    h.adopt(v1, 4);
    return new Release[] {v1, v2};
  }

  /** Every instance id the router was ever given as a backend, up to now. */
  static Set<String> routedInstances(RolloutHarness h) {
    return h.router().timeline(SVC).stream()
        .flatMap(e -> e.backends().values().stream())
        .flatMap(List::stream)
        .map(Instance::id)
        .collect(Collectors.toSet());
  }

  @Test
  @DisplayName(
      "warm-up: every instance a launch or scale starts is asked (alone, every interval) until it"
          + " passes, and only then given to the router; instances running before are not asked")
  void warmUpHoldsRoutingUntilPass() {
    Map<String, AtomicInteger> asked = new ConcurrentHashMap<>();
    List<String> routedWhileWarming = new ArrayList<>();
    List<Instant> times = new ArrayList<>();
    RolloutHarness[] hh = new RolloutHarness[1];
    FakeHealthGate warm =
        FakeHealthGate.named("warm")
            .answering(
                c -> {
                  String id = c.params().get("instanceId");
                  synchronized (times) {
                    times.add(c.now());
                    if (routedInstances(hh[0]).contains(id)) {
                      routedWhileWarming.add(id);
                    }
                  }
                  assertThat(c.phase()).isEqualTo(Step.Hook.WARM_UP);
                  assertThat(c.candidateInstances()).extracting(Instance::id).containsExactly(id);
                  int n = asked.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                  return n < 3 ? Verdict.inconclusive("caches cold") : Verdict.pass("warm");
                });
    RolloutHarness h = RolloutHarness.builder().gate(warm).build();
    hh[0] = h;
    Release[] r = v1v2(h);
    Set<String> stableIds =
        h.fleet().instancesOf(r[0].id()).stream().map(Instance::id).collect(Collectors.toSet());

    RolloutResult res = h.deploy(warmingCanary(Duration.ofMinutes(2)), r[1], 4);

    assertThat(res).succeeded().endedWithAllTrafficOn(r[1]).hasNoRouterViolations();
    Set<String> targetIds = asked.keySet();
    // launch 1 at 25 %, scale to 2 at 50 %, scale to 4 at promotion: each new one warmed once
    assertThat(targetIds).hasSize(4).doesNotContainAnyElementsOf(stableIds);
    assertThat(asked.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(3));
    assertThat(routedWhileWarming).as("no instance was routed before it passed").isEmpty();
    assertThat(routedInstances(h)).containsAll(targetIds);
    // asked again every interval, on the virtual clock
    assertThat(warm.evaluations().stream().filter(c -> c.measurement() == 2))
        .allSatisfy(
            c ->
                assertThat(
                        warm.evaluations().stream()
                            .filter(
                                p ->
                                    p.measurement() == 1
                                        && p.params()
                                            .get("instanceId")
                                            .equals(c.params().get("instanceId")))
                            .findFirst()
                            .orElseThrow()
                            .now()
                            .plus(EVERY))
                    .isEqualTo(c.now()));
    assertThat(res.events())
        .filteredOn(e -> e.type() == RolloutEvent.Type.GATE_VERDICT && "warm".equals(e.gate()))
        .hasSize(4)
        .allMatch(e -> e.message().contains("PASS"));
  }

  @Test
  @DisplayName(
      "warm-up FAIL aborts the rollout; the failing instance never reaches the router and the"
          + " canary takes no traffic")
  void warmUpFailAborts() {
    FakeHealthGate warm =
        FakeHealthGate.named("warm").returning(Verdict.fail("GET /ready returned 500"));
    RolloutHarness h = RolloutHarness.builder().gate(warm).build();
    Release[] r = v1v2(h);

    RolloutResult res = h.deploy(warmingCanary(Duration.ofMinutes(2)), r[1], 4);

    assertThat(res)
        .wasAborted()
        .hasReasonContaining("warm-up hook warm for instance")
        .hasReasonContaining("GET /ready returned 500")
        .hasMaxExposure(r[1], 0)
        .endedWithAllTrafficOn(r[0]);
    assertThat(warm.evaluations()).hasSize(1);
    String id = warm.evaluations().get(0).params().get("instanceId");
    assertThat(routedInstances(h)).doesNotContain(id);
    assertThat(h.fleet().instancesOf(r[1].id())).as("the rollback retired the target").isEmpty();
  }

  @Test
  @DisplayName("warm-up that never passes aborts at its deadline, measured on the virtual clock")
  void warmUpDeadlineAborts() {
    FakeHealthGate warm =
        FakeHealthGate.named("warm").returning(Verdict.inconclusive("still loading"));
    RolloutHarness h = RolloutHarness.builder().gate(warm).build();
    Release[] r = v1v2(h);
    Duration deadline = Duration.ofMinutes(1);

    RolloutResult res = h.deploy(warmingCanary(deadline), r[1], 4);

    assertThat(res)
        .wasAborted()
        .hasReasonContaining("did not pass within 1m")
        .hasReasonContaining("still loading")
        .hasMaxExposure(r[1], 0)
        .endedWithAllTrafficOn(r[0]);
    Instant first = warm.evaluations().get(0).now();
    Instant abort = res.firstEvent(RolloutEvent.Type.ABORT_STARTED).orElseThrow().time();
    assertThat(Duration.between(first, abort)).isEqualTo(deadline);
    // asked at 0, 10, ..., 50 s: the ask due at 60 s loses to the deadline
    assertThat(warm.evaluations()).hasSize(6);
  }

  @Test
  @DisplayName(
      "pre-stop: run for every instance before a retire stops it; a FAIL is reported as an event"
          + " and the retire still happens")
  void preStopReportedRetireStillHappens() {
    Set<String> liveWhenAsked = ConcurrentHashMap.newKeySet();
    RolloutHarness[] hh = new RolloutHarness[1];
    String[] failing = new String[1];
    FakeHealthGate stop =
        FakeHealthGate.named("deregister")
            .answering(
                c -> {
                  String id = c.params().get("instanceId");
                  if (hh[0].fleet().allInstances().stream()
                      .anyMatch(i -> i.id().equals(id) && !i.state().isTerminal())) {
                    liveWhenAsked.add(id);
                  }
                  return id.equals(failing[0])
                      ? Verdict.fail("service registry unreachable")
                      : Verdict.pass();
                });
    RolloutHarness h = RolloutHarness.builder().gate(stop).build();
    hh[0] = h;
    Release[] r = v1v2(h);
    Set<String> stableIds =
        h.fleet().instancesOf(r[0].id()).stream().map(Instance::id).collect(Collectors.toSet());
    failing[0] = stableIds.iterator().next();

    RolloutResult res =
        h.deploy(canary(LifecycleHooks.builder().preStop("deregister").build()), r[1], 4);

    assertThat(res).succeeded().endedWithAllTrafficOn(r[1]).hasNoRouterViolations();
    assertThat(stop.evaluations())
        .extracting(c -> c.params().get("instanceId"))
        .containsExactlyInAnyOrderElementsOf(stableIds);
    assertThat(liveWhenAsked).as("asked before the instance stopped").isEqualTo(stableIds);
    assertThat(stop.evaluations()).allMatch(c -> c.phase().equals(Step.Hook.PRE_STOP));
    assertThat(h.fleet().instancesOf(r[0].id())).as("retired anyway").isEmpty();
    assertThat(res.events())
        .anyMatch(
            e ->
                e.type() == RolloutEvent.Type.GATE_VERDICT
                    && "deregister".equals(e.gate())
                    && e.message().contains("FAIL")
                    && e.message().contains("service registry unreachable")
                    && e.message().contains("instance " + failing[0]));
  }

  @Test
  @DisplayName(
      "on abort, pre-stop runs for the canary's instances before the rollback retires them; the"
          + " rollback's launches are never held by a warm-up")
  void rollbackPreStopsAndSkipsWarmUp() {
    FakeHealthGate stop = FakeHealthGate.named("deregister").returning(Verdict.pass());
    FakeHealthGate warm = FakeHealthGate.named("warm").returning(Verdict.pass());
    RolloutHarness h = RolloutHarness.builder().gate(stop).gate(warm).build();
    Release[] r = v1v2(h);
    Rollout ro =
        h.cutover()
            .deploy(
                canary(
                    LifecycleHooks.builder()
                        .preStop("deregister")
                        .warmUp("warm", Duration.ofMinutes(1))
                        .build()),
                r[1],
                4);
    h.runFor(ro, Duration.ofSeconds(30));
    Set<String> canaryIds =
        h.fleet().instancesOf(r[1].id()).stream().map(Instance::id).collect(Collectors.toSet());
    assertThat(canaryIds).hasSize(1);
    int warmed = warm.evaluationCount();

    h.cutover().abort(ro.id(), "operator");

    assertThat(h.run(ro)).wasAborted().endedWithAllTrafficOn(r[0]);
    assertThat(stop.evaluations())
        .extracting(c -> c.params().get("instanceId"))
        .containsExactlyElementsOf(canaryIds);
    assertThat(warm.evaluationCount()).isEqualTo(warmed);
  }

  @Test
  @DisplayName("the plan shows the hooks first, the warm-up with its deadline")
  void planShowsHooks() {
    RolloutHarness h = RolloutHarness.create();
    Release v1 = h.release(SVC, "v1");
    Release v2 = h.release(SVC, "v2");
    Plan plan =
        canary(
                LifecycleHooks.builder()
                    .warmUp("warm", Duration.ofMinutes(2))
                    .preStop("deregister")
                    .interval(EVERY)
                    .build())
            .plan(new PlanRequest(v1, v2, 4));
    assertThat(plan.steps().subList(0, 2))
        .extracting(Step::describe)
        .containsExactly(
            "hook warm-up via warm every 10s within 2m", "hook pre-stop via deregister");
  }

  @Test
  @DisplayName("a warm-up without a positive deadline is refused with the hook's path and a fix")
  void validation() {
    assertThatThrownBy(
            () ->
                LifecycleHooks.builder()
                    .preStop("deregister")
                    .warmUp("warm", Duration.ZERO)
                    .warmUp("warm2", Duration.ofDays(400))
                    .build())
        .isInstanceOfSatisfying(
            InvalidSpecException.class,
            e ->
                assertThat(e.violations())
                    .extracting(InvalidSpecException.Violation::path)
                    .containsExactly("hooks[1].deadline", "hooks[2].deadline"))
        .hasMessageContaining("is missing or 0")
        .hasMessageContaining("e.g. Duration.ofMinutes(2)");
  }
}
