package io.cutover.core.internal.engine;

import io.cutover.api.Instance;
import io.cutover.api.InstanceState;
import io.cutover.api.ProviderException;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.api.Verdict;
import io.cutover.api.plan.Plan;
import io.cutover.api.plan.Step;
import io.cutover.api.rollout.RolloutEvent;
import io.cutover.api.rollout.RolloutState;
import io.cutover.api.rollout.RolloutStatus;
import io.cutover.core.Rollout;
import io.cutover.core.RolloutOptions;
import io.cutover.spi.GateContext;
import io.cutover.spi.HealthGate;
import io.cutover.spi.JournalRecord;
import io.cutover.spi.OperationId;
import io.opentelemetry.api.trace.Span;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The state machine of one rollout. Every transition runs on the rollout's {@link Mailbox}, so fields
 * need no locks; other threads read the {@code volatile} snapshot only.
 *
 * <p>Write-ahead: each side effect is preceded by an INTENT record and followed by a DONE or FAILED
 * record carrying the same deterministic {@link OperationId}. At most one side effect is in flight; an
 * abort that arrives meanwhile waits for it, so the rollback's "traffic to stable" can never be
 * overtaken by an older routing call.
 */
public final class RolloutRun implements Rollout {
  private static final Logger LOG = LoggerFactory.getLogger(RolloutRun.class);

  private enum PauseKind { NONE, APPROVAL, INCONCLUSIVE, MANUAL }

  private final String id;
  private final Plan plan;
  private final RolloutOptions options;
  private final EngineContext ctx;
  private final Mailbox mailbox;
  private final Instant startedAt;
  private final CompletableFuture<RolloutStatus> completion = new CompletableFuture<>();
  private final Map<String, List<Instance>> instances = new HashMap<>();
  private final List<Analysis> backgroundRuns = new ArrayList<>(1);
  private final List<String> verificationEvidence;

  private RolloutState state = RolloutState.PROGRESSING;
  private PauseKind pauseKind = PauseKind.NONE;
  private int stepIndex = -1;
  private int rollbackIndex = -1;
  private @Nullable String reason;
  private @Nullable TrafficSplit split;
  private Instant updatedAt;
  private Instant progressBase;
  private boolean sideEffectInFlight;
  private boolean manualPauseRequested;
  private @Nullable String pendingPauseReason;
  private boolean promoted;
  private long token;
  private @Nullable ScheduledFuture<?> timer;
  private @Nullable ScheduledFuture<?> deadlineCheck;
  private @Nullable Analysis foreground;
  private @Nullable Instant abortStartedAt;
  private boolean rollbackReported;
  /** Read by provider threads: a forward side effect stops retrying once the rollout is aborting. */
  private volatile boolean abortSignal;
  private Span rolloutSpan = Span.getInvalid();
  private Span stepSpan = Span.getInvalid();
  private volatile RolloutStatus snapshot;
  private final String artifactText;
  private int describedStep = -1;
  private String stepDescription = "";
  private @Nullable List<Instance> readyCandidates;

  public RolloutRun(String id, Plan plan, RolloutOptions options, EngineContext ctx, List<String> verificationEvidence) {
    this(id, plan, options, ctx, verificationEvidence, ctx.clock().instant());
  }

  private RolloutRun(String id, Plan plan, RolloutOptions options, EngineContext ctx, List<String> verificationEvidence,
      Instant startedAt) {
    this.id = id;
    this.plan = plan;
    this.options = options;
    this.ctx = ctx;
    this.mailbox = new Mailbox(ctx.scheduler());
    this.startedAt = startedAt;
    this.updatedAt = startedAt;
    this.progressBase = startedAt;
    this.verificationEvidence = List.copyOf(verificationEvidence);
    this.artifactText = plan.target().artifact().toString();
    this.snapshot = buildStatus();
  }

  // ---------------------------------------------------------------- public handle

  @Override
  public String id() {
    return id;
  }

  @Override
  public Plan plan() {
    return plan;
  }

  @Override
  public RolloutStatus status() {
    return snapshot;
  }

  @Override
  public CompletionStage<RolloutStatus> completion() {
    return completion.minimalCompletionStage();
  }

  @Override
  public RolloutOptions options() {
    return options;
  }

  // ---------------------------------------------------------------- commands (any thread)

  /** Begins execution. Called once, after the CREATED record is durable. */
  public void start() {
    post(() -> {
      rolloutSpan = ctx.telemetry().startRolloutSpan(plan.service(), id, plan.strategy(), startedAt);
      emit(RolloutEvent.Type.ROLLOUT_STARTED, "rollout of " + plan.target().label() + " started ("
          + plan.strategy() + ", " + plan.steps().size() + " steps)", null, null, null);
      scheduleDeadlineCheck(options.progressDeadline());
      discoverInstances();
    });
  }

  /** Aborts: traffic to stable first, then the rollback steps. */
  public void abort(String why) {
    post(() -> beginAbort("aborted: " + why));
  }

  /** Pauses at the next step boundary. */
  public void pause(String who) {
    post(() -> {
      if (state == RolloutState.PROGRESSING) {
        manualPauseRequested = true;
        journal(JournalRecord.Type.COMMAND, null, Map.of("command", "pause", "by", who));
      }
    });
  }

  /** Continues a paused rollout (manual pause, approval pause or inconclusive analysis). */
  public void resume(String who) {
    post(() -> {
      manualPauseRequested = false;
      if (state != RolloutState.PAUSED) {
        return;
      }
      journal(JournalRecord.Type.COMMAND, null, Map.of("command", "resume", "by", who));
      PauseKind kind = pauseKind;
      pauseKind = PauseKind.NONE;
      state = RolloutState.PROGRESSING;
      reason = null;
      updatedAt = ctx.clock().instant();
      progress(updatedAt);
      emit(RolloutEvent.Type.RESUMED, "resumed by " + who, null, null, null);
      if (kind == PauseKind.MANUAL) {
        nextStep();
      } else {
        stepCompleted();
      }
    });
  }

