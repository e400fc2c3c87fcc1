// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.ConfigRef;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.Release;
import io.cutover.api.rollout.RolloutState;
import io.cutover.api.rollout.RolloutStatus;
import io.cutover.core.Cutover;
import io.cutover.core.Rollout;
import io.cutover.core.journal.DurabilityMode;
import io.cutover.core.journal.FileJournal;
import io.cutover.core.strategy.Strategies;
import io.cutover.simulator.FakeFleet;
import io.cutover.simulator.FakeRouter;
import io.cutover.simulator.InMemoryArtifactStore;
import io.cutover.simulator.VirtualClock;
import io.cutover.simulator.VirtualScheduler;
import io.cutover.spi.JournalRecord;
import io.cutover.spi.OperationId;
import io.cutover.spi.RolloutStrategy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The revision history (issue 12): a per-service limit (default 10), journaled with every
 * successful rollout and restored after a restart (compaction included), wired to the artifact
 * store's rollback-target pins. Every engine here runs on virtual time over a file journal, one
 * "process life" at a time, with the same fleet, router and store across lives.
 */
class RevisionHistoryTest {
  static final String SVC = "orders";
  static final String PIN = "rollback-target:" + SVC;
  static final RolloutStrategy SWITCH =
      Strategies.blueGreen().scaleDownDelay(Duration.ZERO).build();

  @TempDir Path dir;

  final VirtualClock clock = VirtualClock.create();
  VirtualScheduler scheduler = VirtualScheduler.on(clock);
  final FakeFleet fleet = FakeFleet.create();
  final FakeRouter router = FakeRouter.create(clock).watch(fleet);
  final InMemoryArtifactStore store = InMemoryArtifactStore.create();

  Release release(String label) {
    return release(SVC, label);
  }

  Release release(String service, String label) {
    return Release.of(
            service,
            store.push(
                "revisions.test/" + service,
                label,
                (service + ":" + label).getBytes(StandardCharsets.UTF_8)),
            ConfigRef.of(Map.of()))
        .withLabel(label);
  }

  /** One process life: open the journal, build an engine (which recovers), run work, close. */
  <T> T life(Consumer<Cutover.Builder> configure, Function<Cutover, T> work) {
    scheduler = VirtualScheduler.on(clock);
    try (FileJournal journal =
        FileJournal.builder(dir)
            .durability(DurabilityMode.OS_BUFFERED)
            .compactAfterSegments(0)
            .open()) {
      Cutover.Builder b =
          Cutover.builder()
              .clock(clock)
              .scheduler(scheduler)
              .providerExecutor(Runnable::run)
              .journal(journal)
              .fleet(fleet)
              .router(router)
              .artifactStore(store);
      configure.accept(b);
      try (Cutover cutover = b.build()) {
        scheduler.runUntilIdle();
        return work.apply(cutover);
      }
    }
  }

  <T> T life(Function<Cutover, T> work) {
    return life(b -> {}, work);
  }

  RolloutStatus run(Rollout r) {
    scheduler.runUntil(() -> r.status().state().isTerminal(), Duration.ofHours(1));
    return r.status();
  }

  void deploy(Cutover c, Release target) {
    assertThat(run(c.deploy(SWITCH, target, 2)).state()).isEqualTo(RolloutState.SUCCEEDED);
  }

  /** Adopts v1 and deploys v2..v{n}; returns v1..v{n}. */
  List<Release> deployChain(Cutover c, int n) {
    List<Release> all = new ArrayList<>();
    Release v1 = release("v1");
    all.add(v1);
    fleet.launch(new OperationId("setup/v1"), v1, 2);
    c.adopt(v1, 2);
    for (int i = 2; i <= n; i++) {
      Release v = release("v" + i);
      all.add(v);
      deploy(c, v);
    }
    return all;
  }

  static List<Release> newestFirst(List<Release> releases) {
    List<Release> out = new ArrayList<>(releases);
    java.util.Collections.reverse(out);
    return out;
  }

  @Test
  @DisplayName(
      "keeps 10 revisions by default, newest first; exactly those stay pinned as rollback targets")
  void defaultLimitAndPins() {
    life(
        c -> {
          List<Release> all = deployChain(c, 13);
          // stable v13; revisions v12 .. v3; v2 and v1 left the history
          List<Release> expected = newestFirst(all.subList(2, 12));
          assertThat(c.revisions(SVC)).containsExactlyElementsOf(expected);
          for (Release r : expected) {
            assertThat(store.pins(r.artifact())).as(r.label()).containsExactly(PIN);
          }
          assertThat(store.pins(all.get(0).artifact())).as("v1").isEmpty();
          assertThat(store.pins(all.get(1).artifact())).as("v2").isEmpty();
          assertThat(store.pins(all.get(12).artifact())).containsExactly("stable:" + SVC);
          return null;
        });
  }

  @Test
  @DisplayName("a service's own limit wins over the default; other services keep the default")
  void perServiceLimit() {
    life(
        b -> b.revisionHistoryLimit(SVC, 2).revisionHistoryLimit(3),
        c -> {
          List<Release> all = deployChain(c, 6);
          assertThat(c.revisions(SVC)).containsExactly(all.get(4), all.get(3));
          assertThat(store.pins(all.get(2).artifact())).as("v3 left the history").isEmpty();

          Release p1 = release("payments", "p1");
          fleet.launch(new OperationId("setup/p1"), p1, 2);
          c.adopt(p1, 2);
          List<Release> payments = new ArrayList<>(List.of(p1));
          for (int i = 2; i <= 6; i++) {
            Release p = release("payments", "p" + i);
            payments.add(p);
            assertThat(run(c.deploy(SWITCH, p, 2)).state()).isEqualTo(RolloutState.SUCCEEDED);
          }
          assertThat(c.revisions("payments"))
              .containsExactly(payments.get(4), payments.get(3), payments.get(2));
          return null;
        });
  }

