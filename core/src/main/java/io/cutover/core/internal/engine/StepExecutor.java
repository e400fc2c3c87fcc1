// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.engine;

import io.cutover.api.Instance;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.api.Verdict;
import io.cutover.api.plan.Plan;
import io.cutover.api.plan.Step;
import io.cutover.spi.GateContext;
import io.cutover.spi.OperationId;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes one {@link Step}, with one method per kind, for forward steps, rollback steps and steps
 * a restarted engine resumes alike: an {@link Attempt} says which, and since when the step runs, so
 * a resumed Pause, Drain or analysis continues with the time that remained. Lives on the rollout's
 * mailbox.
 */
final class StepExecutor {
  private static final Logger LOG = LoggerFactory.getLogger(StepExecutor.class);

  /**
   * One execution of a step.
   *
   * @param index the step's index in the forward or rollback steps
   * @param op the operation id of the step's effect
   * @param rollback whether it is a rollback step (pauses and analysis are skipped, hooks cannot
   *     fail it)
   * @param startedAt when the step started: now, or for a resumed step when the journal says it
   *     started
   * @param journaled for a resumed analysis, the verdicts the journal already holds
   * @param done called on the mailbox when the step completed
   * @param failed called on the mailbox with the reason when it failed
   */
  record Attempt(
      int index,
      OperationId op,
      boolean rollback,
      Instant startedAt,
      List<AnalysisRun.Recorded> journaled,
      Runnable done,
      Consumer<String> failed) {}

  private final EngineContext ctx;
  private final Plan plan;
  private final Executor mailbox;
  private final WriteAhead writeAhead;
  private final FleetView view;
  private final RolloutTelemetry telemetry;
  private final Verdicts verdicts;
  private final Analyses analyses;
  private final ProgressWatchdog watchdog;

  /** Pauses the rollout until a human approves. */
  private final Runnable awaitApproval;

  /**
   * The rollout's generation: a wait or hook started in an older generation does nothing when it
   * ends.
   */
  private final LongSupplier token;

  private @Nullable ScheduledFuture<?> timer;

  private final HookRunner hooks;
  private final InstanceHooks instanceHooks;

  StepExecutor(
      EngineContext ctx,
      Plan plan,
      Executor mailbox,
      WriteAhead writeAhead,
      FleetView view,
      RolloutTelemetry telemetry,
      Verdicts verdicts,
      Analyses analyses,
      ProgressWatchdog watchdog,
      Runnable awaitApproval,
      HookRunner.Waits waits,
      LongSupplier token) {
    this.ctx = ctx;
    this.plan = plan;
    this.mailbox = mailbox;
    this.writeAhead = writeAhead;
    this.view = view;
    this.telemetry = telemetry;
    this.verdicts = verdicts;
    this.analyses = analyses;
    this.watchdog = watchdog;
    this.awaitApproval = awaitApproval;
    this.token = token;
    this.hooks = new HookRunner(ctx, mailbox, verdicts, waits, token);
    this.instanceHooks = new InstanceHooks(ctx, plan, mailbox, verdicts, watchdog, token);
  }

  /** Executes {@code step}. */
  void run(Step step, Attempt a) {
    if (step instanceof Step.Launch s) {
      launch(s, a);
    } else if (step instanceof Step.Scale s) {
      scale(s, a);
    } else if (step instanceof Step.Route s) {
      route(a.op(), s.split(), a.done(), a.failed());
    } else if (step instanceof Step.Retire s) {
      retire(s, a);
    } else if (step instanceof Step.Drain s) {
      drain(s, a);
    } else if (step instanceof Step.Pause s) {
      pause(s, a);
    } else if (step instanceof Step.Hook s) {
      hooks.run(s, a);
    } else if (step instanceof Step.Verify s) {
      verify(s, a);
    } else if (step instanceof Step.Migration s) {
      migrate(s, a);
    } else {
      throw new IllegalStateException("unknown step " + step);
    }
  }