  /** Skips the remaining Verify and Pause steps; infrastructure steps still run so the end state is the same. */
  public void promote(String who) {
    post(() -> {
      if (state.isTerminal() || state == RolloutState.ABORTING) {
        return;
      }
      promoted = true;
      journal(JournalRecord.Type.COMMAND, null, Map.of("command", "promote", "by", who));
      emit(RolloutEvent.Type.PROMOTED, "promoted by " + who + ": remaining analysis and pauses skipped", null, null, null);
      stopBackgroundRuns();
      Step current = stepIndex >= 0 && stepIndex < plan.steps().size() ? plan.steps().get(stepIndex) : null;
      boolean waiting = current instanceof Step.Verify || current instanceof Step.Pause;
      if (state == RolloutState.PAUSED) {
        PauseKind kind = pauseKind;
        state = RolloutState.PROGRESSING;
        pauseKind = PauseKind.NONE;
        reason = null;
        manualPauseRequested = false;
        if (kind == PauseKind.MANUAL) {
          nextStep();
        } else {
          stepCompleted();
        }
      } else if (waiting && !sideEffectInFlight) {
        cancelTimer();
        if (foreground != null) {
          foreground.stop();
          foreground = null;
        }
        token++;
        stepCompleted();
      }
    });
  }

  private void post(Runnable r) {
    mailbox.execute(() -> {
      MDC.put("cutover.service", plan.service());
      MDC.put("cutover.rollout", id);
      MDC.put("cutover.artifact", artifactText);
      try {
        r.run();
      } finally {
        MDC.remove("cutover.service");
        MDC.remove("cutover.rollout");
        MDC.remove("cutover.artifact");
        refreshSnapshot();
      }
    });
  }


  // ---------------------------------------------------------------- resume after a restart

  /** What the journal said about this rollout when the engine restarted; null for a rollout started here. */
  private @Nullable Recovery recovery;

  /** The journal's account of an open rollout, folded from its records. */
  private static final class Recovery {
    final Map<Integer, Instant> stepStartedAt = new HashMap<>();
    final Map<Integer, List<RecoveredVerdict>> verdicts = new HashMap<>();
    final java.util.Set<String> doneOps = new java.util.HashSet<>();
    boolean stepCompleted = true;
    int rollbackCompleted = -1;
  }

  /**
   * Rebuilds a rollout from its journal records (CREATED first). Call {@link #resumeFromJournal()} to
   * continue it: only steps whose effects have no DONE record are re-issued, with the same operation ids,
   * and waits continue with the time that remained.
   */
  public static RolloutRun recover(String id, Plan plan, RolloutOptions options, EngineContext ctx,
      List<String> evidence, List<JournalRecord> records) {
    RolloutRun run = new RolloutRun(id, plan, options, ctx, evidence, records.get(0).time());
    Recovery r = new Recovery();
    run.recovery = r;
    for (JournalRecord rec : records) {
      com.fasterxml.jackson.databind.JsonNode p;
      try {
        p = ctx.json().readTree(rec.payload());
      } catch (java.io.IOException e) {
        throw new IllegalStateException("journal record " + rec.sequence() + " of " + id + " has unreadable JSON", e);
      }
      switch (rec.type()) {
        case STATE -> {
          if (p.has("step")) {
            run.stepIndex = p.get("step").asInt();
            String status = p.path("status").asText();
            r.stepCompleted = !status.equals("started");
            if (status.equals("started")) {
              r.stepStartedAt.put(run.stepIndex, rec.time());
            }
            run.updatedAt = rec.time();
          } else if (p.has("rollbackStep")) {
            r.rollbackCompleted = p.get("rollbackStep").asInt();
          } else if ("paused".equals(p.path("state").asText())) {
            run.state = RolloutState.PAUSED;
            run.pauseKind = PauseKind.valueOf(p.path("pause").asText("MANUAL"));
            run.reason = p.path("reason").asText();
            run.updatedAt = rec.time();
          } else if ("aborting".equals(p.path("state").asText())) {
            run.state = RolloutState.ABORTING;
            run.reason = p.path("reason").asText();
            run.abortStartedAt = rec.time();
            run.updatedAt = rec.time();
          }
        }
        case COMMAND -> {
          switch (p.path("command").asText()) {
            case "promote" -> run.promoted = true;
            case "pause" -> run.manualPauseRequested = true;
            case "resume" -> {
              run.manualPauseRequested = false;
              if (run.state == RolloutState.PAUSED) {
                // the resume was journaled; what it did next (a completed step) follows in the journal
                boolean wasManual = run.pauseKind == PauseKind.MANUAL;
                run.state = RolloutState.PROGRESSING;
                run.pauseKind = PauseKind.NONE;
                run.reason = null;
                if (!wasManual) {
                  r.stepCompleted = true;
                }
              }
            }
            default -> { }
          }
        }
        case VERDICT -> {
          int step = p.path("step").asInt(-1);
          if (step >= 0) {
            List<String> reasons = new ArrayList<>();
            p.path("reasons").forEach(n -> reasons.add(n.asText()));
            r.verdicts.computeIfAbsent(step, k -> new ArrayList<>()).add(new RecoveredVerdict(step,
                p.path("measurement").asInt(1), p.path("gate").asText(), Verdict.Outcome.valueOf(p.path("outcome").asText()),
                p.path("dryRun").asBoolean(), reasons, rec.time()));
          }
        }
        case DONE -> r.doneOps.add(String.valueOf(rec.operationId()));
        default -> { }
      }
    }
    if (run.state == RolloutState.ABORTING) {
      run.abortSignal = true;
    }
    run.snapshot = run.buildStatus();
    return run;
  }

