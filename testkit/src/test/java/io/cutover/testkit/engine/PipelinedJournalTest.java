// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.cutover.api.ArtifactRef;
import io.cutover.api.Digest;
import io.cutover.api.Instance;
import io.cutover.api.ProviderException;
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
import io.cutover.spi.Fleet;
import io.cutover.spi.Journal;
import io.cutover.spi.JournalRecord;
import io.cutover.spi.OperationId;
import io.cutover.spi.Router;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The engine on a journal whose {@code appendAsync} completes later (issue 14, P1d): the scheduler
 * thread hands records off and serves other rollouts, a rollout continues only once its record is
 * durable, no effect precedes its durable INTENT, and a failed append fails the rollout as a
 * failing blocking append does. The journal here is a test double around an {@link InMemoryJournal}
 * that holds records until the test "flushes" them, which makes the interleaving deterministic; the
 * real {@code FileJournal} is exercised by the crash campaign and the engine benchmark's durable
 * run.
 */
@DisplayName("The engine with pipelined journal appends")
class PipelinedJournalTest {
  private static final List<String> SERVICES = List.of("cart", "search", "checkout");

  @Test
  @DisplayName(
      "records of several rollouts are in flight together; effects wait for their INTENT; the"
          + " journal ends up exactly as with blocking appends")
  void pipelinesAcrossRollouts() {
    HeldJournal held = new HeldJournal(InMemoryJournal.create(), r -> false);
    World pipelined = World.run(held, true);
    World blocking = World.run(InMemoryJournal.create(), false);

    for (Rollout r : pipelined.rollouts) {
      assertThat(r.status().state()).isEqualTo(RolloutState.SUCCEEDED);
    }
    assertThat(pipelined.effectsChecked).isGreaterThan(SERVICES.size() * 3);
    assertThat(pipelined.effectBeforeIntent).isEmpty();
    // The scheduler thread did not wait for any one record: every flush the test made found
    // records of all three rollouts waiting to be made durable together.
    assertThat(held.flushes).isGreaterThan(3);
    assertThat(held.mostRolloutsInOneFlush).isEqualTo(SERVICES.size());
    assertThat(held.leastRolloutsInOneFlush).isEqualTo(SERVICES.size());
    assertThat(pipelined.journalByRollout()).isEqualTo(blocking.journalByRollout());
  }

  @Test
  @DisplayName(
      "a failed pipelined INTENT fails the rollout as a failing blocking append does, and its"
          + " effect is never issued")
  void failedIntentFailsTheRollout() {
    Predicate<JournalRecord> routeIntentOfStep1 =
        r ->
            r.type() == JournalRecord.Type.INTENT
                && r.operationId() != null
                && r.operationId().endsWith("/s1/route");
    World pipelined =
        World.run(new HeldJournal(InMemoryJournal.create(), routeIntentOfStep1), true);
    World blocking =
        World.run(new FailingJournal(InMemoryJournal.create(), routeIntentOfStep1), false);

    for (int i = 0; i < SERVICES.size(); i++) {
      RolloutStatus p = pipelined.rollouts.get(i).status();
      RolloutStatus b = blocking.rollouts.get(i).status();
      assertThat(p.state()).isEqualTo(RolloutState.ABORTED);
      assertThat(p.reason()).contains("journal refused the intent of").contains("/s1/route");
      assertThat(p.reason()).isEqualTo(b.reason());
    }
    assertThat(pipelined.effectBeforeIntent).isEmpty();
    assertThat(pipelined.routedOps).noneMatch(op -> op.endsWith("/s1/route"));
    assertThat(pipelined.journalByRollout()).isEqualTo(blocking.journalByRollout());
  }

  /** Three canaries on one virtual scheduler, with providers that check the write-ahead rule. */
  private static final class World {
    final VirtualScheduler scheduler = VirtualScheduler.create();

    /**
     * The engine's view of the scheduler: virtual time, but not a {@link
     * io.cutover.core.VirtualTimeScheduler}, so the engine does not hold time while records wait;
     * this test never advances time while one does ({@link #drive}), and "flushes" on its own
     * thread between tasks, which makes every interleaving deterministic.
     */
    final ScheduledExecutorService engineScheduler = new Unheld(scheduler);

    final Journal journal;
    final InMemoryJournal durable;
    final List<Rollout> rollouts = new ArrayList<>();
    final List<String> effectBeforeIntent = new ArrayList<>();
    final List<String> routedOps = new ArrayList<>();
    int effectsChecked;

    private World(Journal journal, InMemoryJournal durable) {
      this.journal = journal;
      this.durable = durable;
    }

