// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.engine;

import io.cutover.api.Instance;
import io.cutover.api.TrafficSplit;
import io.cutover.api.plan.Plan;
import io.cutover.api.plan.Step;
import io.cutover.api.rollout.RolloutEvent;
import io.cutover.api.rollout.RolloutState;
import io.cutover.api.rollout.RolloutStatus;
import io.cutover.core.Rollout;
import io.cutover.core.RolloutOptions;
import io.cutover.core.VirtualTimeScheduler;
import io.cutover.core.internal.schema.JournalPayload;
import io.cutover.core.internal.schema.JournalPayload.CommandKind;
import io.cutover.core.internal.schema.JournalPayload.PauseKind;
import io.cutover.core.internal.schema.JournalPayload.StepStatus;
import io.cutover.spi.JournalRecord;
import io.cutover.spi.OperationId;
import io.cutover.spi.OwnershipLostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The state machine of one rollout: it decides the next state (commands, step sequencing, pauses,
 * abort and rollback) and leaves the work to its parts — {@link StepExecutor} runs steps, {@link
 * WriteAhead} journals and issues effects, {@link AnalysisRun}s judge, {@link ProgressWatchdog}
 * enforces the progress deadline, {@link JournalFold} says where a restarted engine continues.
 *
 * <p>Every transition runs on the rollout's {@link Mailbox}, so fields need no locks; other threads
 * read the {@code volatile} snapshot only.
 */
public final class RolloutRun implements Rollout {
  // Looked up when something is logged (failures only), not when the class loads: building a
  // Cutover does not initialize the logging backend.
  private static Logger log() {
    return LoggerFactory.getLogger(RolloutRun.class);
  }

  private final String id;
  private final Plan plan;
  private final RolloutOptions options;
  private final EngineContext ctx;
  private final Mailbox mailbox;
  private final Instant startedAt;
  private final CompletableFuture<RolloutStatus> completion = new CompletableFuture<>();
  private final List<String> verificationEvidence;
  private final String artifactText;
  // Digest.toString builds a new string per call; every mailbox task puts it in the MDC.
  private final String digestText;
  private final FleetView view;
  private final RunJournal journal;
  private final RolloutTelemetry telemetry;
  private final WriteAhead writeAhead;
  private final StepExecutor steps;
  private final ProgressWatchdog watchdog;
  private final Analyses analyses;
  private final RollbackWatch rollbackWatch;

  /** What the journal said when the engine restarted; null for a rollout started here. */
  private final JournalFold.@Nullable Recovered recovered;

  private RolloutState state = RolloutState.PROGRESSING;
  private @Nullable PauseKind pauseKind;
  private int stepIndex = -1;
  private int rollbackIndex = -1;
  private @Nullable String reason;
  private Instant updatedAt;
  private boolean manualPauseRequested;
  private boolean promoted;

  /** Why a recovered rollout must abort instead of continuing; null normally. */
  private @Nullable String refusedOnResume;

  /** A step promote that found no wait to skip: the next wait the rollout reaches is skipped. */
  private boolean promoteStepPending;

  /**
   * The generation: bumped when waits and hooks in flight must come to nothing (abort, promote,
   * end).
   */
  private long token;

  private @Nullable Instant abortStartedAt;
  private boolean rollbackReported;

  /**
   * Set when a shared journal said another replica owns the rollout now: this engine stops driving
   * it (no record, no effect, no abort) and its mailbox runs nothing more.
   */
  private volatile @Nullable OwnershipLostException stoodDown;

  private final StatusSnapshot status;
  private volatile RolloutStatus snapshot;

  public RolloutRun(
      String id,
      Plan plan,
      RolloutOptions options,
      EngineContext ctx,
      List<String> verificationEvidence) {
    this(id, plan, options, ctx, verificationEvidence, ctx.clock().instant(), null);
  }