  /** Continues a recovered rollout on the mailbox. */
  public void resumeFromJournal() {
    Recovery r = java.util.Objects.requireNonNull(recovery, "not a recovered rollout");
    post(() -> {
      rolloutSpan = ctx.telemetry().startRolloutSpan(plan.service(), id, plan.strategy(), startedAt);
      emit(RolloutEvent.Type.RESUMED, "resumed from the journal after a restart ("
          + state + (stepIndex >= 0 ? ", step " + stepIndex : "") + ")", null, null, null);
      scheduleDeadlineCheck(options.progressDeadline());
      long t = token;
      ctx.fleetCaller().call("instances", () -> ctx.fleet().instances(plan.service())).thenCompose(list ->
          ctx.routerCaller().call("current", () -> ctx.router().current(plan.service()))
              .thenApply(current -> java.util.Map.entry(list, current)))
          .whenComplete((both, err) -> post(() -> {
            if (t != token || state.isTerminal()) {
              return;
            }
            if (err != null) {
              beginAbort("cannot resume safely: " + message(err));
              return;
            }
            for (Instance i : both.getKey()) {
              if (plan.release(i.releaseId()) != null && !i.state().isTerminal()) {
                instances.computeIfAbsent(i.releaseId(), k -> new ArrayList<>()).add(i);
              }
            }
            split = both.getValue().orElse(null);
            continueRecovered(r);
          }));
    });
  }

  private void continueRecovered(Recovery r) {
    String target = plan.target().id();
    boolean targetLaunched = false;
    boolean targetRetired = false;
    for (int i = 0; i <= Math.min(stepIndex, plan.steps().size() - 1); i++) {
      Step s = plan.steps().get(i);
      String op = OperationIds.forStep(id, i, s.kind()).value();
      if ((s instanceof Step.Launch l && l.releaseId().equals(target)) || (s instanceof Step.Scale sc
          && sc.releaseId().equals(target) && sc.replicas() > 0)) {
        targetLaunched |= r.doneOps.contains(op);
      } else if (s instanceof Step.Retire rt && rt.releaseId().equals(target)) {
        targetRetired |= r.doneOps.contains(op);
      }
    }
    if (state != RolloutState.ABORTING && targetLaunched && !targetRetired && instances.getOrDefault(target, List.of()).isEmpty()) {
      beginAbort("cannot resume safely: the fleet no longer knows any instance of " + target);
      return;
    }
    if (state == RolloutState.ABORTING) {
      rollbackIndex = r.rollbackCompleted + 1;
      nextRollbackStep();
      return;
    }
    // background analyses that were running keep running, with their counts restored
    for (int i = 0; i <= stepIndex && i < plan.steps().size(); i++) {
      if (plan.steps().get(i) instanceof Step.Verify v && v.background() && !promoted && !options.skipAnalysis()
          && r.stepStartedAt.containsKey(i)) {
        Analysis a = new Analysis(v, i);
        backgroundRuns.add(a);
        a.resume(r.verdicts.getOrDefault(i, List.of()), r.stepStartedAt.get(i));
      }
    }
    if (state == RolloutState.PAUSED) {
      emit(RolloutEvent.Type.PAUSED, String.valueOf(reason), null, null, null);
      return;
    }
    if (stepIndex < 0 || r.stepCompleted) {
      nextStep();
      return;
    }
    Step step = plan.steps().get(stepIndex);
    Instant now = ctx.clock().instant();
    Instant began = r.stepStartedAt.getOrDefault(stepIndex, now);
    Duration elapsed = Duration.between(began, now);
    OperationId op = OperationIds.forStep(id, stepIndex, step.kind());
    stepSpan = ctx.telemetry().startStepSpan(rolloutSpan, step.kind(), stepIndex, began);
    if (step instanceof Step.Pause p && !p.untilApproval()) {
      waitFor(positive(p.duration().minus(elapsed)), this::stepCompleted);
    } else if (step instanceof Step.Pause) {
      enterPause(PauseKind.APPROVAL, "waiting for approval");
    } else if (step instanceof Step.Drain d) {
      execute(new Step.Drain(d.releaseId(), positive(d.period().minus(elapsed))), op, this::stepCompleted,
          this::stepFailed, false);
    } else if (step instanceof Step.Verify v && !v.background()) {
      Analysis a = new Analysis(v, stepIndex);
      foreground = a;
      a.resume(r.verdicts.getOrDefault(stepIndex, List.of()), began);
    } else {
      execute(step, op, this::stepCompleted, this::stepFailed, false);
    }
  }

  private static Duration positive(Duration d) {
    return d.isNegative() ? Duration.ZERO : d;
  }

  // ---------------------------------------------------------------- forward steps

  private void discoverInstances() {
    long t = token;
    ctx.fleetCaller().call("instances", () -> ctx.fleet().instances(plan.service())).whenComplete((list, err) -> post(() -> {
      if (t != token || state.isTerminal()) {
        return;
      }
      if (err != null) {
        beginAbort("could not list instances of " + plan.service() + ": " + message(err));
        return;
      }
      for (Instance i : list) {
        if (plan.release(i.releaseId()) != null && !i.state().isTerminal()) {
          instances.computeIfAbsent(i.releaseId(), k -> new ArrayList<>()).add(i);
        }
      }
      checkDrift(list);
      nextStep();
    }));
  }