  /** Cancels a pending timed wait (abort, promote, end). */
  void cancelWait() {
    hooks.cancel();
    instanceHooks.cancel();
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void launch(Step.Launch s, Attempt a) {
    Release r = release(s.releaseId());
    writeAhead.issue(
        a.op(),
        new Effect.Launch(r, s.replicas()),
        list -> {
          view.put(r.id(), list);
          telemetry.checkDrift(list);
          warmUp(list, a, () -> refreshBackends(a.op(), r.id(), a.done(), a.failed()));
        },
        a.failed());
  }

  /**
   * Holds the instances a forward launch or scale started out of routing until they pass the plan's
   * warm-up hooks, then continues; a failed warm-up fails the step. Rollback steps do not warm up:
   * nothing may hold a rollback.
   */
  private void warmUp(List<Instance> started, Attempt a, Runnable then) {
    if (a.rollback() || !instanceHooks.warmsUp()) {
      then.run();
      return;
    }
    List<Instance> fresh = view.toWarmUp(started);
    view.warming(fresh);
    instanceHooks.warmUp(
        fresh,
        a.index(),
        () -> {
          view.warm(fresh);
          then.run();
        },
        a.failed());
  }

  private void scale(Step.Scale s, Attempt a) {
    Release r = release(s.releaseId());
    Runnable scale =
        () ->
            writeAhead.issue(
                a.op(),
                new Effect.Scale(r, s.replicas()),
                list -> {
                  view.put(r.id(), list);
                  warmUp(list, a, () -> refreshBackends(a.op(), r.id(), a.done(), a.failed()));
                },
                a.failed());
    TrafficSplit split = view.split();
    List<Instance> current = view.of(r.id());
    // Fleets stop the most recently launched instances first (Fleet contract): those get the
    // pre-stop hooks.
    List<Instance> stopping =
        s.replicas() >= current.size()
            ? List.of()
            : List.copyOf(current.subList(s.replicas(), current.size()));
    Runnable stopThenScale = () -> instanceHooks.preStop(stopping, stepOf(a), a.rollback(), scale);
    if (split == null || split.weight(r.id()) == 0 || s.replicas() >= current.size()) {
      stopThenScale.run();
    } else if (s.replicas() == 0) {
      a.failed()
          .accept(
              "refusing to scale "
                  + r.id()
                  + " to 0: it still receives "
                  + split.percent(r.id())
                  + "% of traffic (the plan must route it to 0 first)");
    } else {
      // Fleets stop the most recently launched instances first (Fleet contract): move traffic off
      // exactly those before they stop, so no request reaches a stopping instance.
      view.keepFirst(r.id(), s.replicas());
      route(a.op().child("prescale"), split, stopThenScale, a.failed());
    }
  }

  private void retire(Step.Retire s, Attempt a) {
    Release r = release(s.releaseId());
    TrafficSplit split = view.split();
    if (split != null && split.weight(r.id()) > 0) {
      a.failed()
          .accept(
              "refusing to retire "
                  + r.id()
                  + ": it still receives "
                  + split.percent(r.id())
                  + "% of traffic (the plan must route it to 0 first)");
      return;
    }
    instanceHooks.preStop(
        view.of(r.id()),
        stepOf(a),
        a.rollback(),
        () ->
            writeAhead.issue(
                a.op(),
                new Effect.Retire(r),
                ok -> {
                  view.remove(r.id());
                  a.done().run();
                },
                a.failed()));
  }

  /** The step index verdicts are journaled with: -1 for rollback steps, as hooks do. */
  private static int stepOf(Attempt a) {
    return a.rollback() ? -1 : a.index();
  }

  /** Drains, then waits the drain period (or what remained of it for a resumed step). */
  private void drain(Step.Drain s, Attempt a) {
    Release r = release(s.releaseId());
    Duration remaining = remaining(s.period(), a);
    writeAhead.issue(
        a.op(),
        new Effect.Drain(r),
        ok -> {
          view.markDraining(r.id());
          waitFor(remaining, a.done());
        },
        a.failed());
  }

  private void pause(Step.Pause s, Attempt a) {
    if (a.rollback()) {
      a.done().run();
    } else if (s.untilApproval()) {
      awaitApproval.run();
    } else {
      waitFor(remaining(Objects.requireNonNull(s.duration()), a), a.done());
    }
  }

  /**
   * Runs a migration write-ahead (INTENT, the gate, DONE or FAILED). A failed expand fails the step
   * (the rollout aborts before the target takes traffic); a failed contract is reported and the
   * step completes, since the old release is already retired.
   */
  private void migrate(Step.Migration s, Attempt a) {
    Map<String, String> params = new HashMap<>(s.params());
    params.put("operationId", a.op().value());
    Instant now = ctx.clock().instant();
    GateContext gc = verdicts.context(a.index(), now, now, 1, s.phase(), params);
    writeAhead.issue(
        a.op(),
        new Effect.Migrate(plan.service(), AnalysisRun.gate(ctx, s.gate()), gc),
        v -> {
          verdicts.record(s.gate(), v, false, a.index(), 1);
          a.done().run();
        },
        why -> {
          verdicts.record(s.gate(), Verdict.fail(why), false, a.index(), 1);
          if (s.phase().equals(Step.Migration.CONTRACT)) {
            LOG.warn(
                "contract migration via {} failed: {}; reported, run it again by hand",
                s.gate(),
                why);
            a.done().run();
          } else {
            a.failed().accept("migration " + s.phase() + " (" + s.gate() + ") failed: " + why);
          }
        });
  }

  /**
   * A background analysis starts and the step completes; a foreground one holds the step until it
   * decides.
   */
  private void verify(Step.Verify s, Attempt a) {
    if (a.rollback()) {
      a.done().run();
      return;
    }
    if (s.background()) {
      analyses.background(s, a.index());
      a.done().run();
    } else {
      analyses.foreground(s, a.index(), a.journaled(), a.startedAt());
    }
  }

  private void route(OperationId op, TrafficSplit target, Runnable done, Consumer<String> failed) {
    writeAhead.issue(
        op,
        new Effect.Route(plan.service(), target, view.backendsFor(target)),
        applied -> {
          view.split(target);
          telemetry.trafficShifted(target);
          done.run();
        },
        failed);
  }

  /** After a launch or scale, routers must learn the new backends of a release they route to. */
  private void refreshBackends(
      OperationId op, String releaseId, Runnable done, Consumer<String> failed) {
    TrafficSplit split = view.split();
    if (split == null || !split.releaseIds().contains(releaseId)) {
      done.run();
      return;
    }
    route(op.child("backends"), split, done, failed);
  }

  private void waitFor(Duration d, Runnable then) {
    if (d.isZero()) {
      then.run();
      return;
    }
    watchdog.expectProgressBy(Times.plus(ctx.clock().instant(), d));
    long t = token.getAsLong();
    timer =
        ctx.scheduler()
            .schedule(
                () ->
                    mailbox.execute(
                        () -> {
                          if (t == token.getAsLong()) {
                            timer = null;
                            then.run();
                          }
                        }),
                Times.nanos(d),
                TimeUnit.NANOSECONDS);
  }

  /** What remains of {@code d} for an attempt that started at {@code a.startedAt()}. */
  private Duration remaining(Duration d, Attempt a) {
    Duration left = d.minus(Duration.between(a.startedAt(), ctx.clock().instant()));
    return left.isNegative() ? Duration.ZERO : left;
  }

  private Release release(String releaseId) {
    return Objects.requireNonNull(plan.release(releaseId), releaseId);
  }
}