  private RolloutRun(
      String id,
      Plan plan,
      RolloutOptions options,
      EngineContext ctx,
      List<String> verificationEvidence,
      Instant startedAt,
      JournalFold.@Nullable Recovered recovered) {
    this.id = id;
    this.plan = plan;
    this.options = options;
    this.ctx = ctx;
    this.mailbox = new Mailbox(ctx.scheduler(), e -> inContext(() -> crashed(e)));
    this.startedAt = startedAt;
    this.updatedAt = startedAt;
    this.verificationEvidence = List.copyOf(verificationEvidence);
    this.artifactText = plan.target().artifact().toString();
    this.digestText = plan.target().artifact().digest().toString();
    this.view = new FleetView(plan);
    this.journal =
        new RunJournal(
            ctx,
            id,
            plan.service(),
            this::standDown,
            (until, first) -> {
              CompletableFuture<?> queued = mailbox.holdUntil(until, () -> inContext(first));
              if (ctx.scheduler() instanceof VirtualTimeScheduler v) {
                v.holdTimeUntil(queued);
              }
            });
    this.telemetry =
        new RolloutTelemetry(
            ctx,
            id,
            plan,
            () -> state == RolloutState.ABORTING || rollbackIndex >= 0 ? -1 : stepIndex);
    this.status = new StatusSnapshot(id, plan, startedAt);
    this.writeAhead =
        new WriteAhead(
            ctx,
            journal,
            this::post,
            view,
            () -> rollbackIndex < 0 && state != RolloutState.ABORTING,
            () -> state == RolloutState.ABORTING && rollbackIndex < 0,
            this::startRollback,
            telemetry::providerRetry);
    this.watchdog =
        new ProgressWatchdog(
            ctx.scheduler(),
            ctx.clock(),
            this::post,
            options.progressDeadline(),
            startedAt,
            () -> state,
            this::beginAbort);
    Verdicts verdicts = new Verdicts(id, plan, view, journal, telemetry);
    EventHooks eventHooks = new EventHooks(ctx, plan, id);
    telemetry.eventHooks(e -> eventHooks.deliver(e, verdicts));
    this.rollbackWatch = new RollbackWatch(ctx, this::post, plan, verdicts, this::beginAbort);
    this.analyses =
        new Analyses(
            ctx,
            new RolloutMailbox() {
              @Override
              public void execute(Runnable r) {
                post(r);
              }

              @Override
              public void executeFromTimer(Runnable r) {
                mailbox.executeHere(() -> inContext(r));
              }
            },
            verdicts,
            watchdog,
            this::beginAbort,
            why -> enterPause(PauseKind.INCONCLUSIVE, why),
            this::stepCompleted,
            rolloutHooks(plan));
    this.steps =
        new StepExecutor(
            ctx,
            plan,
            this::post,
            writeAhead,
            view,
            telemetry,
            verdicts,
            analyses,
            watchdog,
            () -> enterPause(PauseKind.APPROVAL, "waiting for approval"),
            new HookRunner.Waits() {
              @Override
              public void waiting(String why) {
                enterWaiting(why);
              }

              @Override
              public void waitOver() {
                leaveWaiting();
              }
            },
            () -> token);
    this.recovered = recovered;
    if (recovered != null) {
      state = recovered.state();
      pauseKind = recovered.pause();
      reason = recovered.reason();
      stepIndex = recovered.stepIndex();
      updatedAt = recovered.updatedAt();
      promoted = recovered.promoted();
      promoteStepPending = recovered.promoteStepPending();
      manualPauseRequested = recovered.manualPauseRequested();
      abortStartedAt = recovered.abortStartedAt();
      if (state == RolloutState.ABORTING) {
        writeAhead.signalAbort();
      }
    }
    this.snapshot = status.build(state, stepIndex, view.split(), updatedAt, reason);
  }

