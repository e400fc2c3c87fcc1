// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.engine;

import static io.cutover.testkit.CutoverAssertions.assertThat;
import static io.cutover.testkit.CutoverAssertions.assertThatThrownBy;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.Release;
import io.cutover.api.RolloutConflictException;
import io.cutover.api.TrafficSplit;
import io.cutover.api.Verdict;
import io.cutover.api.plan.Plan;
import io.cutover.api.plan.Step;
import io.cutover.api.rollout.RolloutEvent;
import io.cutover.api.rollout.RolloutState;
import io.cutover.core.ResiliencePolicy;
import io.cutover.core.Rollout;
import io.cutover.core.RolloutOptions;
import io.cutover.core.gate.Comparison;
import io.cutover.core.gate.NoDataPolicy;
import io.cutover.core.gate.ThresholdGate;
import io.cutover.core.strategy.Strategies;
import io.cutover.simulator.FakeFleet;
import io.cutover.simulator.RolloutHarness;
import io.cutover.simulator.RolloutResult;
import io.cutover.spi.JournalRecord;
import io.cutover.testkit.FakeHealthGate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("The engine")
class EngineTest {
  static final String SVC = "checkout";

  static Step.Verify verify(String gate, int count) {
    return Step.Verify.gates(gate).count(count).interval(Duration.ofSeconds(30)).build();
  }

  /** Stable v1 on 4 replicas, adopted, and a target v2. */
  static Release[] v1v2(RolloutHarness h) {
    Release v1 = h.release(SVC, "v1");
    Release v2 = h.release(SVC, "v2");
    h.cutover().adopt(v1, 4);
    // the fleet must run v1 for real before anyone routes to it
    h.fleet().launch(new io.cutover.spi.OperationId("setup/v1"), v1, 4);
    return new Release[] {v1, v2};
  }

  @Nested
  @DisplayName("canary rollouts")
  class Canary {
    @Test
    @DisplayName(
        "a healthy canary completes: 100 % on the target, stable retired, target becomes stable")
    void healthy() {
      FakeHealthGate gate = FakeHealthGate.named("health").returning(Verdict.pass("ok"));
      RolloutHarness h = RolloutHarness.builder().gate(gate).build();
      Release[] r = v1v2(h);
      RolloutResult res =
          h.deploy(
              Strategies.canary()
                  .setWeight(10)
                  .analysis(verify("health", 3))
                  .setWeight(50)
                  .analysis(verify("health", 3))
                  .build(),
              r[1],
              4);

      assertThat(res)
          .succeeded()
          .endedWithAllTrafficOn(r[1])
          .routedToStableBeforeAnyRetire()
          .hasNoRouterViolations();
      assertThat(h.cutover().stable(SVC)).contains(r[1]);
      assertThat(h.fleet().instancesOf(r[0].id())).isEmpty();
      assertThat(h.fleet().instancesOf(r[1].id())).hasSize(4);
      assertThat(gate.evaluationCount()).isEqualTo(6);
      assertThat(res.timeline().stream().map(e -> e.split().weight(r[1].id())).distinct().toList())
          .containsSubsequence(1000, 5000, 10000);
    }

