// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.postgres;

import io.cutover.spi.JournalRecord;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What the journal keeps of an ended rollout after compaction: its CREATED and ENDED records
 * verbatim (their indexes hold strategy, target, stable, artifact, config, initiator, annotations,
 * outcome and reason, see {@link JournalRecord}) and where its records were.
 *
 * @param created the rollout's CREATED record
 * @param ended the rollout's ENDED record
 * @param firstSequence the sequence of its first record
 * @param lastSequence the sequence of its last record
 * @param records how many records it had
 */
public record RolloutHistory(
    JournalRecord created,
    JournalRecord ended,
    long firstSequence,
    long lastSequence,
    int records) {
  /** Validates the parts. */
  public RolloutHistory {
    Objects.requireNonNull(created, "created");
    Objects.requireNonNull(ended, "ended");
  }

  /** The rollout id. */
  public String rolloutId() {
    return created.rolloutId();
  }

  /** The service. */
  public String service() {
    return created.service();
  }

  /** {@code succeeded} or {@code aborted}, as the engine wrote it; null if it wrote none. */
  public @Nullable String outcome() {
    return ended.index().get("outcome");
  }

  /** Whether the rollout reached its target. */
  public boolean succeeded() {
    return "succeeded".equals(outcome());
  }
}
