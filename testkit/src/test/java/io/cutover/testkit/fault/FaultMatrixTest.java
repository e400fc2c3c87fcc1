// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.fault;

import static org.assertj.core.api.Assertions.assertThat;

import io.cutover.api.ArtifactRef;
import io.cutover.api.ConfigRef;
import io.cutover.api.Digest;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.api.Verdict;
import io.cutover.api.plan.Step;
import io.cutover.api.rollout.RolloutState;
import io.cutover.api.rollout.RolloutStatus;
import io.cutover.core.Cutover;
import io.cutover.core.Rollout;
import io.cutover.core.journal.DurabilityMode;
import io.cutover.core.journal.FileJournal;
import io.cutover.core.strategy.Strategies;
import io.cutover.simulator.FakeFleet;
import io.cutover.simulator.FakeRouter;
import io.cutover.simulator.VirtualScheduler;
import io.cutover.spi.Fleet;
import io.cutover.spi.HealthGate;
import io.cutover.spi.Journal;
import io.cutover.spi.JournalRecord;
import io.cutover.spi.OperationId;
import io.cutover.spi.RolloutStrategy;
import io.cutover.spi.Router;
import io.cutover.testkit.FakeHealthGate;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every SPI x fault kind x strategy, through the real engine on fakes, virtual time and the file
 * journal: the rollout must end (succeeded, or aborted with traffic where the engine says it is:
 * back on stable whenever router and journal still work) within its progress deadline, never route
 * to an instance that is not ready or already retired, retry a side effect only under its own
 * operation id, and leave every journaled intent answered. A failing router or journal may leave
 * the target's instances running: retiring them while traffic might still reach them, or without a
 * journaled intent, would be worse.
 */
@DisplayName("Rollouts under injected faults")
class FaultMatrixTest {
  private static final String SVC = "checkout";
  private static final Duration DEADLINE = Duration.ofMinutes(10);

  enum Spi {
    FLEET,
    ROUTER,
    GATE,
    JOURNAL
  }

  enum Kind {
    NTH,
    LOST_RESPONSE,
    NON_RETRYABLE,
    HANG,
    OUTAGE,
    FLAKY
  }

