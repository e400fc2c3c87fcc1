// SPDX-License-Identifier: Apache-2.0
package io.cutover.api;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A rollout was requested for a service that already has an active rollout. Cutover runs at most
 * one rollout per service and refuses the second instead of queueing it silently.
 */
public class RolloutConflictException extends CutoverException {
  private static final long serialVersionUID = 1L;
  private final String service;
  private final String activeRolloutId;
  private final @Nullable String holderReplica;

  /**
   * @param service the service both rollouts target
   * @param activeRolloutId the rollout that holds the service
   */
  public RolloutConflictException(String service, String activeRolloutId) {
    this(service, activeRolloutId, null);
  }

  /**
   * @param service the service both rollouts target
   * @param activeRolloutId the rollout that holds the service
   * @param holderReplica the engine replica that started it (a journal shared by replicas), or null
   */
  public RolloutConflictException(
      String service, String activeRolloutId, @Nullable String holderReplica) {
    super(
        "service '"
            + service
            + "' already has an active rollout "
            + activeRolloutId
            + (holderReplica == null ? "" : " on replica " + holderReplica)
            + " (fix: wait for it to finish, or promote, abort or roll it back first)");
    this.service = service;
    this.activeRolloutId = activeRolloutId;
    this.holderReplica = holderReplica;
  }

  /** The engine replica holding the service, if the journal is shared by replicas and says. */
  public Optional<String> holderReplica() {
    return Optional.ofNullable(holderReplica);
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
