// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.drift;

import java.util.List;
import java.util.Objects;

/**
 * What one drift repair (a journaled mini-rollout of a service) did.
 *
 * @param repairId its id in the journal (records under service {@code <service>}{@value
 *     DriftDetector#JOURNAL_SERVICE_SUFFIX}, lease under {@code <service>})
 * @param service the service
 * @param releaseId the desired release the fresh instances run
 * @param outcome how it ended
 * @param launched the fresh instances launched
 * @param replaced the drifted instances retired after their replacements took traffic
 * @param quarantined the drifted instances taken out of routing but still running (the fleet could
 *     not replace or stop them)
 * @param reason why it did not fully repair; empty when it did
 */
public record DriftRepair(
    String repairId,
    String service,
    String releaseId,
    Outcome outcome,
    List<String> launched,
    List<String> replaced,
    List<String> quarantined,
    String reason) {

  /** How a repair ended. */
  public enum Outcome {
    /** Every drifted instance was replaced. */
    REPAIRED,
    /** At least one drifted instance could not be replaced and is quarantined from routing. */
    QUARANTINED,
    /** Not attempted: another rollout (or repair) holds the service's lease. Retried next round. */
    DEFERRED,
    /**
     * The router refused the split without the drifted instances: the fresh instances were retired
     * again and the drifted ones still serve. Retried next round.
     */
    FAILED
  }

  /** Copies the lists. */
  public DriftRepair {
    Objects.requireNonNull(repairId, "repairId");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(releaseId, "releaseId");
    Objects.requireNonNull(outcome, "outcome");
    launched = List.copyOf(launched);
    replaced = List.copyOf(replaced);
    quarantined = List.copyOf(quarantined);
    Objects.requireNonNull(reason, "reason");
  }
}
