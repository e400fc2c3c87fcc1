package io.cutover.core;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.Release;
import io.cutover.api.RolloutConflictException;
import io.cutover.api.TrafficSplit;
import io.cutover.api.VerificationException;
import io.cutover.api.plan.Plan;
import io.cutover.api.plan.Step;
import io.cutover.api.rollout.RolloutListener;
import io.cutover.api.rollout.RolloutState;
import io.cutover.api.rollout.RolloutStatus;
import io.cutover.core.internal.engine.EngineContext;
import io.cutover.core.internal.engine.EngineTelemetry;
import io.cutover.core.internal.engine.ResilientCaller;
import io.cutover.core.internal.engine.RolloutRun;
import io.cutover.core.internal.schema.JournalCodec;
import io.cutover.core.internal.schema.JournalPayload;
import io.cutover.core.journal.InMemoryJournal;
import io.cutover.spi.ArtifactStore;
import io.cutover.spi.ArtifactVerifier;
import io.cutover.spi.Fleet;
import io.cutover.spi.HealthGate;
import io.cutover.spi.Journal;
import io.cutover.spi.JournalRecord;
import io.cutover.spi.PlanRequest;
import io.cutover.spi.RolloutStrategy;
import io.cutover.spi.Router;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embeddable rollout engine: the entry point of Cutover.
 *
 * <p>Build one per process with {@link #builder()}, wiring a {@link Fleet} and a {@link Router} (required),
 * health gates, an artifact store and verifier, a {@link Journal}, a clock and scheduler, telemetry and
 * listeners. Then {@link #deploy} a release with a {@link RolloutStrategy}, or {@link #start} a
 * {@link Plan} you compiled yourself, and steer it with {@link #abort}, {@link #pause}, {@link #resume},
 * {@link #approve}, {@link #promote} and {@link #rollback}.
 *
 * <p><b>Guarantees.</b> Everything is validated before the first side effect (gates exist, the rollback
 * plan routes to stable first, the artifact passes verification); one rollout per service at a time
 * ({@link RolloutConflictException}); every side effect is journaled before and after it happens with a
 * deterministic operation id; a failed gate or an abort sends traffic to 100 % stable before anything
 * else; a provider that keeps failing leaves traffic at the last split that was applied and verified,
 * and the rollout ends ABORTED with the reason; a rollout that makes no progress for its progress deadline
 * aborts — nothing stays in progress forever.
 *
 * <p><b>Threading.</b> All methods are thread-safe. Rollouts run as state machines on the scheduler (no
 * thread per rollout, no sleeping thread); provider calls run on the provider executor. Time comes only
 * from the injected clock and scheduler, so the testkit's virtual scheduler runs an hour of rollout in
 * milliseconds.
 */
public final class Cutover implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Cutover.class);

  /** What the engine knows about one service: its stable release and the ones before it. */
  private static final class ServiceState {
    @Nullable Release stable;
    int replicas;
    final Deque<Release> previous = new ArrayDeque<>();
    final List<RolloutStatus> history = new ArrayList<>();
  }

  private final InstantSource clock;
  private final ScheduledExecutorService scheduler;
  private final Journal journal;
  private final @Nullable ArtifactStore store;
  private final ArtifactVerifier verifier;
  private final Map<String, HealthGate> gates;
  private final RolloutOptions defaultOptions;
  private final EngineContext ctx;
  private final List<AutoCloseable> owned;
  private final Map<String, RolloutRun> active = new ConcurrentHashMap<>();
  /** Rollouts between taking their lease and becoming active: their lease is not stale. */
  private final Set<String> starting = ConcurrentHashMap.newKeySet();
  private final Map<String, ServiceState> services = new HashMap<>();
  private final AtomicLong sequence = new AtomicLong();

  private Cutover(Builder b) {
    List<AutoCloseable> own = new ArrayList<>();
    this.clock = b.clock != null ? b.clock : InstantSource.system();
    if (b.scheduler != null) {
      this.scheduler = b.scheduler;
    } else {
      ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, daemon("cutover-engine"));
      s.setRemoveOnCancelPolicy(true);
      this.scheduler = s;
      own.add(s::shutdownNow);
    }
    java.util.concurrent.Executor providerExecutor;
    if (b.providerExecutor != null) {
      providerExecutor = b.providerExecutor;
    } else {
      ExecutorService pool = Executors.newFixedThreadPool(16, daemon("cutover-provider"));
      own.add(pool::shutdownNow);
      providerExecutor = pool;
    }
    if (b.journal != null) {
      this.journal = b.journal;
    } else {
      InMemoryJournal j = InMemoryJournal.create();
      own.add(j);
      this.journal = j;
    }
    this.owned = own;
    this.store = b.store;
    this.verifier = b.verifier != null ? b.verifier : ArtifactVerifier.NONE;
    this.gates = Map.copyOf(b.gates);
    this.defaultOptions = b.defaultOptions != null ? b.defaultOptions : RolloutOptions.DEFAULT;
    OpenTelemetry otel = b.openTelemetry != null ? b.openTelemetry : OpenTelemetry.noop();
    EngineTelemetry telemetry = new EngineTelemetry(otel, b.listeners);
    Map<String, ResiliencePolicy> res = b.resilience;
    ResiliencePolicy defaults = res.getOrDefault("default", ResiliencePolicy.DEFAULT);
    ResiliencePolicy gatePolicy = res.getOrDefault("gates", defaults.withMaxAttempts(1));
    this.ctx = new EngineContext(clock, scheduler, providerExecutor, journal, b.fleet, b.router, gates,
        new ResilientCaller("fleet", res.getOrDefault("fleet", defaults), scheduler, providerExecutor, clock,
            (n, t) -> telemetry.retry("fleet")),
        new ResilientCaller("router", res.getOrDefault("router", defaults), scheduler, providerExecutor, clock,
            (n, t) -> telemetry.retry("router")),
        new ResilientCaller("gates", gatePolicy.withMaxAttempts(1), scheduler, providerExecutor, clock, (n, t) -> {}),
        telemetry, new JournalCodec(), this::ended);
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Records that a service currently runs {@code stable} with {@code replicas} instances, deployed before
   * this engine existed. The next {@link #deploy} of the service uses it as the stable release.
   *
   * @throws RolloutConflictException if the service has an active rollout
   */
  public void adopt(Release stable, int replicas) {
    if (replicas < 1) {
      throw new InvalidSpecException("replicas", "is " + replicas, "adopt a service that runs at least 1 replica");
    }
    synchronized (services) {
      releaseStaleLease(stable.service());
      Optional<String> holder = journal.leaseHolder(stable.service());
      if (holder.isPresent()) {
        throw new RolloutConflictException(stable.service(), holder.get());
      }
      ServiceState s = services.computeIfAbsent(stable.service(), k -> new ServiceState());
      if (s.stable != null && !s.stable.equals(stable)) {
        s.previous.push(s.stable);
      }
      s.stable = stable;
      s.replicas = replicas;
    }
  }

  /**
   * Compiles a plan from the service's current stable release to {@code target} and starts it.
   *
   * @see #start(Plan, RolloutOptions)
   */
  public Rollout deploy(RolloutStrategy strategy, Release target, int replicas) {
    return deploy(strategy, target, replicas, defaultOptions);
  }

  /** Like {@link #deploy(RolloutStrategy, Release, int)} with explicit options. */
  public Rollout deploy(RolloutStrategy strategy, Release target, int replicas, RolloutOptions options) {
    Release stable = stable(target.service()).orElse(null);
    return start(strategy.plan(new PlanRequest(stable, target, replicas)), options);
  }

  /** Starts a plan with the default options. */
  public Rollout start(Plan plan) {
    return start(plan, defaultOptions);
  }

  /**
   * Validates, verifies and starts a plan. Returns once the rollout is journaled; it then runs on the
   * scheduler.
   *
   * @throws InvalidSpecException if the plan names unknown gates, its rollback does not route to stable
   *     first, or its stable release is not the service's stable release (nothing was done)
   * @throws RolloutConflictException if the service has an active rollout (nothing was done)
   * @throws VerificationException if the artifact fails verification (nothing was done)
   */
  public Rollout start(Plan plan, RolloutOptions options) {
    Objects.requireNonNull(plan, "plan");
    Objects.requireNonNull(options, "options");
    validate(plan);
    String service = plan.service();
    String id = newRolloutId(service);
    synchronized (services) {
      ServiceState s = services.get(service);
      Release known = s == null ? null : s.stable;
      if (known != null && !known.equals(plan.stable())) {
        throw new InvalidSpecException("plan.stable", "is " + (plan.stable() == null ? "none" : plan.stable().id())
            + " but " + service + " runs " + known.id(), "compile the plan from the current stable release "
            + "(Cutover.deploy does this for you)");
      }
      if (!journal.tryLease(service, id)) {
        releaseStaleLease(service);
        if (!journal.tryLease(service, id)) {
          throw new RolloutConflictException(service, journal.leaseHolder(service).orElse("(unknown)"));
        }
      }
      starting.add(id);
    }
    RolloutRun run;
    try {
      List<String> evidence = store == null
          ? List.of("no artifact store configured: " + plan.target().artifact() + " not verified")
          : verifier.verify(plan.target().artifact(), store);
      if (store != null) {
        store.pin(plan.target().artifact(), "rollout:" + id);
      }
      // The whole plan, so that a resumed engine can rebuild the rollout from the journal alone.
      JournalPayload.Created created = new JournalPayload.Created(JournalPayload.SCHEMA_VERSION, plan.strategy(),
          plan.target().id(), plan.target().artifact().toString(), plan.target().config().digest().toString(),
          plan.stable() == null ? null : plan.stable().id(), plan.steps().size(), options.initiator(),
          options.progressDeadline(), options.skipAnalysis(), options.annotations(), evidence, plan);
      journal.append(ctx.codec().record(clock.instant(), id, service, created));
      run = new RolloutRun(id, plan, options, ctx, evidence);
      active.put(id, run);
    } catch (RuntimeException e) {
      journal.releaseLease(service, id);
      throw e;
    } finally {
      starting.remove(id);
    }
    run.start();
    return run;
  }

  /**
   * Rolls a service back to the release it ran before its current stable one, as a new rollout on the
   * fast path (no analysis, no pauses): launch the previous release, route 100 % to it, retire the current.
   *
   * @throws InvalidSpecException if the engine knows no previous release of the service
   * @throws RolloutConflictException if the service has an active rollout
   */
  public Rollout rollback(String service) {
    Release current;
    Release previous;
    int replicas;
    synchronized (services) {
      ServiceState s = services.get(service);
      if (s == null || s.stable == null || s.previous.isEmpty()) {
        throw new InvalidSpecException("service", "'" + service + "' has no previous release to roll back to",
            "deploy a specific release instead");
      }
      current = s.stable;
      previous = s.previous.peek();
      replicas = Math.max(1, s.replicas);
    }
    Plan plan = Plan.of("rollback", current, previous, List.of(
        new Step.Launch(previous.id(), replicas),
        new Step.Route(TrafficSplit.all(previous.id())),
        new Step.Drain(current.id(), Duration.ZERO),
        new Step.Retire(current.id())), List.of(
        new Step.Route(TrafficSplit.all(current.id())),
        new Step.Retire(previous.id())));
    return start(plan, defaultOptions.withSkipAnalysis(true).withInitiator("rollback"));
  }

  /**
   * Replays the journal and continues every rollout that was open when the previous engine stopped
   * (crashed or closed), rebuilds the services' release history from the rollouts that ended, and releases
   * leases left behind by a process that died between a lease change and the record next to it (a rollout
   * that ended, or that was never journaled).
   * Providers receive the same operation ids as before, so effects that already happened are not
   * repeated visibly; waits continue with the time that remained. A rollout that cannot continue safely
   * (its plan is unreadable, or the fleet no longer knows its instances) is aborted to stable with the
   * reason. Rollouts already active in this engine are left alone, so calling it twice is harmless.
   * {@link Builder#build()} calls it unless {@link Builder#autoResume(boolean) autoResume(false)}.
   *
   * @return the resumed rollouts
   */
  public List<Rollout> resume() {
    Map<String, List<JournalRecord>> byRollout = new LinkedHashMap<>();
    journal.replay(0, r -> byRollout.computeIfAbsent(r.rolloutId(), k -> new ArrayList<>()).add(r));
    List<Rollout> resumed = new ArrayList<>();
    for (Map.Entry<String, List<JournalRecord>> e : byRollout.entrySet()) {
      String id = e.getKey();
      List<JournalRecord> records = e.getValue();
      if (active.containsKey(id) || records.isEmpty() || records.get(0).type() != JournalRecord.Type.CREATED) {
        continue;
      }
      JournalPayload.Created created;
      Plan plan;
      try {
        created = ctx.codec().created(records.get(0));
        plan = created.plan();
      } catch (RuntimeException ex) {
        LOG.error("rollout {} cannot be resumed: its CREATED record is unreadable ({}); it stays as journaled", id,
            ex.getMessage());
        continue;
      }
      JournalRecord last = records.get(records.size() - 1);
      if (last.type() == JournalRecord.Type.ENDED) {
        replayEnded(plan, last);
        // The engine may have died between journaling the end and releasing the lease.
        journal.releaseLease(plan.service(), id);
        continue;
      }
      RolloutOptions options = new RolloutOptions(created.progressDeadline() != null ? created.progressDeadline()
          : defaultOptions.progressDeadline(), created.skipAnalysis(), created.initiator(), Map.of());
      List<String> evidence = created.verification();
      synchronized (services) {
        releaseStaleLease(plan.service());
        if (!journal.tryLease(plan.service(), id)) {
          LOG.error("rollout {} cannot be resumed: {} is leased to {}", id, plan.service(),
              journal.leaseHolder(plan.service()).orElse("?"));
          continue;
        }
        ServiceState st = services.computeIfAbsent(plan.service(), k -> new ServiceState());
        if (st.stable == null && plan.stable() != null) {
          st.stable = plan.stable();
        }
      }
      RolloutRun run = RolloutRun.recover(id, plan, options, ctx, evidence, records);
      active.put(id, run);
      run.resumeFromJournal();
      resumed.add(run);
    }
    synchronized (services) {
      for (List<JournalRecord> records : byRollout.values()) {
        releaseStaleLease(records.get(0).service());
      }
    }
    return resumed;
  }

  /**
   * Releases a service's lease if its holder can never release it: a rollout whose last record is ENDED
   * (its engine died between that record and the release) or that has no record at all (its engine died
   * between taking the lease and journaling CREATED). This engine drives every rollout of its journal, as
   * {@link #resume()} does, so a holder it is neither starting nor running is nobody's. Call holding
   * {@code services}.
   */
  private void releaseStaleLease(String service) {
    String holder = journal.leaseHolder(service).orElse(null);
    // starting before active: start() adds to active before it removes from starting
    if (holder == null || starting.contains(holder) || active.containsKey(holder)) {
      return;
    }
    List<JournalRecord> records = journal.records(holder);
    if (records.isEmpty() || records.get(records.size() - 1).type() == JournalRecord.Type.ENDED) {
      LOG.warn("releasing the lease of {} on {}: {}", holder, service, records.isEmpty()
          ? "the rollout was never journaled (its engine stopped after taking the lease)"
          : "the rollout has ended (its engine stopped before releasing the lease)");
      journal.releaseLease(service, holder);
    }
  }

  private void replayEnded(Plan plan, JournalRecord ended) {
    boolean succeeded;
    try {
      succeeded = ctx.codec().decode(ended) instanceof JournalPayload.Ended e && e.succeeded();
    } catch (IllegalArgumentException e) {
      LOG.warn("unreadable ENDED record {} ignored", ended.sequence());
      return;
    }
    synchronized (services) {
      ServiceState s = services.computeIfAbsent(plan.service(), k -> new ServiceState());
      if (succeeded) {
        if (s.stable != null && !s.stable.equals(plan.target())) {
          s.previous.remove(plan.target());
          s.previous.push(s.stable);
        } else if (s.stable == null && plan.stable() != null) {
          s.previous.push(plan.stable());
        }
        s.stable = plan.target();
        s.replicas = targetReplicas(plan, s.replicas);
      } else if (s.stable == null && plan.stable() != null) {
        s.stable = plan.stable();
      }
    }
  }

  /** Aborts a rollout: traffic goes to 100 % stable first, then the target retires. */
  public void abort(String rolloutId, String reason) {
    run(rolloutId).abort(reason);
  }

  /** Pauses a rollout at its next step boundary. */
  public void pause(String rolloutId) {
    run(rolloutId).pause("api");
  }

  /** Resumes a paused rollout. */
  public void resume(String rolloutId) {
    run(rolloutId).resume("api");
  }

  /** Approves a rollout that waits for approval (or for a human after inconclusive analysis). */
  public void approve(String rolloutId) {
    run(rolloutId).resume("approval");
  }

  /** Skips the remaining analysis and pauses of a rollout. */
  public void promote(String rolloutId) {
    run(rolloutId).promote("api");
  }

  /** The status of an active or finished rollout. */
  public Optional<RolloutStatus> status(String rolloutId) {
    RolloutRun r = active.get(rolloutId);
    if (r != null) {
      return Optional.of(r.status());
    }
    synchronized (services) {
      return services.values().stream().flatMap(s -> s.history.stream())
          .filter(st -> st.rolloutId().equals(rolloutId)).findFirst();
    }
  }

  /** The active rollouts. */
  public Collection<Rollout> activeRollouts() {
    return List.copyOf(active.values());
  }

  /** The stable release of a service, if known. */
  public Optional<Release> stable(String service) {
    synchronized (services) {
      ServiceState s = services.get(service);
      return Optional.ofNullable(s == null ? null : s.stable);
    }
  }

  /** Finished rollouts of a service, oldest first. */
  public List<RolloutStatus> history(String service) {
    synchronized (services) {
      ServiceState s = services.get(service);
      return s == null ? List.of() : List.copyOf(s.history);
    }
  }

  /** The journal in use. */
  public Journal journal() {
    return journal;
  }

  /** Stops owned executors and the owned journal. Running rollouts stop where they are (resume is the journal's job). */
  @Override
  public void close() {
    for (AutoCloseable c : owned) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.warn("close failed", e);
      }
    }
  }

  private void validate(Plan plan) {
    List<InvalidSpecException.Violation> v = new ArrayList<>();
    checkGates(plan.steps(), "$.steps", v);
    checkGates(plan.rollbackSteps(), "$.rollback", v);
    Release stable = plan.stable();
    if (stable != null) {
      // Before traffic is back on stable, a rollback may only bring stable's capacity back (recreate and
      // rolling reduce it); its first route must send 100 % to stable, before anything is drained or retired.
      boolean routed = false;
      for (int i = 0; i < plan.rollbackSteps().size() && !routed; i++) {
        Step s = plan.rollbackSteps().get(i);
        if (s instanceof Step.Route r) {
          if (r.split().weight(stable.id()) != TrafficSplit.TOTAL) {
            v.add(new InvalidSpecException.Violation("$.rollback[" + i + "]", "is the rollback's first route but sends "
                + r.split() + " instead of 100 % to the stable release " + stable.id(),
                "route TrafficSplit.all(stableId) before any other traffic change"));
          }
          routed = true;
        } else if (!(s instanceof Step.Launch l && l.releaseId().equals(stable.id()))
            && !(s instanceof Step.Scale sc && sc.releaseId().equals(stable.id()))
            && !(s instanceof Step.Hook)) {
          v.add(new InvalidSpecException.Violation("$.rollback[" + i + "]", s.describe()
              + " comes before traffic is routed back to the stable release " + stable.id(),
              "start the rollback with Route(TrafficSplit.all(stableId)); only launching or scaling stable may precede it"));
          routed = true;
        }
      }
      if (!routed) {
        v.add(new InvalidSpecException.Violation("$.rollback", "never routes traffic back to the stable release "
            + stable.id(), "add Route(TrafficSplit.all(stableId)) as the rollback's first traffic change"));
      }
    }
    if (!v.isEmpty()) {
      throw new InvalidSpecException(v);
    }
  }

  private void checkGates(List<Step> steps, String path, List<InvalidSpecException.Violation> v) {
    for (int i = 0; i < steps.size(); i++) {
      Step s = steps.get(i);
      if (s instanceof Step.Verify verify) {
        List<String> all = new ArrayList<>(verify.gates());
        all.addAll(verify.dryRunGates());
        for (String g : all) {
          if (!gates.containsKey(g)) {
            v.add(new InvalidSpecException.Violation(path + "[" + i + "].gates", "names gate '" + g
                + "', which is not registered (registered: " + new java.util.TreeSet<>(gates.keySet()) + ")",
                "register it with Cutover.builder().gate(...) or fix the name"));
          }
        }
      } else if (s instanceof Step.Hook h && !gates.containsKey(h.gate())) {
        v.add(new InvalidSpecException.Violation(path + "[" + i + "].gate", "names gate '" + h.gate()
            + "', which is not registered", "register it with Cutover.builder().gate(...) or fix the name"));
      }
    }
  }

  private void ended(RolloutRun run) {
    Plan plan = run.plan();
    RolloutStatus st = run.status();
    synchronized (services) {
      ServiceState s = services.computeIfAbsent(plan.service(), k -> new ServiceState());
      if (st.state() == RolloutState.SUCCEEDED) {
        Release old = s.stable;
        if (old != null && !old.equals(plan.target())) {
          s.previous.remove(plan.target());
          s.previous.push(old);
        }
        s.stable = plan.target();
        s.replicas = targetReplicas(plan, s.replicas);
        while (s.previous.size() > 16) {
          s.previous.removeLast();
        }
      }
      s.history.add(st);
      journal.releaseLease(plan.service(), run.id());
      active.remove(run.id());
    }
    updatePins(run, st.state() == RolloutState.SUCCEEDED);
  }

  /** The rollback target stays pinned until the next release is stable; the rollout's own pin goes. */
  private void updatePins(RolloutRun run, boolean succeeded) {
    if (store == null) {
      return;
    }
    Plan plan = run.plan();
    String service = plan.service();
    try {
      if (succeeded) {
        store.pin(plan.target().artifact(), "stable:" + service);
        if (plan.stable() != null) {
          store.unpin(plan.stable().artifact(), "stable:" + service);
          store.pin(plan.stable().artifact(), "rollback-target:" + service);
        }
        synchronized (services) {
          ServiceState s = services.get(service);
          if (s != null && s.previous.size() > 1) {
            Release older = s.previous.stream().skip(1).findFirst().orElse(null);
            if (older != null && !older.artifact().equals(plan.target().artifact())
                && (plan.stable() == null || !older.artifact().equals(plan.stable().artifact()))) {
              store.unpin(older.artifact(), "rollback-target:" + service);
            }
          }
        }
      }
      store.unpin(plan.target().artifact(), "rollout:" + run.id());
    } catch (RuntimeException e) {
      LOG.warn("could not update pins for {}", run.id(), e);
    }
  }

  private static int targetReplicas(Plan plan, int fallback) {
    int n = 0;
    for (Step s : plan.steps()) {
      if (s instanceof Step.Launch l && l.releaseId().equals(plan.target().id())) {
        n = l.replicas();
      } else if (s instanceof Step.Scale sc && sc.releaseId().equals(plan.target().id())) {
        n = sc.replicas();
      }
    }
    return n > 0 ? n : fallback;
  }

  private RolloutRun run(String rolloutId) {
    RolloutRun r = active.get(rolloutId);
    if (r == null) {
      throw new InvalidSpecException("rolloutId", "no active rollout '" + rolloutId + "'",
          "use the id of a running rollout (see activeRollouts())");
    }
    return r;
  }

  private String newRolloutId(String service) {
    String id;
    do {
      id = service + "-" + Long.toString(clock.millis(), 36) + "-" + sequence.incrementAndGet();
      // A restarted engine counts from 1 again; if its clock shows a millisecond an earlier life used (a
      // virtual clock, a clock stepped back), the id could name a journaled rollout and its operation ids.
    } while (!journal.records(id).isEmpty());
    return id;
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicLong n = new AtomicLong();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * Builds a {@link Cutover}. Each option may be set once (a second call is a mistake and is refused);
   * {@code gate}, {@code listener} and {@code resilience} add to collections. Not thread-safe.
   */
  public static final class Builder {
    private @Nullable InstantSource clock;
    private @Nullable ScheduledExecutorService scheduler;
    private java.util.concurrent.@Nullable Executor providerExecutor;
    private @Nullable Journal journal;
    private @Nullable Fleet fleet;
    private @Nullable Router router;
    private @Nullable ArtifactStore store;
    private @Nullable ArtifactVerifier verifier;
    private @Nullable OpenTelemetry openTelemetry;
    private @Nullable RolloutOptions defaultOptions;
    private final Map<String, HealthGate> gates = new LinkedHashMap<>();
    private final List<RolloutListener> listeners = new ArrayList<>();
    private final Map<String, ResiliencePolicy> resilience = new HashMap<>();
    private final Set<String> set = new java.util.HashSet<>();
    private boolean autoResume = true;

    private Builder() {}

    /** Whether {@link #build()} resumes the rollouts open in the journal (default true). */
    public Builder autoResume(boolean resume) {
      once("autoResume");
      this.autoResume = resume;
      return this;
    }

    private void once(String option) {
      if (!set.add(option)) {
        throw new IllegalStateException(option + " was already set on this builder");
      }
    }

    /** The wall clock; default the system clock. */
    public Builder clock(InstantSource clock) {
      once("clock");
      this.clock = Objects.requireNonNull(clock);
      return this;
    }

    /** The scheduler that runs every rollout's state machine; default a single daemon thread owned by the engine. */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      once("scheduler");
      this.scheduler = Objects.requireNonNull(scheduler);
      return this;
    }

    /** Where blocking provider calls run; default 16 daemon threads owned by the engine. */
    public Builder providerExecutor(java.util.concurrent.Executor executor) {
      once("providerExecutor");
      this.providerExecutor = Objects.requireNonNull(executor);
      return this;
    }

    /** The journal; default an in-memory journal (not durable). */
    public Builder journal(Journal journal) {
      once("journal");
      this.journal = Objects.requireNonNull(journal);
      return this;
    }

    /** The fleet (required). */
    public Builder fleet(Fleet fleet) {
      once("fleet");
      this.fleet = Objects.requireNonNull(fleet);
      return this;
    }

    /** The router (required). */
    public Builder router(Router router) {
      once("router");
      this.router = Objects.requireNonNull(router);
      return this;
    }

    /** The artifact store used to verify and pin artifacts; optional. */
    public Builder artifactStore(ArtifactStore store) {
      once("artifactStore");
      this.store = Objects.requireNonNull(store);
      return this;
    }

    /** The verification policy evaluated before each rollout; needs an artifact store. */
    public Builder verifier(ArtifactVerifier verifier) {
      once("verifier");
      this.verifier = Objects.requireNonNull(verifier);
      return this;
    }

    /** OpenTelemetry for spans and metrics; default no-op. */
    public Builder openTelemetry(OpenTelemetry otel) {
      once("openTelemetry");
      this.openTelemetry = Objects.requireNonNull(otel);
      return this;
    }

    /** Options used when a call does not pass its own. */
    public Builder defaultOptions(RolloutOptions options) {
      once("defaultOptions");
      this.defaultOptions = Objects.requireNonNull(options);
      return this;
    }

    /** Registers a health gate under its {@link HealthGate#name()}; names must be unique. */
    public Builder gate(HealthGate gate) {
      Objects.requireNonNull(gate);
      if (gates.putIfAbsent(gate.name(), gate) != null) {
        throw new InvalidSpecException("gates." + gate.name(), "is registered twice", "give each gate a unique name");
      }
      return this;
    }

    /** Adds a listener. */
    public Builder listener(RolloutListener listener) {
      listeners.add(Objects.requireNonNull(listener));
      return this;
    }

    /**
     * Sets the resilience policy of a provider kind: {@code fleet}, {@code router}, {@code gates}, or
     * {@code default} for all.
     */
    public Builder resilience(String provider, ResiliencePolicy policy) {
      if (!Set.of("fleet", "router", "gates", "default").contains(provider)) {
        throw new InvalidSpecException("resilience." + provider, "is not a provider kind",
            "use fleet, router, gates or default");
      }
      if (resilience.putIfAbsent(provider, Objects.requireNonNull(policy)) != null) {
        throw new IllegalStateException("resilience for " + provider + " was already set on this builder");
      }
      return this;
    }

    /**
     * Builds the engine.
     *
     * @throws InvalidSpecException if the fleet or router is missing, or a verifier is set without a store
     */
    public Cutover build() {
      List<InvalidSpecException.Violation> v = new ArrayList<>();
      if (fleet == null) {
        v.add(new InvalidSpecException.Violation("fleet", "is missing", "call builder().fleet(...)"));
      }
      if (router == null) {
        v.add(new InvalidSpecException.Violation("router", "is missing", "call builder().router(...)"));
      }
      if (verifier != null && store == null) {
        v.add(new InvalidSpecException.Violation("verifier", "is set without an artifact store",
            "call builder().artifactStore(...) too"));
      }
      if (!v.isEmpty()) {
        throw new InvalidSpecException(v);
      }
      Cutover cutover = new Cutover(this);
      if (autoResume) {
        cutover.resume();
      }
      return cutover;
    }
  }
}