    @Test
    @DisplayName(
        "a bad release whose error rate rises fails its gate; traffic returns to stable at once")
    void badRelease() {
      RolloutHarness h =
          RolloutHarness.builder()
              .gate(
                  m ->
                      ThresholdGate.builder("error-rate", m)
                          .query("error_rate")
                          .passWhen(Comparison.AT_MOST, 0.01)
                          .onNoData(NoDataPolicy.FAIL)
                          .build())
              .build();
      Release[] r = v1v2(h);
      h.metrics().series("error_rate").release(r[0].id()).constant(0.001);
      h.metrics()
          .series("error_rate")
          .release(r[1].id())
          .constant(0.001)
          .from(Duration.ofMinutes(3), 0.06);

      RolloutResult res =
          h.deploy(
              Strategies.canary()
                  .setWeight(10)
                  .analysis(verify("error-rate", 10))
                  .setWeight(50)
                  .analysis(verify("error-rate", 10))
                  .build(),
              r[1],
              4);

      assertThat(res)
          .wasAborted()
          .hasReasonContaining("error-rate")
          .endedWithAllTrafficOn(r[0])
          .hasMaxExposure(r[1], 10.0)
          .routedToStableBeforeAnyRetire()
          .rolledBackWithin(Duration.ZERO);
      assertThat(h.fleet().instancesOf(r[1].id())).isEmpty();
      assertThat(h.fleet().instancesOf(r[0].id())).hasSize(4);
      assertThat(h.cutover().stable(SVC)).contains(r[0]);
      // the abort came at the first measurement after minute 3, not later
      assertThat(res.firstEvent(RolloutEvent.Type.ABORT_STARTED).orElseThrow().time())
          .isBetween(
              res.startedAt().plus(Duration.ofMinutes(3)),
              res.startedAt().plus(Duration.ofMinutes(3).plusSeconds(30)));
    }

    @Test
    @DisplayName("an hour-long rollout runs to its end under virtual time")
    void anHour() {
      RolloutHarness h =
          RolloutHarness.builder()
              .gate(FakeHealthGate.named("g").returning(Verdict.pass()))
              .build();
      Release[] r = v1v2(h);
      var b = Strategies.canary();
      for (int w = 10; w <= 90; w += 10) {
        b.setWeight(w)
            .analysis(Step.Verify.gates("g").count(15).interval(Duration.ofSeconds(30)).build());
      }
      RolloutResult res = h.deploy(b.build(), r[1], 4);
      assertThat(res).succeeded();
      assertThat(res.virtualDuration()).isGreaterThanOrEqualTo(Duration.ofHours(1));
    }
  }

  @Nested
  @DisplayName("analysis limits (Argo Rollouts semantics)")
  class Limits {
    RolloutResult runWith(FakeHealthGate gate, Step.Verify verify) {
      RolloutHarness h = RolloutHarness.builder().gate(gate).build();
      Release[] r = v1v2(h);
      return h.deploy(Strategies.canary().setWeight(20).analysis(verify).build(), r[1], 4);
    }

    @Test
    @DisplayName("failureLimit 1 aborts on the 2nd failure, not the 1st")
    void failureLimitBoundary() {
      FakeHealthGate gate =
          FakeHealthGate.named("g")
              .sequence(
                  Verdict.fail("1"),
                  Verdict.pass(),
                  Verdict.fail("2"),
                  Verdict.pass(),
                  Verdict.pass())
              .returning(Verdict.pass());
      RolloutResult res =
          runWith(
              gate,
              Step.Verify.gates("g")
                  .count(5)
                  .interval(Duration.ofSeconds(10))
                  .failureLimit(1)
                  .build());
      assertThat(res).wasAborted().hasReasonContaining("failed 2 time(s)");
      assertThat(gate.evaluationCount()).isEqualTo(3);
    }

    @Test
    @DisplayName("failureLimit 1 tolerates exactly one failure")
    void failureLimitTolerates() {
      FakeHealthGate gate =
          FakeHealthGate.named("g").sequence(Verdict.fail("1")).returning(Verdict.pass());
      RolloutResult res =
          runWith(
              gate,
              Step.Verify.gates("g")
                  .count(5)
                  .interval(Duration.ofSeconds(10))
                  .failureLimit(1)
                  .build());
      assertThat(res).succeeded();
      assertThat(gate.evaluationCount()).isEqualTo(5);
    }

    @Test
    @DisplayName("failureLimit 0 (the default) aborts on the first failure")
    void failureLimitZero() {
      FakeHealthGate gate =
          FakeHealthGate.named("g")
              .sequence(Verdict.pass(), Verdict.fail("bad"))
              .returning(Verdict.pass());
      RolloutResult res = runWith(gate, verify("g", 5));
      assertThat(res).wasAborted();
      assertThat(gate.evaluationCount()).isEqualTo(2);
    }

