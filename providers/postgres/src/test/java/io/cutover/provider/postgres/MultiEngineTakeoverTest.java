// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.api.Instance;
import io.cutover.api.Release;
import io.cutover.api.RolloutConflictException;
import io.cutover.api.TrafficSplit;
import io.cutover.api.Verdict;
import io.cutover.api.plan.Plan;
import io.cutover.core.Cutover;
import io.cutover.core.Rollout;
import io.cutover.spi.GateContext;
import io.cutover.spi.HealthGate;
import io.cutover.spi.JournalRecord;
import io.cutover.spi.OperationId;
import io.cutover.spi.OwnershipLostException;
import io.cutover.spi.PlanRequest;
import io.cutover.spi.ReplicaEngine;
import io.cutover.spi.SharedJournal;
import io.cutover.testfixtures.PostgresServer;
import io.cutover.testkit.crash.CrashScenario;
import io.cutover.testkit.crash.Effect;
import io.cutover.testkit.crash.RecordedWorld;
import io.cutover.testkit.crash.RecordingWorld;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three engines in one JVM share one real PostgreSQL journal ({@link ReplicaJournal}): rollouts of
 * ten services with scripted gates (some releases fail) are started round-robin on the three; one
 * engine stops abruptly mid-run (its journal refuses every further append, as after a kill; its
 * heartbeats, scheduler and provider threads stop; nothing is released); the other two take its
 * rollouts over when their leases expire and finish them. The recording fleet and router (the crash
 * harness's {@link RecordingWorld}) must show exactly the effects the journal says were done: no
 * operation applied twice, none lost, every service ending on the release its scenario deserves.
 */
class MultiEngineTakeoverTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration DEADLINE = Duration.ofSeconds(90);

  /**
   * The replica's journal as its engine sees it: after a crash it refuses every append (nothing
   * more is written, as after a kill), so the engine can issue no further effect.
   */
  private static final class CrashableJournal implements SharedJournal {
    final ReplicaJournal journal;
    volatile boolean crashed;

    CrashableJournal(ReplicaJournal journal) {
      this.journal = journal;
    }

    private void alive() {
      if (crashed) {
        throw new OwnershipLostException("test", "append", "the replica crashed", null);
      }
    }

    @Override
    public String replica() {
      return journal.replica();
    }

    @Override
    public void attach(ReplicaEngine engine) {
      journal.attach(engine);
    }

    @Override
    public CompletableFuture<Void> sendCommand(
        String rolloutId, String command, @Nullable String argument) {
      return journal.sendCommand(rolloutId, command, argument);
    }

    @Override
    public JournalRecord append(JournalRecord record) {
      alive();
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
      alive();
      return journal.tryLease(service, rolloutId);
    }

    @Override
    public Optional<String> leaseHolder(String service) {
      return journal.leaseHolder(service);
    }

    @Override
    public Optional<String> leaseHolderReplica(String service) {
      return journal.leaseHolderReplica(service);
    }

    @Override
    public void releaseLease(String service, String rolloutId) {
      alive();
      journal.releaseLease(service, rolloutId);
    }

    @Override
    public void close() {
      journal.close();
    }
  }

  /** One engine replica and the threads it owns, so a test can stop it abruptly. */
  private static final class Replica {
    final String id;
    final ReplicaJournal journal;
    final CrashableJournal crashable;
    final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
    final ExecutorService providers = Executors.newFixedThreadPool(8);
    final Cutover cutover;
    volatile boolean alive = true;

    Replica(
        PostgresServer server, String schema, String id, RecordingWorld world, HealthGate gate) {
      this.id = id;
      this.journal = ReplicaJournal.of(SharedPostgres.journal(server, schema, id).open());
      this.crashable = new CrashableJournal(journal);
      this.cutover =
          Cutover.builder()
              .allowUnverifiedArtifacts()
              .journal(crashable)
              .fleet(world.fleet())
              .router(world.router())
              .gate(gate)
              .scheduler(scheduler)
              .providerExecutor(providers)
              .build();
    }

    /**
     * Stops as a crash would, as far as the database sees: no heartbeat, no scheduler, no new
     * provider call (a call in flight finishes: real providers outlive the engine), no release.
     */
    synchronized void stopAbruptly() {
      alive = false;
      crashable.crashed = true;
      journal.journal().keeper().close();
      scheduler.shutdownNow();
      providers.shutdown();
    }

    /** Starts a plan here, or returns null if this replica was stopped. */
    synchronized @Nullable Rollout startIfAlive(Plan plan, Release stable, int instances) {
      if (!alive) {
        return null;
      }
      // A replica knows the stable release only of the rollouts it ran: tell it.
      cutover.adopt(stable, instances);
      return cutover.start(plan);
    }

    void close() {
      if (alive) {
        cutover.close();
        scheduler.shutdownNow();
        providers.shutdownNow();
      }
      journal.journal().close();
    }
  }

  /** Passes good releases, fails bad ones, as the scenario says. */
  private record ScenarioGate(CrashScenario scenario) implements HealthGate {
    @Override
    public String name() {
      return CrashScenario.GATE;
    }

    @Override
    public Verdict evaluate(GateContext context) {
      return scenario.isBad(context.candidate().id())
          ? Verdict.fail("bad release")
          : Verdict.pass();
    }
  }

  @Test
  @DisplayName(
      "three engines share one database: rollouts started round-robin all end correctly after one"
          + " engine stops abruptly, its rollouts are taken over, and the world shows each effect"
          + " the journal calls done exactly once")
  void takeoverAcrossThreeEngines(@TempDir Path dir) throws Exception {
    run(dir, 10, true);
  }

  @Test
  @DisplayName(
      "three engines share one database: 300 rollouts over 100 services, started round-robin, all"
          + " end as their gates say, each effect the journal calls done happened exactly once, and"
          + " the service lease refuses a second rollout across replicas")
  void threeHundredRolloutsOverAHundredServices(@TempDir Path dir) throws Exception {
    run(dir, 100, false);
  }

  /**
   * {@code serviceCount} services with three rollouts each (a quarter of the releases bad), started
   * round-robin on three engines; if {@code stopOne}, engine r0 stops abruptly while it owns two or
   * more running rollouts, and the others must take them over within TTL + heartbeat.
   */
  private void run(Path dir, int serviceCount, boolean stopOne) throws Exception {
    PostgresServer server = SharedPostgres.server();
    String schema = SharedPostgres.freshSchema("takeover");
    Map<String, List<Boolean>> services = new LinkedHashMap<>();
    for (int s = 0; s < serviceCount; s++) {
      List<Boolean> bad = new ArrayList<>();
      for (int k = 0; k < 3; k++) {
        bad.add((s + k) % 4 == 1);
      }
      services.put("svc" + s, bad);
    }
    CrashScenario scenario = new CrashScenario(Duration.ofMillis(100), 2, services);
    HealthGate gate = new ScenarioGate(scenario);
    List<Replica> replicas = new ArrayList<>();
    ExecutorService drivers = Executors.newFixedThreadPool(services.size());
    try (RecordingWorld world = RecordingWorld.open(dir.resolve("effects.log"));
        PostgresJournal observer = SharedPostgres.journal(server, schema, "observer").open()) {
      for (int i = 0; i < 3; i++) {
        replicas.add(new Replica(server, schema, "r" + i, world, gate));
      }
      for (String service : services.keySet()) {
        setUp(service, scenario, world);
      }

      // The service lease holds across replicas, and the refusal names the replica.
      Release v1 = scenario.initial("svc0");
      Release v2 = scenario.rollouts("svc0").get(0);
      Rollout first = start(replicas.get(0), scenario, v1, v2);
      Replica other = replicas.get(1);
      assertThatThrownBy(() -> other.cutover.start(plan(scenario, v1, v2)))
          .isInstanceOfSatisfying(
              RolloutConflictException.class,
              e -> {
                assertThat(e.holderReplica()).contains("r0");
                assertThat(e.activeRolloutId()).isEqualTo(first.id());
                assertThat(e.getMessage()).contains("on replica r0");
              });

      Map<String, String> rolloutOf = new ConcurrentHashMap<>(); // rollout id -> release id
      rolloutOf.put(first.id(), v2.id());
      List<CompletableFuture<Void>> all = new ArrayList<>();
      int s = 0;
      for (String service : services.keySet()) {
        int offset = s++;
        all.add(
            CompletableFuture.runAsync(
                () -> drive(service, offset, scenario, replicas, observer, rolloutOf, first),
                drivers));
      }

      if (stopOne) {
        stopOneAndAwaitTakeover(replicas.get(0), observer);
      }

      CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).get();

      // The journal: every rollout ended with the outcome its release deserves.
      assertThat(rolloutOf).hasSize(scenario.rolloutCount());
      Set<String> doneOps = new HashSet<>();
      for (Map.Entry<String, String> e : rolloutOf.entrySet()) {
        List<JournalRecord> records = observer.records(e.getKey());
        JournalRecord last = records.get(records.size() - 1);
        assertThat(last.type())
            .as("last record of %s", e.getKey())
            .isEqualTo(JournalRecord.Type.ENDED);
        boolean succeeded =
            "succeeded".equals(JSON.readTree(last.payload()).path("outcome").asText());
        assertThat(succeeded)
            .as("outcome of %s: %s", e.getValue(), last.payload())
            .isEqualTo(!scenario.isBad(e.getValue()));
        for (JournalRecord r : records) {
          if (r.type() == JournalRecord.Type.DONE && r.operationId() != null) {
            doneOps.add(r.operationId());
          }
        }
      }
      assertThat(observer.verify()).isPositive();
      for (String service : services.keySet()) {
        assertThat(observer.leaseHolder(service)).as("lease of %s", service).isEmpty();
      }

      // The world: each operation the journal calls done happened exactly once, nothing else did.
      List<Effect> effects = world.effects();
      RecordedWorld recorded = RecordedWorld.of(effects);
      assertThat(recorded.violations()).isEmpty();
      assertThat(recorded.duplicates()).isZero();
      Set<String> applied = new HashSet<>();
      for (Effect e : effects) {
        if (e.changes() && !e.op().startsWith("setup-")) {
          assertThat(applied.add(e.op())).as("applied once: %s", e.op()).isTrue();
        }
      }
      assertThat(applied).isEqualTo(doneOps);
      for (String service : services.keySet()) {
        Release fin = scenario.finalStable(service);
        assertThat(recorded.split(service)).contains(TrafficSplit.all(fin.id()));
        assertThat(recorded.live(service))
            .isNotEmpty()
            .allSatisfy(u -> assertThat(u.releaseId()).isEqualTo(fin.id()));
      }
      System.out.println(
          "rollouts "
              + rolloutOf.size()
              + ", effects "
              + applied.size()
              + ", re-issued after"
              + " takeover "
              + recorded.reissues());
    } finally {
      drivers.shutdownNow();
      for (Replica r : replicas) {
        r.close();
      }
    }
  }

  /** Stops {@code victim} abruptly once it owns two running rollouts; awaits their takeover. */
  private static void stopOneAndAwaitTakeover(Replica victim, PostgresJournal observer)
      throws InterruptedException {
    await(
        "replica r0 owns two or more running rollouts",
        () -> victim.journal.ownedRollouts().size() >= 2);
    List<String> owned = victim.journal.ownedRollouts();
    long stoppedAt = System.nanoTime();
    victim.stopAbruptly();
    await(
        "every rollout r0 owned is owned by another replica or ended",
        () ->
            owned.stream()
                .allMatch(
                    id ->
                        ended(observer, id)
                            || observer
                                .leases()
                                .holder(ReplicaJournal.key(id))
                                .filter(l -> !l.replica().equals("r0"))
                                .isPresent()));
    Duration takeover = Duration.ofNanos(System.nanoTime() - stoppedAt);
    System.out.println(
        "takeover of "
            + owned.size()
            + " rollouts after an abrupt stop: "
            + takeover.toMillis()
            + " ms (lease TTL 3000 ms, heartbeat 500 ms)");
    // TTL + one heartbeat, plus room for a loaded CI machine.
    assertThat(takeover).isLessThan(Duration.ofSeconds(3).plusMillis(500).plusSeconds(10));
  }

  /**
   * Starts each rollout of a service on the next live replica (round-robin), waits until the
   * journal says it ended and its lease is free, and moves on.
   */
  private static void drive(
      String service,
      int offset,
      CrashScenario scenario,
      List<Replica> replicas,
      PostgresJournal observer,
      Map<String, String> rolloutOf,
      Rollout first) {
    Release stable = scenario.initial(service);
    int k = 0;
    for (Release next : scenario.rollouts(service)) {
      String id;
      if (first.plan().service().equals(service) && k == 0) {
        id = first.id();
      } else {
        Rollout started = null;
        while (started == null) {
          started =
              liveReplica(replicas, offset + k)
                  .startIfAlive(plan(scenario, stable, next), stable, scenario.replicas());
        }
        id = started.id();
        rolloutOf.put(id, next.id());
      }
      String rid = id;
      awaitUnchecked(
          "rollout " + id + " ended and released " + service,
          () -> ended(observer, rid) && observer.leaseHolder(service).isEmpty());
      if (!scenario.isBad(next.id())) {
        stable = next;
      }
      k++;
    }
  }

  private static Replica liveReplica(List<Replica> replicas, int from) {
    for (int i = 0; i < replicas.size(); i++) {
      Replica r = replicas.get((from + i) % replicas.size());
      if (r.alive) {
        return r;
      }
    }
    throw new AssertionError("no live replica");
  }

  private static Rollout start(Replica r, CrashScenario scenario, Release stable, Release next) {
    return r.cutover.start(plan(scenario, stable, next));
  }

  private static Plan plan(CrashScenario scenario, Release stable, Release next) {
    return scenario.strategy().plan(new PlanRequest(stable, next, scenario.replicas()));
  }

  private static boolean ended(PostgresJournal journal, String rolloutId) {
    List<JournalRecord> records = journal.records(rolloutId);
    return !records.isEmpty() && records.get(records.size() - 1).type() == JournalRecord.Type.ENDED;
  }

  private static void setUp(String service, CrashScenario scenario, RecordingWorld world) {
    Release v1 = scenario.initial(service);
    List<Instance> list =
        world
            .fleet()
            .launch(new OperationId("setup-" + service + "/launch"), v1, scenario.replicas());
    world
        .router()
        .apply(
            new OperationId("setup-" + service + "/route"),
            service,
            TrafficSplit.all(v1.id()),
            Map.of(v1.id(), list));
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + DEADLINE.toSeconds() + " s: " + what);
      }
      Thread.sleep(50);
    }
  }

  private static void awaitUnchecked(String what, BooleanSupplier condition) {
    try {
      await(what, condition);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
