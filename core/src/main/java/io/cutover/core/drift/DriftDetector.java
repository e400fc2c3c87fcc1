// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.drift;

import io.cutover.api.Instance;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.Release;
import io.cutover.api.rollout.RolloutListener;
import io.cutover.core.Cutover;
import io.cutover.spi.Fleet;
import io.cutover.spi.Journal;
import io.cutover.spi.JournalRecord;
import io.cutover.spi.Router;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Detects drift continuously, outside rollouts, and repairs it by replacement.
 *
 * <p><b>Detection.</b> Every {@linkplain Builder#interval(Duration) interval} (on the injected
 * scheduler, never sleeping), for each service whose stable release the {@link Cutover} engine
 * knows (or the {@linkplain Builder#services configured ones}) and that no rollout holds (its
 * lease): lists the service's instances from the fleet and compares each instance of the stable
 * release's {@link Instance#runningDigest() running artifact digest} and {@link
 * Instance#runningConfig() running config digest} with the release's. Each drifted instance is
 * reported once per digest: a {@code DRIFT_DETECTED} event to the listeners, a warning log and the
 * {@code cutover.drift.incidents} counter.
 *
 * <p><b>Repair</b> ({@linkplain Builder#repair(boolean) off by default}) never patches in place. It
 * runs as a mini-rollout that takes the service's lease (so it never runs beside a rollout, and a
 * rollout started meanwhile is refused with {@code RolloutConflictException}) and is journaled
 * write-ahead with deterministic operation ids: launch fresh instances of the stable release, one
 * per drifted instance; re-apply the router's current split with backends without the drifted
 * instances; retire each drifted instance ({@link Fleet#retireInstance}). A drifted instance that
 * cannot be replaced (the launch fails, or the fleet cannot stop single instances) stays out of
 * routing — quarantined — and is reported with an {@code INSTANCE_QUARANTINED} event; the repair is
 * tried again every round. After a crash, {@link #start()} continues every repair the journal holds
 * open, issuing only the effects without a DONE record, with the same ids.
 *
 * <p><b>Threading.</b> Rounds run one at a time on the executor (provider calls block there, never
 * on the scheduler thread). All methods are thread-safe.
 *
 * <p>Listeners get {@code RolloutEvent}s whose {@code rolloutId} is {@code drift:<service>} for
 * detections and the repair's id for repairs, with step index -1.
 */
public final class DriftDetector implements AutoCloseable {
  /** Appended to the service name of a repair's journal records (its lease uses the service). */
  public static final String JOURNAL_SERVICE_SUFFIX = "#drift-repair";

  private static final Logger LOG = LoggerFactory.getLogger(DriftDetector.class);

  private final Cutover cutover;
  private final Journal journal;
  private final Fleet fleet;
  private final Router router;
  private final InstantSource clock;
  private final ScheduledExecutorService scheduler;
  private final Executor executor;
  private final Duration interval;
  private final boolean repair;
  private final List<String> services;
  private final DriftTelemetry telemetry;
  private final List<AutoCloseable> owned;
  private final AtomicBoolean roundQueued = new AtomicBoolean();
  private final AtomicLong sequence = new AtomicLong();

  /** Per service, the findings already reported (instance id + "@" + digest). */
  private final Map<String, Set<String>> reported = new HashMap<>();

  /** Per service, quarantined instance id to why. Guarded by this. */
  private final Map<String, Map<String, String>> quarantined = new HashMap<>();

  private @Nullable ScheduledFuture<?> ticking;

  private DriftDetector(Builder b) {
    List<AutoCloseable> own = new ArrayList<>();
    this.cutover = b.cutover;
    this.journal = b.cutover.journal();
    this.fleet = Objects.requireNonNull(b.fleet, "fleet");
    this.router = Objects.requireNonNull(b.router, "router");
    this.clock = b.clock != null ? b.clock : InstantSource.system();
    if (b.scheduler != null) {
      this.scheduler = b.scheduler;
    } else {
      ScheduledThreadPoolExecutor s =
          new ScheduledThreadPoolExecutor(1, r -> daemon(r, "cutover-drift-scheduler"));
      s.setRemoveOnCancelPolicy(true);
      own.add(s::shutdownNow);
      this.scheduler = s;
    }
    if (b.executor != null) {
      this.executor = b.executor;
    } else {
      ExecutorService pool = Executors.newSingleThreadExecutor(r -> daemon(r, "cutover-drift"));
      own.add(pool::shutdownNow);
      this.executor = pool;
    }
    this.owned = own;
    this.interval = b.interval;
    this.repair = b.repair;
    this.services = List.copyOf(b.services);
    this.telemetry =
        new DriftTelemetry(
            b.openTelemetry != null ? b.openTelemetry : OpenTelemetry.noop(), b.listeners, clock);
  }

  /** A builder for a detector over the services of {@code cutover}, using its journal. */
  public static Builder builder(Cutover cutover) {
    return new Builder(Objects.requireNonNull(cutover, "cutover"));
  }

  /**
   * Continues the repairs the journal holds open (a previous process stopped in the middle), then
   * runs a round every interval, the first one interval from now. Calling it twice is harmless.
   */
  public synchronized void start() {
    if (ticking != null) {
      return;
    }
    executor.execute(this::recoverOpenRepairs);
    long nanos = interval.toNanos();
    ticking = scheduler.scheduleWithFixedDelay(this::tick, nanos, nanos, TimeUnit.NANOSECONDS);
  }

  /** Runs one round now, on the executor (after the round in progress, if any). */
  public CompletableFuture<DriftReport> checkNow() {
    return CompletableFuture.supplyAsync(this::round, executor);
  }

  /**
   * The instances of {@code service} that drifted and could not be replaced, which repair keeps out
   * of routing: instance id to why.
   */
  public synchronized Map<String, String> quarantined(String service) {
    return Map.copyOf(quarantined.getOrDefault(service, Map.of()));
  }

  /** Stops the rounds and the executors the detector owns; a repair in progress stays open. */
  @Override
  public void close() {
    synchronized (this) {
      if (ticking != null) {
        ticking.cancel(false);
      }
    }
    for (AutoCloseable c : owned) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.warn("close failed", e);
      }
    }
  }

  /** On the scheduler: hand the round to the executor, unless one is already queued. */
  private void tick() {
    if (roundQueued.compareAndSet(false, true)) {
      try {
        executor.execute(
            () -> {
              roundQueued.set(false);
              try {
                round();
              } catch (RuntimeException e) {
                LOG.error("drift round failed; next round in {}", interval, e);
              }
            });
      } catch (RuntimeException e) {
        roundQueued.set(false);
        LOG.warn("cannot schedule a drift round", e);
      }
    }
  }

  private synchronized DriftReport round() {
    var at = clock.instant();
    List<DriftFinding> findings = new ArrayList<>();
    List<DriftRepair> repairs = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    for (String service : services.isEmpty() ? cutover.services() : services) {
      Release desired = cutover.stable(service).orElse(null);
      if (desired == null) {
        skipped.add(service + ": no stable release known");
        continue;
      }
      Optional<String> holder = journal.leaseHolder(service);
      if (holder.isPresent()) {
        skipped.add(service + ": " + holder.get() + " holds its lease");
        continue;
      }
      List<Instance> list;
      try {
        list = fleet.instances(service);
      } catch (RuntimeException e) {
        LOG.warn("drift check of {} skipped: the fleet failed to list instances", service, e);
        skipped.add(service + ": listing instances failed: " + e.getMessage());
        continue;
      }
      List<DriftFinding> found = new ArrayList<>();
      for (Instance i : list) {
        DriftFinding f = DriftFinding.of(desired, i);
        if (f != null) {
          found.add(f);
        }
      }
      report(service, found);
      forgetGone(service, list);
      findings.addAll(found);
      if (repair && !found.isEmpty()) {
        repairs.add(repair(desired, found));
      }
    }
    return new DriftReport(at, findings, repairs, skipped);
  }

  private void report(String service, List<DriftFinding> found) {
    Set<String> before = reported.getOrDefault(service, Set.of());
    Set<String> now = new HashSet<>();
    for (DriftFinding f : found) {
      String key = f.instance().id() + "@" + f.actual();
      now.add(key);
      if (!before.contains(key)) {
        telemetry.detected(f);
      }
    }
    reported.put(service, now);
  }

  private void forgetGone(String service, List<Instance> listed) {
    Map<String, String> q = quarantined.get(service);
    if (q != null) {
      Set<String> ids = new HashSet<>();
      listed.forEach(i -> ids.add(i.id()));
      q.keySet().retainAll(ids);
    }
  }

  private DriftRepair repair(Release desired, List<DriftFinding> found) {
    String service = desired.service();
    String id = newRepairId(service);
    RepairJournal rj = new RepairJournal(journal, clock, id, service);
    // Journaled before the lease is taken: the engine releases a lease whose holder has no record.
    rj.append(JournalRecord.Type.STATE, null, RepairRun.started(desired, found));
    if (!journal.tryLease(service, id)) {
      DriftRepair d =
          RepairRun.deferred(rj, id, desired, journal.leaseHolder(service).orElse("(unknown)"));
      telemetry.repaired(d, List.of());
      return d;
    }
    List<String> ids = found.stream().map(f -> f.instance().id()).toList();
    return finish(
        service,
        id,
        new RepairRun(
            rj, fleet, router, id, desired, ids, quarantined(service).keySet(), Map.of()));
  }

  /** Runs a repair holding the lease, releases the lease once its end is journaled. */
  private DriftRepair finish(String service, String id, RepairRun run) {
    DriftRepair r = run.run();
    journal.releaseLease(service, id);
    Map<String, String> q = quarantined.computeIfAbsent(service, k -> new LinkedHashMap<>());
    List<String> fresh = new ArrayList<>();
    for (String i : r.quarantined()) {
      if (q.put(i, r.reason()) == null) {
        fresh.add(i);
      }
    }
    r.replaced().forEach(q::remove);
    telemetry.repaired(r, fresh);
    LOG.info(
        "drift repair {} of {}: {} (replaced {}, quarantined {}){}",
        id,
        service,
        r.outcome(),
        r.replaced(),
        r.quarantined(),
        r.reason().isEmpty() ? "" : ": " + r.reason());
    return r;
  }

  private synchronized void recoverOpenRepairs() {
    Map<String, List<JournalRecord>> byId = new LinkedHashMap<>();
    journal.replay(
        0,
        r -> {
          if (r.service().endsWith(JOURNAL_SERVICE_SUFFIX)) {
            byId.computeIfAbsent(r.rolloutId(), k -> new ArrayList<>()).add(r);
          }
        });
    for (Map.Entry<String, List<JournalRecord>> e : byId.entrySet()) {
      List<JournalRecord> records = e.getValue();
      if (records.get(records.size() - 1).type() == JournalRecord.Type.ENDED) {
        continue;
      }
      try {
        resume(e.getKey(), records);
      } catch (RuntimeException ex) {
        LOG.error("open drift repair {} cannot be continued; it stays open", e.getKey(), ex);
      }
    }
  }

  private void resume(String id, List<JournalRecord> records) {
    Map<String, Object> started = RepairJournal.read(records.get(0));
    if (started == null || !"started".equals(started.get("phase"))) {
      LOG.error("open drift repair {} has no readable start record; it stays open", id);
      return;
    }
    Release desired = RepairRun.releaseOf(started);
    String service = desired.service();
    if (!journal.tryLease(service, id)) {
      LOG.error(
          "open drift repair {} cannot continue: {} holds the lease of {}",
          id,
          journal.leaseHolder(service).orElse("?"),
          service);
      return;
    }
    Map<String, Map<String, Object>> finished = new HashMap<>();
    for (JournalRecord r : records) {
      Map<String, Object> p = RepairJournal.read(r);
      if (p != null
          && r.operationId() != null
          && (r.type() == JournalRecord.Type.DONE || r.type() == JournalRecord.Type.FAILED)) {
        finished.put(r.operationId(), p);
      }
    }
    LOG.warn("continuing drift repair {} of {} after a restart", id, service);
    RepairRun run =
        new RepairRun(
            new RepairJournal(journal, clock, id, service),
            fleet,
            router,
            id,
            desired,
            RepairRun.instancesOf(started),
            Set.of(),
            finished);
    finish(service, id, run);
  }

  /** A repair id the journal does not hold yet. */
  private String newRepairId(String service) {
    String id;
    do {
      id =
          service
              + "-drift-"
              + Long.toString(clock.millis(), 36)
              + "-"
              + sequence.incrementAndGet();
    } while (!journal.records(id).isEmpty());
    return id;
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /** Builds a {@link DriftDetector}. Not thread-safe. */
  public static final class Builder {
    private final Cutover cutover;
    private @Nullable Fleet fleet;
    private @Nullable Router router;
    private @Nullable InstantSource clock;
    private @Nullable ScheduledExecutorService scheduler;
    private @Nullable Executor executor;
    private @Nullable OpenTelemetry openTelemetry;
    private Duration interval = Duration.ofMinutes(1);
    private boolean repair;
    private final List<String> services = new ArrayList<>();
    private final List<RolloutListener> listeners = new ArrayList<>();

    private Builder(Cutover cutover) {
      this.cutover = cutover;
    }

    /** The fleet to ask what runs, and to launch and retire instances with (required). */
    public Builder fleet(Fleet fleet) {
      this.fleet = Objects.requireNonNull(fleet, "fleet");
      return this;
    }

    /** The router that takes drifted instances out of routing (required). */
    public Builder router(Router router) {
      this.router = Objects.requireNonNull(router, "router");
      return this;
    }

    /** The clock for journal records and events; default the system clock. */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The scheduler that triggers rounds; default a daemon thread owned by the detector. */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** Where rounds (and their blocking provider calls) run; default a daemon thread. */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * How often a round runs (default 1 minute).
     *
     * @throws InvalidSpecException if it is zero or negative
     */
    public Builder interval(Duration interval) {
      Objects.requireNonNull(interval, "interval");
      if (interval.isZero() || interval.isNegative()) {
        throw new InvalidSpecException(
            "drift.interval", "is " + interval, "use a positive interval, e.g. PT1M");
      }
      this.interval = interval;
      return this;
    }

    /** Whether drifted instances are replaced (default false: report only). */
    public Builder repair(boolean repair) {
      this.repair = repair;
      return this;
    }

    /**
     * Checks only these services (default: every service whose stable release the engine knows).
     *
     * @throws InvalidSpecException if a name is blank
     */
    public Builder services(String... names) {
      for (String n : names) {
        if (n == null || n.isBlank()) {
          throw new InvalidSpecException(
              "drift.services[" + services.size() + "]", "is blank", "name a service");
        }
        services.add(n);
      }
      return this;
    }

    /** OpenTelemetry for the drift metrics; default no-op. */
    public Builder openTelemetry(OpenTelemetry otel) {
      this.openTelemetry = Objects.requireNonNull(otel, "openTelemetry");
      return this;
    }

    /** Adds a listener for drift events. */
    public Builder listener(RolloutListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Builds the detector (call {@link DriftDetector#start()} to run it).
     *
     * @throws InvalidSpecException if the fleet or the router is missing
     */
    public DriftDetector build() {
      List<InvalidSpecException.Violation> v = new ArrayList<>();
      if (fleet == null) {
        v.add(
            new InvalidSpecException.Violation(
                "drift.fleet", "is missing", "call DriftDetector.builder(cutover).fleet(...)"));
      }
      if (router == null) {
        v.add(
            new InvalidSpecException.Violation(
                "drift.router", "is missing", "call DriftDetector.builder(cutover).router(...)"));
      }
      if (!v.isEmpty()) {
        throw new InvalidSpecException(v);
      }
      return new DriftDetector(this);
    }
  }
}