  private void nextStep() {
    if (state != RolloutState.PROGRESSING) {
      return;
    }
    if (manualPauseRequested || pendingPauseReason != null) {
      // Both kinds resume by starting the next step, so both pause as MANUAL at this boundary.
      String why = manualPauseRequested ? "paused by request" : Objects.requireNonNull(pendingPauseReason);
      manualPauseRequested = false;
      pendingPauseReason = null;
      enterPause(PauseKind.MANUAL, why);
      return;
    }
    stepIndex++;
    if (stepIndex >= plan.steps().size()) {
      succeed();
      return;
    }
    Step step = plan.steps().get(stepIndex);
    Instant now = ctx.clock().instant();
    progress(now);
    updatedAt = now;
    if ((options.skipAnalysis() || promoted) && (step instanceof Step.Verify || step instanceof Step.Pause)) {
      journal(JournalRecord.Type.STATE, null, Map.of("step", stepIndex, "status", "skipped", "kind", step.kind()));
      emit(RolloutEvent.Type.STEP_STARTED, step.describe(), null, null, null);
      emit(RolloutEvent.Type.STEP_COMPLETED, "skipped: " + (promoted ? "promoted" : "analysis fast path"), null, null, null);
      nextStep();
      return;
    }
    journal(JournalRecord.Type.STATE, null, Map.of("step", stepIndex, "status", "started", "kind", step.kind()));
    emit(RolloutEvent.Type.STEP_STARTED, describe(stepIndex), null, null, null);
    stepSpan = ctx.telemetry().startStepSpan(rolloutSpan, step.kind(), stepIndex, now);
    execute(step, OperationIds.forStep(id, stepIndex, step.kind()), this::stepCompleted, this::stepFailed, false);
  }

  private void stepCompleted() {
    if (state != RolloutState.PROGRESSING) {
      return;
    }
    Instant now = ctx.clock().instant();
    progress(now);
    Step step = plan.steps().get(stepIndex);
    journal(JournalRecord.Type.STATE, null, Map.of("step", stepIndex, "status", "completed", "kind", step.kind()));
    emit(RolloutEvent.Type.STEP_COMPLETED, describe(stepIndex), null, null, null);
    ctx.telemetry().endSpan(stepSpan, now, null);
    nextStep();
  }

  private void stepFailed(String why) {
    if (state != RolloutState.PROGRESSING && state != RolloutState.PAUSED) {
      return;
    }
    Step step = plan.steps().get(stepIndex);
    emit(RolloutEvent.Type.STEP_FAILED, step.describe() + ": " + why, null, null, null);
    ctx.telemetry().endSpan(stepSpan, ctx.clock().instant(), why);
    beginAbort("step " + stepIndex + " (" + step.kind() + ") failed: " + why);
  }

  /**
   * Executes one step (forward or rollback). {@code done} and {@code failed} run on the mailbox.
   */
  private void execute(Step step, OperationId op, Runnable done, Consumer<String> failed, boolean rollback) {
    if (step instanceof Step.Launch s) {
      Release r = release(s.releaseId());
      sideEffect(op, "launch", () -> ctx.fleet().launch(op, r, s.replicas()), list -> {
        putInstances(r.id(), list);
        checkDrift(list);
        refreshBackends(op, r.id(), done, failed);
      }, failed);
    } else if (step instanceof Step.Scale s) {
      Release r = release(s.releaseId());
      Runnable scale = () -> sideEffect(op, "scale", () -> ctx.fleet().scale(op, r, s.replicas()), list -> {
        putInstances(r.id(), list);
        refreshBackends(op, r.id(), done, failed);
      }, failed);
      List<Instance> current = instances.getOrDefault(r.id(), List.of());
      if (split == null || split.weight(r.id()) == 0 || s.replicas() >= current.size()) {
        scale.run();
      } else if (s.replicas() == 0) {
        failed.accept("refusing to scale " + r.id() + " to 0: it still receives " + split.percent(r.id())
            + "% of traffic (the plan must route it to 0 first)");
      } else {
        // Fleets stop the most recently launched instances first (Fleet contract): move traffic off
        // exactly those before they stop, so no request reaches a stopping instance.
        List<Instance> survivors = new ArrayList<>(current.subList(0, s.replicas()));
        instances.put(r.id(), survivors);
        readyCandidates = null;
        route(op.child("prescale"), split, scale, failed);
      }
    } else if (step instanceof Step.Route s) {
      route(op, s.split(), done, failed);
    } else if (step instanceof Step.Retire s) {
      Release r = release(s.releaseId());
      if (split != null && split.weight(r.id()) > 0) {
        failed.accept("refusing to retire " + r.id() + ": it still receives " + split.percent(r.id())
            + "% of traffic (the plan must route it to 0 first)");
        return;
      }
      sideEffect(op, "retire", () -> {
        ctx.fleet().retire(op, r);
        return Boolean.TRUE;
      }, ok -> {
        instances.remove(r.id());
        readyCandidates = null;
        done.run();
      }, failed);
    } else if (step instanceof Step.Drain s) {
      Release r = release(s.releaseId());
      sideEffect(op, "drain", () -> {
        ctx.fleet().drain(op, r);
        return Boolean.TRUE;
      }, ok -> {
        List<Instance> list = instances.get(r.id());
        if (list != null) {
          list.replaceAll(i -> i.withState(InstanceState.DRAINING));
          readyCandidates = null;
        }
        waitFor(s.period(), done);
      }, failed);
    } else if (step instanceof Step.Pause s) {
      if (rollback) {
        done.run();
      } else if (s.untilApproval()) {
        enterPause(PauseKind.APPROVAL, "waiting for approval");
      } else {
        waitFor(Objects.requireNonNull(s.duration()), done);
      }
    } else if (step instanceof Step.Hook s) {
      runHook(s, done, failed, rollback);
    } else if (step instanceof Step.Verify s) {
      if (rollback) {
        done.run();
        return;
      }
      Analysis a = new Analysis(s, stepIndex);
      if (s.background()) {
        backgroundRuns.add(a);
        a.start();
        done.run();
      } else {
        foreground = a;
        a.start();
      }
    } else {
      throw new IllegalStateException("unknown step " + step);
    }
  }

