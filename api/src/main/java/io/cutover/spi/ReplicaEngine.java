// SPDX-License-Identifier: Apache-2.0
package io.cutover.spi;

import org.jspecify.annotations.Nullable;

/**
 * The engine of one replica, as a {@link SharedJournal} sees it: implemented by the engine ({@code
 * cutover-core}), called by the journal.
 *
 * <p><b>Threading.</b> Called on the journal's threads; every method may do I/O (it reads the
 * journal) but never waits for a rollout to progress.
 */
public interface ReplicaEngine {

  /**
   * Resumes a rollout this replica has just taken over (it holds the rollout now), from its journal
   * records, with the same operation ids and the time that remained of its waits.
   *
   * @return true if the rollout now runs on this replica; false if it cannot (it ended meanwhile,
   *     its records cannot be read, or its service is held by another rollout)
   */
  boolean takeOver(String rolloutId);

  /**
   * Applies a command sent from any replica ({@link SharedJournal#sendCommand}) to a rollout this
   * replica drives: {@code abort} (the argument is the reason), {@code pause}, {@code resume},
   * {@code approve}, {@code promote} or {@code promote-full}. The engine journals it as it journals
   * a command given to it directly.
   *
   * @throws io.cutover.api.InvalidSpecException if the rollout does not run here or the command is
   *     unknown
   */
  void command(String rolloutId, String command, @Nullable String argument);
}
