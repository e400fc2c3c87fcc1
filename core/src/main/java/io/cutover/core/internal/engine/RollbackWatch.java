// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.engine;

import io.cutover.api.Verdict;
import io.cutover.api.plan.Plan;
import io.cutover.api.plan.Step;
import io.cutover.spi.GateContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Polls a rollout's rollback hooks ({@link Step.Hook#ROLLBACK}) every hook interval while it runs
 * (progressing, waiting or paused): a FAIL — the hook asks for a rollback, as {@code WebhookGate}
 * answers when its receiver says so — aborts the rollout; anything else lets it go on. Only a FAIL
 * is journaled, so a long rollout does not fill the journal with "no rollback requested". Lives on
 * the rollout's mailbox; the gate is evaluated on the provider executor.
 */
final class RollbackWatch {
  private final EngineContext ctx;
  private final Executor mailbox;
  private final Verdicts verdicts;
  private final Consumer<String> abort;
  private final List<Step.Hook> hooks;
  private final List<ScheduledFuture<?>> pending = new ArrayList<>();
  private boolean stopped = true;

  RollbackWatch(
      EngineContext ctx, Executor mailbox, Plan plan, Verdicts verdicts, Consumer<String> abort) {
    this.ctx = ctx;
    this.mailbox = mailbox;
    this.verdicts = verdicts;
    this.abort = abort;
    List<Step.Hook> list = new ArrayList<>();
    for (Step s : plan.steps()) {
      if (s instanceof Step.Hook h && h.phase().equals(Step.Hook.ROLLBACK)) {
        list.add(h);
      }
    }
    this.hooks = List.copyOf(list);
  }

  /** Starts polling: each hook is first asked one interval from now. */
  void start() {
    stopped = false;
    for (Step.Hook h : hooks) {
      schedule(h, 1);
    }
  }

  /** Stops polling (abort or end). */
  void stop() {
    stopped = true;
    pending.forEach(f -> f.cancel(false));
    pending.clear();
  }

  private void schedule(Step.Hook h, int n) {
    pending.removeIf(ScheduledFuture::isDone);
    pending.add(
        ctx.scheduler()
            .schedule(
                () -> mailbox.execute(() -> poll(h, n)),
                Times.nanos(h.interval()),
                TimeUnit.NANOSECONDS));
  }

  private void poll(Step.Hook h, int n) {
    if (stopped) {
      return;
    }
    Instant now = ctx.clock().instant();
    // polled across the rollout, not for one step
    GateContext gc = verdicts.context(-1, now, now, n, h.phase(), h.params());
    AnalysisRun.evaluate(ctx, AnalysisRun.gate(ctx, h.gate()), gc)
        .thenAccept(
            v ->
                mailbox.execute(
                    () -> {
                      if (stopped) {
                        return;
                      }
                      if (v.outcome() == Verdict.Outcome.FAIL) {
                        verdicts.record(h.gate(), v, false, -1, n);
                        abort.accept(
                            "rollback hook " + h.gate() + " asked for a rollback: " + v.reasons());
                      } else {
                        schedule(h, n + 1);
                      }
                    }));
  }
}