  private void route(OperationId op, TrafficSplit target, Runnable done, Consumer<String> failed) {
    Map<String, List<Instance>> backends = backendsFor(target);
    sideEffect(op, "route", () -> {
      ctx.router().apply(op, plan.service(), target, backends);
      TrafficSplit readBack = ctx.router().current(plan.service()).orElse(null);
      if (readBack == null || !readBack.weights().equals(target.weights())) {
        throw ProviderException.retryable("router", "route", "read back " + readBack + " after applying " + target);
      }
      return readBack;
    }, applied -> {
      split = target;
      emit(RolloutEvent.Type.TRAFFIC_SHIFTED, target.toString(), null, null, target);
      done.run();
    }, failed);
  }

  /** After a launch or scale, routers must learn the new backends of a release they route to. */
  private void refreshBackends(OperationId op, String releaseId, Runnable done, Consumer<String> failed) {
    if (split == null || !split.releaseIds().contains(releaseId)) {
      done.run();
      return;
    }
    route(op.child("backends"), split, done, failed);
  }

  private <T> void sideEffect(OperationId op, String kind, Supplier<T> call, Consumer<T> onDone, Consumer<String> failed) {
    try {
      journal(JournalRecord.Type.INTENT, op.value(), Map.of("kind", kind));
    } catch (RuntimeException e) {
      // No effect may follow an intent that is not durable.
      failed.accept("journal refused the intent of " + op + ": " + e.getMessage());
      return;
    }
    sideEffectInFlight = true;
    ResilientCaller caller = kind.equals("route") ? ctx.routerCaller() : ctx.fleetCaller();
    boolean forward = rollbackIndex < 0 && state != RolloutState.ABORTING;
    Supplier<T> guarded = !forward ? call : () -> {
      if (abortSignal) {
        // The abort waits for this call; further retries would only delay traffic going back to stable.
        throw ProviderException.permanent(caller.provider(), kind, "not retried: the rollout is aborting");
      }
      return call.get();
    };
    caller.call(kind, guarded).whenComplete((result, err) -> post(() -> {
      sideEffectInFlight = false;
      if (err != null) {
        String why = message(err);
        safeJournal(JournalRecord.Type.FAILED, op.value(), Map.of("kind", kind, "error", why));
        if (state == RolloutState.ABORTING && rollbackIndex < 0) {
          startRollback();
        } else {
          failed.accept(why);
        }
        return;
      }
      safeJournal(JournalRecord.Type.DONE, op.value(), Map.of("kind", kind));
      if (state == RolloutState.ABORTING && rollbackIndex < 0) {
        // An abort arrived while this effect was in flight: record what happened, then roll back.
        if (result instanceof TrafficSplit) {
          split = (TrafficSplit) result;
        } else if (kind.equals("launch") || kind.equals("scale")) {
          @SuppressWarnings("unchecked")
          List<Instance> list = (List<Instance>) result;
          putInstances(list.isEmpty() ? "" : list.get(0).releaseId(), list);
        }
        startRollback();
        return;
      }
      onDone.accept(result);
    }));
  }

  private void runHook(Step.Hook s, Runnable done, Consumer<String> failed, boolean rollback) {
    HealthGate gate = ctx.gates().get(s.gate());
    long t = token;
    GateContext gc = gateContext(ctx.clock().instant(), ctx.clock().instant(), 1, s.phase(), s.params());
    evaluate(gate, gc).thenAccept(v -> post(() -> {
      if (t != token && !rollback) {
        return;
      }
      recordVerdict(s.gate(), v, false, rollback ? -1 : stepIndex, 1);
      if (v.passed() || rollback) {
        done.run();
      } else {
        failed.accept("hook " + s.phase() + " (" + s.gate() + ") returned " + v);
      }
    }));
  }

  private CompletableFuture<Verdict> evaluate(HealthGate gate, GateContext gc) {
    return ctx.gateCaller().call("evaluate " + gate.name(), () -> Objects.requireNonNull(gate.evaluate(gc),
            () -> "gate " + gate.name() + " returned null"))
        .exceptionally(t -> Verdict.error(ResilientCaller.unwrap(t)));
  }

  private void waitFor(Duration d, Runnable then) {
    if (d.isZero()) {
      then.run();
      return;
    }
    Instant now = ctx.clock().instant();
    expectProgressBy(now.plus(d));
    long t = token;
    timer = ctx.scheduler().schedule(() -> post(() -> {
      if (t == token) {
        timer = null;
        then.run();
      }
    }), d.toNanos(), TimeUnit.NANOSECONDS);
  }

  private void enterPause(PauseKind kind, String why) {
    state = RolloutState.PAUSED;
    pauseKind = kind;
    reason = why;
    updatedAt = ctx.clock().instant();
    journal(JournalRecord.Type.STATE, null, Map.of("state", "paused", "pause", kind.name(), "reason", why));
    emit(RolloutEvent.Type.PAUSED, why, null, null, null);
  }

