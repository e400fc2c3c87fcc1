// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.engine;

import io.cutover.api.rollout.RolloutState;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The progress deadline of one rollout: a rollout that makes no progress for the deadline aborts,
 * so nothing stays in progress forever. A planned wait (a timed pause, the next measurement) moves
 * the deadline to its expected end; waiting for a human does not count. Lives on the rollout's
 * mailbox.
 */
final class ProgressWatchdog {
  private final ScheduledExecutorService scheduler;
  private final InstantSource clock;
  private final Executor mailbox;
  private final Duration deadline;
  private final Supplier<RolloutState> state;
  private final Consumer<String> abort;
  private Instant base;
  private @Nullable ScheduledFuture<?> check;

  /**
   * @param state the rollout's current state
   * @param abort aborts the rollout with a reason
   */
  ProgressWatchdog(
      ScheduledExecutorService scheduler,
      InstantSource clock,
      Executor mailbox,
      Duration deadline,
      Instant base,
      Supplier<RolloutState> state,
      Consumer<String> abort) {
    this.scheduler = scheduler;
    this.clock = clock;
    this.mailbox = mailbox;
    this.deadline = deadline;
    this.base = base;
    this.state = state;
    this.abort = abort;
  }

  /** Starts watching. */
  void start() {
    schedule(deadline);
  }

  /** The rollout made progress at {@code now}. */
  void progressed(Instant now) {
    if (now.isAfter(base)) {
      base = now;
    }
  }

  /** A planned wait is not a lack of progress: the deadline counts from its expected end. */
  void expectProgressBy(Instant t) {
    progressed(t);
  }

  /** Stops watching (the rollout ended). */
  void stop() {
    if (check != null) {
      check.cancel(false);
      check = null;
    }
  }

  private void schedule(Duration delay) {
    check =
        scheduler.schedule(
            () -> mailbox.execute(this::check),
            Math.max(1, Times.nanos(delay)),
            TimeUnit.NANOSECONDS);
  }

  private void check() {
    RolloutState s = state.get();
    if (s.isTerminal()) {
      return;
    }
    Instant now = clock.instant();
    if (s == RolloutState.PAUSED || s == RolloutState.WAITING) {
      // Waiting for a human (or a confirm hook) is not being stuck; the clock restarts when the
      // rollout resumes.
      base = now;
      schedule(deadline);
      return;
    }
    Instant due = Times.plus(base, deadline);
    if (!now.isBefore(due) && s == RolloutState.PROGRESSING) {
      abort.accept("progress deadline exceeded: no progress for " + deadline);
      if (state.get() == RolloutState.ABORTING) {
        schedule(deadline);
      }
      return;
    }
    if (s == RolloutState.ABORTING) {
      // An abort is bounded by provider retries and time limits; keep watching without interfering.
      schedule(deadline);
      return;
    }
    schedule(Duration.between(now, due));
  }
}
