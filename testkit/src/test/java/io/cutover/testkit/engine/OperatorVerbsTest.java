// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.engine;

import static io.cutover.testkit.CutoverAssertions.assertThat;
import static io.cutover.testkit.CutoverAssertions.assertThatThrownBy;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.Release;
import io.cutover.api.Verdict;
import io.cutover.api.plan.Step;
import io.cutover.api.rollout.RolloutState;
import io.cutover.core.Rollout;
import io.cutover.core.strategy.Strategies;
import io.cutover.simulator.RolloutHarness;
import io.cutover.simulator.RolloutResult;
import io.cutover.spi.JournalRecord;
import io.cutover.spi.RolloutStrategy;
import io.cutover.testkit.FakeHealthGate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Operator verbs of issue 12: promote by one step or in full, and retry of an aborted rollout. */
@DisplayName("Operator verbs")
class OperatorVerbsTest {
  static final String SVC = "checkout";

  static Release[] v1v2(RolloutHarness h) {
    Release v1 = h.release(SVC, "v1");
    Release v2 = h.release(SVC, "v2");
    h.cutover().adopt(v1, 2);
    h.fleet().launch(new io.cutover.spi.OperationId("setup/v1"), v1, 2);
    return new Release[] {v1, v2};
  }

  static int weight(RolloutHarness h, Release r) {
    return h.router().current(SVC).orElseThrow().weight(r.id());
  }

  static Step.Verify verify(int count) {
    return Step.Verify.gates("g").count(count).interval(Duration.ofSeconds(30)).build();
  }

  static final RolloutStrategy TWO_PAUSES =
      Strategies.canary().setWeight(10).pause().setWeight(50).pause().build();

  @Nested
  @DisplayName("promote")
  class Promote {
    @Test
    @DisplayName(
        "promote() skips only the analysis it is in; the next step's analysis still runs in full")
    void stepSkipsCurrentAnalysisOnly() {
      FakeHealthGate gate = FakeHealthGate.named("g").returning(Verdict.pass());
      RolloutHarness h = RolloutHarness.builder().gate(gate).build();
      Release[] r = v1v2(h);
      Rollout ro =
          h.cutover()
              .deploy(
                  Strategies.canary()
                      .setWeight(10)
                      .analysis(verify(100))
                      .setWeight(50)
                      .analysis(verify(3))
                      .build(),
                  r[1],
                  2);
      h.runFor(ro, Duration.ofMinutes(2));
      int before = gate.evaluationCount();
      assertThat(before).isBetween(1, 10);

      h.cutover().promote(ro.id());
      h.runFor(ro, Duration.ofSeconds(1));
      assertThat(weight(h, r[1])).as("on the next step at once").isEqualTo(5000);
      assertThat(ro.status().state()).isEqualTo(RolloutState.PROGRESSING);

      RolloutResult res = h.run(ro);
      assertThat(res).succeeded().endedWithAllTrafficOn(r[1]);
      assertThat(gate.evaluationCount()).as("the second analysis ran all 3").isEqualTo(before + 3);
    }

    @Test
    @DisplayName("promote() releases one pause; the next pause holds again")
    void stepReleasesOnePause() {
      RolloutHarness h = RolloutHarness.create();
      Release[] r = v1v2(h);
      Rollout ro = h.cutover().deploy(TWO_PAUSES, r[1], 2);
      assertThat(h.runFor(ro, Duration.ofMinutes(1))).hasState(RolloutState.PAUSED);
      assertThat(weight(h, r[1])).isEqualTo(1000);

      h.cutover().promote(ro.id());
      assertThat(h.runFor(ro, Duration.ofMinutes(1))).hasState(RolloutState.PAUSED);
      assertThat(weight(h, r[1])).isEqualTo(5000);

      h.cutover().promote(ro.id());
      assertThat(h.run(ro)).succeeded().endedWithAllTrafficOn(r[1]);
    }

    @Test
    @DisplayName("promote(full) skips every remaining pause and analysis at once")
    void fullSkipsEverything() {
      FakeHealthGate gate = FakeHealthGate.named("g").returning(Verdict.pass());
      RolloutHarness h = RolloutHarness.builder().gate(gate).build();
      Release[] r = v1v2(h);
      Rollout ro =
          h.cutover()
              .deploy(
                  Strategies.canary()
                      .setWeight(10)
                      .pause()
                      .setWeight(50)
                      .analysis(verify(3))
                      .pause()
                      .build(),
                  r[1],
                  2);
      h.runFor(ro, Duration.ofMinutes(1));
      h.cutover().promote(ro.id(), true);
      h.runFor(ro, Duration.ofSeconds(1));
      assertThat(weight(h, r[1])).as("straight through to the end").isEqualTo(10_000);
      // the pauses wait for a human: run() would report a stuck rollout had one held
      assertThat(h.run(ro)).succeeded();
      assertThat(weight(h, r[1])).isEqualTo(10_000);
      assertThat(gate.evaluationCount()).isZero();
    }