  private void succeed() {
    stopBackgroundRuns();
    state = RolloutState.SUCCEEDED;
    end(null);
  }

  // ---------------------------------------------------------------- abort and rollback

  private void beginAbort(String why) {
    if (state.isTerminal() || state == RolloutState.ABORTING) {
      return;
    }
    state = RolloutState.ABORTING;
    abortSignal = true;
    reason = why;
    abortStartedAt = ctx.clock().instant();
    updatedAt = abortStartedAt;
    token++;
    cancelTimer();
    if (foreground != null) {
      foreground.stop();
      foreground = null;
    }
    stopBackgroundRuns();
    safeJournal(JournalRecord.Type.STATE, null, Map.of("state", "aborting", "reason", why));
    emit(RolloutEvent.Type.ABORT_STARTED, why, null, null, null);
    if (!sideEffectInFlight) {
      startRollback();
    }
  }

  private void startRollback() {
    rollbackIndex = 0;
    nextRollbackStep();
  }

  private void nextRollbackStep() {
    List<Step> steps = plan.rollbackSteps();
    if (rollbackIndex >= steps.size()) {
      reportRolledBack();
      state = RolloutState.ABORTED;
      end(reason);
      return;
    }
    Step step = steps.get(rollbackIndex);
    OperationId op = OperationIds.forRollbackStep(id, rollbackIndex, step.kind());
    execute(step, op, () -> {
      if (step instanceof Step.Route r && isAllStable(r.split())) {
        reportRolledBack();
      }
      safeJournal(JournalRecord.Type.STATE, null, Map.of("rollbackStep", rollbackIndex, "status", "completed"));
      rollbackIndex++;
      nextRollbackStep();
    }, why -> {
      // Never retire anything after a failed rollback step: traffic stays at the last verified split.
      reason = reason + "; rollback incomplete at rollback step " + rollbackIndex + " (" + step.kind() + "): " + why
          + "; traffic left at " + split;
      state = RolloutState.ABORTED;
      end(reason);
    }, true);
  }

  private boolean isAllStable(TrafficSplit s) {
    return plan.stable() != null && s.weight(plan.stable().id()) == TrafficSplit.TOTAL;
  }

  private void reportRolledBack() {
    if (!rollbackReported && abortStartedAt != null) {
      rollbackReported = true;
      ctx.telemetry().rolledBack(plan.service(), Duration.between(abortStartedAt, ctx.clock().instant()));
    }
  }

  private void end(@Nullable String why) {
    cancelTimer();
    if (deadlineCheck != null) {
      deadlineCheck.cancel(false);
      deadlineCheck = null;
    }
    token++;
    Instant now = ctx.clock().instant();
    updatedAt = now;
    boolean ok = state == RolloutState.SUCCEEDED;
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("outcome", ok ? "succeeded" : "aborted");
    payload.put("target", plan.target().id());
    if (plan.stable() != null) {
      payload.put("stable", plan.stable().id());
    }
    if (why != null) {
      payload.put("reason", why);
    }
    safeJournal(JournalRecord.Type.ENDED, null, payload);
    emit(ok ? RolloutEvent.Type.ROLLOUT_SUCCEEDED : RolloutEvent.Type.ROLLOUT_ABORTED,
        ok ? "rollout of " + plan.target().label() + " succeeded" : String.valueOf(why), null, null, null);
    ctx.telemetry().endSpan(stepSpan, now, ok ? null : why);
    ctx.telemetry().endSpan(rolloutSpan, now, ok ? null : why);
    ctx.telemetry().ended(plan.service(), plan.strategy(), ok, Duration.between(startedAt, now));
    snapshot = buildStatus();
    CompletionStage<Void> bookkept = CompletableFuture.completedFuture(null);
    try {
      bookkept = ctx.onEnded().apply(this);
    } finally {
      // After the engine's bookkeeping (pins), so whoever waits for the end finds the artifacts pinned.
      bookkept.whenComplete((v, e) -> completion.complete(snapshot));
    }
  }

  // ---------------------------------------------------------------- progress deadline

  private void progress(Instant now) {
    if (now.isAfter(progressBase)) {
      progressBase = now;
    }
  }

  /** A planned wait is not a lack of progress: the deadline counts from its expected end. */
  private void expectProgressBy(Instant t) {
    if (t.isAfter(progressBase)) {
      progressBase = t;
    }
  }

  private void scheduleDeadlineCheck(Duration delay) {
    deadlineCheck = ctx.scheduler().schedule(() -> post(this::checkDeadline), Math.max(1, delay.toNanos()),
        TimeUnit.NANOSECONDS);
  }

  private void checkDeadline() {
    if (state.isTerminal()) {
      return;
    }
    Instant now = ctx.clock().instant();
    Duration deadline = options.progressDeadline();
    if (state == RolloutState.PAUSED) {
      // Waiting for a human is not being stuck; the clock restarts when the rollout resumes.
      progressBase = now;
      scheduleDeadlineCheck(deadline);
      return;
    }
    Instant due = progressBase.plus(deadline);
    if (!now.isBefore(due) && state == RolloutState.PROGRESSING) {
      beginAbort("progress deadline exceeded: no progress for " + deadline);
      if (state != RolloutState.ABORTING) {
        return;
      }
      scheduleDeadlineCheck(deadline);
      return;
    }
    if (state == RolloutState.ABORTING) {
      // An abort is bounded by provider retries and time limits; keep watching without interfering.
      scheduleDeadlineCheck(deadline);
      return;
    }
    scheduleDeadlineCheck(Duration.between(now, due));
  }

  // ---------------------------------------------------------------- analysis

