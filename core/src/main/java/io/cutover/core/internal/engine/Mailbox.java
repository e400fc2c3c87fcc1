// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.engine;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the tasks of one rollout one at a time, in submission order, on a shared executor. This is
 * what lets thousands of rollouts share a small scheduler without a thread each, while every
 * rollout still sees its own transitions strictly serialized.
 *
 * <p>A task that throws does not end the mailbox: the failure goes to the owner's handler, on the
 * mailbox, before the next task, so the owner can abort instead of silently losing the transition
 * (and with it its timer or its pending call). A task the executor rejects is refused to its caller
 * and leaves the mailbox able to run the next one.
 *
 * <p>A task can also {@linkplain #holdUntil hold} the mailbox until a future completes, as if it
 * had waited for it but without blocking the shared thread: no other task of this mailbox runs
 * meanwhile, and the given continuation runs first once the future completes. The engine holds a
 * rollout's mailbox while its journal records are being made durable.
 */
final class Mailbox implements Executor {
  private static final Logger LOG = LoggerFactory.getLogger(Mailbox.class);
  private final Executor delegate;
  private final Consumer<RuntimeException> onFailure;
  private final ArrayDeque<Runnable> queue = new ArrayDeque<>(4);
  private boolean scheduled;

  /** A task waits for a future: nothing runs until its continuation is queued (at the front). */
  private boolean held;

  /**
   * @param onFailure called on the mailbox with what a task threw; what it throws in turn goes to
   *     it again (once), then is logged
   */
  Mailbox(Executor delegate, Consumer<RuntimeException> onFailure) {
    this.delegate = delegate;
    this.onFailure = onFailure;
  }

  @Override
  public void execute(Runnable task) {
    if (!enqueue(task)) {
      return;
    }
    try {
      delegate.execute(this::drain);
    } catch (RejectedExecutionException e) {
      // Refuse this task, but never stay "scheduled" with no drain coming: the next execute must
      // be able to schedule one (tasks queued meanwhile run then).
      synchronized (this) {
        queue.removeFirstOccurrence(task);
        scheduled = false;
      }
      throw e;
    }
  }

  /**
   * Like {@link #execute}, but called on a thread of the delegate executor (a timer task of the
   * engine's scheduler): when the mailbox is idle the task runs on this thread at once, exactly as
   * the drain {@code execute} would submit to the delegate, without the hand-off; otherwise it is
   * queued behind the tasks already waiting.
   */
  void executeHere(Runnable task) {
    if (enqueue(task)) {
      drain();
    }
  }

  /** Queues {@code task}; true if the caller must now start a drain (none running, none held). */
  private synchronized boolean enqueue(Runnable task) {
    queue.add(task);
    if (scheduled || held) {
      return false;
    }
    scheduled = true;
    return true;
  }

  /**
   * Called from a task of this mailbox: once the task returns, runs nothing more until {@code
   * until} completes, then runs {@code first} before any other task. {@code first} is queued from
   * the thread that completes the future, so it must not depend on that thread.
   *
   * @return a stage that completes once {@code first} is queued
   */
  CompletableFuture<?> holdUntil(CompletableFuture<?> until, Runnable first) {
    synchronized (this) {
      held = true;
    }
    return until.whenComplete((v, e) -> release(first));
  }

  /** Whether a task holds the mailbox for a future that has not completed yet. */
  synchronized boolean held() {
    return held;
  }

  private void release(Runnable first) {
    synchronized (this) {
      queue.addFirst(first);
      held = false;
      if (scheduled) {
        return; // the drain that ran the holding task is still running: it picks first next
      }
      scheduled = true;
    }
    try {
      delegate.execute(this::drain);
    } catch (RejectedExecutionException e) {
      // The engine is shutting down: the continuation cannot run any more, as any other task.
      synchronized (this) {
        scheduled = false;
      }
      LOG.debug("a held rollout's continuation was refused: the scheduler is shut down", e);
    }
  }

  private void drain() {
    for (; ; ) {
      Runnable next;
      synchronized (this) {
        if (held) {
          scheduled = false;
          return;
        }
        next = queue.poll();
        if (next == null) {
          scheduled = false;
          return;
        }
      }
      try {
        next.run();
      } catch (RuntimeException e) {
        // A bug in a transition must neither kill the shared scheduler thread nor go unnoticed.
        failed(e);
      } catch (Error e) {
        // An Error means the process is going down: stop this rollout here, let the scheduler see
        // it.
        synchronized (this) {
          scheduled = false;
        }
        throw e;
      }
    }
  }

  private void failed(RuntimeException e) {
    try {
      onFailure.accept(e);
    } catch (RuntimeException again) {
      again.addSuppressed(e);
      try {
        onFailure.accept(again);
      } catch (RuntimeException last) {
        last.addSuppressed(again);
        LOG.error("rollout task failed and so did its failure handling", last);
      }
    }
  }
}