  @Test
  @DisplayName(
      "rolls back to a chosen revision; an id outside the history is refused naming the revisions")
  void rollbackToRevision() {
    life(
        c -> {
          List<Release> all = deployChain(c, 4);
          assertThatThrownBy(() -> c.rollback(SVC, "nope"))
              .isInstanceOf(InvalidSpecException.class)
              .hasMessageContaining("releaseId")
              .hasMessageContaining("not in the revision history")
              .hasMessageContaining(all.get(1).id());
          assertThat(run(c.rollback(SVC, all.get(1).id())).state())
              .isEqualTo(RolloutState.SUCCEEDED);
          assertThat(c.stable(SVC)).contains(all.get(1));
          // the release rolled back from becomes the newest revision; v2 is stable now
          assertThat(c.revisions(SVC)).containsExactly(all.get(3), all.get(2), all.get(0));
          assertThat(store.pins(all.get(1).artifact())).containsExactly("stable:" + SVC);
          assertThat(store.pins(all.get(3).artifact())).containsExactly(PIN);
          return null;
        });
  }

  @Test
  @DisplayName(
      "after a restart the revisions, the finished rollouts and rollback come back from the journal")
  void restoredAfterRestart() {
    List<String> ids = new ArrayList<>();
    List<Release> all =
        life(
            c -> {
              List<Release> chain = deployChain(c, 5);
              c.history(SVC).forEach(s -> ids.add(s.rolloutId()));
              return chain;
            });
    assertThat(ids).hasSize(4);
    life(
        c -> {
          assertThat(c.stable(SVC)).contains(all.get(4));
          assertThat(c.revisions(SVC)).containsExactlyElementsOf(newestFirst(all.subList(0, 4)));
          assertThat(c.history(SVC))
              .extracting(RolloutStatus::rolloutId)
              .containsExactlyElementsOf(ids);
          assertThat(c.history(SVC))
              .allSatisfy(
                  s -> {
                    assertThat(s.state()).isEqualTo(RolloutState.SUCCEEDED);
                    assertThat(s.split()).isNotNull();
                    assertThat(s.split().weight(s.targetReleaseId())).isEqualTo(10_000);
                  });
          assertThat(c.status(ids.get(0)))
              .get()
              .extracting(RolloutStatus::state)
              .isEqualTo(RolloutState.SUCCEEDED);
          assertThat(run(c.rollback(SVC, all.get(0).id())).state())
              .isEqualTo(RolloutState.SUCCEEDED);
          assertThat(c.stable(SVC)).contains(all.get(0));
          return null;
        });
  }

  @Test
  @DisplayName(
      "the journaled revisions survive compaction, which keeps only the latest rollouts' records")
  void survivesCompaction() {
    List<Release> all =
        life(
            c -> {
              List<Release> chain = deployChain(c, 6);
              ((FileJournal) c.journal()).compact();
              return chain;
            });
    life(
        c -> {
          // v2..v4's rollouts were compacted into summaries: only the ENDED record of v6 tells
          assertThat(c.revisions(SVC)).containsExactlyElementsOf(newestFirst(all.subList(0, 5)));
          List<String> replayed = new ArrayList<>();
          c.journal()
              .replay(
                  0,
                  r -> {
                    if (r.type() == JournalRecord.Type.CREATED) {
                      replayed.add(r.rolloutId());
                    }
                  });
          assertThat(replayed).as("compaction dropped older rollouts").hasSizeLessThan(5);
          return null;
        });
  }

  @Test
  @DisplayName(
      "a restart repairs missing rollback-target pins, and a lower limit unpins what it drops")
  void restartRepairsPinsAndAppliesLowerLimit() {
    List<Release> all = life(c -> deployChain(c, 5));
    // as if the engine died between the ENDED record and its pin update
    store.unpin(all.get(3).artifact(), PIN);
    life(
        c -> {
          assertThat(store.pins(all.get(3).artifact())).containsExactly(PIN);
          return null;
        });
    life(
        b -> b.revisionHistoryLimit(2),
        c -> {
          assertThat(c.revisions(SVC)).containsExactly(all.get(3), all.get(2));
          assertThat(store.pins(all.get(3).artifact())).containsExactly(PIN);
          assertThat(store.pins(all.get(2).artifact())).containsExactly(PIN);
          assertThat(store.pins(all.get(1).artifact())).isEmpty();
          assertThat(store.pins(all.get(0).artifact())).isEmpty();
          return null;
        });
  }

  @Test
  @DisplayName("refuses a limit below 1 and a service limit set twice, naming the option")
  void refusesBadLimits() {
    assertThatThrownBy(() -> Cutover.builder().revisionHistoryLimit(0))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("revisionHistoryLimit")
        .hasMessageContaining("at least 1");
    assertThatThrownBy(
            () -> Cutover.builder().revisionHistoryLimit(SVC, 2).revisionHistoryLimit(SVC, 3))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("revisionHistoryLimit." + SVC);
  }
}