  /**
   * Rebuilds a rollout from its journal records (CREATED first). Call {@link #resumeFromJournal()}
   * to continue it: only steps whose effects have no DONE record are re-issued, with the same
   * operation ids, and waits continue with the time that remained.
   *
   * @throws IllegalArgumentException if a record is unreadable
   */
  public static RolloutRun recover(
      String id,
      Plan plan,
      RolloutOptions options,
      EngineContext ctx,
      List<String> evidence,
      List<JournalRecord> records) {
    return new RolloutRun(
        id,
        plan,
        options,
        ctx,
        evidence,
        records.get(0).time(),
        JournalFold.fold(records, ctx.codec()));
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

  /** Evidence of the artifact verification that preceded the rollout. */
  public List<String> verificationEvidence() {
    return verificationEvidence;
  }

  // ---------------------------------------------------------------- commands (any thread)

  /** Begins execution. Called once, after the CREATED record is durable. */
  public void start() {
    post(
        () -> {
          telemetry.rolloutStarted(startedAt);
          telemetry.event(
              RolloutEvent.Type.ROLLOUT_STARTED,
              "rollout of "
                  + plan.target().label()
                  + " started ("
                  + plan.strategy()
                  + ", "
                  + plan.steps().size()
                  + " steps)");
          watchdog.start();
          rollbackWatch.start();
          observe(false, this::nextStep);
        });
  }

  /**
   * Continues a recovered rollout on the mailbox, once the fleet and router said what they hold.
   */
  public void resumeFromJournal() {
    JournalFold.Recovered r = Objects.requireNonNull(recovered, "not a recovered rollout");
    post(
        () -> {
          telemetry.rolloutStarted(startedAt);
          telemetry.event(
              RolloutEvent.Type.RESUMED,
              "resumed from the journal after a restart ("
                  + state
                  + (stepIndex >= 0 ? ", step " + stepIndex : "")
                  + ")");
          watchdog.start();
          if (state != RolloutState.ABORTING) {
            rollbackWatch.start();
          }
          observe(true, () -> continueRecovered(r));
        });
  }

  /**
   * Learns what the fleet runs (and, when recovering, what the router applies), then continues on
   * the mailbox; a rollout that cannot see the world aborts.
   */
  private void observe(boolean recovering, Runnable then) {
    long t = token;
    CompletableFuture<List<Instance>> listed =
        ctx.fleetCaller().call("instances", () -> ctx.fleet().instances(plan.service()));
    CompletableFuture<Optional<TrafficSplit>> current =
        !recovering
            ? listed.thenApply(l -> Optional.empty())
            : listed.thenCompose(
                l ->
                    ctx.routerCaller().call("current", () -> ctx.router().current(plan.service())));
    current.whenComplete(
        (split, err) ->
            post(
                () -> {
                  if (t != token || state.isTerminal()) {
                    return;
                  }
                  if (err != null) {
                    beginAbort(
                        (recovering
                                ? "cannot resume safely: "
                                : "could not list instances of " + plan.service() + ": ")
                            + message(err));
                    return;
                  }
                  List<Instance> list = listed.join();
                  view.adopt(list);
                  if (recovering) {
                    view.split(split.orElse(null));
                  } else {
                    view.alreadyWarm(list);
                    telemetry.checkDrift(list);
                  }
                  then.run();
                }));
  }

  /** Aborts: traffic to stable first, then the rollback steps. */
  public void abort(String why) {
    post(() -> beginAbort("aborted: " + why));
  }

  /** Pauses at the next step boundary. */
  public void pause(String who) {
    post(
        () -> {
          if (state == RolloutState.PROGRESSING || state == RolloutState.WAITING) {
            manualPauseRequested = true;
            journal.append(new JournalPayload.Command(CommandKind.PAUSE, who));
          }
        });
  }

  /** Continues a paused rollout (manual pause, approval pause or inconclusive analysis). */
  public void resume(String who) {
    post(
        () -> {
          manualPauseRequested = false;
          if (state != RolloutState.PAUSED) {
            return;
          }
          journal.append(new JournalPayload.Command(CommandKind.RESUME, who));
          PauseKind kind = pauseKind;
          pauseKind = null;
          state = RolloutState.PROGRESSING;
          reason = null;
          updatedAt = ctx.clock().instant();
          watchdog.progressed(updatedAt);
          telemetry.event(RolloutEvent.Type.RESUMED, "resumed by " + who);
          continueAfterPause(kind);
        });
  }

  /**
   * Promotes, as Argo Rollouts does. {@code full}: skips every remaining Verify and Pause step and
   * stops background analysis; infrastructure steps (launch, route, scale, drain, retire) still
   * run, back to back, so the end state is the plan's. Otherwise (a step promote) skips only the
   * current wait — the foreground analysis or pause the rollout is in, or the pause it is held in —
   * and continues with the next step; later analysis still runs. A step promote that finds no wait
   * skips the next one the rollout reaches.
   */
  public void promote(String who, boolean full) {
    post(
        () -> {
          if (state.isTerminal() || state == RolloutState.ABORTING) {
            return;
          }
          journal.append(
              new JournalPayload.Command(
                  full ? CommandKind.PROMOTE : CommandKind.PROMOTE_STEP, who));
          if (full) {
            promoted = true;
            promoteStepPending = false;
            analyses.stopBackground();
          }
          Step current =
              stepIndex >= 0 && stepIndex < plan.steps().size()
                  ? plan.steps().get(stepIndex)
                  : null;
          boolean waiting = isWait(current);
          telemetry.event(
              RolloutEvent.Type.PROMOTED,
              "promoted by "
                  + who
                  + (full
                      ? ": remaining analysis and pauses skipped"
                      : state == RolloutState.PAUSED || waiting
                          ? ": step " + stepIndex + " skipped"
                          : ": the next analysis or pause will be skipped"));
          if (state == RolloutState.PAUSED) {
            PauseKind kind = pauseKind;
            state = RolloutState.PROGRESSING;
            pauseKind = null;
            reason = null;
            manualPauseRequested = false;
            continueAfterPause(kind);
          } else if (waiting && !writeAhead.inFlight()) {
            leaveWaiting();
            steps.cancelWait();
            analyses.stopForeground();
            token++;
            stepCompleted();
          } else if (!full) {
            promoteStepPending = true;
          }
        });
  }

  /**
   * Whether a step holds the rollout until it is done: a foreground analysis, a pause, or a confirm
   * hook.
   */
  private static boolean isWait(@Nullable Step step) {
    return (step instanceof Step.Verify v && !v.background())
        || step instanceof Step.Pause
        || isConfirm(step);
  }

  /** A confirm-* hook: a pause that a gate ends; promotes and the fast path skip it likewise. */
  private static boolean isConfirm(@Nullable Step step) {
    return step instanceof Step.Hook h && h.confirms();
  }

  /** The plan's rollout hooks: evaluated with every analysis measurement. */
  private static List<Step.Hook> rolloutHooks(Plan plan) {
    List<Step.Hook> hooks = new ArrayList<>();
    for (Step s : plan.steps()) {
      if (s instanceof Step.Hook h && h.phase().equals(Step.Hook.ROLLOUT)) {
        hooks.add(h);
      }
    }
    return hooks;
  }

  private void post(Runnable r) {
    mailbox.execute(() -> inContext(r));
  }

  /**
   * Runs {@code r} on the mailbox with the rollout's logging context, then publishes the status.
   */
  private void inContext(Runnable r) {
    if (stoodDown != null) {
      return;
    }
    MDC.put("cutover.service", plan.service());
    MDC.put("cutover.rollout", id);
    MDC.put("cutover.artifact", artifactText);
    // M9: the release id and artifact digest on every log line of the rollout.
    MDC.put("cutover.release", plan.target().id());
    MDC.put("cutover.artifact.digest", digestText);
    try {
      r.run();
    } finally {
      MDC.remove("cutover.service");
      MDC.remove("cutover.rollout");
      MDC.remove("cutover.artifact");
      MDC.remove("cutover.release");
      MDC.remove("cutover.artifact.digest");
      if (!journal.unsettled()) {
        // While a record is being made durable the status keeps showing what is durable; the
        // continuation publishes the new state.
        snapshot = status.refresh(snapshot, state, stepIndex, view.split(), updatedAt, reason);
      }
    }
  }

  /**
   * A transition threw: whatever it was about to do (a timer, a call, the next step) is lost, so
   * the rollout must not wait for it. Forward, it aborts to stable with the real reason; during the
   * rollback it ends there, like a failed rollback step (traffic stays at the last applied split).
   */
  private void crashed(RuntimeException e) {
    if (stoodDown != null) {
      return;
    }
    String why = "internal error: " + e.getClass().getSimpleName() + ": " + e.getMessage();
    log().error("rollout {} task failed in state {}", id, state, e);
    if (state.isTerminal()) {
      return;
    }
    if (state != RolloutState.ABORTING) {
      beginAbort(why);
    } else if (rollbackIndex >= 0) {
      // The rollback step's continuation is lost: end as a failed rollback step would.
      reason =
          reason
              + "; rollback incomplete at rollback step "
              + rollbackIndex
              + ": "
              + why
              + "; traffic left at "
              + view.split();
      state = RolloutState.ABORTED;
      end(reason);
    } else if (!writeAhead.inFlight()) {
      // The abort failed before its rollback started, and no effect in flight will start it.
      reason = reason + "; " + why;
      startRollback();
    }
  }

  // ---------------------------------------------------------------- forward steps

  /**
   * Makes a recovered rollout abort to stable with {@code why} instead of continuing (its artifact
   * failed verification again). Call before {@link #resumeFromJournal()}.
   */
  public void refuseToContinue(String why) {
    this.refusedOnResume = why;
  }

  private void continueRecovered(JournalFold.Recovered r) {
    String target = plan.target().id();
    if (state != RolloutState.ABORTING && refusedOnResume != null) {
      beginAbort(refusedOnResume);
      return;
    }
    if (state != RolloutState.ABORTING && r.targetLaunched(id, plan) && view.of(target).isEmpty()) {
      beginAbort("cannot resume safely: the fleet no longer knows any instance of " + target);
      return;
    }
    if (state == RolloutState.ABORTING) {
      rollbackIndex = r.rollbackCompleted() + 1;
      nextRollbackStep();
      return;
    }
    // background analyses that were running keep running, with their counts restored
    for (int i = 0; i <= stepIndex && i < plan.steps().size(); i++) {
      if (plan.steps().get(i) instanceof Step.Verify v
          && v.background()
          && !promoted
          && !options.skipAnalysis()
          && r.stepStartedAt().containsKey(i)) {
        analyses.resumeBackground(v, i, r.verdictsOf(i), r.stepStartedAt().get(i));
      }
    }
    if (state == RolloutState.PAUSED) {
      telemetry.event(RolloutEvent.Type.PAUSED, String.valueOf(reason));
      return;
    }
    if (stepIndex < 0 || r.stepCompleted()) {
      nextStep();
      return;
    }
    Step step = plan.steps().get(stepIndex);
    if (promoteStepPending && isWait(step)) {
      // The engine died between a step promote and the step's completion: finish the promote.
      promoteStepPending = false;
      stepCompleted();
      return;
    }
    if (step instanceof Step.Migration
        && r.doneOps().contains(OperationIds.forStep(id, stepIndex, step.kind()).value())) {
      // A migration whose DONE is journaled never runs again.
      stepCompleted();
      return;
    }
    Instant began = r.startedAt(stepIndex, ctx.clock().instant());
    telemetry.stepStarted(step.kind(), stepIndex, began);
    steps.run(
        step,
        new StepExecutor.Attempt(
            stepIndex,
            OperationIds.forStep(id, stepIndex, step.kind()),
            false,
            began,
            r.verdictsOf(stepIndex),
            this::stepCompleted,
            this::stepFailed));
  }

  private void nextStep() {
    if (state != RolloutState.PROGRESSING) {
      return;
    }
    if (manualPauseRequested || analyses.pausePending()) {
      // Both kinds resume by starting the next step, so both pause as MANUAL at this boundary.
      String background = analyses.takePendingPause();
      String why = manualPauseRequested ? "paused by request" : Objects.requireNonNull(background);
      manualPauseRequested = false;
      enterPause(PauseKind.MANUAL, why);
      return;
    }
    stepIndex++;
    if (stepIndex >= plan.steps().size()) {
      analyses.stopBackground();
      state = RolloutState.SUCCEEDED;
      end(null);
      return;
    }
    Step step = plan.steps().get(stepIndex);
    Instant now = ctx.clock().instant();
    watchdog.progressed(now);
    updatedAt = now;
    boolean promotedPast = promoteStepPending && isWait(step);
    if ((options.skipAnalysis() || promoted || promotedPast)
        && (step instanceof Step.Verify || step instanceof Step.Pause || isConfirm(step))) {
      if (promotedPast) {
        promoteStepPending = false;
      }
      journal.append(new JournalPayload.StepState(stepIndex, StepStatus.SKIPPED, step.kind()));
      telemetry.event(RolloutEvent.Type.STEP_STARTED, step.describe());
      telemetry.event(
          RolloutEvent.Type.STEP_COMPLETED,
          "skipped: " + (promoted || promotedPast ? "promoted" : "analysis fast path"));
      nextStep();
      return;
    }
    journal.append(new JournalPayload.StepState(stepIndex, StepStatus.STARTED, step.kind()));
    telemetry.event(RolloutEvent.Type.STEP_STARTED, status.describe(stepIndex));
    telemetry.stepStarted(step.kind(), stepIndex, now);
    steps.run(
        step,
        new StepExecutor.Attempt(
            stepIndex,
            OperationIds.forStep(id, stepIndex, step.kind()),
            false,
            now,
            List.of(),
            this::stepCompleted,
            this::stepFailed));
  }

  private void stepCompleted() {
    if (state != RolloutState.PROGRESSING) {
      return;
    }
    Instant now = ctx.clock().instant();
    watchdog.progressed(now);
    Step step = plan.steps().get(stepIndex);
    journal.append(new JournalPayload.StepState(stepIndex, StepStatus.COMPLETED, step.kind()));
    telemetry.event(RolloutEvent.Type.STEP_COMPLETED, status.describe(stepIndex));
    telemetry.stepEnded(now, null);
    nextStep();
  }

  private void stepFailed(String why) {
    if (state != RolloutState.PROGRESSING
        && state != RolloutState.PAUSED
        && state != RolloutState.WAITING) {
      return;
    }
    Step step = plan.steps().get(stepIndex);
    telemetry.event(RolloutEvent.Type.STEP_FAILED, step.describe() + ": " + why);
    telemetry.stepEnded(ctx.clock().instant(), why);
    beginAbort("step " + stepIndex + " (" + step.kind() + ") failed: " + why);
  }

  private void enterPause(PauseKind kind, String why) {
    state = RolloutState.PAUSED;
    pauseKind = kind;
    reason = why;
    updatedAt = ctx.clock().instant();
    journal.append(new JournalPayload.Paused(kind, why));
    telemetry.event(RolloutEvent.Type.PAUSED, why);
  }

  /**
   * A confirm hook has not confirmed: the rollout shows WAITING with the hook's answer; an event
   * when the wait begins or the answer changes.
   */
  private void enterWaiting(String why) {
    if (state != RolloutState.PROGRESSING && state != RolloutState.WAITING) {
      return;
    }
    if (state == RolloutState.WAITING && why.equals(reason)) {
      return;
    }
    state = RolloutState.WAITING;
    reason = why;
    updatedAt = ctx.clock().instant();
    telemetry.event(RolloutEvent.Type.WAITING, why);
  }

  private void leaveWaiting() {
    if (state == RolloutState.WAITING) {
      state = RolloutState.PROGRESSING;
      reason = null;
      updatedAt = ctx.clock().instant();
      watchdog.progressed(updatedAt);
    }
  }

  /** A manual pause sits between steps; the others hold the current step, which they complete. */
  private void continueAfterPause(@Nullable PauseKind kind) {
    if (kind == PauseKind.MANUAL) {
      nextStep();
    } else {
      stepCompleted();
    }
  }

  // ---------------------------------------------------------------- abort and rollback

  private void beginAbort(String why) {
    if (stoodDown != null || state.isTerminal() || state == RolloutState.ABORTING) {
      return;
    }
    state = RolloutState.ABORTING;
    writeAhead.signalAbort();
    reason = why;
    abortStartedAt = ctx.clock().instant();
    updatedAt = abortStartedAt;
    token++;
    steps.cancelWait();
    rollbackWatch.stop();
    analyses.stopForeground();
    analyses.stopBackground();
    journal.appendSafely(new JournalPayload.Aborting(why));
    telemetry.event(RolloutEvent.Type.ABORT_STARTED, why);
    if (!writeAhead.inFlight()) {
      startRollback();
    }
  }

  private void startRollback() {
    rollbackIndex = 0;
    nextRollbackStep();
  }

  private void nextRollbackStep() {
    List<Step> rollback = plan.rollbackSteps();
    if (rollbackIndex >= rollback.size()) {
      reportRolledBack();
      state = RolloutState.ABORTED;
      end(reason);
      return;
    }
    Step step = rollback.get(rollbackIndex);
    OperationId op = OperationIds.forRollbackStep(id, rollbackIndex, step.kind());
    steps.run(
        step,
        new StepExecutor.Attempt(
            rollbackIndex,
            op,
            true,
            ctx.clock().instant(),
            List.of(),
            () -> {
              if (step instanceof Step.Route r
                  && plan.stable() != null
                  && r.split().weight(plan.stable().id()) == TrafficSplit.TOTAL) {
                reportRolledBack();
              }
              journal.appendSafely(new JournalPayload.RollbackStep(rollbackIndex));
              rollbackIndex++;
              nextRollbackStep();
            },
            why -> {
              // Never retire anything after a failed rollback step: traffic stays at the last
              // verified split.
              reason =
                  reason
                      + "; rollback incomplete at rollback step "
                      + rollbackIndex
                      + " ("
                      + step.kind()
                      + "): "
                      + why
                      + "; traffic left at "
                      + view.split();
              state = RolloutState.ABORTED;
              end(reason);
            }));
  }

  private void reportRolledBack() {
    if (!rollbackReported && abortStartedAt != null) {
      rollbackReported = true;
      telemetry.rolledBack(abortStartedAt, ctx.clock().instant());
    }
  }

  private void end(@Nullable String why) {
    if (stoodDown != null) {
      return;
    }
    steps.cancelWait();
    rollbackWatch.stop();
    watchdog.stop();
    token++;
    Instant now = ctx.clock().instant();
    updatedAt = now;
    boolean ok = state == RolloutState.SUCCEEDED;
    // The end is reported, and the lease released, only once the ENDED record is durable.
    journal.appendSafely(
        new JournalPayload.Ended(
            ok,
            plan.target().id(),
            plan.stable() == null ? null : plan.stable().id(),
            why,
            ok ? ctx.revisionsAfterSuccess().apply(plan) : null),
        () -> ended(ok, why, now));
  }

  private void ended(boolean ok, @Nullable String why, Instant now) {
    telemetry.event(
        ok ? RolloutEvent.Type.ROLLOUT_SUCCEEDED : RolloutEvent.Type.ROLLOUT_ABORTED,
        ok ? "rollout of " + plan.target().label() + " succeeded" : String.valueOf(why));
    telemetry.rolloutEnded(now, ok, why, Duration.between(startedAt, now));
    snapshot = status.build(state, stepIndex, view.split(), updatedAt, reason);
    CompletionStage<Void> bookkept = CompletableFuture.completedFuture(null);
    try {
      bookkept = ctx.onEnded().apply(this);
    } finally {
      // After the engine's bookkeeping (pins), so whoever waits for the end finds the artifacts
      // pinned.
      bookkept.whenComplete((v, e) -> completion.complete(snapshot));
    }
  }

  /**
   * Another replica owns the rollout now (a shared journal refused an append): stop here without a
   * record, an effect or an abort. Runs on the mailbox (inside the refused append); timers and
   * waits come to nothing, later tasks are dropped, and {@link #completion()} fails with {@code e}.
   */
  private void standDown(OwnershipLostException e) {
    if (stoodDown != null) {
      return;
    }
    stoodDown = e;
    token++;
    steps.cancelWait();
    watchdog.stop();
    rollbackWatch.stop();
    analyses.stopForeground();
    analyses.stopBackground();
    log().warn("rollout {} stands down on this replica: {}", id, e.getMessage());
    completion.completeExceptionally(e);
  }

  static String message(Throwable t) {
    Throwable u = ResilientCaller.unwrap(t);
    return u.getMessage() == null ? u.getClass().getSimpleName() : u.getMessage();
  }
}
