// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.engine;

import io.cutover.api.Verdict;
import io.cutover.api.plan.Step;
import io.cutover.spi.GateContext;
import io.cutover.spi.HealthGate;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link Step.Hook} steps with the semantics of their phase (see the {@code Step.Hook}
 * Javadoc): confirm hooks wait and ask again until they confirm or deny, post-rollout hooks only
 * report, rollout-wide hooks complete at once (their work is done by {@link AnalysisRun}, {@link
 * RollbackWatch} and {@link EventHooks}), every other hook passes or fails its step. A hook whose
 * deciding verdict the journal already holds is not asked again after a restart. Lives on the
 * rollout's mailbox.
 */
final class HookRunner {
  private static final Logger LOG = LoggerFactory.getLogger(HookRunner.class);

  /** What a confirm hook's wait means for the rollout. Called on the mailbox. */
  interface Waits {
    /** The hook has not confirmed: the rollout shows WAITING with {@code why}. */
    void waiting(String why);

    /** The wait is over (confirmed, denied, or skipped): the rollout progresses again. */
    void waitOver();
  }

  private final EngineContext ctx;
  private final Executor mailbox;
  private final Verdicts verdicts;
  private final Waits waits;
  private final LongSupplier token;
  private @Nullable ScheduledFuture<?> next;

  HookRunner(
      EngineContext ctx, Executor mailbox, Verdicts verdicts, Waits waits, LongSupplier token) {
    this.ctx = ctx;
    this.mailbox = mailbox;
    this.verdicts = verdicts;
    this.waits = waits;
    this.token = token;
  }

  void run(Step.Hook s, StepExecutor.Attempt a) {
    if (!a.rollback() && s.rolloutWide()) {
      a.done().run();
    } else if (!a.rollback() && decidedBefore(s, a)) {
      // The engine stopped after the hook's verdict was journaled: never ask a done hook again.
      a.done().run();
    } else if (!a.rollback() && s.confirms()) {
      ask(s, a, null, 1);
    } else {
      once(s, a);
    }
  }

  /** Cancels a pending re-ask of a confirm hook (abort, promote, end). */
  void cancel() {
    if (next != null) {
      next.cancel(false);
      next = null;
    }
  }

  private static boolean decidedBefore(Step.Hook s, StepExecutor.Attempt a) {
    return a.journaled().stream()
        .map(AnalysisRun.Recorded::verdict)
        .anyMatch(
            v ->
                v.gate().equals(s.gate())
                    && (v.outcome() == Verdict.Outcome.PASS
                        || s.phase().equals(Step.Hook.POST_ROLLOUT)));
  }

  private void once(Step.Hook s, StepExecutor.Attempt a) {
    long t = token.getAsLong();
    evaluate(s, a, 1)
        .thenAccept(
            v ->
                mailbox.execute(
                    () -> {
                      if (t != token.getAsLong() && !a.rollback()) {
                        return;
                      }
                      verdicts.record(s.gate(), v, false, a.rollback() ? -1 : a.index(), 1);
                      if (v.passed() || a.rollback()) {
                        a.done().run();
                      } else if (s.phase().equals(Step.Hook.POST_ROLLOUT)) {
                        // The rollout is done: report, never roll back a finished rollout.
                        LOG.warn(
                            "post-rollout hook {} returned {}; reported only, the rollout stands",
                            s.gate(),
                            v);
                        a.done().run();
                      } else {
                        a.failed()
                            .accept("hook " + s.phase() + " (" + s.gate() + ") returned " + v);
                      }
                    }));
  }

  /**
   * Asks a confirm hook; {@code last} is its previous answer (recorded again only when it changes,
   * so a long wait does not fill the journal).
   */
  private void ask(Step.Hook s, StepExecutor.Attempt a, @Nullable Verdict last, int n) {
    long t = token.getAsLong();
    evaluate(s, a, n)
        .thenAccept(
            v ->
                mailbox.execute(
                    () -> {
                      if (t != token.getAsLong()) {
                        return;
                      }
                      if (last == null
                          || last.outcome() != v.outcome()
                          || !last.reasons().equals(v.reasons())) {
                        verdicts.record(s.gate(), v, false, a.index(), n);
                      }
                      if (v.passed()) {
                        waits.waitOver();
                        a.done().run();
                      } else if (v.outcome() == Verdict.Outcome.FAIL) {
                        waits.waitOver();
                        a.failed()
                            .accept(
                                "hook " + s.phase() + " (" + s.gate() + ") denied: " + v.reasons());
                      } else {
                        waits.waiting(
                            s.phase()
                                + " hook "
                                + s.gate()
                                + " has not confirmed ("
                                + v.outcome()
                                + (v.reasons().isEmpty()
                                    ? ""
                                    : ": " + String.join("; ", v.reasons()))
                                + "); asking again every "
                                + Times.human(s.interval()));
                        next =
                            ctx.scheduler()
                                .schedule(
                                    () ->
                                        mailbox.execute(
                                            () -> {
                                              if (t == token.getAsLong()) {
                                                next = null;
                                                ask(s, a, v, n + 1);
                                              }
                                            }),
                                    Times.nanos(s.interval()),
                                    TimeUnit.NANOSECONDS);
                      }
                    }));
  }

  private CompletableFuture<Verdict> evaluate(
      Step.Hook s, StepExecutor.Attempt a, int measurement) {
    HealthGate gate = AnalysisRun.gate(ctx, s.gate());
    Instant now = ctx.clock().instant();
    GateContext gc =
        verdicts.context(
            a.rollback() ? -1 : a.index(), now, now, measurement, s.phase(), s.params());
    return AnalysisRun.evaluate(ctx, gate, gc);
  }
}
