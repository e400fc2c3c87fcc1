// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.api.Instance;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.ProviderException;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.api.Verdict;
import io.cutover.core.Cutover;
import io.cutover.core.Rollout;
import io.cutover.spi.Fleet;
import io.cutover.spi.GateContext;
import io.cutover.spi.HealthGate;
import io.cutover.spi.JournalRecord;
import io.cutover.spi.OperationId;
import io.cutover.spi.PlanRequest;
import io.cutover.spi.ReplicaEngine;
import io.cutover.spi.Router;
import io.cutover.spi.SharedJournal;
import io.cutover.testfixtures.PostgresServer;
import io.cutover.testkit.crash.CrashScenario;
import io.cutover.testkit.crash.Effect;
import io.cutover.testkit.crash.RecordedWorld;
import io.cutover.testkit.crash.RecordingWorld;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three engines in one JVM share one real PostgreSQL while it fails under them, mid-run: first
 * every engine connection is ended with {@code pg_terminate_backend}, then the server restarts
 * (fast shutdown and start, as {@code pg_ctl restart -m fast}), then it stays down longer than the
 * lease TTL before it starts again. Rollouts with scripted gates (some releases fail) run on the
 * three throughout. The pool reconnects; a rollout whose engine could not journal stands down and
 * is taken over when its lease expires. In the end every rollout ended with the outcome its release
 * deserves, each effect the journal calls done happened exactly once in the recording world and
 * nothing else did, the hash chain verifies, and no effect was ever issued (outage or not) before
 * its INTENT record was durable: the fleet and router check that at every call. Each replica plans
 * from the stable release the previous rollout left on whichever replica it ran (the release
 * history shared through the journal; no {@code adopt}).
 */
class DatabaseOutageTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration DEADLINE = Duration.ofSeconds(120);
  private static final Duration TTL = Duration.ofSeconds(3);

  /**
   * Operation ids whose INTENT record an engine's append returned (committed), from any replica.
   */
  private final Set<String> durableIntents = ConcurrentHashMap.newKeySet();

  /** Effects issued without a durable INTENT: must stay empty. */
  private final List<String> unjournaledEffects = new CopyOnWriteArrayList<>();

  private volatile boolean databaseDown;
  private final AtomicInteger effectsWhileDown = new AtomicInteger();

  @Test
  @DisplayName(
      "pg_terminate_backend, a restart and an outage longer than the lease TTL mid-run: rollouts on"
          + " three engines continue after reconnect or takeover and all end correctly; no effect"
          + " duplicated, lost or issued before its durable INTENT; the hash chain verifies")
  void rolloutsSurviveDatabaseFailures(@TempDir Path dir) throws Exception {
    Map<String, List<Boolean>> services = new LinkedHashMap<>();
    for (int s = 0; s < 8; s++) {
      List<Boolean> bad = new ArrayList<>();
      for (int k = 0; k < 4; k++) {
        bad.add((s + k) % 4 == 1);
      }
      services.put("svc" + s, bad);
    }
    CrashScenario scenario = new CrashScenario(Duration.ofMillis(150), 2, services);
    HealthGate gate = new ScenarioGate(scenario);
    List<Replica> replicas = new ArrayList<>();
    ExecutorService drivers = Executors.newFixedThreadPool(services.size());
    try (PostgresServer server = PostgresServer.start();
        RecordingWorld world = RecordingWorld.open(dir.resolve("effects.log"))) {
      String schema = "outage";
      PostgresJournal observer = builder(server, schema, "observer").open();
      try {
        for (int i = 0; i < 3; i++) {
          replicas.add(new Replica(server, schema, "r" + i, world, gate));
        }
        for (String service : services.keySet()) {
          setUp(service, scenario, world);
        }
        Map<String, String> rolloutOf = new ConcurrentHashMap<>(); // rollout id -> release id
        List<CompletableFuture<Void>> all = new ArrayList<>();
        int s = 0;
        for (String service : services.keySet()) {
          int offset = s++;
          all.add(
              CompletableFuture.runAsync(
                  () -> drive(service, offset, scenario, replicas, observer, rolloutOf), drivers));
        }
        int total = scenario.rolloutCount();

        // (a) Every engine connection ended by the server mid-run.
        await("three rollouts running", () -> running(observer, rolloutOf) >= 3);
        int terminated = terminateEngineBackends(observer);
        assertThat(terminated).as("engine connections terminated").isPositive();

        // (b) A restart (fast shutdown: clients are disconnected, then the server starts again).
        await(
            "a quarter of the rollouts ended", () -> endedCount(observer, rolloutOf) >= total / 4);
        await("three rollouts running", () -> running(observer, rolloutOf) >= 3);
        server.restart();

        // (c) Down for longer than the lease TTL: engines cannot journal, so they stand down and
        // their leases expire by the database's clock; replicas take the rollouts over after it.
        await("half of the rollouts ended", () -> endedCount(observer, rolloutOf) >= total / 2);
        await("three rollouts running", () -> running(observer, rolloutOf) >= 3);
        databaseDown = true;
        server.stop();
        Thread.sleep(TTL.toMillis() + 1_500);
        server.startAgain();
        databaseDown = false;

        CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).get();

        // The journal: every rollout ended with the outcome its release deserves.
        assertThat(rolloutOf).hasSize(total);
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
        // No rollout the drivers do not know of (a start whose outcome was lost in the outage).
        Set<String> journaled = new HashSet<>();
        observer.replay(
            0,
            r -> {
              if (r.type() == JournalRecord.Type.CREATED) {
                journaled.add(r.rolloutId());
              }
            });
        assertThat(journaled).isEqualTo(rolloutOf.keySet());
        assertThat(observer.verify()).isPositive();
        for (String service : services.keySet()) {
          assertThat(observer.leaseHolder(service)).as("lease of %s", service).isEmpty();
        }

        // The world: effects only after their durable INTENT, each done operation exactly once.
        assertThat(unjournaledEffects).as("effects issued without a durable INTENT").isEmpty();
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
        assertThat(durableIntents).containsAll(applied);
        // The outage longer than the TTL made replicas take rollouts over (records of one rollout
        // written by two replicas).
        int takenOver = takenOver(observer);
        assertThat(takenOver).as("rollouts taken over after the outage").isPositive();
        for (String service : services.keySet()) {
          Release fin = scenario.finalStable(service);
          assertThat(recorded.split(service)).contains(TrafficSplit.all(fin.id()));
          assertThat(recorded.live(service))
              .isNotEmpty()
              .allSatisfy(u -> assertThat(u.releaseId()).isEqualTo(fin.id()));
        }
        System.out.println(
            "database outage test: rollouts "
                + rolloutOf.size()
                + ", effects "
                + applied.size()
                + " ("
                + effectsWhileDown.get()
                + " issued while the server was down, each after its durable INTENT), re-issued"
                + " after takeover "
                + recorded.reissues()
                + ", taken over "
                + takenOver
                + ", engine connections terminated "
                + terminated);
      } finally {
        drivers.shutdownNow();
        for (Replica r : replicas) {
          r.close();
        }
        observer.close();
      }
    }
  }

  private static PostgresJournal.Builder builder(
      PostgresServer server, String schema, String replica) {
    return PostgresJournal.builder(server.jdbcUrl())
        .user(server.user())
        .schema(schema)
        .poolSize(6)
        .replica(replica, "test replica " + replica)
        .leaseTtl(TTL)
        .heartbeat(Duration.ofMillis(500))
        // Short, so an engine finds out within the outage that it cannot journal.
        .connectTimeout(Duration.ofSeconds(1));
  }

  private static int takenOver(PostgresJournal observer) throws Exception {
    try (Connection c = observer.dataSource().getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT count(*) FROM (SELECT rollout_id FROM cutover_journal"
                    + " GROUP BY rollout_id HAVING count(DISTINCT replica) > 1) t");
        ResultSet rs = s.executeQuery()) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /** Ends the engines' connections (the observer's are left alone). */
  private static int terminateEngineBackends(PostgresJournal observer) throws Exception {
    try (Connection c = observer.dataSource().getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    + " WHERE application_name LIKE 'cutover r%' AND pid <> pg_backend_pid()");
        ResultSet rs = s.executeQuery()) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /**
   * Starts each rollout of a service on the next replica (round-robin), retrying while the database
   * is unreachable, waits until the journal says it ended and its lease is free, and moves on. A
   * start that failed with an unknown outcome (CREATED may have committed) is found in the journal
   * instead of started twice.
   */
  private static void drive(
      String service,
      int offset,
      CrashScenario scenario,
      List<Replica> replicas,
      PostgresJournal observer,
      Map<String, String> rolloutOf) {
    Release stable = scenario.initial(service);
    int k = 0;
    for (Release next : scenario.rollouts(service)) {
      String id = null;
      for (int attempt = 0; id == null; attempt++) {
        Replica r = replicas.get((offset + k + attempt) % replicas.size());
        try {
          id = r.start(scenario, stable, next).id();
        } catch (InvalidSpecException e) {
          throw e; // a plan the replica refuses (a stale stable release): a bug, not an outage
        } catch (RuntimeException e) {
          pause(200);
          String s = service;
          awaitUnchecked("lease of " + s + " free", () -> observer.leaseHolder(s).isEmpty());
          id = journaledRollout(observer, service, next.id()).orElse(null);
        }
      }
      rolloutOf.put(id, next.id());
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

  private static Optional<String> journaledRollout(
      PostgresJournal observer, String service, String target) {
    List<String> found = new ArrayList<>();
    observer.replay(
        0,
        r -> {
          if (r.type() == JournalRecord.Type.CREATED
              && r.service().equals(service)
              && target.equals(r.index().get("target"))) {
            found.add(r.rolloutId());
          }
        });
    return found.stream().findFirst();
  }

  private static long running(PostgresJournal observer, Map<String, String> rolloutOf) {
    return rolloutOf.keySet().stream().filter(id -> !ended(observer, id)).count();
  }

  private static long endedCount(PostgresJournal observer, Map<String, String> rolloutOf) {
    return rolloutOf.keySet().stream().filter(id -> ended(observer, id)).count();
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

  /** Waits; a condition the database cannot answer now (it is down) counts as not yet. */
  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!holds(condition)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + DEADLINE.toSeconds() + " s: " + what);
      }
      Thread.sleep(50);
    }
  }

  private static boolean holds(BooleanSupplier condition) {
    try {
      return condition.getAsBoolean();
    } catch (ProviderException e) {
      return false;
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

  private static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Checks, at each call, that the operation's INTENT was durably journaled before it. */
  private void effect(OperationId op) {
    if (databaseDown) {
      effectsWhileDown.incrementAndGet();
    }
    if (!durableIntents.contains(op.value())) {
      unjournaledEffects.add(op.value());
    }
  }

  /** The recording fleet, checking each change against the durable INTENTs. */
  private final class CheckedFleet implements Fleet {
    private final Fleet fleet;

    CheckedFleet(Fleet fleet) {
      this.fleet = fleet;
    }

    @Override
    public List<Instance> launch(OperationId op, Release release, int replicas) {
      effect(op);
      return fleet.launch(op, release, replicas);
    }

    @Override
    public List<Instance> scale(OperationId op, Release release, int replicas) {
      effect(op);
      return fleet.scale(op, release, replicas);
    }

    @Override
    public void drain(OperationId op, Release release) {
      effect(op);
      fleet.drain(op, release);
    }

    @Override
    public void retire(OperationId op, Release release) {
      effect(op);
      fleet.retire(op, release);
    }

    @Override
    public List<Instance> instances(String service) {
      return fleet.instances(service);
    }
  }

  /** The recording router, checking each change against the durable INTENTs. */
  private final class CheckedRouter implements Router {
    private final Router router;

    CheckedRouter(Router router) {
      this.router = router;
    }

    @Override
    public void apply(
        OperationId op,
        String service,
        TrafficSplit split,
        Map<String, List<Instance>> instancesByRelease) {
      effect(op);
      router.apply(op, service, split, instancesByRelease);
    }

    @Override
    public Optional<TrafficSplit> current(String service) {
      return router.current(service);
    }
  }

  /** The replica's journal, noting each INTENT whose append returned (it committed). */
  private final class IntentNotingJournal implements SharedJournal {
    private final ReplicaJournal journal;

    IntentNotingJournal(ReplicaJournal journal) {
      this.journal = journal;
    }

    @Override
    public JournalRecord append(JournalRecord record) {
      JournalRecord stored = journal.append(record);
      if (stored.type() == JournalRecord.Type.INTENT && stored.operationId() != null) {
        durableIntents.add(stored.operationId());
      }
      return stored;
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
    public void replay(long fromSequence, Consumer<JournalRecord> consumer) {
      journal.replay(fromSequence, consumer);
    }

    @Override
    public List<JournalRecord> records(String rolloutId) {
      List<JournalRecord> records = journal.records(rolloutId);
      // A replica that takes a rollout over knows the INTENTs another replica journaled.
      for (JournalRecord r : records) {
        if (r.type() == JournalRecord.Type.INTENT && r.operationId() != null) {
          durableIntents.add(r.operationId());
        }
      }
      return records;
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
      return journal.leaseHolderReplica(service);
    }

    @Override
    public void releaseLease(String service, String rolloutId) {
      journal.releaseLease(service, rolloutId);
    }

    @Override
    public void close() {
      journal.close();
    }
  }

  /** One engine replica and the threads it owns. */
  private final class Replica {
    final ReplicaJournal journal;
    final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
    final ExecutorService providers = Executors.newFixedThreadPool(8);
    final Cutover cutover;

    Replica(
        PostgresServer server, String schema, String id, RecordingWorld world, HealthGate gate) {
      this.journal = ReplicaJournal.of(builder(server, schema, id).open());
      this.cutover =
          Cutover.builder()
              .allowUnverifiedArtifacts()
              .journal(new IntentNotingJournal(journal))
              .fleet(new CheckedFleet(world.fleet()))
              .router(new CheckedRouter(world.router()))
              .gate(gate)
              .scheduler(scheduler)
              .providerExecutor(providers)
              .build();
    }

    Rollout start(CrashScenario scenario, Release stable, Release next) {
      // No adopt: the replica learns the stable release other replicas' rollouts left from the
      // shared journal when it takes the service's lease.
      return cutover.start(
          scenario.strategy().plan(new PlanRequest(stable, next, scenario.replicas())));
    }

    void close() {
      cutover.close();
      scheduler.shutdownNow();
      providers.shutdownNow();
      journal.close();
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
}
