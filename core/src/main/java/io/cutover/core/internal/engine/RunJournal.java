// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.engine;

import io.cutover.core.internal.schema.JournalPayload;
import io.cutover.spi.JournalRecord;
import io.cutover.spi.OwnershipLostException;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends one rollout's typed payloads to the engine's journal, pipelined: a record is handed to
 * {@link io.cutover.spi.Journal#appendAsync} and the scheduler thread moves on to other rollouts
 * while it is made durable, so one flush of a durable journal covers records of many rollouts.
 *
 * <p><b>The rollout waits, the thread does not.</b> While a record of this rollout is not durable,
 * its mailbox is held: the task that appended finishes, but no later task of the rollout (a timer,
 * a gate result, a command) runs until the record is durable, and what must follow the record
 * ({@link #appendThen}: an effect after its INTENT, the end bookkeeping after ENDED) runs only
 * then. Records of one rollout are appended from its mailbox, in order, and the journal sequences
 * them in call order. A journal that completes at once (in-memory journals, and every journal
 * without a native {@code appendAsync}) is handled inline, exactly like a blocking append: nothing
 * is held, and virtual-time runs stay deterministic.
 *
 * <p><b>Failures.</b> A failed {@link #append} fails the rollout like a failing blocking append
 * did: thrown at once when the journal answers at once, otherwise thrown on the mailbox when the
 * failure arrives (the mailbox's failure handler aborts the rollout). {@link #appendSafely} logs.
 * After an {@link OwnershipLostException} every append fails with it, and the owner is told once.
 *
 * <p>Confined to the rollout's mailbox.
 */
final class RunJournal {
  private static final Logger LOG = LoggerFactory.getLogger(RunJournal.class);

  /** What a caller wants when its record's outcome is known. */
  private enum Mode {
    /** A failure fails the rollout (thrown). */
    STRICT,
    /** A failure is logged; the continuation, if any, runs either way. */
    SAFE,
    /** A failure goes to the caller's handler. */
    THEN
  }

  private record Pending(
      CompletableFuture<JournalRecord> future,
      JournalPayload payload,
      Mode mode,
      @Nullable Runnable onDurable,
      @Nullable Consumer<RuntimeException> onFailed) {}

  private final EngineContext ctx;
  private final String rolloutId;
  private final String service;

  /** Told once when a shared journal says this engine no longer owns the rollout. */
  private final Consumer<OwnershipLostException> lost;

  /**
   * Holds the rollout's mailbox until a future completes, then runs the given task first (in the
   * rollout's context).
   */
  private final BiConsumer<CompletableFuture<?>, Runnable> hold;

  /** Records handed to the journal and not settled yet, oldest first. */
  private final ArrayDeque<Pending> pending = new ArrayDeque<>(2);

  /** Whether the mailbox is held for the oldest pending record. */
  private boolean holding;

  /**
   * The failure of a record settled while later ones were already queued: those count as failed too
   * (even if the journal wrote them), so nothing ever follows a record that is not durable. Cleared
   * once nothing is pending (later appends come after the failure was seen, as with a blocking
   * journal).
   */
  private @Nullable RuntimeException broken;

  /** Set once ownership is lost: every later append is refused here, without the journal. */
  private volatile @Nullable OwnershipLostException gone;

  /**
   * @param hold holds the rollout's mailbox until a future completes, then runs a task first
   */
  RunJournal(
      EngineContext ctx,
      String rolloutId,
      String service,
      Consumer<OwnershipLostException> lost,
      BiConsumer<CompletableFuture<?>, Runnable> hold) {
    this.ctx = ctx;
    this.rolloutId = rolloutId;
    this.service = service;
    this.lost = lost;
    this.hold = hold;
  }

  /**
   * Appends; a journal failure fails the rollout (nothing may follow a record that is not durable).
   * After an {@link OwnershipLostException} every append fails with it.
   */
  void append(JournalPayload payload) {
    submit(payload, Mode.STRICT, null, null);
  }

  /** Appends, logging instead of throwing: for records of what already happened. */
  void appendSafely(JournalPayload payload) {
    submit(payload, Mode.SAFE, null, null);
  }

  /**
   * Appends, logging a failure, and runs {@code then} on the mailbox once the record's outcome is
   * known (durable or failed): for work that must not happen before the record is durable.
   */
  void appendSafely(JournalPayload payload, Runnable then) {
    submit(payload, Mode.SAFE, then, null);
  }

  /**
   * Appends, then runs {@code onDurable} on the mailbox once the record is durable, or {@code
   * onFailed} with the journal's error if it cannot be: the write-ahead step before an effect.
   */
  void appendThen(JournalPayload payload, Runnable onDurable, Consumer<RuntimeException> onFailed) {
    submit(payload, Mode.THEN, onDurable, onFailed);
  }

  /**
   * Whether a record appended from the mailbox has not been settled yet (not durable, or its
   * continuation has not run): what the rollout did since is not to be published yet.
   */
  boolean unsettled() {
    return !pending.isEmpty();
  }

  private void submit(
      JournalPayload payload,
      Mode mode,
      @Nullable Runnable onDurable,
      @Nullable Consumer<RuntimeException> onFailed) {
    CompletableFuture<JournalRecord> f;
    OwnershipLostException g = gone;
    if (g != null) {
      f = CompletableFuture.failedFuture(g);
    } else {
      JournalRecord record = ctx.codec().record(ctx.clock().instant(), rolloutId, service, payload);
      try {
        f = ctx.journal().appendAsync(record);
      } catch (RuntimeException e) {
        f = CompletableFuture.failedFuture(e);
      }
    }
    Pending p = new Pending(f, payload, mode, onDurable, onFailed);
    if (pending.isEmpty() && f.isDone()) {
      // Answered at once: as a blocking append would have been, on this stack.
      settle(p);
      return;
    }
    pending.add(p);
    holdForOldest();
  }

  private void holdForOldest() {
    Pending oldest = pending.peek();
    if (oldest != null && !holding) {
      holding = true;
      hold.accept(oldest.future(), this::settleDone);
    }
  }

  /** Runs first on the mailbox once the oldest pending record has its outcome. */
  private void settleDone() {
    holding = false;
    try {
      while (!pending.isEmpty() && pending.peek().future().isDone()) {
        settle(pending.poll());
      }
    } finally {
      if (pending.isEmpty()) {
        broken = null;
      }
      holdForOldest();
    }
  }

  private void settle(Pending p) {
    RuntimeException failure = failure(p.future());
    if (failure == null) {
      failure = broken;
    } else if (!pending.isEmpty()) {
      broken = failure;
    }
    if (failure instanceof OwnershipLostException e && gone == null) {
      gone = e;
      lost.accept(e);
    }
    switch (p.mode()) {
      case STRICT -> {
        if (failure != null) {
          throw failure;
        }
      }
      case SAFE -> {
        if (failure != null) {
          LOG.error("journal append failed for {} of {}", p.payload(), rolloutId, failure);
        }
        Runnable then = p.onDurable();
        if (then != null) {
          then.run();
        }
      }
      case THEN -> {
        if (failure == null) {
          Objects.requireNonNull(p.onDurable()).run();
        } else {
          Objects.requireNonNull(p.onFailed()).accept(failure);
        }
      }
    }
  }

  /** The failure a completed future holds, unwrapped; null if it succeeded. */
  private static @Nullable RuntimeException failure(CompletableFuture<?> f) {
    if (!f.isCompletedExceptionally()) {
      return null;
    }
    try {
      f.join();
      return null;
    } catch (CancellationException e) {
      return e;
    } catch (CompletionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof Error err) {
        throw err; // as a blocking append would have thrown it (the process is going down)
      }
      return cause instanceof RuntimeException r ? r : e;
    }
  }
}
