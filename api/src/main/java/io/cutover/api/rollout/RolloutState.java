// SPDX-License-Identifier: Apache-2.0
package io.cutover.api.rollout;

/** Where a rollout is in its life. */
public enum RolloutState {
  /** Executing steps. */
  PROGRESSING,
  /** Waiting for a human: a pause until approval, an inconclusive analysis, or a manual pause. */
  PAUSED,
  /**
   * Waiting for a confirm hook ({@code confirm-rollout}, {@code confirm-traffic-increase}, {@code
   * confirm-promotion}) that has not confirmed yet; the gate is asked again every interval, and the
   * status' reason says what it answered. A deny aborts; a promote skips the wait.
   */
  WAITING,
  /**
   * A gate failed, a provider kept failing, or someone aborted: traffic is going back to stable.
   */
  ABORTING,
  /** All steps done; the target is the new stable release. Terminal. */
  SUCCEEDED,
  /** Aborted and rolled back: traffic on stable, target retired. Terminal. */
  ABORTED;

  /** Whether the rollout will do nothing more. */
  public boolean isTerminal() {
    return this == SUCCEEDED || this == ABORTED;
  }
}