    @Test
    @DisplayName("4 consecutive errors are tolerated by default, the 5th aborts")
    void consecutiveErrors() {
      FakeHealthGate ok =
          FakeHealthGate.named("g")
              .sequence(
                  Verdict.error("e"),
                  Verdict.error("e"),
                  Verdict.error("e"),
                  Verdict.error("e"),
                  Verdict.pass())
              .returning(Verdict.pass());
      assertThat(runWith(ok, verify("g", 6))).succeeded();

      FakeHealthGate bad = FakeHealthGate.named("g").returning(Verdict.error("metric source down"));
      RolloutResult res = runWith(bad, verify("g", 10));
      assertThat(res).wasAborted().hasReasonContaining("errored 5 consecutive");
      assertThat(bad.evaluationCount()).isEqualTo(5);
    }

    @Test
    @DisplayName("a gate that throws counts as an error, not as a crash")
    void throwingGate() {
      FakeHealthGate bad = FakeHealthGate.named("g").throwing(new IllegalStateException("boom"));
      RolloutResult res =
          runWith(
              bad,
              Step.Verify.gates("g")
                  .count(3)
                  .interval(Duration.ofSeconds(5))
                  .consecutiveErrorLimit(1)
                  .build());
      assertThat(res).wasAborted().hasReasonContaining("boom");
    }

    @Test
    @DisplayName("an inconclusive result pauses for a human; approval continues the rollout")
    void inconclusivePauses() {
      FakeHealthGate gate =
          FakeHealthGate.named("g")
              .sequence(Verdict.inconclusive("no data"))
              .returning(Verdict.pass());
      RolloutHarness h = RolloutHarness.builder().gate(gate).build();
      Release[] r = v1v2(h);
      Rollout ro =
          h.cutover()
              .deploy(Strategies.canary().setWeight(20).analysis(verify("g", 3)).build(), r[1], 4);
      RolloutResult mid = h.runFor(ro, Duration.ofHours(1));
      assertThat(mid).hasState(RolloutState.PAUSED).hasReasonContaining("inconclusive");
      h.cutover().approve(ro.id());
      assertThat(h.run(ro)).succeeded();
    }

    @Test
    @DisplayName("dry-run gates are recorded but never abort")
    void dryRun() {
      FakeHealthGate real = FakeHealthGate.named("real").returning(Verdict.pass());
      FakeHealthGate dry = FakeHealthGate.named("dry").returning(Verdict.fail("would fail"));
      RolloutHarness h = RolloutHarness.builder().gate(real).gate(dry).build();
      Release[] r = v1v2(h);
      RolloutResult res =
          h.deploy(
              Strategies.canary()
                  .setWeight(20)
                  .analysis(
                      Step.Verify.gates("real")
                          .dryRun("dry")
                          .count(3)
                          .interval(Duration.ofSeconds(10))
                          .build())
                  .build(),
              r[1],
              4);
      assertThat(res).succeeded();
      assertThat(dry.evaluationCount()).isEqualTo(3);
      assertThat(res.events())
          .filteredOn(e -> "dry".equals(e.gate()))
          .hasSize(3)
          .allMatch(e -> e.message().contains("dry-run"));
    }

    @Test
    @DisplayName("background analysis spans later steps and aborts when it fails")
    void background() {
      FakeHealthGate bg =
          FakeHealthGate.named("bg")
              .sequence(Verdict.pass(), Verdict.pass(), Verdict.pass())
              .returning(Verdict.fail("latency regression"));
      RolloutHarness h = RolloutHarness.builder().gate(bg).build();
      Release[] r = v1v2(h);
      RolloutResult res =
          h.deploy(
              Strategies.canary()
                  .backgroundAnalysis(
                      Step.Verify.gates("bg")
                          .count(0)
                          .interval(Duration.ofMinutes(1))
                          .background()
                          .build())
                  .setWeight(10)
                  .pause(Duration.ofMinutes(2))
                  .setWeight(30)
                  .pause(Duration.ofMinutes(2))
                  .setWeight(60)
                  .pause(Duration.ofMinutes(2))
                  .build(),
              r[1],
              4);
      assertThat(res)
          .wasAborted()
          .hasReasonContaining("latency regression")
          .endedWithAllTrafficOn(r[0]);
      assertThat(res.maxExposure(r[1].id())).isEqualTo(3000);
    }
  }

