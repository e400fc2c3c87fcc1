// SPDX-License-Identifier: Apache-2.0
package io.cutover.api.rollout;

/**
 * Receives {@link RolloutEvent}s.
 *
 * <p>Contract: events of one rollout arrive in order, on the engine's thread, one at a time.
 * Handlers must be fast and must not block: hand slow work to your own executor. A handler that
 * throws is logged and ignored: it can never break or slow down a rollout, and later events are
 * still delivered.
 */
@FunctionalInterface
public interface RolloutListener {
  /** A listener that ignores everything. */
  RolloutListener NONE = event -> {};

  /** Called for every event. Must not block and should not throw. */
  void onEvent(RolloutEvent event);
}
