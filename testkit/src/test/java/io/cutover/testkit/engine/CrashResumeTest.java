// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.engine;

import static io.cutover.testkit.CutoverAssertions.assertThat;

import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.api.plan.Step;
import io.cutover.core.Rollout;
import io.cutover.core.gate.Comparison;
import io.cutover.core.gate.NoDataPolicy;
import io.cutover.core.gate.ThresholdGate;
import io.cutover.core.strategy.Strategies;
import io.cutover.simulator.EngineCrash;
import io.cutover.simulator.FakeFleet;
import io.cutover.simulator.FakeRouter;
import io.cutover.simulator.RolloutHarness;
import io.cutover.simulator.RolloutResult;
import io.cutover.spi.OperationId;
import io.cutover.spi.RolloutStrategy;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The engine dies after journal record N, for every N of a whole rollout; a new engine resumes from
 * the journal. Every rollout must reach the same end as without the crash, at the same virtual
 * time, with no effect applied twice and no traffic ever sent to a retired instance.
 */
class CrashResumeTest {
  static final String SVC = "orders";
  static final Step.Verify CHECK =
      Step.Verify.gates("error-rate").count(4).interval(Duration.ofSeconds(30)).build();

  record Outcome(
      RolloutResult result, RolloutHarness harness, Release stable, Release target, Instant end) {}

  static Outcome run(RolloutStrategy strategy, boolean badRelease, long crashAfter) {
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
    Release v1 = h.release(SVC, "v1");
    Release v2 = h.release(SVC, "v2");
    h.metrics()
        .series("error_rate")
        .release(v1.id())
        .constant(0.001)
        .release(v2.id())
        .constant(0.001)
        .from(Duration.ofMinutes(3), badRelease ? 0.2 : 0.001);
    h.fleet().launch(new OperationId("setup/v1"), v1, 4);
    h.cutover().adopt(v1, 4);
    if (crashAfter >= 0) {
      h.crashAfterRecords(crashAfter);
    }
    Rollout rollout;
    try {
      rollout = h.cutover().deploy(strategy, v2, 4);
    } catch (EngineCrash crashedBeforeTheRolloutExisted) {
      assertThat(h.restart()).isEmpty();
      return new Outcome(null, h, v1, v2, h.clock().instant());
    }
    RolloutResult first = h.run(rollout);
    if (h.crashed()) {
      List<Rollout> resumed = h.restart();
      assertThat(resumed).as("the open rollout is resumed").hasSize(1);
      assertThat(resumed.get(0).id()).isEqualTo(rollout.id());
      first = h.run(resumed.get(0));
    }
    return new Outcome(first, h, v1, v2, h.clock().instant());
  }

  static void assertNoDuplicatedEffects(RolloutHarness h) {
    Map<String, Integer> applied = new HashMap<>();
    for (FakeFleet.Call c : h.fleet().calls()) {
      if (c.outcome() == FakeFleet.Outcome.APPLIED) {
        applied.merge(c.op().value(), 1, Integer::sum);
      }
    }
    assertThat(applied)
        .allSatisfy((op, n) -> assertThat(n).as("fleet effects of %s", op).isEqualTo(1));
    Map<String, Integer> routes = new HashMap<>();
    for (FakeRouter.Entry e : h.router().timeline(SVC)) {
      routes.merge(e.op().value(), 1, Integer::sum);
    }
    assertThat(routes)
        .allSatisfy((op, n) -> assertThat(n).as("router effects of %s", op).isEqualTo(1));
    assertThat(h.router().violations()).as("traffic to retired or unready instances").isEmpty();
  }