  @Nested
  @DisplayName("commands")
  class Commands {
    @Test
    @DisplayName("pause until approved waits for approval, for as long as it takes")
    void approval() {
      RolloutHarness h = RolloutHarness.create();
      Release[] r = v1v2(h);
      Rollout ro =
          h.cutover()
              .deploy(Strategies.canary().setWeight(10).pause().setWeight(50).build(), r[1], 4);
      assertThat(h.runFor(ro, Duration.ofDays(1)))
          .hasState(RolloutState.PAUSED)
          .hasEvent(RolloutEvent.Type.PAUSED);
      assertThat(h.router().current(SVC).orElseThrow().weight(r[1].id())).isEqualTo(1000);
      h.cutover().approve(ro.id());
      assertThat(h.run(ro)).succeeded().endedWithAllTrafficOn(r[1]);
    }

    @Test
    @DisplayName("a timed pause takes its time in virtual time")
    void timedPause() {
      RolloutHarness h = RolloutHarness.create();
      Release[] r = v1v2(h);
      RolloutResult res =
          h.deploy(
              Strategies.canary().setWeight(10).pause(Duration.ofMinutes(15)).build(), r[1], 4);
      assertThat(res).succeeded();
      assertThat(res.virtualDuration()).isGreaterThanOrEqualTo(Duration.ofMinutes(15));
    }

    @Test
    @DisplayName("manual pause holds at the next step boundary; resume continues")
    void manualPause() {
      RolloutHarness h = RolloutHarness.create();
      Release[] r = v1v2(h);
      Rollout ro =
          h.cutover()
              .deploy(
                  Strategies.canary()
                      .setWeight(10)
                      .pause(Duration.ofMinutes(5))
                      .setWeight(50)
                      .pause(Duration.ofMinutes(5))
                      .build(),
                  r[1],
                  4);
      h.runFor(ro, Duration.ofMinutes(1));
      h.cutover().pause(ro.id());
      RolloutResult mid = h.runFor(ro, Duration.ofHours(2));
      assertThat(mid).hasState(RolloutState.PAUSED);
      assertThat(h.router().current(SVC).orElseThrow().weight(r[1].id())).isEqualTo(1000);
      h.cutover().resume(ro.id());
      assertThat(h.run(ro)).succeeded();
    }

    @Test
    @DisplayName(
        "a full promote skips the remaining analysis and pauses but still completes the infrastructure steps")
    void promote() {
      FakeHealthGate gate = FakeHealthGate.named("g").returning(Verdict.pass());
      RolloutHarness h = RolloutHarness.builder().gate(gate).build();
      Release[] r = v1v2(h);
      Rollout ro =
          h.cutover()
              .deploy(
                  Strategies.canary()
                      .setWeight(10)
                      .analysis(verify("g", 100))
                      .setWeight(50)
                      .pause()
                      .build(),
                  r[1],
                  4);
      h.runFor(ro, Duration.ofMinutes(2));
      h.cutover().promote(ro.id(), true);
      RolloutResult res = h.run(ro);
      assertThat(res).succeeded().endedWithAllTrafficOn(r[1]).hasEvent(RolloutEvent.Type.PROMOTED);
      assertThat(gate.evaluationCount()).isLessThan(10);
      assertThat(h.fleet().instancesOf(r[0].id())).isEmpty();
    }

