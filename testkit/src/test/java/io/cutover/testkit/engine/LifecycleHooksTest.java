// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.engine;

import static io.cutover.testkit.CutoverAssertions.assertThat;
import static io.cutover.testkit.CutoverAssertions.assertThatThrownBy;
import static io.cutover.testkit.engine.EngineFixture.v1v2;
import static io.cutover.testkit.engine.EngineFixture.weight;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.Release;
import io.cutover.api.Verdict;
import io.cutover.api.plan.Step;
import io.cutover.api.rollout.RolloutEvent;
import io.cutover.api.rollout.RolloutState;
import io.cutover.core.Rollout;
import io.cutover.core.strategy.LifecycleHooks;
import io.cutover.core.strategy.Strategies;
import io.cutover.simulator.EngineCrash;
import io.cutover.simulator.FakeFleet;
import io.cutover.simulator.RolloutHarness;
import io.cutover.simulator.RolloutResult;
import io.cutover.spi.GateContext;
import io.cutover.spi.JournalRecord;
import io.cutover.spi.RolloutStrategy;
import io.cutover.testkit.FakeHealthGate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Issue 12: lifecycle hooks at their points (Flagger's webhook kinds), through the engine. */
@DisplayName("Lifecycle hooks")
class LifecycleHooksTest {
  static final Duration EVERY = Duration.ofSeconds(30);

  static Step.Verify verify(String gate, int count) {
    return Step.Verify.gates(gate).count(count).interval(EVERY).build();
  }

  static RolloutStrategy canary(LifecycleHooks hooks) {
    return Strategies.canary()
        .setWeight(10)
        .analysis(verify("health", 2))
        .setWeight(50)
        .analysis(verify("health", 2))
        .hooks(hooks)
        .build();
  }

  static RolloutHarness harness(FakeHealthGate... hooks) {
    RolloutHarness.Builder b =
        RolloutHarness.builder().gate(FakeHealthGate.named("health").returning(Verdict.pass()));
    for (FakeHealthGate g : hooks) {
      b.gate(g);
    }
    return b.build();
  }

  static boolean launched(RolloutHarness h, Release r) {
    return h.fleet().calls().stream()
        .anyMatch(c -> c.kind() == FakeFleet.CallKind.LAUNCH && c.release().equals(r));
  }

  @Test
  @DisplayName(
      "confirm-rollout: not confirmed yet is WAITING with the reason before any side effect,"
          + " asked again every interval; a confirmation lets the rollout go on")
  void confirmRolloutWaits() {
    FakeHealthGate confirm =
        FakeHealthGate.named("window")
            .sequence(
                Verdict.inconclusive("outside the change window"),
                Verdict.inconclusive("outside the change window"))
            .returning(Verdict.pass("in the window"));
    RolloutHarness h = harness(confirm);
    Release[] r = v1v2(h, 2);
    Rollout ro =
        h.cutover()
            .deploy(
                canary(LifecycleHooks.builder().confirmRollout("window").interval(EVERY).build()),
                r[1],
                2);

    h.runFor(ro, Duration.ofSeconds(1));
    assertThat(ro.status().state()).isEqualTo(RolloutState.WAITING);
    assertThat(ro.status().reason())
        .contains("confirm-rollout", "window", "outside the change window", "30s");
    assertThat(launched(h, r[1])).as("nothing launched while waiting").isFalse();
    h.runFor(ro, Duration.ofSeconds(31));
    assertThat(ro.status().state()).isEqualTo(RolloutState.WAITING);
    assertThat(confirm.evaluationCount()).isEqualTo(2);

    RolloutResult res = h.run(ro);
    assertThat(res).succeeded().endedWithAllTrafficOn(r[1]).hasEvent(RolloutEvent.Type.WAITING);
    assertThat(confirm.evaluationCount()).isEqualTo(3);
    assertThat(confirm.evaluations()).allMatch(c -> c.phase().equals("confirm-rollout"));
    assertThat(res.events().stream().filter(e -> e.type() == RolloutEvent.Type.WAITING))
        .as("one event per wait, not per poll with the same answer")
        .hasSize(1);
  }

  @Test
  @DisplayName("confirm-rollout: a deny (FAIL) aborts before anything is launched")
  void confirmRolloutDenied() {
    FakeHealthGate confirm = FakeHealthGate.named("window").returning(Verdict.fail("frozen"));
    RolloutHarness h = harness(confirm);
    Release[] r = v1v2(h, 2);
    RolloutResult res =
        h.deploy(canary(LifecycleHooks.builder().confirmRollout("window").build()), r[1], 2);
    assertThat(res).wasAborted().hasReasonContaining("frozen").hasMaxExposure(r[1], 0);
    assertThat(launched(h, r[1])).isFalse();
  }

  @Test
  @DisplayName(
      "pre-rollout: runs once the target is launched, before it gets traffic; failure aborts with"
          + " 0 % exposure")
  void preRolloutFails() {
    FakeHealthGate smoke = FakeHealthGate.named("smoke").returning(Verdict.fail("smoke test red"));
    RolloutHarness h = harness(smoke);
    Release[] r = v1v2(h, 2);
    RolloutResult res =
        h.deploy(canary(LifecycleHooks.builder().preRollout("smoke").build()), r[1], 2);
    assertThat(res).wasAborted().hasReasonContaining("smoke test red").hasMaxExposure(r[1], 0);
    assertThat(smoke.evaluations())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.phase()).isEqualTo("pre-rollout");
              assertThat(c.candidateInstances()).as("the target runs already").isNotEmpty();
            });
  }

  @Test
  @DisplayName(
      "rollout: evaluated with every analysis measurement with phase rollout; its FAIL fails"
          + " the analysis")
  void rolloutHook() {
    FakeHealthGate load =
        FakeHealthGate.named("load")
            .sequence(Verdict.pass(), Verdict.pass(), Verdict.pass())
            .returning(Verdict.fail("p99 over budget under load"));
    RolloutHarness h = harness(load);
    Release[] r = v1v2(h, 2);
    RolloutResult res = h.deploy(canary(LifecycleHooks.builder().rollout("load").build()), r[1], 2);
    assertThat(res).wasAborted().hasReasonContaining("p99 over budget").hasMaxExposure(r[1], 50);
    assertThat(load.evaluations()).hasSize(4).allMatch(c -> c.phase().equals("rollout"));
  }

  @Test
  @DisplayName(
      "confirm-traffic-increase before each weight increase and confirm-promotion before 100 %"
          + " wait (weight held) until confirmed")
  void confirmIncreaseAndPromotion() {
    AtomicBoolean open = new AtomicBoolean(false);
    List<String> seen = new ArrayList<>();
    RolloutHarness[] hh = new RolloutHarness[1];
    Release[][] rr = new Release[1][];
    FakeHealthGate gate =
        FakeHealthGate.named("ok")
            .answering(
                c -> {
                  synchronized (seen) {
                    seen.add(c.phase() + "@" + weight(hh[0], rr[0][1]));
                  }
                  return open.get() ? Verdict.pass() : Verdict.inconclusive("not yet");
                });
    RolloutHarness h = harness(gate);
    hh[0] = h;
    Release[] r = v1v2(h, 2);
    rr[0] = r;
    Rollout ro =
        h.cutover()
            .deploy(
                canary(
                    LifecycleHooks.builder()
                        .confirmTrafficIncrease("ok")
                        .confirmPromotion("ok")
                        .interval(EVERY)
                        .build()),
                r[1],
                2);
    h.runFor(ro, Duration.ofMinutes(5));
    assertThat(ro.status().state()).isEqualTo(RolloutState.WAITING);
    assertThat(weight(h, r[1])).as("no traffic before the first increase is confirmed").isZero();
    open.set(true);
    RolloutResult res = h.run(ro);
    assertThat(res).succeeded().endedWithAllTrafficOn(r[1]);
    assertThat(seen.stream().distinct())
        .containsExactly(
            "confirm-traffic-increase@0",
            "confirm-traffic-increase@1000",
            "confirm-promotion@5000");
  }

  @Test
  @DisplayName("a promote skips a confirm wait, like a pause")
  void promoteSkipsConfirm() {
    FakeHealthGate confirm =
        FakeHealthGate.named("rm").returning(Verdict.inconclusive("waiting for the RM"));
    RolloutHarness h = harness(confirm);
    Release[] r = v1v2(h, 2);
    Rollout ro =
        h.cutover()
            .deploy(canary(LifecycleHooks.builder().confirmPromotion("rm").build()), r[1], 2);
    h.runFor(ro, Duration.ofMinutes(10));
    assertThat(ro.status().state()).isEqualTo(RolloutState.WAITING);
    assertThat(weight(h, r[1])).isEqualTo(5000);
    h.cutover().promote(ro.id());
    assertThat(h.run(ro)).succeeded().endedWithAllTrafficOn(r[1]);
  }

  @Test
  @DisplayName("post-rollout: failure is reported (journaled verdict, event) but never rolls back")
  void postRolloutReported() {
    FakeHealthGate notify = FakeHealthGate.named("notify").returning(Verdict.fail("chat is down"));
    RolloutHarness h = harness(notify);
    Release[] r = v1v2(h, 2);
    RolloutResult res =
        h.deploy(canary(LifecycleHooks.builder().postRollout("notify").build()), r[1], 2);
    assertThat(res).succeeded().endedWithAllTrafficOn(r[1]);
    assertThat(h.cutover().stable(EngineFixture.SVC)).contains(r[1]);
    assertThat(notify.evaluations())
        .singleElement()
        .satisfies(c -> c.phase().equals("post-rollout"));
    assertThat(res.events())
        .anyMatch(
            e ->
                e.type() == RolloutEvent.Type.GATE_VERDICT
                    && "notify".equals(e.gate())
                    && e.message().contains("chat is down"));
    assertThat(h.fleet().instancesOf(r[0].id())).as("the old release stays retired").isEmpty();
  }

  @Test
  @DisplayName(
      "rollback: polled every interval during the rollout (waits included); its FAIL aborts to"
          + " stable")
  void rollbackHook() {
    FakeHealthGate pager =
        FakeHealthGate.named("pager")
            .answering(
                c ->
                    c.measurement() >= 5
                        ? Verdict.fail("incident opened")
                        : Verdict.pass("no incident"));
    RolloutHarness h = harness(pager);
    Release[] r = v1v2(h, 2);
    RolloutResult res =
        h.deploy(
            Strategies.canary()
                .setWeight(10)
                .pause()
                .hooks(LifecycleHooks.builder().rollback("pager").interval(EVERY).build())
                .build(),
            r[1],
            2);
    assertThat(res)
        .wasAborted()
        .hasReasonContaining("rollback hook pager asked for a rollback")
        .hasReasonContaining("incident opened")
        .endedWithAllTrafficOn(r[0]);
    assertThat(pager.evaluations()).hasSize(5).allMatch(c -> c.phase().equals("rollback"));
    assertThat(
            Duration.between(
                res.startedAt(),
                res.firstEvent(RolloutEvent.Type.ABORT_STARTED).orElseThrow().time()))
        .isEqualTo(EVERY.multipliedBy(5));
  }

  @Test
  @DisplayName(
      "event: told every event with its type, fire-and-forget; an ERROR is retried at most 3"
          + " times in all")
  void eventHook() {
    List<GateContext> told = new ArrayList<>();
    FakeHealthGate events =
        FakeHealthGate.named("events")
            .answering(
                c -> {
                  synchronized (told) {
                    told.add(c);
                  }
                  return c.params().get("event.type").equals("ROLLOUT_SUCCEEDED")
                      ? Verdict.error(new IllegalStateException("receiver down"))
                      : Verdict.pass();
                });
    RolloutHarness h = harness(events);
    Release[] r = v1v2(h, 2);
    RolloutResult res = h.deploy(canary(LifecycleHooks.builder().event("events").build()), r[1], 2);
    h.runFor(res.rollout(), Duration.ofMinutes(1));
    assertThat(res).succeeded();
    List<String> types = told.stream().map(c -> c.params().get("event.type")).toList();
    List<String> emitted = res.events().stream().map(e -> e.type().name()).toList();
    assertThat(types.stream().filter(t -> !t.equals("ROLLOUT_SUCCEEDED")))
        .containsExactlyInAnyOrderElementsOf(
            emitted.stream().filter(t -> !t.equals("ROLLOUT_SUCCEEDED")).toList());
    assertThat(types.stream().filter(t -> t.equals("ROLLOUT_SUCCEEDED"))).hasSize(3);
    assertThat(told).allMatch(c -> c.phase().equals("event"));
  }

  @Test
  @DisplayName("a crash at any journal record never asks a hook again once its PASS is journaled")
  void crashResumeNeverRerunsDoneHook() {
    for (int k = 0; k < 60; k++) {
      FakeHealthGate smoke = FakeHealthGate.named("smoke").returning(Verdict.pass());
      FakeHealthGate confirm = FakeHealthGate.named("confirm").returning(Verdict.pass());
      RolloutHarness h = harness(smoke, confirm);
      Release[] r = v1v2(h, 2);
      h.crashAfterRecords(k);
      Rollout ro;
      try {
        ro =
            h.cutover()
                .deploy(
                    canary(
                        LifecycleHooks.builder()
                            .confirmRollout("confirm")
                            .preRollout("smoke")
                            .build()),
                    r[1],
                    2);
      } catch (EngineCrash e) {
        continue; // died before CREATED was durable: nothing started
      }
      RolloutResult first = h.run(ro);
      if (!h.crashed()) {
        assertThat(first).succeeded();
        assertThat(k).as("the campaign covers every record").isGreaterThan(20);
        return;
      }
      boolean smokeJournaled = journaledVerdict(h, ro.id(), "smoke");
      boolean confirmJournaled = journaledVerdict(h, ro.id(), "confirm");
      int smokeBefore = smoke.evaluationCount();
      int confirmBefore = confirm.evaluationCount();
      List<Rollout> resumed = h.restart();
      if (resumed.isEmpty()) {
        continue; // crashed before CREATED was durable: nothing started
      }
      assertThat(h.run(resumed.get(0))).as("crash after %d records", k).succeeded();
      if (smokeJournaled) {
        assertThat(smoke.evaluationCount()).as("crash after %d", k).isEqualTo(smokeBefore);
      }
      if (confirmJournaled) {
        assertThat(confirm.evaluationCount()).as("crash after %d", k).isEqualTo(confirmBefore);
      }
      assertThat(smoke.evaluationCount()).isBetween(1, 2);
    }
    throw new AssertionError("the rollout never finished without a crash");
  }

  static boolean journaledVerdict(RolloutHarness h, String rolloutId, String gate) {
    return h.journal().records(rolloutId).stream()
        .anyMatch(
            rec ->
                rec.type() == JournalRecord.Type.VERDICT
                    && rec.payload().contains("\"" + gate + "\""));
  }

  @Test
  @DisplayName(
      "hooks are placed where they belong in the plan, and bad hook configuration is refused"
          + " with path and fix")
  void placementAndValidation() {
    RolloutHarness h = harness();
    Release[] r = v1v2(h, 2);
    LifecycleHooks hooks =
        LifecycleHooks.builder()
            .confirmRollout("c")
            .preRollout("p")
            .confirmTrafficIncrease("i")
            .confirmPromotion("m")
            .postRollout("post")
            .rollback("rb")
            .event("ev")
            .rollout("ro")
            .build();
    List<String> kinds =
        canary(hooks).plan(new io.cutover.spi.PlanRequest(r[0], r[1], 2)).steps().stream()
            .map(s -> s instanceof Step.Hook k ? k.phase() : s.kind())
            .toList();
    assertThat(kinds)
        .startsWith("rollout", "rollback", "event", "confirm-rollout", "launch", "pre-rollout")
        .endsWith("post-rollout")
        .containsSubsequence(
            "pre-rollout",
            "confirm-traffic-increase",
            "route",
            "verify",
            "confirm-traffic-increase",
            "route",
            "confirm-promotion",
            "route",
            "retire",
            "post-rollout");

    assertThatThrownBy(
            () ->
                LifecycleHooks.builder()
                    .hook("confirm-everything", "g", Map.of())
                    .preRollout(" ")
                    .build())
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("hooks[0].phase")
        .hasMessageContaining("confirm-rollout")
        .hasMessageContaining("hooks[1].gate");
    assertThatThrownBy(
            () -> LifecycleHooks.builder().preRollout("g").interval(Duration.ZERO).build())
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("hook.interval");
    assertThatThrownBy(
            () -> h.deploy(canary(LifecycleHooks.builder().preRollout("nope").build()), r[1], 2))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("nope");
  }
}
