// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.ArtifactRef;
import io.cutover.api.ConfigRef;
import io.cutover.api.Instance;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.api.rollout.RolloutState;
import io.cutover.api.rollout.RolloutStatus;
import io.cutover.core.Cutover;
import io.cutover.core.Rollout;
import io.cutover.core.RolloutOptions;
import io.cutover.core.journal.InMemoryJournal;
import io.cutover.core.strategy.Strategies;
import io.cutover.simulator.FakeFleet;
import io.cutover.simulator.FakeRouter;
import io.cutover.simulator.InMemoryArtifactStore;
import io.cutover.simulator.RolloutHarness;
import io.cutover.simulator.VirtualScheduler;
import io.cutover.spi.Fleet;
import io.cutover.spi.OperationId;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.AbstractList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Hostile durations and unexpected exceptions inside the engine (issue 11, item 7). */
@DisplayName("The engine under faults")
class EngineFaultsTest {
  static final String SVC = "checkout";

  @Test
  @DisplayName(
      "a canary pausing Long.MAX_VALUE/2 seconds is refused before anything runs, naming the maximum")
  void hugePauseRefusedAtValidation() {
    RolloutHarness h = RolloutHarness.create();
    Release v1 = h.release(SVC, "v1");
    Release v2 = h.release(SVC, "v2");
    h.cutover().adopt(v1, 2);
    h.fleet().launch(new OperationId("setup/v1"), v1, 2);

    assertThatThrownBy(
            () ->
                h.deploy(
                    Strategies.canary()
                        .setWeight(10)
                        .pause(Duration.ofSeconds(Long.MAX_VALUE / 2))
                        .setWeight(50)
                        .build(),
                    v2,
                    2))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("pause.duration")
        .hasMessageContaining("longer than the maximum 365d")
        .hasMessageContaining("pause until approval");
    assertThat(h.cutover().activeRollouts()).isEmpty();
    assertThat(h.fleet().instances(SVC)).allMatch(i -> i.releaseId().equals(v1.id()));
  }

  /**
   * A transition that throws on the mailbox (here: the fleet hands back a launch result that cannot
   * be read) used to be logged and dropped, leaving the rollout PROGRESSING with no timer: aborted
   * ten minutes later for a misleading reason, or never with a long deadline.
   */
  @ParameterizedTest(name = "progress deadline {0} days")
  @ValueSource(ints = {0, 365})
  @DisplayName(
      "an unexpected exception in a transition aborts to stable at once with the real reason")
  void throwingTransitionAborts(int deadlineDays) {
    VirtualScheduler scheduler = VirtualScheduler.create();
    FakeFleet fleet = FakeFleet.create();
    FakeRouter router = FakeRouter.create(scheduler.clock()).watch(fleet);
    InMemoryArtifactStore store = InMemoryArtifactStore.create();
    Cutover.Builder b =
        Cutover.builder()
            .clock(scheduler.clock())
            .scheduler(scheduler)
            .providerExecutor(Runnable::run)
            .journal(InMemoryJournal.create())
            .fleet(new UnreadableLaunch(fleet, "v2"))
            .router(router)
            .artifactStore(store);
    if (deadlineDays > 0) {
      b.defaultOptions(RolloutOptions.DEFAULT.withProgressDeadline(Duration.ofDays(deadlineDays)));
    }
    Cutover cutover = b.build();
    Release v1 = release(store, "v1");
    Release v2 = release(store, "v2");
    cutover.adopt(v1, 2);
    fleet.launch(new OperationId("setup/v1"), v1, 2);

    Rollout r =
        cutover.deploy(
            Strategies.canary().setWeight(10).pause(Duration.ofMinutes(5)).setWeight(50).build(),
            v2,
            2);
    // Virtual time: a minute is far less than the 10-minute default deadline.
    scheduler.runUntil(() -> r.status().state().isTerminal(), Duration.ofMinutes(1));
    scheduler.assertNoTaskFailures();

    RolloutStatus s = r.status();
    assertThat(s.state()).isEqualTo(RolloutState.ABORTED);
    assertThat(s.reason())
        .contains("internal error: IllegalStateException: injected: unreadable result")
        .doesNotContain("progress deadline");
    assertThat(router.current(SVC)).contains(TrafficSplit.all(v1.id()));
    assertThat(fleet.instancesOf(v2.id())).isEmpty();
  }

  private static Release release(InMemoryArtifactStore store, String label) {
    ArtifactRef ref =
        store.push(
            "cutover.test/" + SVC, label, (SVC + ":" + label).getBytes(StandardCharsets.UTF_8));
    return Release.of(SVC, ref, ConfigRef.of(Map.of())).withLabel(label);
  }

  /** Delegates to the harness's fleet; a launch of the named release returns an unreadable list. */
  private record UnreadableLaunch(Fleet real, String label) implements Fleet {
    @Override
    public List<Instance> launch(OperationId op, Release release, int replicas) {
      List<Instance> list = real.launch(op, release, replicas);
      if (!label.equals(release.label())) {
        return list;
      }
      return new AbstractList<>() {
        @Override
        public Instance get(int index) {
          throw new IllegalStateException("injected: unreadable result");
        }

        @Override
        public int size() {
          throw new IllegalStateException("injected: unreadable result");
        }
      };
    }

    @Override
    public List<Instance> scale(OperationId op, Release release, int replicas) {
      return real.scale(op, release, replicas);
    }

    @Override
    public void drain(OperationId op, Release release) {
      real.drain(op, release);
    }

    @Override
    public void retire(OperationId op, Release release) {
      real.retire(op, release);
    }

    @Override
    public List<Instance> instances(String service) {
      return real.instances(service);
    }
  }
}
