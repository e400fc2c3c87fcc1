// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.Instance;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.api.rollout.RolloutState;
import io.cutover.api.rollout.RolloutStatus;
import io.cutover.core.Cutover;
import io.cutover.core.Rollout;
import io.cutover.core.strategy.Strategies;
import io.cutover.spi.OperationId;
import io.cutover.spi.PlanRequest;
import io.cutover.spi.RolloutStrategy;
import io.cutover.testfixtures.PostgresServer;
import io.cutover.testkit.crash.CrashScenario;
import io.cutover.testkit.crash.Effect;
import io.cutover.testkit.crash.RecordingWorld;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release history is shared across engine replicas through the journal on a real PostgreSQL: a
 * rollout that succeeds on replica A makes A's target the service's stable release on replica B
 * too, though B only ever knew the release before it. B plans its next rollout from A's release,
 * its router splits name it, its revision history lists it, a plan from B's old stable release is
 * refused without holding the lease, and A in turn learns B's result.
 */
class SharedReleaseHistoryTest {
  private static final String SVC = "payments";
  private static final RolloutStrategy CANARY =
      Strategies.canary()
          .setWeight(25)
          .setWeight(50)
          .scaleDownDelay(Duration.ofMillis(100))
          .build();

  @Test
  @DisplayName(
      "a rollout finished on replica A makes its release the stable one on replica B: B plans from"
          + " it, routes to it, lists it as a revision, and refuses a plan from its old stable")
  void replicaPlansFromTheReleaseAnotherReplicaDeployed(@TempDir Path dir) throws Exception {
    PostgresServer server = SharedPostgres.server();
    String schema = SharedPostgres.freshSchema("history");
    try (RecordingWorld world = RecordingWorld.open(dir.resolve("effects.log"));
        ReplicaJournal ja = ReplicaJournal.of(SharedPostgres.journal(server, schema, "a").open());
        ReplicaJournal jb = ReplicaJournal.of(SharedPostgres.journal(server, schema, "b").open());
        Cutover a = engine(ja, world);
        Cutover b = engine(jb, world)) {
      Release v1 = CrashScenario.release(SVC, "v1");
      Release v2 = CrashScenario.release(SVC, "v2");
      Release v3 = CrashScenario.release(SVC, "v3");
      List<Instance> units = world.fleet().launch(new OperationId("setup/launch"), v1, 2);
      world
          .router()
          .apply(
              new OperationId("setup/route"),
              SVC,
              TrafficSplit.all(v1.id()),
              Map.of(v1.id(), units));
      // Both replicas know v1 runs; only A will see its own rollout end.
      a.adopt(v1, 2);
      b.adopt(v1, 2);

      Rollout first = a.deploy(CANARY, v2, 2);
      assertThat(first.plan().stable()).isEqualTo(v1);
      assertThat(first.completion().toCompletableFuture().get(60, TimeUnit.SECONDS).state())
          .isEqualTo(RolloutState.SUCCEEDED);

      // B never ran that rollout; its plan from its old stable release v1 is refused, and the
      // refusal leaves the service free.
      assertThatThrownBy(
              () -> b.start(CANARY.plan(new PlanRequest(v1, v3, 2))),
              "a plan from the stable release B knew before A's rollout")
          .isInstanceOfSatisfying(
              InvalidSpecException.class,
              e -> assertThat(e.getMessage()).contains("runs " + v2.id()));
      assertThat(jb.leaseHolder(SVC)).isEmpty();

      // B deploys from A's release.
      assertThat(b.stable(SVC)).contains(v2);
      Rollout second = b.deploy(CANARY, v3, 2);
      assertThat(second.plan().stable()).isEqualTo(v2);
      RolloutStatus done = second.completion().toCompletableFuture().get(60, TimeUnit.SECONDS);
      assertThat(done.state()).isEqualTo(RolloutState.SUCCEEDED);
      assertThat(done.stableReleaseId()).isEqualTo(v2.id());
      List<Map<String, Integer>> splits =
          world.effects().stream()
              .filter(e -> e.kind() == Effect.Kind.ROUTE)
              .filter(e -> e.rolloutId().equals(second.id()))
              .map(Effect::weights)
              .toList();
      assertThat(splits).as("B's router splits").isNotEmpty();
      assertThat(splits.get(0))
          .as("B's first canary split: 25 %% to v3, the rest to A's release v2")
          .containsEntry(v3.id(), 2_500)
          .containsEntry(v2.id(), 7_500)
          .doesNotContainKey(v1.id());
      assertThat(b.revisions(SVC)).containsExactly(v2, v1);

      // And back: A learns B's result.
      assertThat(a.stable(SVC)).contains(v3);
      assertThat(a.rollback(SVC).plan().target()).isEqualTo(v2);
    }
  }

  private static Cutover engine(ReplicaJournal journal, RecordingWorld world) {
    return Cutover.builder()
        .allowUnverifiedArtifacts()
        .journal(journal)
        .fleet(world.fleet())
        .router(world.router())
        .build();
  }
}
