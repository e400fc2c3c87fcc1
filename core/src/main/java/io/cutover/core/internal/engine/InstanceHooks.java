// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.engine;

import io.cutover.api.Instance;
import io.cutover.api.Verdict;
import io.cutover.api.plan.Plan;
import io.cutover.api.plan.Step;
import io.cutover.spi.GateContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-instance hooks of a plan ({@link Step.Hook#WARM_UP}, {@link Step.Hook#PRE_STOP}, wherever
 * they sit in its forward steps): warm-up of freshly started instances before they count as READY,
 * pre-stop before instances are stopped. Gates run through the gate caller on the provider
 * executor, re-asks and deadlines are timers on the engine's scheduler, and every continuation
 * comes back on the rollout's mailbox: nothing here blocks the scheduler thread. Lives on the
 * mailbox.
 */
final class InstanceHooks {
  private static final Logger LOG = LoggerFactory.getLogger(InstanceHooks.class);

  private final EngineContext ctx;
  private final Executor mailbox;
  private final Verdicts verdicts;
  private final ProgressWatchdog watchdog;
  private final LongSupplier token;
  private final List<Step.Hook> warmUps = new ArrayList<>();
  private final List<Step.Hook> preStops = new ArrayList<>();

  /** Pending re-asks and deadlines of the warm-up in progress; cancelled on abort or end. */
  private final List<ScheduledFuture<?>> timers = new ArrayList<>();

  InstanceHooks(
      EngineContext ctx,
      Plan plan,
      Executor mailbox,
      Verdicts verdicts,
      ProgressWatchdog watchdog,
      LongSupplier token) {
    this.ctx = ctx;
    this.mailbox = mailbox;
    this.verdicts = verdicts;
    this.watchdog = watchdog;
    this.token = token;
    for (Step s : plan.steps()) {
      if (s instanceof Step.Hook h && h.phase().equals(Step.Hook.WARM_UP)) {
        warmUps.add(h);
      } else if (s instanceof Step.Hook h && h.phase().equals(Step.Hook.PRE_STOP)) {
        preStops.add(h);
      }
    }
  }

  /** Whether the plan has warm-up hooks. */
  boolean warmsUp() {
    return !warmUps.isEmpty();
  }

  /** Cancels the timers of a warm-up in progress (abort, end). */
  void cancel() {
    timers.forEach(t -> t.cancel(false));
    timers.clear();
  }

  /**
   * Asks every warm-up hook about every instance of {@code fresh}, all at once; calls {@code done}
   * once all passed, or {@code failed} at the first FAIL or missed deadline (the others are then
   * ignored). Nothing happens after the rollout's generation changed (abort).
   */
  void warmUp(List<Instance> fresh, int step, Runnable done, Consumer<String> failed) {
    if (fresh.isEmpty() || warmUps.isEmpty()) {
      done.run();
      return;
    }
    WarmUp w = new WarmUp(token.getAsLong(), step, done, failed);
    Instant now = ctx.clock().instant();
    for (Step.Hook h : warmUps) {
      // a long deadline must not trip the progress deadline first
      watchdog.expectProgressBy(Times.plus(now, h.deadline()));
      for (Instance i : fresh) {
        w.pending++;
        Job job = new Job(h, i);
        w.jobs.add(job);
        schedule(
            w,
            h.deadline(),
            () -> w.fail(job, "did not pass within " + Times.human(h.deadline()) + job.lastSeen()));
        ask(w, job);
      }
    }
  }

  /**
   * Runs every pre-stop hook once for every instance of {@code stopping}, all at once, then calls
   * {@code then} (on the mailbox) whatever they answered: a verdict other than PASS is journaled,
   * reported as a GATE_VERDICT event and logged, never stops the stop. For a forward step, {@code
   * then} is dropped if the rollout's generation changed meanwhile (an abort took over); a rollback
   * step always continues.
   */
  void preStop(List<Instance> stopping, int step, boolean rollback, Runnable then) {
    List<Instance> live = stopping.stream().filter(i -> !i.state().isTerminal()).toList();
    if (live.isEmpty() || preStops.isEmpty()) {
      then.run();
      return;
    }
    long t = token.getAsLong();
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (Step.Hook h : preStops) {
      for (Instance i : live) {
        all.add(
            evaluate(h, i, step, 1)
                .thenAccept(
                    v ->
                        mailbox.execute(
                            () -> {
                              verdicts.record(h.gate(), about(i, v), false, step, 1);
                              if (!v.passed()) {
                                LOG.warn(
                                    "pre-stop hook {} returned {} for instance {}; reported, the"
                                        + " instance is stopped anyway",
                                    h.gate(),
                                    v,
                                    i.id());
                              }
                            })));
      }
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .whenComplete(
            (ok, err) ->
                // queued after every verdict's own mailbox task, so they are journaled first
                mailbox.execute(
                    () -> {
                      if (rollback || t == token.getAsLong()) {
                        then.run();
                      }
                    }));
  }

  private void ask(WarmUp w, Job job) {
    job.asked++;
    evaluate(job.hook, job.instance, w.step, job.asked)
        .thenAccept(v -> mailbox.execute(() -> answered(w, job, v)));
  }

  private void answered(WarmUp w, Job job, Verdict v) {
    if (w.over()) {
      return;
    }
    job.last = v;
    if (v.passed()) {
      verdicts.record(job.hook.gate(), about(job.instance, v), false, w.step, job.asked);
      if (--w.pending == 0) {
        w.finished = true;
        cancel();
        w.done.run();
      }
    } else if (v.outcome() == Verdict.Outcome.FAIL) {
      w.fail(job, "failed: " + v.reasons());
    } else {
      // not yet: ask again; the job's deadline timer fails it if no PASS comes in time
      schedule(w, job.hook.interval(), () -> ask(w, job));
    }
  }

  private void schedule(WarmUp w, Duration after, Runnable r) {
    timers.add(
        ctx.scheduler()
            .schedule(
                () ->
                    mailbox.execute(
                        () -> {
                          if (!w.over()) {
                            r.run();
                          }
                        }),
                Times.nanos(after),
                TimeUnit.NANOSECONDS));
  }

  private CompletableFuture<Verdict> evaluate(Step.Hook h, Instance i, int step, int measurement) {
    Map<String, String> params = new HashMap<>(h.params());
    params.put("instanceId", i.id());
    params.put("releaseId", i.releaseId());
    Instant now = ctx.clock().instant();
    GateContext gc =
        verdicts.context(step, now, now, measurement, h.phase(), params).toBuilder()
            .candidateInstances(List.of(i))
            .build();
    return AnalysisRun.evaluate(ctx, AnalysisRun.gate(ctx, h.gate()), gc);
  }

  /** The verdict with the instance named first among its reasons, for the journal and events. */
  private static Verdict about(Instance i, Verdict v) {
    List<String> reasons = new ArrayList<>();
    reasons.add("instance " + i.id());
    reasons.addAll(v.reasons());
    return new Verdict(v.outcome(), v.measurements(), reasons);
  }

  /** One warm-up hook asked about one instance. */
  private static final class Job {
    final Step.Hook hook;
    final Instance instance;
    int asked;
    @Nullable Verdict last;

    Job(Step.Hook hook, Instance instance) {
      this.hook = hook;
      this.instance = instance;
    }

    String lastSeen() {
      Verdict v = last;
      return v == null
          ? " (no answer yet)"
          : " (last answer " + v.outcome() + (v.reasons().isEmpty() ? "" : " " + v.reasons()) + ")";
    }
  }

  /** The warm-up of the instances one launch or scale started. */
  private final class WarmUp {
    final long generation;
    final int step;
    final Runnable done;
    final Consumer<String> failed;
    final List<Job> jobs = new ArrayList<>();
    int pending;
    boolean finished;

    WarmUp(long generation, int step, Runnable done, Consumer<String> failed) {
      this.generation = generation;
      this.step = step;
      this.done = done;
      this.failed = failed;
    }

    boolean over() {
      return finished || generation != token.getAsLong();
    }

    void fail(Job job, String why) {
      if (over()) {
        return;
      }
      finished = true;
      cancel();
      Verdict last = job.last;
      verdicts.record(
          job.hook.gate(),
          about(
              job.instance,
              last != null && last.outcome() == Verdict.Outcome.FAIL ? last : Verdict.fail(why)),
          false,
          step,
          job.asked);
      failed.accept(
          "warm-up hook "
              + job.hook.gate()
              + " for instance "
              + job.instance.id()
              + " of "
              + job.instance.releaseId()
              + " "
              + why);
    }
  }
}
