// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.cutover.api.ArtifactRef;
import io.cutover.api.Digest;
import io.cutover.api.Release;
import io.cutover.api.rollout.RolloutState;
import io.cutover.core.Cutover;
import io.cutover.core.Rollout;
import io.cutover.core.journal.DurabilityMode;
import io.cutover.core.journal.FileJournal;
import io.cutover.core.strategy.Strategies;
import io.cutover.simulator.FakeFleet;
import io.cutover.simulator.FakeRouter;
import io.cutover.simulator.VirtualClock;
import io.cutover.simulator.VirtualScheduler;
import io.cutover.spi.OperationId;
import io.cutover.spi.RolloutStrategy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An engine restarted on a durable journal between rollouts, where a process can die between two
 * journal writes that the in-process crash injection never separates (a lease change and a record),
 * or after compaction summarised the rollouts that told the engine a service's stable release.
 */
class RestartWithFileJournalTest {
  static final String SVC = "orders";
  static final RolloutStrategy SWITCH =
      Strategies.blueGreen().scaleDownDelay(Duration.ZERO).build();

  @TempDir Path dir;

  final VirtualClock clock = VirtualClock.create();

  /** The current process's scheduler: a new one per life, so nothing of a dead engine runs on. */
  VirtualScheduler scheduler = VirtualScheduler.on(clock);

  final FakeFleet fleet = FakeFleet.create();
  final FakeRouter router = FakeRouter.create(clock).watch(fleet);
  final Release v1 = release("v1");
  final Release v2 = release("v2");
  final Release v3 = release("v3");

  Release release(String label) {
    return Release.of(SVC, ArtifactRef.parse("crash.test/" + SVC + "@" + Digest.sha256(label)))
        .withLabel(label);
  }

  Cutover engine(FileJournal journal) {
    return Cutover.builder()
        .allowUnverifiedArtifacts()
        .clock(clock)
        .scheduler(scheduler)
        .providerExecutor(Runnable::run)
        .journal(journal)
        .fleet(fleet)
        .router(router)
        .build();
  }

  /**
   * Opens the journal, builds an engine (which resumes), runs {@code work}, closes both: one
   * process life.
   */
  <T> T life(Function<Cutover, T> work) {
    scheduler = VirtualScheduler.on(clock);
    try (FileJournal journal =
            FileJournal.builder(dir)
                .durability(DurabilityMode.OS_BUFFERED)
                .segmentSize(4096)
                .compactAfterSegments(0)
                .open();
        Cutover cutover = engine(journal)) {
      return work.apply(cutover);
    }
  }

  RolloutState deploy(Cutover cutover, Release target) {
    Rollout r = cutover.deploy(SWITCH, target, 2);
    scheduler.runUntil(() -> r.status().state().isTerminal(), Duration.ofHours(1));
    return r.status().state();
  }

  void adoptV1(Cutover cutover) {
    fleet.launch(new OperationId("setup/v1"), v1, 2);
    cutover.adopt(v1, 2);
  }

  @Test
  @DisplayName(
      "a lease still held by an ended rollout (died after ENDED, before the release) does not block the service")
  void leaseOfEndedRollout() {
    String first =
        life(
            c -> {
              adoptV1(c);
              Rollout r = c.deploy(SWITCH, v2, 2);
              scheduler.runUntil(() -> r.status().state().isTerminal(), Duration.ofHours(1));
              // the process dies after the ENDED record and before releaseLease: the lease entry is
              // still there
              c.journal().tryLease(SVC, r.id());
              return r.id();
            });
    life(
        c -> {
          assertThat(c.journal().leaseHolder(SVC))
              .as("the ended rollout's lease is released on resume")
              .isEmpty();
          assertThat(c.stable(SVC)).contains(v2);
          assertThat(deploy(c, v3)).isEqualTo(RolloutState.SUCCEEDED);
          return first;
        });
  }

  @Test
  @DisplayName(
      "a lease taken by a rollout whose CREATED record never became durable does not block the service")
  void leaseWithoutRecords() {
    life(
        c -> {
          adoptV1(c);
          // start() took the lease, then the process died before the CREATED record was durable
          return c.journal().tryLease(SVC, SVC + "-ghost-1");
        });
    life(
        c -> {
          adoptV1(c);
          assertThat(deploy(c, v2)).isEqualTo(RolloutState.SUCCEEDED);
          return null;
        });
  }

  @Test
  @DisplayName(
      "a restarted engine whose clock shows the same millisecond does not reuse a journaled rollout id")
  void noRolloutIdReuse() {
    String first =
        life(
            c -> {
              adoptV1(c);
              return c.deploy(SWITCH, v2, 2).id();
            });
    // the clock has not moved: the new engine's first id would be the same as the old engine's
    // first
    String second =
        life(
            c -> {
              assertThat(c.activeRollouts()).extracting(Rollout::id).containsExactly(first);
              scheduler.runUntil(() -> c.activeRollouts().isEmpty(), Duration.ofHours(1));
              assertThat(c.stable(SVC)).contains(v2);
              Rollout r = c.deploy(SWITCH, v3, 2);
              scheduler.runUntil(() -> r.status().state().isTerminal(), Duration.ofHours(1));
              assertThat(r.status().state()).isEqualTo(RolloutState.SUCCEEDED);
              return r.id();
            });
    assertThat(second).isNotEqualTo(first);
  }

  @Test
  @DisplayName(
      "after compaction summarised a service's rollouts, a restarted engine still knows its stable release")
  void stableSurvivesCompaction() {
    life(
        c -> {
          adoptV1(c);
          assertThat(deploy(c, v2)).isEqualTo(RolloutState.SUCCEEDED);
          ((FileJournal) c.journal()).compact();
          return null;
        });
    life(
        c -> {
          assertThat(c.stable(SVC)).contains(v2);
          assertThat(deploy(c, v3)).isEqualTo(RolloutState.SUCCEEDED);
          assertThat(((FileJournal) c.journal()).history(SVC))
              .extracting(s -> s.target())
              .containsExactly(v2.id(), v3.id());
          return null;
        });
  }
}
