// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.engine;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the tasks of one rollout one at a time, in submission order, on a shared executor. This is
 * what lets thousands of rollouts share a small scheduler without a thread each, while every
 * rollout still sees its own transitions strictly serialized.
 */
final class Mailbox implements Executor {
  private static final Logger LOG = LoggerFactory.getLogger(Mailbox.class);
  private final Executor delegate;
  private final ArrayDeque<Runnable> queue = new ArrayDeque<>(4);
  private boolean scheduled;

  Mailbox(Executor delegate) {
    this.delegate = delegate;
  }

  @Override
  public void execute(Runnable task) {
    synchronized (this) {
      queue.add(task);
      if (scheduled) {
        return;
      }
      scheduled = true;
    }
    delegate.execute(this::drain);
  }

  private void drain() {
    for (; ; ) {
      Runnable next;
      synchronized (this) {
        next = queue.poll();
        if (next == null) {
          scheduled = false;
          return;
        }
      }
      try {
        next.run();
      } catch (RuntimeException e) {
        // A bug in a transition must not kill the shared scheduler thread.
        LOG.error("rollout task failed", e);
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
}
