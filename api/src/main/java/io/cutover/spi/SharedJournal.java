// SPDX-License-Identifier: Apache-2.0
package io.cutover.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Journal} shared by several engine replicas (e.g. processes of one deployment service on
 * one database), each driving its own share of the rollouts.
 *
 * <p><b>Ownership.</b> Each rollout is owned by exactly one replica at a time. Appends for a
 * rollout this replica does not own fail with {@link OwnershipLostException} and write nothing, so
 * a replica that lost a rollout (its lease expired while it was paused, cut off, or dead) can never
 * journal, and so never issue, a further effect for it. When an owner dies, another replica takes
 * its rollouts over and tells its engine through {@link ReplicaEngine#takeOver}.
 *
 * <p><b>Lifecycle.</b> The engine calls {@link #attach} once when it is built, before it resumes
 * anything; the journal calls the engine back on its own threads from then on.
 *
 * <p><b>Release history.</b> A rollout that ends on one replica changes its service's stable
 * release for every replica: an engine reads the ends it did not see itself ({@link #endedSince})
 * when it takes a service's lease, before it plans or checks a rollout of that service.
 *
 * <p><b>Threading.</b> Safe for concurrent use.
 */
public interface SharedJournal extends Journal {

  /** This replica's id, unique among the replicas sharing the journal. */
  String replica();

  /**
   * Connects the engine of this replica: from now on the journal hands it the rollouts it takes
   * over from replicas that died.
   *
   * @throws IllegalStateException if an engine is attached already
   */
  void attach(ReplicaEngine engine);

  /**
   * Sends a command (see {@link ReplicaEngine#command}) to whichever replica owns the rollout, now
   * or after a takeover. The future completes once the owner applied it, or exceptionally with
   * {@link io.cutover.api.InvalidSpecException} if the owner refused it or the rollout has ended,
   * or with {@link io.cutover.api.ProviderException} if it could not be sent.
   */
  CompletableFuture<Void> sendCommand(String rolloutId, String command, @Nullable String argument);

  /**
   * The ENDED records of the rollouts of {@code service} whose ENDED record has a sequence above
   * {@code afterSequence}, in journal order (whichever replica journaled them): how a replica
   * learns the stable release and revision history other replicas' rollouts left. Rollouts whose
   * records were compacted away may be missing; compaction keeps the latest ended and the latest
   * succeeded rollout of each service.
   *
   * <p>The default replays the journal from {@code afterSequence + 1}; a journal with an index by
   * service should answer from it.
   *
   * @throws io.cutover.api.ProviderException if the journal cannot be read (retryable)
   */
  default List<JournalRecord> endedSince(String service, long afterSequence) {
    Objects.requireNonNull(service, "service");
    List<JournalRecord> out = new ArrayList<>();
    replay(
        afterSequence + 1,
        r -> {
          if (r.type() == JournalRecord.Type.ENDED && r.service().equals(service)) {
            out.add(r);
          }
        });
    return out;
  }
}