    @Test
    @DisplayName("abort sends 100 % to stable before anything is retired")
    void abort() {
      RolloutHarness h = RolloutHarness.create();
      Release[] r = v1v2(h);
      Rollout ro = h.cutover().deploy(Strategies.canary().setWeight(30).pause().build(), r[1], 4);
      h.runFor(ro, Duration.ofMinutes(1));
      h.cutover().abort(ro.id(), "operator saw a bad dashboard");
      RolloutResult res = h.run(ro);
      assertThat(res)
          .wasAborted()
          .hasReasonContaining("operator saw")
          .endedWithAllTrafficOn(r[0])
          .routedToStableBeforeAnyRetire()
          .rolledBackWithin(Duration.ZERO);
      List<String> order = new ArrayList<>();
      for (RolloutEvent e : res.events()) {
        if (e.type() == RolloutEvent.Type.TRAFFIC_SHIFTED
            && e.split().weight(r[0].id()) == TrafficSplit.TOTAL) {
          order.add("stable");
        }
      }
      assertThat(order).isNotEmpty();
      FakeFleet.Call retire =
          h.fleet().calls().stream()
              .filter(c -> c.kind() == FakeFleet.CallKind.RETIRE)
              .findFirst()
              .orElseThrow();
      assertThat(retire.release()).isEqualTo(r[1]);
    }

    @Test
    @DisplayName("a second rollout of a busy service is refused before any provider call")
    void conflict() {
      RolloutHarness h = RolloutHarness.create();
      Release[] r = v1v2(h);
      Rollout first =
          h.cutover().deploy(Strategies.canary().setWeight(10).pause().build(), r[1], 4);
      h.runFor(first, Duration.ofMinutes(1));
      int calls = h.fleet().calls().size();
      int routes = h.router().applyCalls();
      Release v3 = h.release(SVC, "v3");
      Plan p =
          Strategies.canary()
              .setWeight(10)
              .build()
              .plan(new io.cutover.spi.PlanRequest(r[0], v3, 4));
      assertThatThrownBy(() -> h.cutover().start(p))
          .isInstanceOf(RolloutConflictException.class)
          .hasMessageContaining(first.id())
          .hasMessageContaining(SVC);
      assertThat(h.fleet().calls()).hasSize(calls);
      assertThat(h.router().applyCalls()).isEqualTo(routes);
    }

    @Test
    @DisplayName(
        "rollback restores the previous artifact and configuration on the fast path, without analysis")
    void rollback() {
      FakeHealthGate gate = FakeHealthGate.named("g").returning(Verdict.pass());
      RolloutHarness h = RolloutHarness.builder().gate(gate).build();
      Release v1 = h.release(SVC, "v1", Map.of("pool.size", "10"));
      Release v2 = h.release(SVC, "v2", Map.of("pool.size", "20"));
      RolloutResult first =
          h.deploy(Strategies.canary().setWeight(50).analysis(verify("g", 2)).build(), v1, 3);
      assertThat(first).succeeded();
      assertThat(
              h.deploy(Strategies.canary().setWeight(50).analysis(verify("g", 2)).build(), v2, 3))
          .succeeded();
      int evaluations = gate.evaluationCount();

      RolloutResult back = h.run(h.cutover().rollback(SVC));

      assertThat(back).succeeded().endedWithAllTrafficOn(v1).routedToStableBeforeAnyRetire();
      assertThat(h.cutover().stable(SVC)).contains(v1);
      assertThat(h.cutover().stable(SVC).orElseThrow().config())
          .isEqualTo(v1.config())
          .isNotEqualTo(v2.config());
      assertThat(h.fleet().instancesOf(v1.id())).hasSize(3);
      assertThat(h.fleet().instancesOf(v2.id())).isEmpty();
      assertThat(gate.evaluationCount()).isEqualTo(evaluations);
    }
  }