    @Test
    @DisplayName(
        "a step promote journaled before a crash is honoured by the restarted engine: one pause"
            + " released, the next holds")
    void stepPromoteSurvivesCrash() {
      RolloutHarness h = RolloutHarness.create();
      Release[] r = v1v2(h);
      Rollout ro = h.cutover().deploy(TWO_PAUSES, r[1], 2);
      h.runFor(ro, Duration.ofMinutes(1));
      // the COMMAND record becomes durable, the process dies before the step completes
      h.crashAfterRecords(1);
      h.cutover().promote(ro.id());
      h.runFor(ro, Duration.ofSeconds(1));
      assertThat(h.crashed()).isTrue();
      assertThat(weight(h, r[1])).isEqualTo(1000);

      List<Rollout> resumed = h.restart();
      assertThat(resumed).hasSize(1);
      Rollout again = resumed.get(0);
      assertThat(h.runFor(again, Duration.ofMinutes(1))).hasState(RolloutState.PAUSED);
      assertThat(weight(h, r[1])).as("the first pause was released").isEqualTo(5000);
      h.cutover().promote(again.id());
      assertThat(h.run(again)).succeeded();
    }

    @Test
    @DisplayName("a full promote journaled before a crash is honoured by the restarted engine")
    void fullPromoteSurvivesCrash() {
      RolloutHarness h = RolloutHarness.create();
      Release[] r = v1v2(h);
      Rollout ro = h.cutover().deploy(TWO_PAUSES, r[1], 2);
      h.runFor(ro, Duration.ofMinutes(1));
      h.crashAfterRecords(1);
      h.cutover().promote(ro.id(), true);
      h.runFor(ro, Duration.ofSeconds(1));
      assertThat(h.crashed()).isTrue();

      List<Rollout> resumed = h.restart();
      h.runFor(resumed.get(0), Duration.ofSeconds(1));
      assertThat(weight(h, r[1])).isEqualTo(10_000);
      assertThat(h.run(resumed.get(0))).succeeded();
    }
  }

  @Nested
  @DisplayName("retry")
  class Retry {
    @Test
    @DisplayName(
        "retries an aborted rollout: the same plan from the current stable, linked in the journal")
    void retriesAborted() {
      FakeHealthGate gate = FakeHealthGate.named("g").returning(Verdict.fail("bad"));
      RolloutHarness h = RolloutHarness.builder().gate(gate).build();
      Release[] r = v1v2(h);
      RolloutResult failed =
          h.deploy(Strategies.canary().setWeight(20).analysis(verify(2)).build(), r[1], 2);
      assertThat(failed).wasAborted();
      String abortedId = failed.rollout().id();

      gate.returning(Verdict.pass());
      Rollout retry = h.cutover().retry(abortedId);
      assertThat(retry.id()).isNotEqualTo(abortedId);
      assertThat(retry.plan()).isEqualTo(failed.rollout().plan());
      assertThat(h.run(retry)).succeeded().endedWithAllTrafficOn(r[1]);
      assertThat(h.cutover().stable(SVC)).contains(r[1]);

      JournalRecord created = h.journal().records(retry.id()).get(0);
      assertThat(created.type()).isEqualTo(JournalRecord.Type.CREATED);
      assertThat(created.index()).containsEntry("retryOf", abortedId);
      assertThat(created.payload()).contains("\"retryOf\":\"" + abortedId + "\"");
    }

    @Test
    @DisplayName("retries an aborted rollout after a restart: the link is read from the journal")
    void retriesAfterRestart() {
      FakeHealthGate gate = FakeHealthGate.named("g").returning(Verdict.fail("bad"));
      RolloutHarness h = RolloutHarness.builder().gate(gate).build();
      Release[] r = v1v2(h);
      String abortedId =
          h.deploy(Strategies.canary().setWeight(20).analysis(verify(1)).build(), r[1], 2)
              .rollout()
              .id();
      h.restart();
      gate.returning(Verdict.pass());
      Rollout retry = h.cutover().retry(abortedId);
      assertThat(h.run(retry)).succeeded();
      assertThat(h.journal().records(retry.id()).get(0).index())
          .containsEntry("retryOf", abortedId);
    }

    @Test
    @DisplayName(
        "refuses what cannot be retried: an unknown id, a success, a stable release that moved on")
    void refuses() {
      FakeHealthGate gate = FakeHealthGate.named("g").returning(Verdict.fail("bad"));
      RolloutHarness h = RolloutHarness.builder().gate(gate).build();
      Release[] r = v1v2(h);
      String abortedId =
          h.deploy(Strategies.canary().setWeight(20).analysis(verify(1)).build(), r[1], 2)
              .rollout()
              .id();

      assertThatThrownBy(() -> h.cutover().retry("nope"))
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("rolloutId")
          .hasMessageContaining("not in the journal");

      gate.returning(Verdict.pass());
      Release v3 = h.release(SVC, "v3");
      String succeeded = h.deploy(Strategies.canary().setWeight(20).build(), v3, 2).rollout().id();
      assertThatThrownBy(() -> h.cutover().retry(succeeded))
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("nothing to retry");
      assertThatThrownBy(() -> h.cutover().retry(abortedId))
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("was planned from " + r[0].id())
          .hasMessageContaining("runs " + v3.id())
          .hasMessageContaining("deploy " + r[1].id() + " again");
    }
  }
}