  /** One analysis run of a Verify step, with Argo Rollouts' limits. Lives on the mailbox. */
  private final class Analysis {
    private final Step.Verify verify;
    private final int step;
    // per deciding gate, in the verify's gate order: failures, inconclusives, consecutive errors
    private final Map<String, int[]> counters = new LinkedHashMap<>();
    private final Map<String, List<String>> lastReasons = new HashMap<>();
    private int measurements;
    private boolean stopped;
    private Instant windowStart;
    private @Nullable ScheduledFuture<?> next;

    Analysis(Step.Verify verify, int step) {
      this.verify = verify;
      this.step = step;
      this.windowStart = ctx.clock().instant();
      for (String g : verify.gates()) {
        counters.put(g, new int[3]);
      }
    }

    void start() {
      schedule(verify.initialDelay());
    }

    void stop() {
      stopped = true;
      if (next != null) {
        next.cancel(false);
        next = null;
      }
    }

    /** Counts one deciding verdict: live, and when a resumed engine replays the journal. */
    void count(String gate, Verdict.Outcome outcome, List<String> reasons) {
      int[] c = counters.computeIfAbsent(gate, k -> new int[3]);
      switch (outcome) {
        case PASS -> c[2] = 0;
        case FAIL -> {
          c[0]++;
          c[2] = 0;
        }
        case INCONCLUSIVE -> {
          c[1]++;
          c[2] = 0;
        }
        case ERROR -> c[2]++;
      }
      lastReasons.put(gate, reasons);
    }

    @Nullable String failure() {
      for (Map.Entry<String, int[]> e : counters.entrySet()) {
        int[] c = e.getValue();
        if (c[0] > verify.failureLimit()) {
          return "gate " + e.getKey() + " failed " + c[0] + " time(s), over failureLimit " + verify.failureLimit()
              + ": " + lastReasons.getOrDefault(e.getKey(), List.of());
        }
        if (c[2] > verify.consecutiveErrorLimit()) {
          return "gate " + e.getKey() + " errored " + c[2] + " consecutive time(s), over consecutiveErrorLimit "
              + verify.consecutiveErrorLimit() + ": " + lastReasons.getOrDefault(e.getKey(), List.of());
        }
      }
      return null;
    }

    @Nullable String inconclusive() {
      for (Map.Entry<String, int[]> e : counters.entrySet()) {
        if (e.getValue()[1] > verify.inconclusiveLimit()) {
          return "gate " + e.getKey() + " was inconclusive " + e.getValue()[1] + " time(s), over inconclusiveLimit "
              + verify.inconclusiveLimit() + ": " + lastReasons.getOrDefault(e.getKey(), List.of());
        }
      }
      return null;
    }

    private void schedule(Duration d) {
      if (!verify.background()) {
        expectProgressBy(ctx.clock().instant().plus(d));
      }
      if (d.isZero() || d.isNegative()) {
        post(this::measure);
      } else {
        next = ctx.scheduler().schedule(() -> post(this::measure), d.toNanos(), TimeUnit.NANOSECONDS);
      }
    }

    private void measure() {
      if (stopped) {
        return;
      }
      next = null;
      measurements++;
      int n = measurements;
      Instant now = ctx.clock().instant();
      GateContext gc = gateContext(windowStart, now, n, GateContext.ANALYSIS, Map.of());
      windowStart = now;
      List<String> names = new ArrayList<>(verify.gates().size() + verify.dryRunGates().size());
      names.addAll(verify.gates());
      names.addAll(verify.dryRunGates());
      List<CompletableFuture<Verdict>> futures = new ArrayList<>(names.size());
      for (String name : names) {
        futures.add(evaluate(ctx.gates().get(name), gc));
      }
      CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).whenComplete((x, y) -> post(() -> {
        if (stopped) {
          return;
        }
        for (int i = 0; i < names.size(); i++) {
          Verdict v = futures.get(i).join();
          boolean dryRun = i >= verify.gates().size();
          recordVerdict(names.get(i), v, dryRun, step, n);
          if (!dryRun) {
            count(names.get(i), v.outcome(), v.reasons());
          }
        }
        if (!verify.background()) {
          progress(ctx.clock().instant());
        }
        decide();
      }));
    }

    /** Acts on the counters: abort, pause, finish, or schedule the next measurement. */
    void decide() {
      String failure = failure();
      String inconclusive = failure == null ? inconclusive() : null;
      if (failure != null) {
        stop();
        beginAbort("analysis failed: " + failure);
      } else if (inconclusive != null) {
        stop();
        if (verify.background()) {
          pendingPauseReason = "background analysis inconclusive: " + inconclusive;
        } else {
          foreground = null;
          enterPause(PauseKind.INCONCLUSIVE, "analysis inconclusive: " + inconclusive);
        }
      } else if (verify.count() != 0 && measurements >= verify.count()) {
        stop();
        if (!verify.background()) {
          foreground = null;
          stepCompleted();
        }
      } else {
        schedule(measurements == 0 ? verify.initialDelay() : verify.interval());
      }
    }