  @Nested
  @DisplayName("failures")
  class Failures {
    @Test
    @DisplayName("a rollout that makes no progress aborts at its progress deadline")
    void progressDeadline() {
      RolloutHarness h =
          RolloutHarness.builder()
              .resilience(
                  new ResiliencePolicy(
                      1000,
                      Duration.ofMinutes(1),
                      1.0,
                      Duration.ofMinutes(1),
                      Duration.ofSeconds(30),
                      100f,
                      1000,
                      Duration.ofSeconds(1)))
              .configure(
                  b ->
                      b.defaultOptions(
                          RolloutOptions.DEFAULT.withProgressDeadline(Duration.ofMinutes(10))))
              .build();
      Release[] r = v1v2(h);
      Plan p =
          Plan.of(
              "manual",
              r[0],
              r[1],
              List.of(
                  new Step.Launch(r[1].id(), 1),
                  new Step.Route(TrafficSplit.of(r[0].id(), r[1].id(), 1000))),
              List.of(new Step.Route(TrafficSplit.all(r[0].id())), new Step.Retire(r[1].id())));
      // The router fails every attempt, retryably, for far longer than the deadline.
      h.router().failNextApplies(10_000);
      Rollout ro = h.cutover().start(p);
      RolloutResult mid = h.runFor(ro, Duration.ofMinutes(11));
      assertThat(mid).hasState(RolloutState.ABORTING).hasReasonContaining("progress deadline");
      assertThat(mid.firstEvent(RolloutEvent.Type.ABORT_STARTED).orElseThrow().time())
          .isBetween(
              mid.startedAt().plus(Duration.ofMinutes(10)),
              mid.startedAt().plus(Duration.ofMinutes(11)));
      h.router().failNextApplies(0);
      assertThat(h.run(ro)).wasAborted().endedWithAllTrafficOn(r[0]);
    }

    @Test
    @DisplayName(
        "a router that keeps failing leaves traffic at the last verified split; nothing is retired under traffic")
    void routerKeepsFailing() {
      RolloutHarness h =
          RolloutHarness.builder().resilience(ResiliencePolicy.DEFAULT.withMaxAttempts(3)).build();
      Release[] r = v1v2(h);
      Rollout ro =
          h.cutover()
              .deploy(
                  Strategies.canary()
                      .setWeight(10)
                      .pause(Duration.ofMinutes(1))
                      .setWeight(50)
                      .build(),
                  r[1],
                  4);
      h.runFor(ro, Duration.ofSeconds(30));
      assertThat(h.router().current(SVC).orElseThrow().weight(r[1].id())).isEqualTo(1000);
      h.router().failNextApplies(1000);
      RolloutResult res = h.run(ro);
      assertThat(res).wasAborted().hasReasonContaining("rollback incomplete");
      assertThat(h.router().current(SVC).orElseThrow().weight(r[1].id())).isEqualTo(1000);
      assertThat(h.fleet().instancesOf(r[1].id())).isNotEmpty();
      assertThat(res.status().split().weight(r[1].id())).isEqualTo(1000);
    }

    @Test
    @DisplayName("a transient router failure is retried and the rollout completes")
    void transientFailure() {
      RolloutHarness h = RolloutHarness.create();
      Release[] r = v1v2(h);
      h.router().failNextApplies(2);
      assertThat(h.deploy(Strategies.canary().setWeight(10).build(), r[1], 4)).succeeded();
    }

    @Test
    @DisplayName(
        "instances that never become ready fail the launch and the rollout aborts to stable")
    void readinessFailure() {
      RolloutHarness h = RolloutHarness.create();
      Release[] r = v1v2(h);
      h.fleet().failReadiness(r[1].id());
      RolloutResult res = h.deploy(Strategies.canary().setWeight(10).build(), r[1], 4);
      assertThat(res).wasAborted().hasReasonContaining("launch");
      assertThat(h.router().current(SVC).orElseThrow().weight(r[0].id()))
          .isEqualTo(TrafficSplit.TOTAL);
    }
  }

  @Nested
  @DisplayName("validation before side effects")
  class Validation {
    @Test
    @DisplayName("an unknown gate is refused with its path, and no provider is called")
    void unknownGate() {
      RolloutHarness h = RolloutHarness.create();
      Release[] r = v1v2(h);
      int calls = h.fleet().calls().size();
      assertThatThrownBy(
              () ->
                  h.cutover()
                      .deploy(
                          Strategies.canary().setWeight(10).analysis(verify("nope", 1)).build(),
                          r[1],
                          4))
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("$.steps[")
          .hasMessageContaining("nope");
      assertThat(h.fleet().calls()).hasSize(calls);
      assertThat(h.router().applyCalls()).isZero();
      assertThat(h.journal().leaseHolder(SVC)).isEmpty();
    }