    static World run(Journal journal, boolean held) {
      InMemoryJournal durable =
          journal instanceof HeldJournal h
              ? h.durable
              : journal instanceof FailingJournal f ? f.durable : (InMemoryJournal) journal;
      World w = new World(journal, durable);
      w.drive(held ? (HeldJournal) journal : null);
      return w;
    }

    /** Whether the durable journal holds the INTENT of {@code op}; recorded if not. */
    void checkIntent(OperationId op) {
      effectsChecked++;
      boolean[] found = {false};
      durable.replay(
          0,
          r -> {
            if (r.type() == JournalRecord.Type.INTENT && op.value().equals(r.operationId())) {
              found[0] = true;
            }
          });
      if (!found[0]) {
        effectBeforeIntent.add(op.value());
      }
    }

    void drive(HeldJournal held) {
      FakeFleet fakeFleet = FakeFleet.create();
      FakeRouter fakeRouter = FakeRouter.create(scheduler.clock()).watch(fakeFleet);
      Cutover cutover =
          Cutover.builder()
              .allowUnverifiedArtifacts()
              .clock(scheduler.clock())
              .scheduler(engineScheduler)
              .providerExecutor(Runnable::run)
              .journal(journal)
              .fleet(new CheckedFleet(fakeFleet, this))
              .router(new CheckedRouter(fakeRouter, this))
              .build();
      for (String svc : SERVICES) {
        Release v1 = release(svc, "v1");
        cutover.adopt(v1, 2);
        fakeFleet.launch(new OperationId("setup/" + svc), v1, 2);
      }
      for (String svc : SERVICES) {
        rollouts.add(
            cutover.deploy(
                Strategies.canary()
                    .setWeight(25)
                    .pause(Duration.ofMinutes(1))
                    .setWeight(50)
                    .pause(Duration.ofMinutes(1))
                    .build(),
                release(svc, "v2"),
                2));
      }
      for (int round = 0; round < 10_000 && !allEnded(); round++) {
        scheduler.runUntilIdle();
        if (held != null && held.waiting() > 0) {
          held.flush(); // the "fsync": every record handed over since the last one
          continue;
        }
        Optional<java.time.Instant> next = scheduler.nextDueTime();
        if (next.isEmpty()) {
          break;
        }
        scheduler.advanceTo(next.get());
      }
      scheduler.assertNoTaskFailures();
      assertThat(allEnded()).as("every rollout ended").isTrue();
    }

    boolean allEnded() {
      return rollouts.stream().allMatch(r -> r.status().state().isTerminal());
    }

    /** Each rollout's durable records as type, operation and payload, in order. */
    Map<String, List<String>> journalByRollout() {
      Map<String, List<String>> out = new LinkedHashMap<>();
      for (Rollout r : rollouts) {
        List<String> lines = new ArrayList<>();
        for (JournalRecord rec : durable.records(r.id())) {
          lines.add(rec.time() + " " + rec.type() + " " + rec.operationId() + " " + rec.payload());
        }
        out.put(r.id(), lines);
      }
      return out;
    }
  }

