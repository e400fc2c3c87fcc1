// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.engine;

import static io.cutover.testkit.CutoverAssertions.assertThat;
import static io.cutover.testkit.CutoverAssertions.assertThatThrownBy;
import static io.cutover.testkit.engine.EngineFixture.v1v2;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.api.Verdict;
import io.cutover.api.plan.Plan;
import io.cutover.api.plan.Step;
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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Issue 12 (seed F4): expand/contract migration steps through the engine. */
@DisplayName("Migration steps")
class MigrationStepTest {
  static final Map<String, String> SCHEMA = Map.of("schema", "orders-v2");

  static RolloutStrategy canary() {
    return Strategies.canary()
        .setWeight(20)
        .pause(Duration.ofMinutes(1))
        .hooks(LifecycleHooks.builder().migration("db", SCHEMA).build())
        .build();
  }

  @Test
  @DisplayName(
      "expand runs before the target is launched, contract after the old release retired; each"
          + " journaled write-ahead")
  void order() {
    FakeHealthGate db = FakeHealthGate.named("db").returning(Verdict.pass("migrated"));
    RolloutHarness h = RolloutHarness.builder().gate(db).build();
    Release[] r = v1v2(h, 2);
    long[] launchesAtExpand = new long[1];
    long[] v1AtContract = new long[1];
    db.answering(
        c -> {
          if (c.phase().equals("expand")) {
            launchesAtExpand[0] = h.fleet().instancesOf(r[1].id()).size();
          } else {
            v1AtContract[0] = h.fleet().instancesOf(r[0].id()).size();
          }
          return Verdict.pass();
        });
    RolloutResult res = h.deploy(canary(), r[1], 2);
    assertThat(res).succeeded().endedWithAllTrafficOn(r[1]);
    assertThat(db.evaluations())
        .extracting(GateContext::phase)
        .containsExactly("expand", "contract");
    assertThat(db.evaluations())
        .allSatisfy(
            c -> {
              assertThat(c.params()).containsEntry("schema", "orders-v2");
              assertThat(c.params().get("operationId")).contains("/migration");
            });
    assertThat(launchesAtExpand[0]).as("the target runs no instance yet").isZero();
    assertThat(v1AtContract[0]).as("the old release is retired").isZero();
    List<JournalRecord> recs = h.journal().records(res.rollout().id());
    assertThat(
            recs.stream()
                .filter(x -> x.operationId() != null && x.operationId().endsWith("/migration"))
                .map(JournalRecord::type))
        .containsExactly(
            JournalRecord.Type.INTENT,
            JournalRecord.Type.DONE,
            JournalRecord.Type.INTENT,
            JournalRecord.Type.DONE);
  }

  @Test
  @DisplayName("a failed expand aborts before the target takes traffic; contract never runs")
  void failedExpand() {
    FakeHealthGate db = FakeHealthGate.named("db").returning(Verdict.fail("lock timeout"));
    RolloutHarness h = RolloutHarness.builder().gate(db).build();
    Release[] r = v1v2(h, 2);
    RolloutResult res = h.deploy(canary(), r[1], 2);
    assertThat(res).wasAborted().hasReasonContaining("lock timeout").hasMaxExposure(r[1], 0);
    assertThat(db.evaluations()).extracting(GateContext::phase).containsExactly("expand");
    assertThat(h.fleet().calls())
        .noneMatch(c -> c.kind() == FakeFleet.CallKind.LAUNCH && c.release().equals(r[1]));
  }

  @Test
  @DisplayName("an abort after the expand never runs the contract")
  void abortNeverContracts() {
    FakeHealthGate db = FakeHealthGate.named("db").returning(Verdict.pass());
    RolloutHarness h = RolloutHarness.builder().gate(db).build();
    Release[] r = v1v2(h, 2);
    Rollout ro = h.cutover().deploy(canary(), r[1], 2);
    h.runFor(ro, Duration.ofSeconds(30));
    h.cutover().abort(ro.id(), "operator");
    assertThat(h.run(ro)).wasAborted().endedWithAllTrafficOn(r[0]);
    assertThat(db.evaluations()).extracting(GateContext::phase).containsExactly("expand");
  }

  @Test
  @DisplayName(
      "a crash at any journal record never runs a migration again after its DONE, and the"
          + " rollout still finishes")
  void crashResume() {
    for (int k = 0; k < 80; k++) {
      FakeHealthGate db = FakeHealthGate.named("db").returning(Verdict.pass());
      RolloutHarness h = RolloutHarness.builder().gate(db).build();
      Release[] r = v1v2(h, 2);
      h.crashAfterRecords(k);
      Rollout ro;
      try {
        ro = h.cutover().deploy(canary(), r[1], 2);
      } catch (EngineCrash e) {
        continue;
      }
      RolloutResult first = h.run(ro);
      if (!h.crashed()) {
        assertThat(first).succeeded();
        assertThat(k).isGreaterThan(20);
        return;
      }
      long doneBefore = dones(h, ro.id());
      int runsBefore = db.evaluationCount();
      List<Rollout> resumed = h.restart();
      if (resumed.isEmpty()) {
        continue;
      }
      assertThat(h.run(resumed.get(0))).as("crash after %d", k).succeeded();
      assertThat(dones(h, ro.id())).as("crash after %d", k).isEqualTo(2);
      // each migration runs at most twice (an intent without DONE is re-issued), and a DONE one
      // never again
      assertThat(db.evaluationCount() - runsBefore).isLessThanOrEqualTo((int) (2 - doneBefore));
    }
    throw new AssertionError("the rollout never finished without a crash");
  }

  static long dones(RolloutHarness h, String id) {
    return h.journal().records(id).stream()
        .filter(
            x ->
                x.type() == JournalRecord.Type.DONE
                    && x.operationId() != null
                    && x.operationId().endsWith("/migration"))
        .count();
  }

  @Test
  @DisplayName(
      "misplaced migrations are refused before anything happens: expand after traffic, contract"
          + " before retire, migration in the rollback")
  void validation() {
    FakeHealthGate db = FakeHealthGate.named("db");
    RolloutHarness h = RolloutHarness.builder().gate(db).build();
    Release[] r = v1v2(h, 2);
    String v1 = r[0].id();
    String v2 = r[1].id();
    Plan bad =
        Plan.of(
            "manual",
            r[0],
            r[1],
            List.of(
                new Step.Launch(v2, 1),
                new Step.Route(TrafficSplit.all(v2)),
                Step.Migration.expand("db", Map.of()),
                Step.Migration.contract("db", Map.of()),
                new Step.Retire(v1)),
            List.of(
                new Step.Route(TrafficSplit.all(v1)),
                Step.Migration.contract("db", Map.of()),
                new Step.Retire(v2)));
    assertThatThrownBy(() -> h.cutover().start(bad))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("$.steps[2]")
        .hasMessageContaining("move the expand migration before the first route")
        .hasMessageContaining("$.steps[3]")
        .hasMessageContaining("Retire(" + v1 + ")")
        .hasMessageContaining("$.rollback[1]");
    assertThat(db.evaluationCount()).isZero();
    assertThat(h.fleet().calls()).noneMatch(c -> c.release().equals(r[1]));
  }
}
