// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.engine;

import static io.cutover.testkit.CutoverAssertions.assertThat;
import static io.cutover.testkit.CutoverAssertions.assertThatThrownBy;

import io.cutover.api.ArtifactRef;
import io.cutover.api.Digest;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.Release;
import io.cutover.api.VerificationException;
import io.cutover.api.rollout.RolloutState;
import io.cutover.core.Cutover;
import io.cutover.core.Rollout;
import io.cutover.core.strategy.Strategies;
import io.cutover.simulator.FakeFleet;
import io.cutover.simulator.FakeRouter;
import io.cutover.simulator.InMemoryArtifactStore;
import io.cutover.simulator.RolloutHarness;
import io.cutover.simulator.VirtualClock;
import io.cutover.simulator.VirtualScheduler;
import io.cutover.spi.ArtifactVerifier;
import io.cutover.spi.JournalRecord;
import io.cutover.spi.OperationId;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Verification is never silently skipped (issue 12): an engine without an artifact store is an
 * explicit choice, and a rollout that continues after a restart has its artifact verified again.
 */
@DisplayName("Artifact verification choices")
class UnverifiedArtifactsTest {
  static final String SVC = "checkout";
  final VirtualClock clock = VirtualClock.create();
  final FakeFleet fleet = FakeFleet.create();
  final FakeRouter router = FakeRouter.create(clock).watch(fleet);

  @Test
  @DisplayName(
      "an engine without an artifact store is refused unless allowUnverifiedArtifacts() says so")
  void refusedWithoutTheChoice() {
    assertThatThrownBy(() -> Cutover.builder().fleet(fleet).router(router).build())
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("artifactStore")
        .hasMessageContaining("unverified")
        .hasMessageContaining("allowUnverifiedArtifacts()");
    assertThatThrownBy(
            () ->
                Cutover.builder()
                    .fleet(fleet)
                    .router(router)
                    .artifactStore(InMemoryArtifactStore.create())
                    .allowUnverifiedArtifacts()
                    .build())
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("allowUnverifiedArtifacts")
        .hasMessageContaining("remove one of the two");
  }

  @Test
  @DisplayName(
      "with the choice made, a rollout runs and journals that it was unverified on purpose")
  void unverifiedOnPurpose() {
    VirtualScheduler scheduler = VirtualScheduler.on(clock);
    Release v1 = Release.of(SVC, ArtifactRef.parse("unverified.test/app@" + Digest.sha256("v1")));
    Release v2 = Release.of(SVC, ArtifactRef.parse("unverified.test/app@" + Digest.sha256("v2")));
    try (Cutover cutover =
        Cutover.builder()
            .allowUnverifiedArtifacts()
            .clock(clock)
            .scheduler(scheduler)
            .providerExecutor(Runnable::run)
            .fleet(fleet)
            .router(router)
            .build()) {
      fleet.launch(new OperationId("setup/v1"), v1, 2);
      cutover.adopt(v1, 2);
      Rollout r = cutover.deploy(Strategies.canary().setWeight(50).build(), v2, 2);
      scheduler.runUntil(() -> r.status().state().isTerminal(), Duration.ofHours(1));
      assertThat(r.status().state()).isEqualTo(RolloutState.SUCCEEDED);
      JournalRecord created = cutover.journal().records(r.id()).get(0);
      assertThat(created.payload())
          .contains("unverified on purpose (allowUnverifiedArtifacts, no artifact store)");
    }
  }

  @Test
  @DisplayName(
      "a rollout resumed after a restart is verified again; if its artifact fails now, it aborts"
          + " to stable with the reason")
  void reverifiedOnResume() {
    AtomicBoolean revoked = new AtomicBoolean();
    ArtifactVerifier verifier =
        (ref, store) -> {
          if (revoked.get()) {
            throw new VerificationException(ref.toString(), List.of("signing key revoked"));
          }
          return List.of("signed by the release key");
        };
    RolloutHarness h = RolloutHarness.builder().configure(b -> b.verifier(verifier)).build();
    Release v1 = h.release(SVC, "v1");
    Release v2 = h.release(SVC, "v2");
    h.cutover().adopt(v1, 2);
    h.fleet().launch(new OperationId("setup/v1"), v1, 2);
    Rollout ro = h.cutover().deploy(Strategies.canary().setWeight(20).pause().build(), v2, 2);
    h.runFor(ro, Duration.ofMinutes(1));
    assertThat(h.router().current(SVC).orElseThrow().weight(v2.id())).isEqualTo(2000);

    revoked.set(true);
    List<Rollout> resumed = h.restart();
    assertThat(resumed).hasSize(1);
    assertThat(h.run(resumed.get(0)))
        .wasAborted()
        .hasReasonContaining("failed verification again")
        .hasReasonContaining("signing key revoked")
        .endedWithAllTrafficOn(v1);
    assertThat(h.fleet().instancesOf(v2.id())).isEmpty();
  }

  @Test
  @DisplayName("a rollout resumed after a restart whose artifact still verifies continues")
  void continuesWhenStillValid() {
    ArtifactVerifier verifier = (ref, store) -> List.of("signed by the release key");
    RolloutHarness h = RolloutHarness.builder().configure(b -> b.verifier(verifier)).build();
    Release v1 = h.release(SVC, "v1");
    Release v2 = h.release(SVC, "v2");
    h.cutover().adopt(v1, 2);
    h.fleet().launch(new OperationId("setup/v1"), v1, 2);
    Rollout ro = h.cutover().deploy(Strategies.canary().setWeight(20).pause().build(), v2, 2);
    h.runFor(ro, Duration.ofMinutes(1));
    List<Rollout> resumed = h.restart();
    assertThat(h.runFor(resumed.get(0), Duration.ofMinutes(1))).hasState(RolloutState.PAUSED);
    h.cutover().approve(resumed.get(0).id());
    assertThat(h.run(resumed.get(0))).succeeded().endedWithAllTrafficOn(v2);
  }
}
