// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.engine;

import io.cutover.api.Verdict;
import io.cutover.api.plan.Plan;
import io.cutover.api.plan.Step;
import io.cutover.api.rollout.RolloutEvent;
import io.cutover.spi.GateContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a rollout's event hooks ({@link Step.Hook#EVENT}) about every {@link RolloutEvent} of the
 * rollout, fire-and-forget: the gate runs on the provider executor (never on the scheduler thread
 * or the mailbox), and an ERROR or FAIL is retried at most {@value #MAX_ATTEMPTS} times in all,
 * {@link #BACKOFF} apart and doubling, then logged and dropped. Deliveries are neither journaled
 * nor reported as events (an event about an event hook would be delivered to it again). The event
 * reaches the gate as parameters {@code event.type}, {@code event.message}, {@code event.step} and
 * {@code event.time}, next to the hook's own.
 */
final class EventHooks {
  private static final Logger LOG = LoggerFactory.getLogger(EventHooks.class);

  /** Attempts per event and hook, the first included. */
  static final int MAX_ATTEMPTS = 3;

  /** Wait before the first retry; doubled before each further one. */
  static final Duration BACKOFF = Duration.ofSeconds(1);

  private final EngineContext ctx;
  private final List<Step.Hook> hooks;
  private final String rolloutId;

  EventHooks(EngineContext ctx, Plan plan, String rolloutId) {
    this.ctx = ctx;
    this.rolloutId = rolloutId;
    List<Step.Hook> list = new ArrayList<>();
    for (Step s : plan.steps()) {
      if (s instanceof Step.Hook h && h.phase().equals(Step.Hook.EVENT)) {
        list.add(h);
      }
    }
    this.hooks = List.copyOf(list);
  }

  /**
   * Delivers {@code e} to every event hook. Called on the mailbox; {@code context} builds the
   * gate's context there (it reads the rollout's view), the rest happens elsewhere.
   */
  void deliver(RolloutEvent e, Verdicts context) {
    for (Step.Hook h : hooks) {
      Map<String, String> params = new HashMap<>(h.params());
      params.put("event.type", e.type().name());
      params.put("event.message", e.message());
      params.put("event.step", Integer.toString(e.stepIndex()));
      params.put("event.time", e.time().toString());
      GateContext gc = context.context(e.stepIndex(), e.time(), e.time(), 1, h.phase(), params);
      attempt(h, gc, e.type(), 1);
    }
  }

  private void attempt(Step.Hook h, GateContext gc, RolloutEvent.Type type, int n) {
    AnalysisRun.evaluate(ctx, AnalysisRun.gate(ctx, h.gate()), gc)
        .thenAccept(
            v -> {
              if (v.outcome() != Verdict.Outcome.ERROR && v.outcome() != Verdict.Outcome.FAIL) {
                return;
              }
              if (n >= MAX_ATTEMPTS) {
                LOG.warn(
                    "event hook {} of rollout {} did not take {} after {} attempts: {}",
                    h.gate(),
                    rolloutId,
                    type,
                    n,
                    v);
                return;
              }
              ctx.scheduler()
                  .schedule(
                      () -> attempt(h, gc, type, n + 1),
                      Times.nanos(BACKOFF.multipliedBy(1L << (n - 1))),
                      TimeUnit.NANOSECONDS);
            });
  }
}
