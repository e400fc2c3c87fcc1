// SPDX-License-Identifier: Apache-2.0
package io.cutover.core;

import io.cutover.api.ArtifactRef;
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
import io.cutover.core.internal.engine.CountedArtifactStore;
import io.cutover.core.internal.engine.EngineContext;
import io.cutover.core.internal.engine.EngineTelemetry;
import io.cutover.core.internal.engine.ResilientCaller;
import io.cutover.core.internal.engine.RolloutRun;
import io.cutover.core.internal.facade.ArtifactPins;
import io.cutover.core.internal.facade.JournalRecovery;
import io.cutover.core.internal.facade.LiveRollouts;
import io.cutover.core.internal.facade.PlanValidator;
import io.cutover.core.internal.facade.ReleaseHistory;
import io.cutover.core.internal.facade.SharedReleases;
import io.cutover.core.internal.schema.JournalPayload;
import io.cutover.core.journal.InMemoryJournal;
import io.cutover.spi.ArtifactStore;
import io.cutover.spi.ArtifactVerifier;
import io.cutover.spi.Fleet;
import io.cutover.spi.HealthGate;
import io.cutover.spi.Journal;
import io.cutover.spi.JournalRecord;
import io.cutover.spi.PlanRequest;
import io.cutover.spi.ReplicaEngine;
import io.cutover.spi.RolloutStrategy;
import io.cutover.spi.Router;
import io.cutover.spi.SharedJournal;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embeddable rollout engine: the entry point of Cutover.
 *
 * <p>Build one per process with {@link #builder()}, wiring a {@link Fleet} and a {@link Router}
 * (required), health gates, an artifact store and verifier, a {@link Journal}, a clock and
 * scheduler, telemetry and listeners. Then {@link #deploy} a release with a {@link
 * RolloutStrategy}, or {@link #start} a {@link Plan} you compiled yourself, and steer it with
 * {@link #abort}, {@link #pause}, {@link #resume}, {@link #approve}, {@link #promote(String)
 * promote}, {@link #retry}, {@link #rollback(String) rollback} and {@link #revisions}.
 *
 * <p><b>Guarantees.</b> Everything is validated before the first side effect (gates exist, the
 * rollback plan routes to stable first, the artifact passes verification); one rollout per service
 * at a time ({@link RolloutConflictException}); every side effect is journaled before and after it
 * happens with a deterministic operation id; a failed gate or an abort sends traffic to 100 %
 * stable before anything else; a provider that keeps failing leaves traffic at the last split that
 * was applied and verified, and the rollout ends ABORTED with the reason; a rollout that makes no
 * progress for its progress deadline aborts — nothing stays in progress forever.
 *
 * <p><b>Threading.</b> All methods are thread-safe. Rollouts run as state machines on the scheduler
 * (no thread per rollout, no sleeping thread); provider calls run on the provider executor. Time
 * comes only from the injected clock and scheduler, so the testkit's virtual scheduler runs an hour
 * of rollout in milliseconds.
 */
public final class Cutover implements AutoCloseable {
  // Looked up when something is logged, not when the class loads: building a Cutover does not
  // initialize the logging backend (SLF4J's provider discovery scans the class path).
  private static Logger log() {
    return LoggerFactory.getLogger(Cutover.class);
  }

  private final Journal journal;
  private final @Nullable ArtifactStore store;

  /** Null without an artifact store (nothing is verified then); see {@link #verified}. */
  private final @Nullable ArtifactVerifier verifier;

  private final RolloutOptions defaultOptions;
  private final EngineContext ctx;

  /**
   * The executors this engine created (the scheduler, then the provider pool), shut down by {@link
   * #close()}; held as executors rather than as {@code shutdownNow} method references, which would
   * be the first lambdas a fresh JVM links (see {@link DaemonThreads}).
   */
  private final List<ExecutorService> ownedExecutors;

  /** The in-memory journal this engine created, closed after the executors; else null. */
  private final @Nullable InMemoryJournal ownedJournal;

  private final PlanValidator validator;

  /** Also the service lock: lease changes happen under its monitor (see {@link ReleaseHistory}). */
  private final ReleaseHistory history;

  private final LiveRollouts live = new LiveRollouts();
  private final ArtifactPins pins;
  private final JournalRecovery recovery;

  /** With a journal shared by engine replicas: the ends other replicas journaled; else null. */
  private final @Nullable SharedReleases shared;

  private Cutover(Builder b) {
    List<ExecutorService> own = new ArrayList<>(2);
    InstantSource clock = b.clock != null ? b.clock : InstantSource.system();
    ScheduledExecutorService scheduler;
    if (b.scheduler != null) {
      scheduler = b.scheduler;
    } else {
      ScheduledThreadPoolExecutor s =
          new ScheduledThreadPoolExecutor(1, new DaemonThreads("cutover-engine"));
      s.setRemoveOnCancelPolicy(true);
      scheduler = s;
      own.add(s);
    }
    Executor providerExecutor;
    if (b.providerExecutor != null) {
      providerExecutor = b.providerExecutor;
    } else {
      ExecutorService pool =
          Executors.newFixedThreadPool(16, new DaemonThreads("cutover-provider"));
      own.add(pool);
      providerExecutor = pool;
    }
    if (b.journal != null) {
      this.journal = b.journal;
      this.ownedJournal = null;
    } else {
      InMemoryJournal j = InMemoryJournal.create();
      this.ownedJournal = j;
      this.journal = j;
    }
    this.ownedExecutors = own;
    this.store = b.store;
    // Not ArtifactVerifier.NONE yet: initialising it links a lambda, and an engine without a store
    // never verifies (build() refuses a verifier without a store).
    this.verifier = b.verifier;
    Map<String, HealthGate> gates = Map.copyOf(b.gates);
    this.defaultOptions = b.defaultOptions != null ? b.defaultOptions : RolloutOptions.DEFAULT;
    // Null when not set: EngineTelemetry falls back to the no-op OpenTelemetry at the first
    // rollout, so that a build does not initialise it (its propagators and context classes).
    EngineTelemetry telemetry = new EngineTelemetry(b.openTelemetry, b.listeners);
    Map<ResilienceScope, ResiliencePolicy> set = b.resilience;
    Map<ResilienceScope, ResiliencePolicy> res = set != null ? set : Map.of();
    ResiliencePolicy defaults = res.getOrDefault(ResilienceScope.DEFAULT, ResiliencePolicy.DEFAULT);
    ResiliencePolicy gatePolicy =
        res.getOrDefault(ResilienceScope.GATES, defaults.withMaxAttempts(1));
    this.history =
        new ReleaseHistory(b.historyLimit, b.revisionHistoryLimit, b.revisionHistoryLimits);
    // build() refuses a builder without a fleet or a router.
    this.ctx =
        new EngineContext(
            clock,
            scheduler,
            providerExecutor,
            journal,
            Objects.requireNonNull(b.fleet, "fleet"),
            Objects.requireNonNull(b.router, "router"),
            gates,
            new ResilientCaller(
                "fleet",
                res.getOrDefault(ResilienceScope.FLEET, defaults),
                scheduler,
                providerExecutor,
                clock,
                telemetry.retryCounter("fleet")),
            new ResilientCaller(
                "router",
                res.getOrDefault(ResilienceScope.ROUTER, defaults),
                scheduler,
                providerExecutor,
                clock,
                telemetry.retryCounter("router")),
            new ResilientCaller(
                "gates",
                gatePolicy.withMaxAttempts(1),
                scheduler,
                providerExecutor,
                clock,
                EngineTelemetry.uncountedRetries()),
            telemetry,
            new OnEnded(),
            new RevisionsAfterSuccess());
    this.validator = new PlanValidator(gates);
    this.pins = new ArtifactPins(store, ctx.providerExecutor());
    this.shared =
        journal instanceof SharedJournal sj
            ? new SharedReleases(sj, history, live, ctx.codec())
            : null;
    this.recovery =
        new JournalRecovery(
            ctx,
            history,
            live,
            defaultOptions,
            pins,
            store == null ? null : this::verified,
            shared);
  }

  /**
   * With a shared journal, folds into the history what other replicas' rollouts of the service left
   * (its stable release may have changed there); nothing otherwise.
   */
  private void refreshShared(String service) {
    if (shared != null) {
      synchronized (history) {
        shared.refresh(service);
      }
    }
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Records that a service currently runs {@code stable} with {@code replicas} instances, deployed
   * before this engine existed. The next {@link #deploy} of the service uses it as the stable
   * release.
   *
   * @throws RolloutConflictException if the service has an active rollout
   */
  public void adopt(Release stable, int replicas) {
    if (replicas < 1) {
      throw new InvalidSpecException(
          "replicas", "is " + replicas, "adopt a service that runs at least 1 replica");
    }
    synchronized (history) {
      recovery.releaseStaleLease(stable.service());
      Optional<String> holder = journal.leaseHolder(stable.service());
      if (holder.isPresent()) {
        throw new RolloutConflictException(
            stable.service(),
            holder.get(),
            journal.leaseHolderReplica(stable.service()).orElse(null));
      }
      pins.retain(history.adopt(stable, replicas));
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
  public Rollout deploy(
      RolloutStrategy strategy, Release target, int replicas, RolloutOptions options) {
    Release stable = stable(target.service()).orElse(null);
    return start(strategy.plan(new PlanRequest(stable, target, replicas)), options);
  }

  /** Starts a plan with the default options. */
  public Rollout start(Plan plan) {
    return start(plan, defaultOptions);
  }

  /**
   * Validates, verifies and starts a plan. Returns once the rollout is journaled; it then runs on
   * the scheduler.
   *
   * @throws InvalidSpecException if the plan names unknown gates, its rollback does not route to
   *     stable first, or its stable release is not the service's stable release (nothing was done)
   * @throws RolloutConflictException if the service has an active rollout (nothing was done)
   * @throws VerificationException if the artifact fails verification (nothing was done)
   */
  public Rollout start(Plan plan, RolloutOptions options) {
    return start(plan, options, null);
  }

  /**
   * Retries an aborted rollout (Argo's {@code retry}): a new rollout of the same plan — same
   * target, steps and options — from the service's current stable release, journaled with a link to
   * the aborted one ({@code retryOf} in its CREATED record and index). The artifact is verified
   * again.
   *
   * @throws InvalidSpecException if the journal does not hold the rollout (never started, or
   *     compacted away), it has not ended, it succeeded, or the service's stable release is no
   *     longer the one it was planned from (then deploy the target again)
   * @throws RolloutConflictException if the service has an active rollout
   * @throws VerificationException if the artifact fails verification now
   */
  public Rollout retry(String abortedRolloutId) {
    Objects.requireNonNull(abortedRolloutId, "abortedRolloutId");
    List<JournalRecord> records = journal.records(abortedRolloutId);
    if (records.isEmpty() || records.get(0).type() != JournalRecord.Type.CREATED) {
      throw new InvalidSpecException(
          "rolloutId",
          "'" + abortedRolloutId + "' is not in the journal (never started, or compacted away)",
          "retry a rollout listed by history(service), or deploy its target again");
    }
    JournalRecord last = records.get(records.size() - 1);
    if (last.type() != JournalRecord.Type.ENDED) {
      throw new InvalidSpecException(
          "rolloutId",
          "'" + abortedRolloutId + "' has not ended",
          "abort it first, or wait for it to end");
    }
    if (ctx.codec().decode(last) instanceof JournalPayload.Ended e && e.succeeded()) {
      throw new InvalidSpecException(
          "rolloutId",
          "'" + abortedRolloutId + "' succeeded: there is nothing to retry",
          "retry an aborted rollout");
    }
    JournalPayload.Created created = ctx.codec().created(records.get(0));
    Plan plan = created.plan();
    Release stable = stable(plan.service()).orElse(null);
    if (!Objects.equals(stable, plan.stable())) {
      throw new InvalidSpecException(
          "rolloutId",
          "'"
              + abortedRolloutId
              + "' was planned from "
              + (plan.stable() == null ? "no stable release" : plan.stable().id())
              + " but "
              + plan.service()
              + " runs "
              + (stable == null ? "none" : stable.id())
              + " now",
          "deploy " + plan.target().id() + " again: Cutover.deploy plans from the current stable");
    }
    RolloutOptions options =
        new RolloutOptions(
            created.progressDeadline() != null
                ? created.progressDeadline()
                : defaultOptions.progressDeadline(),
            created.skipAnalysis(),
            created.initiator(),
            created.annotations());
    return start(plan, options, abortedRolloutId);
  }

  private Rollout start(Plan plan, RolloutOptions options, @Nullable String retryOf) {
    Objects.requireNonNull(plan, "plan");
    Objects.requireNonNull(options, "options");
    validator.validate(plan);
    String service = plan.service();
    String id = recovery.newRolloutId(service);
    synchronized (history) {
      if (shared == null) {
        requireStable(plan);
      }
      if (!journal.tryLease(service, id)) {
        recovery.releaseStaleLease(service);
        if (!journal.tryLease(service, id)) {
          throw new RolloutConflictException(
              service,
              journal.leaseHolder(service).orElse("(unknown)"),
              journal.leaseHolderReplica(service).orElse(null));
        }
      }
      if (shared != null) {
        // Holding the service's lease, no other replica can end a rollout of it: read what
        // theirs left, then check the plan against it.
        try {
          shared.refresh(service);
          requireStable(plan);
        } catch (RuntimeException e) {
          try {
            journal.releaseLease(service, id);
          } catch (RuntimeException notReleased) {
            e.addSuppressed(notReleased); // the lease expires; a later start releases it
          }
          throw e;
        }
      }
      live.starting(id);
    }
    RolloutRun run;
    try {
      List<String> evidence = verified(plan.target().artifact(), service);
      pins.pinRollout(plan.target(), id);
      // The whole plan, so that a recovering engine can rebuild the rollout from the journal alone.
      JournalPayload.Created created =
          new JournalPayload.Created(
              JournalPayload.SCHEMA_VERSION,
              plan.strategy(),
              plan.target().id(),
              plan.target().artifact().toString(),
              plan.target().config().digest().toString(),
              plan.stable() == null ? null : plan.stable().id(),
              plan.steps().size(),
              options.initiator(),
              options.progressDeadline(),
              options.skipAnalysis(),
              options.annotations(),
              evidence,
              plan,
              retryOf);
      journal.append(ctx.codec().record(ctx.clock().instant(), id, service, created));
      run = new RolloutRun(id, plan, options, ctx, evidence);
      live.running(run);
    } catch (RuntimeException e) {
      journal.releaseLease(service, id);
      throw e;
    } finally {
      live.doneStarting(id);
    }
    run.start();
    return run;
  }

  /** Refuses a plan whose stable release is not the service's stable release as known here. */
  private void requireStable(Plan plan) {
    Release known = history.stable(plan.service());
    if (known != null && !known.equals(plan.stable())) {
      throw new InvalidSpecException(
          "plan.stable",
          "is "
              + (plan.stable() == null ? "none" : plan.stable().id())
              + " but "
              + plan.service()
              + " runs "
              + known.id(),
          "compile the plan from the current stable release "
              + "(Cutover.deploy does this for you)");
    }
  }

  /**
   * Verifies an artifact before a rollout (or again on resume), counting the outcome and every
   * store read in the M8 metrics.
   *
   * @param svc the service the rollout deploys
   */
  private List<String> verified(ArtifactRef artifact, String svc) {
    ArtifactStore s = store;
    if (s == null) {
      ctx.telemetry().verification(svc, "unverified");
      return List.of(
          "unverified on purpose (allowUnverifiedArtifacts, no artifact store): " + artifact);
    }
    List<String> evidence;
    try {
      ArtifactVerifier v = verifier != null ? verifier : ArtifactVerifier.NONE;
      evidence = v.verify(artifact, new CountedArtifactStore(s, ctx.telemetry(), svc));
    } catch (VerificationException e) {
      ctx.telemetry().verification(svc, "rejected");
      throw e;
    } catch (RuntimeException e) {
      ctx.telemetry().verification(svc, "error");
      throw e;
    }
    ctx.telemetry().verification(svc, "verified");
    return evidence;
  }

  /**
   * Rolls a service back to the release it ran before its current stable one, as a new rollout on
   * the fast path (no analysis, no pauses): launch the previous release, route 100 % to it, retire
   * the current.
   *
   * @throws InvalidSpecException if the engine knows no previous release of the service
   * @throws RolloutConflictException if the service has an active rollout
   */
  public Rollout rollback(String service) {
    refreshShared(service);
    ReleaseHistory.RollbackSource src = history.rollbackSource(service);
    if (src == null) {
      throw new InvalidSpecException(
          "service",
          "'" + service + "' has no previous release to roll back to",
          "deploy a specific release instead");
    }
    return rollback(src);
  }

  /**
   * Like {@link #rollback(String)}, to a chosen revision of the service's {@linkplain
   * #revisions(String) revision history} (Argo's {@code undo --to-revision}).
   *
   * @throws InvalidSpecException if the revision history of the service does not hold {@code
   *     releaseId}
   * @throws RolloutConflictException if the service has an active rollout
   */
  public Rollout rollback(String service, String releaseId) {
    refreshShared(service);
    ReleaseHistory.RollbackSource src = history.rollbackSource(service, releaseId);
    if (src == null) {
      throw new InvalidSpecException(
          "releaseId",
          "'"
              + releaseId
              + "' is not in the revision history of '"
              + service
              + "' "
              + history.revisions(service).stream().map(Release::id).toList(),
          "roll back to a release listed by revisions(service), or deploy it");
    }
    return rollback(src);
  }

  private Rollout rollback(ReleaseHistory.RollbackSource src) {
    Release current = src.current();
    Release previous = src.previous();
    Plan plan =
        Plan.of(
            "rollback",
            current,
            previous,
            List.of(
                new Step.Launch(previous.id(), src.replicas()),
                new Step.Route(TrafficSplit.all(previous.id())),
                new Step.Drain(current.id(), Duration.ZERO),
                new Step.Retire(current.id())),
            List.of(
                new Step.Route(TrafficSplit.all(current.id())), new Step.Retire(previous.id())));
    Rollout r = start(plan, defaultOptions.withSkipAnalysis(true).withInitiator("rollback"));
    // M4: an explicit rollback counts in cutover.rollbacks once it has put the previous release
    // back.
    r.completion()
        .thenAccept(
            st -> {
              if (st.state() == RolloutState.SUCCEEDED) {
                ctx.telemetry().explicitRollback(current.service());
              }
            });
    return r;
  }

  /**
   * Replays the journal and continues every rollout that was open when the previous engine stopped
   * (crashed or closed), rebuilds the services' release history from the rollouts that ended, and
   * releases leases left behind by a process that died between a lease change and the record next
   * to it (a rollout that ended, or that was never journaled). Providers receive the same operation
   * ids as before, so effects that already happened are not repeated visibly; waits continue with
   * the time that remained. A recovered rollout keeps its {@link RolloutOptions} (deadline,
   * initiator, annotations). A rollout that cannot continue safely (its plan is unreadable, or the
   * fleet no longer knows its instances) is aborted to stable with the reason. Rollouts already
   * active in this engine are left alone, so calling it twice is harmless. {@link Builder#build()}
   * calls it unless {@link Builder#autoResume(boolean) autoResume(false)}.
   *
   * <p>Not to be confused with {@link #resume(String)}, which un-pauses one rollout.
   *
   * @return the recovered rollouts
   */
  public List<Rollout> recoverFromJournal() {
    return List.copyOf(recovery.recover());
  }

  /**
   * Continues one rollout that is open in the journal: what {@link #recoverFromJournal()} does for
   * each, for a single rollout (an engine replica that took it over from another one sharing the
   * journal calls it through {@link SharedJournal}). The service's lease must be free or held by
   * this rollout.
   *
   * @return the continued rollout; empty if it is already active here, is not in the journal, has
   *     ended, cannot be read, or its service is leased to another rollout
   */
  public Optional<Rollout> resumeFromJournal(String rolloutId) {
    Objects.requireNonNull(rolloutId, "rolloutId");
    return Optional.ofNullable(recovery.resume(rolloutId));
  }

  /**
   * Gives a rollout a command, wherever it runs: on this engine at once; with a journal shared by
   * engine replicas ({@link SharedJournal}) and a rollout another replica drives, through the
   * journal to that replica, which applies and journals it (also after it took the rollout over
   * from a replica that died).
   *
   * @param reason the reason of an {@link RolloutCommand#ABORT abort}; ignored otherwise
   * @return completes once the engine driving the rollout applied the command; fails with {@link
   *     InvalidSpecException} if no engine drives it (unknown or ended) or it refused the command
   */
  public CompletableFuture<Void> command(
      String rolloutId, RolloutCommand command, @Nullable String reason) {
    Objects.requireNonNull(rolloutId, "rolloutId");
    Objects.requireNonNull(command, "command");
    RolloutRun local = live.get(rolloutId);
    if (local == null && journal instanceof SharedJournal shared) {
      return shared.sendCommand(rolloutId, command.wireName(), reason);
    }
    try {
      apply(run(rolloutId), command, reason);
      return CompletableFuture.completedFuture(null);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private void apply(RolloutRun run, RolloutCommand command, @Nullable String reason) {
    switch (command) {
      case ABORT -> run.abort(reason == null ? "aborted by command" : reason);
      case PAUSE -> run.pause("api");
      case RESUME -> run.resume("api");
      case APPROVE -> run.resume("approval");
      case PROMOTE -> run.promote("api", false);
      case PROMOTE_FULL -> run.promote("api", true);
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

  /**
   * Resumes a paused rollout (the opposite of {@link #pause}; see {@link #recoverFromJournal()} for
   * restarts).
   */
  public void resume(String rolloutId) {
    run(rolloutId).resume("api");
  }

  /** Approves a rollout that waits for approval (or for a human after inconclusive analysis). */
  public void approve(String rolloutId) {
    run(rolloutId).resume("approval");
  }

  /**
   * Promotes a rollout by one step (Argo's {@code promote}): skips the analysis or pause it is
   * waiting in, or the pause it is held in, and continues with the next step; later analysis still
   * runs. If it is not waiting (an infrastructure step is in flight), the next analysis or pause it
   * reaches is skipped. Same as {@code promote(rolloutId, false)}.
   *
   * @throws InvalidSpecException if no active rollout has this id
   */
  public void promote(String rolloutId) {
    promote(rolloutId, false);
  }

  /**
   * Promotes a rollout: {@code full} (Argo's {@code promote --full}) skips every remaining analysis
   * and pause and stops background analysis — the infrastructure steps (launch, route, scale,
   * drain, retire) still run, back to back, so the rollout ends in the plan's end state at once;
   * otherwise like {@link #promote(String)}. Journaled as a command, so a restarted engine honours
   * it.
   *
   * @throws InvalidSpecException if no active rollout has this id
   */
  public void promote(String rolloutId, boolean full) {
    run(rolloutId).promote("api", full);
  }

  /**
   * The status of an active rollout, or of a finished one still in its service's history (the
   * latest {@link Builder#historyLimit(int)} per service).
   */
  public Optional<RolloutStatus> status(String rolloutId) {
    RolloutRun r = live.get(rolloutId);
    if (r != null) {
      return Optional.of(r.status());
    }
    return history.status(rolloutId);
  }

  /** The active rollouts. */
  public Collection<Rollout> activeRollouts() {
    return List.copyOf(live.running());
  }

  /** The services whose stable release the engine knows (adopted or deployed), sorted by name. */
  public List<String> services() {
    return history.services();
  }

  /**
   * The stable release of a service, if known. With a journal shared by engine replicas ({@link
   * SharedJournal}) it first reads the ends of the service's rollouts other replicas journaled, so
   * it names the release the latest of them left (and may throw {@link
   * io.cutover.api.ProviderException} if the journal cannot be read).
   */
  public Optional<Release> stable(String service) {
    refreshShared(service);
    return Optional.ofNullable(history.stable(service));
  }

  /**
   * Finished rollouts of a service, oldest first: at most the latest {@link
   * Builder#historyLimit(int)}. After a restart it holds the rollouts the journal still replays (a
   * compacting journal such as {@code FileJournal} keeps at least each service's latest ended and
   * latest successful rollout; {@code FileJournal.history} has the full audit trail).
   */
  public List<RolloutStatus> history(String service) {
    return history.finished(service);
  }

  /**
   * The service's revision history: the releases that ran before its stable release and that {@link
   * #rollback(String, String)} can return to, newest first, at most its {@linkplain
   * Builder#revisionHistoryLimit(int) revision history limit}. Their artifacts stay pinned in the
   * artifact store (reason {@code rollback-target:<service>}) exactly as long as they are listed.
   * Journaled with every successful rollout and restored after a restart.
   */
  public List<Release> revisions(String service) {
    return history.revisions(service);
  }

  /** The journal in use. */
  public Journal journal() {
    return journal;
  }

  /**
   * Stops owned executors and the owned journal. Running rollouts stop where they are (continuing
   * them is {@link #recoverFromJournal()}'s job).
   */
  @Override
  public void close() {
    for (ExecutorService e : ownedExecutors) {
      try {
        e.shutdownNow();
      } catch (RuntimeException ex) {
        log().warn("close failed", ex);
      }
    }
    if (ownedJournal != null) {
      try {
        ownedJournal.close();
      } catch (RuntimeException ex) {
        log().warn("close failed", ex);
      }
    }
  }

  /**
   * {@link #ended} as the engine context's {@code onEnded}. A class rather than a method reference:
   * the first lambda a fresh JVM links costs milliseconds (method-handle and class spinning
   * infrastructure, interpreted), which the first {@code build()} paid before.
   */
  private final class OnEnded implements Function<RolloutRun, CompletionStage<Void>> {
    @Override
    public CompletionStage<Void> apply(RolloutRun run) {
      return ended(run);
    }
  }

  /** {@link ReleaseHistory#revisionsAfterSuccess} as the engine context's; see {@link OnEnded}. */
  private final class RevisionsAfterSuccess implements Function<Plan, JournalPayload.Revisions> {
    @Override
    public JournalPayload.Revisions apply(Plan plan) {
      return history.revisionsAfterSuccess(plan);
    }
  }

  /**
   * On the rollout's mailbox, once its ENDED record is durable: book the end, release the lease
   * (without waiting for a durable journal's flush on the scheduler thread), then update pins on
   * the provider executor.
   */
  private CompletionStage<Void> ended(RolloutRun run) {
    Plan plan = run.plan();
    RolloutStatus st = run.status();
    ReleaseHistory.Retention retention;
    CompletableFuture<Void> released;
    synchronized (history) {
      retention = history.ended(plan, st);
      released = journal.releaseLeaseAsync(plan.service(), run.id());
      live.ended(run.id());
    }
    boolean succeeded = st.state() == RolloutState.SUCCEEDED;
    if (released.isDone()) {
      try {
        released.join();
      } catch (CompletionException e) {
        // A journal that answered at once: its failure is thrown as releaseLease threw it.
        throw e.getCause() instanceof RuntimeException r ? r : e;
      }
      return pins.ended(plan, run.id(), succeeded, retention);
    }
    CompletableFuture<Void> bookkept =
        released
            .handle(
                (v, e) -> {
                  if (e != null) {
                    log()
                        .warn(
                            "could not release the lease of {} held by the ended rollout {}; the next"
                                + " start or restart releases it",
                            plan.service(),
                            run.id(),
                            e);
                  }
                  return v;
                })
            .thenComposeAsync(
                v -> pins.ended(plan, run.id(), succeeded, retention), ctx.providerExecutor());
    if (ctx.scheduler() instanceof VirtualTimeScheduler v) {
      v.holdTimeUntil(bookkept);
    }
    return bookkept;
  }

  private RolloutRun run(String rolloutId) {
    RolloutRun r = live.get(rolloutId);
    if (r == null) {
      throw new InvalidSpecException(
          "rolloutId",
          "no active rollout '" + rolloutId + "'",
          "use the id of a running rollout (see activeRollouts())");
    }
    return r;
  }

  /**
   * Names the engine's own threads {@code prefix-1}, {@code prefix-2}, ... and makes them daemons.
   * A class rather than a lambda, like {@link OnEnded}.
   */
  private static final class DaemonThreads implements ThreadFactory {
    private final String prefix;
    private final AtomicLong n = new AtomicLong();

    DaemonThreads(String prefix) {
      this.prefix = prefix;
    }

    @Override
    public Thread newThread(Runnable r) {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    }
  }

  /**
   * Builds a {@link Cutover}. Each option may be set once (a second call is a mistake and is
   * refused); {@code gate}, {@code listener} and {@code resilience} add to collections. Not
   * thread-safe.
   */
  public static final class Builder {
    private @Nullable InstantSource clock;
    private @Nullable ScheduledExecutorService scheduler;
    private @Nullable Executor providerExecutor;
    private @Nullable Journal journal;
    private @Nullable Fleet fleet;
    private @Nullable Router router;
    private @Nullable ArtifactStore store;
    private @Nullable ArtifactVerifier verifier;
    private @Nullable OpenTelemetry openTelemetry;
    private @Nullable RolloutOptions defaultOptions;
    private final Map<String, HealthGate> gates = new LinkedHashMap<>();
    private final List<RolloutListener> listeners = new ArrayList<>();
    // Created by the first resilience(...) call: an EnumMap reads its enum's constants
    // reflectively, the only reflective call of a build that sets no policy.
    private @Nullable Map<ResilienceScope, ResiliencePolicy> resilience;
    private final Set<String> set = new HashSet<>();
    private boolean autoResume = true;
    private boolean allowUnverified;
    private int historyLimit = ReleaseHistory.DEFAULT_FINISHED_LIMIT;
    private int revisionHistoryLimit = ReleaseHistory.DEFAULT_REVISION_LIMIT;
    private final Map<String, Integer> revisionHistoryLimits = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Whether {@link #build()} calls {@link Cutover#recoverFromJournal()} to continue the rollouts
     * open in the journal (default true).
     */
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

    /**
     * The scheduler that runs every rollout's state machine; default a single daemon thread owned
     * by the engine.
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      once("scheduler");
      this.scheduler = Objects.requireNonNull(scheduler);
      return this;
    }

    /** Where blocking provider calls run; default 16 daemon threads owned by the engine. */
    public Builder providerExecutor(Executor executor) {
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

    /**
     * The artifact store used to verify and pin artifacts; required unless {@link
     * #allowUnverifiedArtifacts()}.
     */
    public Builder artifactStore(ArtifactStore store) {
      once("artifactStore");
      this.store = Objects.requireNonNull(store);
      return this;
    }

    /**
     * Deploys artifacts without an artifact store, so without verification or pins: the explicit
     * choice for tests, demos and platforms that verify elsewhere. Without it, {@link #build()}
     * refuses an engine with no {@link #artifactStore artifact store}, because such an engine would
     * deploy whatever digest a plan names, unchecked. A rollout of an unverified artifact journals
     * that it was unverified on purpose as its verification evidence.
     *
     * @throws InvalidSpecException at {@link #build()} if an artifact store is set too (one of the
     *     two is a mistake)
     */
    public Builder allowUnverifiedArtifacts() {
      once("allowUnverifiedArtifacts");
      this.allowUnverified = true;
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

    /**
     * How many finished rollouts per service the engine keeps in memory for {@link
     * Cutover#history(String)} and {@link Cutover#status(String)} (default {@value
     * ReleaseHistory#DEFAULT_FINISHED_LIMIT}); older ones are dropped, oldest first. The journal
     * keeps the durable record.
     *
     * @throws InvalidSpecException if {@code limit} is below 1
     */
    public Builder historyLimit(int limit) {
      once("historyLimit");
      if (limit < 1) {
        throw new InvalidSpecException(
            "historyLimit", "is " + limit, "keep at least 1 finished rollout per service");
      }
      this.historyLimit = limit;
      return this;
    }

    /**
     * How many previous releases (revisions) per service stay rollback targets, pinned in the
     * artifact store (default {@value ReleaseHistory#DEFAULT_REVISION_LIMIT}, as Argo Rollouts'
     * {@code revisionHistoryLimit}); see {@link Cutover#revisions(String)}. A service may have its
     * own with {@link #revisionHistoryLimit(String, int)}. A lower limit than the journal's takes
     * effect when the engine starts: the oldest revisions leave the history and are unpinned.
     *
     * @throws InvalidSpecException if {@code limit} is below 1
     */
    public Builder revisionHistoryLimit(int limit) {
      once("revisionHistoryLimit");
      this.revisionHistoryLimit = positiveLimit(limit, "revisionHistoryLimit");
      return this;
    }

    /**
     * The revision history limit of one service, instead of {@link #revisionHistoryLimit(int)}.
     *
     * @throws InvalidSpecException if {@code limit} is below 1 or the service's limit was already
     *     set
     */
    public Builder revisionHistoryLimit(String service, int limit) {
      Objects.requireNonNull(service, "service");
      String key = "revisionHistoryLimit." + service;
      int checked = positiveLimit(limit, key);
      if (revisionHistoryLimits.putIfAbsent(service, checked) != null) {
        throw new InvalidSpecException(
            key, "is set twice", "set each service's revision history limit once");
      }
      return this;
    }

    private static int positiveLimit(int limit, String key) {
      if (limit < 1) {
        throw new InvalidSpecException(
            key,
            "is " + limit,
            "keep at least 1 previous release per service (it is the rollback target)");
      }
      return limit;
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
        throw new InvalidSpecException(
            "gates." + gate.name(), "is registered twice", "give each gate a unique name");
      }
      return this;
    }

    /** Adds a listener. */
    public Builder listener(RolloutListener listener) {
      listeners.add(Objects.requireNonNull(listener));
      return this;
    }

    /**
     * Sets the resilience policy of a provider kind, or of {@link ResilienceScope#DEFAULT} for
     * every kind without its own.
     *
     * @throws IllegalStateException if the scope's policy was already set on this builder
     */
    public Builder resilience(ResilienceScope scope, ResiliencePolicy policy) {
      Objects.requireNonNull(scope, "scope");
      Map<ResilienceScope, ResiliencePolicy> policies = resilience;
      if (policies == null) {
        policies = new EnumMap<>(ResilienceScope.class);
        resilience = policies;
      }
      if (policies.putIfAbsent(scope, Objects.requireNonNull(policy)) != null) {
        throw new IllegalStateException(
            "resilience for "
                + scope.name().toLowerCase(Locale.ROOT)
                + " was already set on this builder");
      }
      return this;
    }

    /**
     * Sets the resilience policy of a provider kind named {@code fleet}, {@code router}, {@code
     * gates}, or {@code default} for all.
     *
     * @throws InvalidSpecException for any other name
     * @deprecated use {@link #resilience(ResilienceScope, ResiliencePolicy)}, which the compiler
     *     checks
     */
    @Deprecated
    public Builder resilience(String provider, ResiliencePolicy policy) {
      return resilience(ResilienceScope.parse(provider), policy);
    }

    /**
     * Builds the engine.
     *
     * @throws InvalidSpecException if the fleet or router is missing, the artifact store is missing
     *     without {@link #allowUnverifiedArtifacts()} (or set with it), or a verifier is set
     *     without a store
     */
    public Cutover build() {
      List<InvalidSpecException.Violation> v = new ArrayList<>();
      if (fleet == null) {
        v.add(
            new InvalidSpecException.Violation("fleet", "is missing", "call builder().fleet(...)"));
      }
      if (router == null) {
        v.add(
            new InvalidSpecException.Violation(
                "router", "is missing", "call builder().router(...)"));
      }
      if (store == null && !allowUnverified) {
        v.add(
            new InvalidSpecException.Violation(
                "artifactStore",
                "is missing, so artifacts would be deployed unverified and unpinned",
                "call builder().artifactStore(...) to verify and pin artifacts, or"
                    + " builder().allowUnverifiedArtifacts() to deploy unverified on purpose"));
      }
      if (store != null && allowUnverified) {
        v.add(
            new InvalidSpecException.Violation(
                "allowUnverifiedArtifacts",
                "is set with an artifact store, which always verifies",
                "remove one of the two"));
      }
      if (verifier != null && store == null) {
        v.add(
            new InvalidSpecException.Violation(
                "verifier",
                "is set without an artifact store",
                "call builder().artifactStore(...) too"));
      }
      if (!v.isEmpty()) {
        throw new InvalidSpecException(v);
      }
      Cutover cutover = new Cutover(this);
      if (cutover.journal instanceof SharedJournal shared) {
        // Before resuming: a rollout taken over from a dead replica resumes here from now on.
        shared.attach(
            new ReplicaEngine() {
              @Override
              public boolean takeOver(String rolloutId) {
                // Also true when it runs here already (this replica's own lease had lapsed).
                return cutover.resumeFromJournal(rolloutId).isPresent()
                    || cutover.live.isRunning(rolloutId);
              }

              @Override
              public void command(String rolloutId, String command, @Nullable String argument) {
                cutover.apply(cutover.run(rolloutId), RolloutCommand.parse(command), argument);
              }
            });
      }
      if (autoResume) {
        cutover.recoverFromJournal();
      }
      return cutover;
    }
  }
}