  /** Delegates to a scheduler, hiding that it is a {@code VirtualTimeScheduler}. */
  private static final class Unheld extends AbstractExecutorService
      implements ScheduledExecutorService {
    private final ScheduledExecutorService d;

    Unheld(ScheduledExecutorService d) {
      this.d = d;
    }

    @Override
    public void execute(Runnable command) {
      d.execute(command);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
      return d.schedule(command, delay, unit);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
      return d.schedule(callable, delay, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(
        Runnable command, long initialDelay, long period, TimeUnit unit) {
      return d.scheduleAtFixedRate(command, initialDelay, period, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(
        Runnable command, long initialDelay, long delay, TimeUnit unit) {
      return d.scheduleWithFixedDelay(command, initialDelay, delay, unit);
    }

    @Override
    public void shutdown() {
      d.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
      return d.shutdownNow();
    }

    @Override
    public boolean isShutdown() {
      return d.isShutdown();
    }

    @Override
    public boolean isTerminated() {
      return d.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
      return d.awaitTermination(timeout, unit);
    }
  }

  private static Release release(String service, String label) {
    return Release.of(
            service, new ArtifactRef("test/" + service, Digest.sha256(service + ":" + label)))
        .withLabel(label);
  }

  /**
   * Holds appended records until {@link #flush}, which makes them durable in order (one "group
   * commit"); a record matching {@code fail} fails instead, and so does every record of the same
   * rollout queued behind it in the same flush (no gaps, as the SPI requires).
   */
  private static final class HeldJournal implements Journal {
    private record Waiting(JournalRecord record, CompletableFuture<JournalRecord> done) {}

    final InMemoryJournal durable;
    private final Predicate<JournalRecord> fail;
    private final List<Waiting> waiting = new ArrayList<>();
    int flushes;
    int mostRolloutsInOneFlush;
    int leastRolloutsInOneFlush = Integer.MAX_VALUE;

    HeldJournal(InMemoryJournal durable, Predicate<JournalRecord> fail) {
      this.durable = durable;
      this.fail = fail;
    }

    synchronized int waiting() {
      return waiting.size();
    }

    void flush() {
      List<Waiting> batch;
      synchronized (this) {
        batch = new ArrayList<>(waiting);
        waiting.clear();
      }
      Set<String> rollouts = new HashSet<>();
      Set<String> failed = new HashSet<>();
      for (Waiting w : batch) {
        String rollout = w.record().rolloutId();
        rollouts.add(rollout);
        if (fail.test(w.record())) {
          failed.add(rollout);
        }
        if (failed.contains(rollout)) {
          w.done()
              .completeExceptionally(
                  ProviderException.permanent("test", "append", "disk full (injected)"));
        } else {
          w.done().complete(durable.append(w.record()));
        }
      }
      flushes++;
      mostRolloutsInOneFlush = Math.max(mostRolloutsInOneFlush, rollouts.size());
      leastRolloutsInOneFlush = Math.min(leastRolloutsInOneFlush, rollouts.size());
    }

    @Override
    public synchronized CompletableFuture<JournalRecord> appendAsync(JournalRecord record) {
      CompletableFuture<JournalRecord> f = new CompletableFuture<>();
      waiting.add(new Waiting(record, f));
      return f;
    }

    @Override
    public JournalRecord append(JournalRecord record) {
      if (fail.test(record)) {
        throw ProviderException.permanent("test", "append", "disk full (injected)");
      }
      return durable.append(record);
    }

    @Override
    public void replay(long fromSequence, Consumer<JournalRecord> consumer) {
      durable.replay(fromSequence, consumer);
    }

    @Override
    public List<JournalRecord> records(String rolloutId) {
      return durable.records(rolloutId);
    }

    @Override
    public boolean tryLease(String service, String rolloutId) {
      return durable.tryLease(service, rolloutId);
    }

    @Override
    public Optional<String> leaseHolder(String service) {
      return durable.leaseHolder(service);
    }

    @Override
    public void releaseLease(String service, String rolloutId) {
      durable.releaseLease(service, rolloutId);
    }

    @Override
    public void close() {}
  }

  /** A blocking journal that throws for the records matching {@code fail}. */
  private static final class FailingJournal implements Journal {
    final InMemoryJournal durable;
    private final Predicate<JournalRecord> fail;

    FailingJournal(InMemoryJournal durable, Predicate<JournalRecord> fail) {
      this.durable = durable;
      this.fail = fail;
    }

    @Override
    public JournalRecord append(JournalRecord record) {
      if (fail.test(record)) {
        throw ProviderException.permanent("test", "append", "disk full (injected)");
      }
      return durable.append(record);
    }

    @Override
    public void replay(long fromSequence, Consumer<JournalRecord> consumer) {
      durable.replay(fromSequence, consumer);
    }

    @Override
    public List<JournalRecord> records(String rolloutId) {
      return durable.records(rolloutId);
    }

    @Override
    public boolean tryLease(String service, String rolloutId) {
      return durable.tryLease(service, rolloutId);
    }

    @Override
    public Optional<String> leaseHolder(String service) {
      return durable.leaseHolder(service);
    }

    @Override
    public void releaseLease(String service, String rolloutId) {
      durable.releaseLease(service, rolloutId);
    }

    @Override
    public void close() {}
  }

  private record CheckedFleet(FakeFleet real, World world) implements Fleet {
    @Override
    public List<Instance> launch(OperationId op, Release release, int replicas) {
      world.checkIntent(op);
      return real.launch(op, release, replicas);
    }

    @Override
    public List<Instance> scale(OperationId op, Release release, int replicas) {
      world.checkIntent(op);
      return real.scale(op, release, replicas);
    }

    @Override
    public void drain(OperationId op, Release release) {
      world.checkIntent(op);
      real.drain(op, release);
    }

    @Override
    public void retire(OperationId op, Release release) {
      world.checkIntent(op);
      real.retire(op, release);
    }

    @Override
    public List<Instance> instances(String service) {
      return real.instances(service);
    }
  }

  private record CheckedRouter(FakeRouter real, World world) implements Router {
    @Override
    public void apply(
        OperationId op, String service, TrafficSplit split, Map<String, List<Instance>> backends) {
      world.checkIntent(op);
      world.routedOps.add(op.value());
      real.apply(op, service, split, backends);
    }

    @Override
    public Optional<TrafficSplit> current(String service) {
      return real.current(service);
    }
  }
}
