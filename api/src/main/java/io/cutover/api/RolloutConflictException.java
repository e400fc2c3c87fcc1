// SPDX-License-Identifier: Apache-2.0
package io.cutover.api;

/**
 * A rollout was requested for a service that already has an active rollout. Cutover runs at most
 * one rollout per service and refuses the second instead of queueing it silently.
 */
public class RolloutConflictException extends CutoverException {
  private static final long serialVersionUID = 1L;
  private final String service;
  private final String activeRolloutId;

  /**
   * @param service the service both rollouts target
   * @param activeRolloutId the rollout that holds the service
   */
  public RolloutConflictException(String service, String activeRolloutId) {
    super(
        "service '"
            + service
            + "' already has an active rollout "
            + activeRolloutId
            + " (fix: wait for it to finish, or promote, abort or roll it back first)");
    this.service = service;
    this.activeRolloutId = activeRolloutId;
  }

  /** The contested service. */
  public String service() {
    return service;
  }

  /** The rollout currently holding the service. */
  public String activeRolloutId() {
    return activeRolloutId;
  }
}
