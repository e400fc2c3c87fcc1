// SPDX-License-Identifier: Apache-2.0
package io.cutover.core;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A scheduler on virtual time (such as the simulator's {@code VirtualScheduler}) that the engine
 * tells about work it waits for outside the scheduler, so that virtual time does not pass while
 * that work is in flight.
 *
 * <p><b>Why.</b> The engine never blocks its scheduler thread on a journal: it hands a record to
 * {@link io.cutover.spi.Journal#appendAsync} and continues the rollout when the record is durable.
 * On a real clock the world waits with it. On virtual time a scheduler with nothing due would
 * otherwise jump to the next timer while a durable journal is still flushing, and the rollout would
 * continue at a later virtual instant than it would have with a blocking append. Holding keeps a
 * virtual-time run the same as with a journal that answers at once.
 *
 * <p><b>Contract.</b> After {@link #holdTimeUntil}, the scheduler does not move its clock past the
 * current instant, and does not report a driving condition as reached, until {@code work} completes
 * (normally or not); tasks due now keep running meanwhile. Tasks submitted when {@code work}
 * completes are due at the held instant.
 *
 * <p><b>Threading.</b> Called on the thread that drives the scheduler (from a task); {@code work}
 * may complete on any thread.
 *
 * <p><b>Errors.</b> None of its own. Work that never completes stops virtual time for good: the
 * driving call then waits, in real time, for it.
 */
public interface VirtualTimeScheduler extends ScheduledExecutorService {

  /** Holds virtual time at the current instant until {@code work} completes. */
  void holdTimeUntil(CompletionStage<?> work);
}