    @Test
    @DisplayName("a rollback plan that does not route to stable first is refused")
    void rollbackMustRouteFirst() {
      RolloutHarness h = RolloutHarness.create();
      Release[] r = v1v2(h);
      Plan p =
          Plan.of(
              "manual",
              r[0],
              r[1],
              List.of(new Step.Launch(r[1].id(), 1)),
              List.of(new Step.Retire(r[1].id()), new Step.Route(TrafficSplit.all(r[0].id()))));
      assertThatThrownBy(() -> h.cutover().start(p))
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("$.rollback[0]");
      assertThat(h.router().applyCalls()).isZero();
    }

    @Test
    @DisplayName("a plan compiled from a stale stable release is refused")
    void staleStable() {
      RolloutHarness h = RolloutHarness.create();
      Release[] r = v1v2(h);
      Release v0 = h.release(SVC, "v0");
      Plan p =
          Strategies.canary()
              .setWeight(10)
              .build()
              .plan(new io.cutover.spi.PlanRequest(v0, r[1], 4));
      assertThatThrownBy(() -> h.cutover().start(p))
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("plan.stable");
    }

    @Test
    @DisplayName("a retire of a release that still has traffic is refused at run time")
    void retireUnderTraffic() {
      RolloutHarness h = RolloutHarness.create();
      Release[] r = v1v2(h);
      Plan p =
          Plan.of(
              "manual",
              r[0],
              r[1],
              List.of(
                  new Step.Launch(r[1].id(), 1),
                  new Step.Route(TrafficSplit.of(r[0].id(), r[1].id(), 5000)),
                  new Step.Retire(r[0].id())),
              List.of(new Step.Route(TrafficSplit.all(r[0].id())), new Step.Retire(r[1].id())));
      RolloutResult res = h.run(p);
      assertThat(res)
          .wasAborted()
          .hasReasonContaining("refusing to retire")
          .endedWithAllTrafficOn(r[0])
          .routedToStableBeforeAnyRetire();
      assertThat(h.fleet().instancesOf(r[0].id())).hasSize(4);
    }
  }

  @Nested
  @DisplayName("every step kind and the journal")
  class StepsAndJournal {
    @Test
    @DisplayName(
        "a plan with every step kind runs, and every side effect has an intent before it and a done after it")
    void everyStepKind() {
      FakeHealthGate gate = FakeHealthGate.named("g").returning(Verdict.pass());
      FakeHealthGate hook = FakeHealthGate.named("migrate").returning(Verdict.pass("migrated"));
      RolloutHarness h = RolloutHarness.builder().gate(gate).gate(hook).build();
      Release[] r = v1v2(h);
      String v1 = r[0].id();
      String v2 = r[1].id();
      Plan p =
          Plan.of(
              "manual",
              r[0],
              r[1],
              List.of(
                  new Step.Hook("migrate", "pre-rollout", Map.of("schema", "42")),
                  new Step.Launch(v2, 1),
                  new Step.Route(TrafficSplit.of(v1, v2, 2500)),
                  verify("g", 2),
                  new Step.Pause(Duration.ofMinutes(1)),
                  new Step.Scale(v2, 4),
                  new Step.Route(TrafficSplit.all(v2)),
                  new Step.Drain(v1, Duration.ofSeconds(30)),
                  new Step.Retire(v1)),
              List.of(
                  new Step.Route(TrafficSplit.all(v1)),
                  new Step.Scale(v1, 4),
                  new Step.Retire(v2)));
      RolloutResult res = h.run(p);
      assertThat(res).succeeded().endedWithAllTrafficOn(r[1]).hasNoRouterViolations();
      assertThat(hook.evaluations())
          .singleElement()
          .satisfies(
              c -> {
                assertThat(c.phase()).isEqualTo("pre-rollout");
                assertThat(c.params()).containsEntry("schema", "42");
              });
      assertThat(
              res.events().stream()
                  .filter(e -> e.type() == RolloutEvent.Type.STEP_COMPLETED)
                  .map(RolloutEvent::stepKind))
          .containsExactly(
              "hook", "launch", "route", "verify", "pause", "scale", "route", "drain", "retire");

      List<JournalRecord> records = h.journal().records(res.rollout().id());
      assertThat(records.get(0).type()).isEqualTo(JournalRecord.Type.CREATED);
      assertThat(records.get(records.size() - 1).type()).isEqualTo(JournalRecord.Type.ENDED);
      Map<String, Integer> open = new HashMap<>();
      long lastSeq = 0;
      for (JournalRecord rec : records) {
        assertThat(rec.sequence()).isGreaterThan(lastSeq);
        lastSeq = rec.sequence();
        if (rec.type() == JournalRecord.Type.INTENT) {
          assertThat(open.put(rec.operationId(), 1)).as("one intent per operation").isNull();
        } else if (rec.type() == JournalRecord.Type.DONE) {
          assertThat(open.remove(rec.operationId()))
              .as("done %s follows its intent", rec.operationId())
              .isNotNull();
        }
      }
      assertThat(open).as("every intent has a done").isEmpty();
      for (FakeFleet.Call c : h.fleet().calls()) {
        if (!c.op().value().startsWith("setup")) {
          assertThat(records)
              .anyMatch(
                  rec ->
                      rec.type() == JournalRecord.Type.INTENT
                          && c.op().value().equals(rec.operationId()));
        }
      }
    }

