// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.cutover.api.ArtifactRef;
import io.cutover.api.Digest;
import io.cutover.api.InstanceState;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.api.rollout.RolloutState;
import io.cutover.api.rollout.RolloutStatus;
import io.cutover.core.Cutover;
import io.cutover.core.Rollout;
import io.cutover.core.journal.InMemoryJournal;
import io.cutover.core.strategy.Strategies;
import io.cutover.simulator.FakeFleet;
import io.cutover.simulator.FakeRouter;
import io.cutover.simulator.VirtualScheduler;
import io.cutover.spi.JournalRecord;
import io.cutover.spi.OperationId;
import io.cutover.spi.OwnershipLostException;
import io.cutover.spi.ReplicaEngine;
import io.cutover.spi.RolloutStrategy;
import io.cutover.spi.SharedJournal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The engine's side of a journal shared by replicas ({@link SharedJournal}): a rollout whose
 * ownership moved stands down on the old engine (no record, no effect, no abort) and continues on
 * the engine that takes it over ({@link Cutover#resumeFromJournal(String)}). Both engines share one
 * in-memory journal and one fake world on one virtual scheduler.
 */
class StandDownTest {
  private static final String SVC = "checkout";

  /** One engine's view of the shared journal: refuses appends of rollouts it lost. */
  private static final class View implements SharedJournal {
    final InMemoryJournal journal;
    final String replica;
    final Set<String> lost = ConcurrentHashMap.newKeySet();
    @Nullable ReplicaEngine engine;

    View(InMemoryJournal journal, String replica) {
      this.journal = journal;
      this.replica = replica;
    }

    @Override
    public String replica() {
      return replica;
    }

    @Override
    public void attach(ReplicaEngine engine) {
      this.engine = engine;
    }

    @Override
    public CompletableFuture<Void> sendCommand(
        String rolloutId, String command, @Nullable String argument) {
      return CompletableFuture.failedFuture(new UnsupportedOperationException("not in this test"));
    }

    @Override
    public JournalRecord append(JournalRecord record) {
      if (lost.contains(record.rolloutId())) {
        throw new OwnershipLostException(
            "test", "append", replica + " lost " + record.rolloutId(), null);
      }
      return journal.append(record);
    }

    @Override
    public void replay(long fromSequence, Consumer<JournalRecord> consumer) {
      journal.replay(fromSequence, consumer);
    }

    @Override
    public List<JournalRecord> records(String rolloutId) {
      return journal.records(rolloutId);
    }

    @Override
    public boolean tryLease(String service, String rolloutId) {
      return journal.tryLease(service, rolloutId);
    }

    @Override
    public Optional<String> leaseHolder(String service) {
      return journal.leaseHolder(service);
    }

    @Override
    public Optional<String> leaseHolderReplica(String service) {
      return journal.leaseHolder(service).map(id -> "replica-of-" + id);
    }

    @Override
    public void releaseLease(String service, String rolloutId) {
      journal.releaseLease(service, rolloutId);
    }

    @Override
    public void close() {}
  }

  private static Release release(String label) {
    return Release.of(SVC, ArtifactRef.parse("reg.test/" + SVC + "@" + Digest.sha256(label)))
        .withLabel(label);
  }

  @Test
  @DisplayName(
      "an engine told it lost a rollout stands down without a record, an effect or an abort; the"
          + " engine that takes it over resumes it to success")
  void standDownThenTakeOver() throws Exception {
    VirtualScheduler scheduler = VirtualScheduler.create();
    FakeFleet fleet = FakeFleet.create();
    FakeRouter router = FakeRouter.create(scheduler.clock()).watch(fleet);
    InMemoryJournal shared = InMemoryJournal.create();
    View a = new View(shared, "a");
    View b = new View(shared, "b");
    Cutover engineA = engine(scheduler, fleet, router, a);
    Cutover engineB = engine(scheduler, fleet, router, b);
    assertThat(a.engine).as("the engine attached itself to its shared journal").isNotNull();
    assertThat(b.engine).isNotNull();

    Release v1 = release("v1");
    fleet.launch(new OperationId("setup/launch"), v1, 2);
    router.apply(
        new OperationId("setup/route"),
        SVC,
        TrafficSplit.all(v1.id()),
        Map.of(
            v1.id(),
            fleet.instances(SVC).stream().filter(i -> i.state() == InstanceState.READY).toList()));
    engineA.adopt(v1, 2);
    Release v2 = release("v2");
    RolloutStrategy canary =
        Strategies.canary().setWeight(20).pause(Duration.ofMinutes(10)).setWeight(60).build();
    Rollout r = engineA.deploy(canary, v2, 2);
    scheduler.advance(Duration.ofMinutes(1));
    assertThat(router.current(SVC).orElseThrow().percent(v2.id())).isEqualTo(20.0);

    // Another replica took the rollout over while A waited in the pause.
    a.lost.add(r.id());
    int records = shared.records(r.id()).size();
    scheduler.advance(Duration.ofMinutes(15));

    CompletableFuture<RolloutStatus> onA = r.completion().toCompletableFuture();
    assertThat(onA).isCompletedExceptionally();
    try {
      onA.get();
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(OwnershipLostException.class);
    }
    assertThat(engineA.activeRollouts()).isEmpty();
    assertThat(shared.records(r.id())).hasSize(records);
    assertThat(shared.records(r.id()))
        .extracting(JournalRecord::type)
        .doesNotContain(JournalRecord.Type.ENDED);
    assertThat(router.current(SVC).orElseThrow().percent(v2.id()))
        .as("no effect after the loss: traffic stays where it was")
        .isEqualTo(20.0);
    assertThat(shared.leaseHolder(SVC)).contains(r.id());

    Optional<Rollout> resumed = engineB.resumeFromJournal(r.id());
    assertThat(resumed).isPresent();
    assertThat(engineB.resumeFromJournal(r.id())).as("already active on B").isEmpty();
    scheduler.runUntil(
        () -> resumed.get().completion().toCompletableFuture().isDone(), Duration.ofHours(1));
    assertThat(resumed.get().completion().toCompletableFuture().get().state())
        .isEqualTo(RolloutState.SUCCEEDED);
    assertThat(router.current(SVC)).contains(TrafficSplit.all(v2.id()));
    assertThat(shared.leaseHolder(SVC)).isEmpty();
    scheduler.assertNoTaskFailures();
  }

  private static Cutover engine(
      VirtualScheduler scheduler, FakeFleet fleet, FakeRouter router, View journal) {
    return Cutover.builder()
        .clock(scheduler.clock())
        .scheduler(scheduler)
        .providerExecutor(Runnable::run)
        .journal(journal)
        .fleet(fleet)
        .router(router)
        .allowUnverifiedArtifacts()
        .build();
  }
}
