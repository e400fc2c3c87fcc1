// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.engine;

import java.util.concurrent.Executor;

/**
 * A rollout's mailbox as its parts post to it: {@link #execute} queues a transition, {@link
 * #executeFromTimer} is for a timer that fires on the engine's scheduler.
 */
interface RolloutMailbox extends Executor {
  /**
   * Called from a task of the engine's scheduler (a timer): runs {@code task} right here if the
   * rollout is idle, as the drain the scheduler would otherwise run next would, else queues it. At
   * ten thousand rollouts measuring every 30 s, the queued hand-off was a sixth of the engine's
   * time.
   */
  void executeFromTimer(Runnable task);
}
