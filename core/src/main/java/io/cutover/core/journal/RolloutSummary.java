// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.journal;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What the journal keeps of a finished rollout once its records are compacted: the audit trail of
 * which release went out, from which artifact and config digest, who started it, when, and how it
 * ended.
 *
 * <p>Built from the rollout's CREATED and ENDED records, whose payloads are the engine's JSON; a
 * field the payload lacks is null rather than an error, so summaries of older or hand-written
 * records still load.
 *
 * @param rolloutId the rollout
 * @param service its service
 * @param strategy the strategy that compiled its plan, e.g. {@code canary}
 * @param target the release id it deployed
 * @param stable the release id it replaced, if there was one
 * @param artifact the deployed artifact, {@code repository@sha256:...}
 * @param config the digest of the deployed config snapshot
 * @param initiator who started it (a user, a pipeline id)
 * @param annotations free-form key/values given at start (ticket, change id, ...)
 * @param created when it was created (engine clock)
 * @param ended when it ended (engine clock)
 * @param outcome how it ended, as the engine wrote it ({@code succeeded} or {@code aborted})
 * @param reason why it ended that way, for aborted rollouts
 * @param firstSequence journal sequence of its first record
 * @param lastSequence journal sequence of its last record
 * @param records how many records it had
 */
public record RolloutSummary(
    String rolloutId,
    String service,
    @Nullable String strategy,
    @Nullable String target,
    @Nullable String stable,
    @Nullable String artifact,
    @Nullable String config,
    @Nullable String initiator,
    Map<String, String> annotations,
    Instant created,
    Instant ended,
    @Nullable String outcome,
    @Nullable String reason,
    long firstSequence,
    long lastSequence,
    int records) {

  /** Validates the required parts and copies the annotations. */
  public RolloutSummary {
    Objects.requireNonNull(rolloutId, "rolloutId");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(created, "created");
    Objects.requireNonNull(ended, "ended");
    annotations = Map.copyOf(annotations);
  }

  /** Whether the rollout reached its target ({@code outcome} is {@code succeeded}). */
  public boolean succeeded() {
    return "succeeded".equals(outcome);
  }
}