  void crashEverywhere(RolloutStrategy strategy, boolean bad) {
    Outcome clean = run(strategy, bad, -1);
    long records = clean.harness().journal().lastSequence();
    assertThat(records).isGreaterThan(20);
    for (long n = 0; n < records; n++) {
      Outcome o = run(strategy, bad, n);
      String at = "crash after record " + n + " of " + records;
      if (o.result() == null) {
        assertThat(o.harness().router().applyCalls()).as(at).isZero();
        continue;
      }
      if (bad) {
        assertThat(o.result()).as(at).wasAborted().routedToStableBeforeAnyRetire();
        assertThat(o.harness().fleet().instancesOf(o.target().id())).as(at).isEmpty();
        assertThat(o.harness().cutover().stable(SVC)).as(at).contains(o.stable());
      } else {
        assertThat(o.result()).as(at).succeeded().routedToStableBeforeAnyRetire();
        assertThat(o.harness().fleet().instancesOf(o.stable().id())).as(at).isEmpty();
        assertThat(o.harness().cutover().stable(SVC)).as(at).contains(o.target());
      }
      assertThat(o.harness().fleet().instancesOf(bad ? o.stable().id() : o.target().id()))
          .as(at)
          .hasSize(4);
      // the result after a restart covers only the resumed part; the router holds the whole truth
      assertThat(
              o.harness()
                  .router()
                  .current(SVC)
                  .orElseThrow()
                  .weight(bad ? o.stable().id() : o.target().id()))
          .as(at)
          .isEqualTo(TrafficSplit.TOTAL);
      assertNoDuplicatedEffects(o.harness());
      assertThat(o.end())
          .as("%s: waits continue with the time that remained", at)
          .isEqualTo(clean.end());
    }
  }

  @Test
  @DisplayName("a canary survives a crash at every journal record boundary")
  void canary() {
    crashEverywhere(
        Strategies.canary()
            .setWeight(10)
            .analysis(CHECK)
            .setWeight(50)
            .pause(Duration.ofMinutes(2))
            .analysis(CHECK)
            .build(),
        false);
  }

  @Test
  @DisplayName("a bad canary is rolled back whatever record the engine died after")
  void badCanary() {
    crashEverywhere(
        Strategies.canary()
            .setWeight(10)
            .analysis(CHECK)
            .setWeight(50)
            .analysis(CHECK)
            .analysis(CHECK)
            .build(),
        true);
  }

  @Test
  @DisplayName("a blue/green rollout survives a crash at every journal record boundary")
  void blueGreen() {
    crashEverywhere(
        Strategies.blueGreen()
            .prePromotionAnalysis(CHECK)
            .postPromotionAnalysis(CHECK)
            .scaleDownDelay(Duration.ofSeconds(30))
            .build(),
        false);
  }

  @Test
  @DisplayName(
      "a rollout whose instances vanished while the engine was down is aborted to stable, not continued")
  void unsafeResumeAborts() {
    RolloutHarness h =
        RolloutHarness.builder()
            .gate(
                m ->
                    ThresholdGate.builder("error-rate", m)
                        .query("error_rate")
                        .passWhen(Comparison.AT_MOST, 0.01)
                        .build())
            .build();
    Release v1 = h.release(SVC, "v1");
    Release v2 = h.release(SVC, "v2");
    h.metrics()
        .series("error_rate")
        .release(v1.id())
        .constant(0.001)
        .release(v2.id())
        .constant(0.001);
    h.fleet().launch(new OperationId("setup/v1"), v1, 4);
    h.cutover().adopt(v1, 4);
    Rollout r =
        h.cutover()
            .deploy(
                Strategies.canary()
                    .setWeight(20)
                    .analysis(CHECK)
                    .setWeight(60)
                    .analysis(CHECK)
                    .build(),
                v2,
                4);
    h.runFor(r, Duration.ofSeconds(45));
    h.crashAfterRecords(0);
    h.runFor(r, Duration.ofSeconds(30));
    assertThat(h.crashed()).isTrue();
    // while no engine runs, someone deletes the canary's instances
    h.fleet().retire(new OperationId("operator/cleanup"), v2);
    List<Rollout> resumed = h.restart();
    RolloutResult res = h.run(resumed.get(0));
    assertThat(res).wasAborted().hasReasonContaining("no longer knows any instance");
    assertThat(h.router().current(SVC).orElseThrow().weight(v1.id())).isEqualTo(TrafficSplit.TOTAL);
    assertThat(h.cutover().stable(SVC)).contains(v1);
  }
}