    @Test
    @DisplayName("a failing hook aborts before the release gets traffic")
    void failingHook() {
      RolloutHarness h =
          RolloutHarness.builder()
              .gate(FakeHealthGate.named("confirm").returning(Verdict.fail("frozen")))
              .build();
      Release[] r = v1v2(h);
      Plan p =
          Plan.of(
              "manual",
              r[0],
              r[1],
              List.of(
                  new Step.Hook("confirm", "confirm-rollout", Map.of()),
                  new Step.Launch(r[1].id(), 1),
                  new Step.Route(TrafficSplit.of(r[0].id(), r[1].id(), 1000))),
              List.of(new Step.Route(TrafficSplit.all(r[0].id())), new Step.Retire(r[1].id())));
      RolloutResult res = h.run(p);
      assertThat(res).wasAborted().hasReasonContaining("frozen").hasMaxExposure(r[1], 0);
      assertThat(h.fleet().calls())
          .noneMatch(c -> c.kind() == FakeFleet.CallKind.LAUNCH && c.release().equals(r[1]));
    }

    @Test
    @DisplayName("a first deployment needs no stable release")
    void firstDeployment() {
      RolloutHarness h = RolloutHarness.create();
      Release v1 = h.release(SVC, "v1");
      assertThat(h.deploy(Strategies.canary().setWeight(10).build(), v1, 2))
          .succeeded()
          .endedWithAllTrafficOn(v1);
      assertThat(h.cutover().stable(SVC)).contains(v1);
    }

    @Test
    @DisplayName("a listener that throws never breaks a rollout")
    void throwingListener() {
      RolloutHarness h =
          RolloutHarness.builder()
              .configure(
                  b ->
                      b.listener(
                          e -> {
                            throw new IllegalStateException("listener bug");
                          }))
              .build();
      Release[] r = v1v2(h);
      assertThat(h.deploy(Strategies.canary().setWeight(10).build(), r[1], 4)).succeeded();
    }

    @Test
    @DisplayName("provider failures during a launch are retried with the same operation id")
    void sameOperationIdOnRetry() {
      RolloutHarness h = RolloutHarness.create();
      Release[] r = v1v2(h);
      h.router().failNextApplies(3);
      RolloutResult res = h.deploy(Strategies.canary().setWeight(10).build(), r[1], 4);
      assertThat(res).succeeded();
      assertThat(h.router().timeline(SVC).stream().map(e -> e.op().value()).distinct().count())
          .isEqualTo(h.router().timeline(SVC).size());
      assertThat(h.journal().records(res.rollout().id()))
          .filteredOn(rec -> rec.type() == JournalRecord.Type.INTENT)
          .extracting(JournalRecord::operationId)
          .doesNotHaveDuplicates();
      assertThat(res.events()).noneMatch(e -> e.type() == RolloutEvent.Type.ROLLOUT_ABORTED);
    }
  }
}