  @TempDir Path dir;

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (String strategy : List.of("canary", "blue-green")) {
      for (Spi spi : Spi.values()) {
        for (Kind kind : Kind.values()) {
          out.add(Arguments.of(spi, kind, strategy));
        }
      }
    }
    return out.stream();
  }

  /**
   * Blue/green routes once, so its router's first call is the one to fail; otherwise the second.
   */
  private static <T> FaultBuilder<T> configure(
      FaultBuilder<T> b, Kind kind, Instant t0, VirtualScheduler s, int n) {
    return switch (kind) {
      case NTH -> b.failNth(n);
      case LOST_RESPONSE -> b.failNth(n).failAfterEffect();
      case NON_RETRYABLE -> b.failNth(n).nonRetryable();
      case HANG -> b.hangNth(Duration.ofMinutes(5), n).nonBlocking(Duration.ofSeconds(30));
      case OUTAGE -> b.outage(t0.plusSeconds(20), t0.plusSeconds(80)).clock(s.clock());
      case FLAKY -> b.failWithProbability(0.3, 20260101L);
    };
  }

  private static RolloutStrategy strategy(String name) {
    Step.Verify verify =
        Step.Verify.gates("health").count(3).interval(Duration.ofSeconds(20)).build();
    return name.equals("canary")
        ? Strategies.canary().setWeight(25).analysis(verify).setWeight(50).analysis(verify).build()
        : Strategies.blueGreen().prePromotionAnalysis(verify).autoPromotion(true).build();
  }

  private static Release release(String label) {
    return Release.of(
            SVC, new ArtifactRef("cutover.test/" + SVC, Digest.sha256(label)), ConfigRef.EMPTY)
        .withLabel(label);
  }

  @ParameterizedTest(name = "{0} x {1} x {2}")
  @MethodSource("cases")
  void endsSafely(Spi spi, Kind kind, String strategyName) {
    VirtualScheduler scheduler = VirtualScheduler.create();
    int n = spi == Spi.ROUTER && strategyName.equals("blue-green") ? 1 : 2;
    Instant t0 = scheduler.clock().instant();
    FakeFleet fakeFleet = FakeFleet.create();
    FakeRouter fakeRouter = FakeRouter.create(scheduler.clock()).watch(fakeFleet);
    FakeHealthGate fakeGate = FakeHealthGate.named("health").returning(Verdict.pass("ok"));
    try (FileJournal fileJournal =
        FileJournal.builder(dir).durability(DurabilityMode.OS_BUFFERED).open()) {
      Fleet fleet =
          spi == Spi.FLEET
              ? configure(
                      Faults.fleet(fakeFleet).only("launch", "scale", "drain", "retire"),
                      kind,
                      t0,
                      scheduler,
                      n)
                  .build()
              : fakeFleet;
      Router router =
          spi == Spi.ROUTER
              ? configure(Faults.router(fakeRouter).only("apply"), kind, t0, scheduler, n).build()
              : fakeRouter;
      HealthGate gate =
          spi == Spi.GATE
              ? configure(Faults.healthGate(fakeGate), kind, t0, scheduler, n).build()
              : fakeGate;
      Journal journal =
          spi == Spi.JOURNAL
              ? configure(Faults.journal(fileJournal).only("append"), kind, t0, scheduler, n)
                  .build()
              : fileJournal;
      Cutover cutover =
          Cutover.builder()
              .allowUnverifiedArtifacts()
              .clock(scheduler.clock())
              .scheduler(scheduler)
              .providerExecutor(Runnable::run)
              .journal(journal)
              .fleet(fleet)
              .router(router)
              .gate(gate)
              .build();
      Release v1 = release("v1");
      Release v2 = release("v2");
      cutover.adopt(v1, 4);
      fakeFleet.launch(new OperationId("setup/v1"), v1, 4);
      fakeRouter.apply(
          new OperationId("setup/route"),
          SVC,
          TrafficSplit.all(v1.id()),
          java.util.Map.of(v1.id(), fakeFleet.instancesOf(v1.id())));

      Rollout rollout;
      try {
        rollout = cutover.deploy(strategy(strategyName), v2, 4);
      } catch (RuntimeException refused) {
        // A fault in the very first journal append refuses the rollout before it exists: nothing
        // happened.
        assertThat(spi).isEqualTo(Spi.JOURNAL);
        assertThat(fakeFleet.instancesOf(v2.id())).isEmpty();
        assertThat(fakeRouter.current(SVC)).contains(TrafficSplit.all(v1.id()));
        return;
      }
      boolean ended =
          scheduler.runUntil(() -> rollout.status().state().isTerminal(), DEADLINE.multipliedBy(3));
      scheduler.assertNoTaskFailures();
      RolloutStatus st = rollout.status();
      assertThat(ended).as("terminal within three progress deadlines, but is %s", st).isTrue();
      assertThat(fakeRouter.violations()).as("router contract violations").isEmpty();

      Set<String> launchOps = new HashSet<>();
      fakeFleet.calls().stream()
          .filter(c -> c.release().equals(v2) && c.kind() == FakeFleet.CallKind.LAUNCH)
          .forEach(c -> launchOps.add(c.op().value()));
      assertThat(launchOps)
          .as("operation ids used to launch the target")
          .hasSizeLessThanOrEqualTo(1);

      if (st.state() == RolloutState.SUCCEEDED) {
        assertThat(fakeRouter.current(SVC)).contains(TrafficSplit.all(v2.id()));
      } else {
        assertThat(st.state()).isEqualTo(RolloutState.ABORTED);
        assertThat(st.reason()).isNotBlank();
        // Never half-way unknown: the engine knows where traffic is, even when it could not move it
        // back.
        TrafficSplit known = st.split() != null ? st.split() : TrafficSplit.all(v1.id());
        assertThat(fakeRouter.current(SVC))
            .map(TrafficSplit::weights)
            .as("traffic after abort")
            .contains(known.weights());
        if (spi == Spi.GATE || spi == Spi.FLEET) {
          // With a working router and journal, an abort always sends traffic back to stable.
          assertThat(fakeRouter.current(SVC)).contains(TrafficSplit.all(v1.id()));
        }
        if (spi == Spi.GATE) {
          assertThat(fakeFleet.instancesOf(v2.id())).as("target instances after abort").isEmpty();
        }
      }
      Object faulty =
          switch (spi) {
            case FLEET -> fleet;
            case ROUTER -> router;
            case GATE -> gate;
            case JOURNAL -> journal;
          };
      if (kind != Kind.OUTAGE && kind != Kind.FLAKY) {
        assertThat(Faults.log(faulty).injections()).as("faults injected").isNotEmpty();
      }
      if (spi != Spi.JOURNAL) {
        List<JournalRecord> records = fileJournal.records(rollout.id());
        Set<String> open = new HashSet<>();
        for (JournalRecord r : records) {
          if (r.type() == JournalRecord.Type.INTENT) {
            open.add(r.operationId());
          } else if (r.type() == JournalRecord.Type.DONE || r.type() == JournalRecord.Type.FAILED) {
            open.remove(r.operationId());
          }
        }
        assertThat(open).as("intents without a DONE or FAILED record").isEmpty();
        assertThat(records)
            .last()
            .extracting(JournalRecord::type)
            .isEqualTo(JournalRecord.Type.ENDED);
      }
      cutover.close();
    }
  }
}