    /** Restores the run from its journaled verdicts and continues where it was. */
    void resume(List<RecoveredVerdict> verdicts, Instant stepStartedAt) {
      Instant last = null;
      for (RecoveredVerdict v : verdicts) {
        if (!v.dryRun()) {
          count(v.gate(), v.outcome(), v.reasons());
        }
        measurements = Math.max(measurements, v.measurement());
        last = v.time();
      }
      windowStart = last == null ? stepStartedAt : last;
      Instant due = last == null ? stepStartedAt.plus(verify.initialDelay()) : last.plus(verify.interval());
      String failure = failure();
      String inconclusive = failure == null ? inconclusive() : null;
      if (failure != null || inconclusive != null || (verify.count() != 0 && measurements >= verify.count())) {
        decide();
      } else {
        schedule(Duration.between(ctx.clock().instant(), due));
      }
    }
  }

  /** A verdict read back from the journal. */
  record RecoveredVerdict(int step, int measurement, String gate, Verdict.Outcome outcome, boolean dryRun,
      List<String> reasons, Instant time) {}

  private void stopBackgroundRuns() {
    for (Analysis a : backgroundRuns) {
      a.stop();
    }
    backgroundRuns.clear();
  }

  // ---------------------------------------------------------------- helpers

  private GateContext gateContext(Instant from, Instant now, int n, String phase, Map<String, String> params) {
    List<Instance> candidates = readyCandidates;
    if (candidates == null) {
      candidates = ready(instances.getOrDefault(plan.target().id(), List.of()));
      readyCandidates = candidates;
    }
    return GateContext.builder().rolloutId(id).service(plan.service()).stable(plan.stable())
        .candidate(plan.target()).windowStart(from).now(now).measurement(n).candidateInstances(candidates)
        .phase(phase).params(params).build();
  }

  private void recordVerdict(String gate, Verdict v, boolean dryRun, int step, int measurement) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("gate", gate);
    p.put("outcome", v.outcome().name());
    p.put("dryRun", dryRun);
    p.put("step", step);
    p.put("measurement", measurement);
    p.put("reasons", v.reasons());
    safeJournal(JournalRecord.Type.VERDICT, null, p);
    ctx.telemetry().verdict(plan.service(), gate, v, dryRun);
    String msg = gate + (dryRun ? " (dry-run): " : ": ") + v.outcome()
        + (v.passed() || v.reasons().isEmpty() ? "" : " " + v.reasons());
    emit(RolloutEvent.Type.GATE_VERDICT, msg, v, gate, null);
  }

  private Map<String, List<Instance>> backendsFor(TrafficSplit s) {
    Map<String, List<Instance>> out = new LinkedHashMap<>();
    for (String rid : s.releaseIds()) {
      out.put(rid, ready(instances.getOrDefault(rid, List.of())));
    }
    return out;
  }

  private void putInstances(String releaseId, List<Instance> list) {
    if (!releaseId.isEmpty()) {
      instances.put(releaseId, new ArrayList<>(list));
      readyCandidates = null;
    }
  }

  private static List<Instance> ready(List<Instance> list) {
    List<Instance> out = new ArrayList<>(list.size());
    for (Instance i : list) {
      if (i.state() == InstanceState.READY) {
        out.add(i);
      }
    }
    return List.copyOf(out);
  }

  private void checkDrift(List<Instance> list) {
    for (Instance i : list) {
      Release r = plan.release(i.releaseId());
      if (r != null && i.runningDigest() != null && !i.runningDigest().equals(r.artifact().digest())) {
        ctx.telemetry().drift(plan.service());
        emit(RolloutEvent.Type.DRIFT_DETECTED, "instance " + i.id() + " runs " + i.runningDigest() + " but release "
            + r.id() + " is " + r.artifact().digest(), null, null, null);
      }
    }
  }

  private Release release(String releaseId) {
    return Objects.requireNonNull(plan.release(releaseId), releaseId);
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void emit(RolloutEvent.Type type, String message, @Nullable Verdict v, @Nullable String gate,
      @Nullable TrafficSplit s) {
    int idx = state == RolloutState.ABORTING || rollbackIndex >= 0 ? -1 : stepIndex;
    String kind = idx >= 0 && idx < plan.steps().size() ? plan.steps().get(idx).kind() : "";
    ctx.telemetry().emit(new RolloutEvent(type, id, plan.service(), ctx.clock().instant(), idx, kind, message, v, gate, s));
  }

  private void journal(JournalRecord.Type type, @Nullable String op, Map<String, ?> payload) {
    ctx.journal().append(JournalRecord.of(ctx.clock().instant(), id, plan.service(), type, op, Payloads.json(ctx.json(), payload)));
  }

  /** Journals, logging instead of throwing: used where the effect already happened. */
  private void safeJournal(JournalRecord.Type type, @Nullable String op, Map<String, ?> payload) {
    try {
      journal(type, op, payload);
    } catch (RuntimeException e) {
      LOG.error("journal append failed for {} {}", type, op, e);
    }
  }

  private static String message(Throwable t) {
    Throwable u = ResilientCaller.unwrap(t);
    return u.getMessage() == null ? u.getClass().getSimpleName() : u.getMessage();
  }

  /** Evidence of the artifact verification that preceded the rollout. */
  public List<String> verificationEvidence() {
    return verificationEvidence;
  }

  /** Rebuilds the snapshot only when something it shows has changed: most transitions change nothing visible. */
  private void refreshSnapshot() {
    RolloutStatus s = snapshot;
    if (s.state() != state || s.stepIndex() != stepIndex || s.split() != split || s.reason() != reason
        || !s.updatedAt().equals(updatedAt)) {
      snapshot = buildStatus();
    }
  }

  /** A step's description, computed once per step: events and status both show it. */
  private String describe(int index) {
    if (describedStep != index) {
      describedStep = index;
      stepDescription = plan.steps().get(index).describe();
    }
    return stepDescription;
  }

  private RolloutStatus buildStatus() {
    String current = stepIndex >= 0 && stepIndex < plan.steps().size() ? describe(stepIndex) : "";
    return new RolloutStatus(id, plan.service(), state, plan.stable() == null ? null : plan.stable().id(),
        plan.target().id(), stepIndex, plan.steps().size(), current, split, startedAt, updatedAt, reason);
  }
}
