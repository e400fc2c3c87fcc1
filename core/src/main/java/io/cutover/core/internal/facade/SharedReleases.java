// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.facade;

import io.cutover.api.plan.Plan;
import io.cutover.core.internal.engine.EndedStatus;
import io.cutover.core.internal.schema.JournalCodec;
import io.cutover.core.internal.schema.JournalPayload;
import io.cutover.spi.JournalRecord;
import io.cutover.spi.SharedJournal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps an engine replica's {@link ReleaseHistory} current with a journal shared by several
 * replicas: a rollout that ended on another replica made a new stable release (and revision
 * history) that this replica's history does not know. {@link #refresh} folds in the ends of a
 * service's rollouts journaled since the last look ({@link SharedJournal#endedSince}), oldest
 * first, as {@link JournalRecovery} does after a restart. Only built for a shared journal: a single
 * engine sees every end itself and pays nothing.
 *
 * <p>Rollback-target pins of the rollouts another replica ended are that replica's business (it
 * pinned them in the shared artifact store); this only updates what this engine knows.
 *
 * <p><b>Threading.</b> Call holding the {@link ReleaseHistory} monitor (the engine's service lock),
 * as every lease change is made: then no rollout of this engine ends in between.
 */
public final class SharedReleases {
  private static final Logger LOG = LoggerFactory.getLogger(SharedReleases.class);

  private final SharedJournal journal;
  private final ReleaseHistory history;
  private final LiveRollouts live;
  private final JournalCodec codec;

  /** Per service, the sequence of the last ENDED record folded in (or seen at recovery). */
  private final Map<String, Long> seen = new HashMap<>();

  /** Where recovery's replay of the whole journal ended: ends before it are known already. */
  private long recovered;

  public SharedReleases(
      SharedJournal journal, ReleaseHistory history, LiveRollouts live, JournalCodec codec) {
    this.journal = journal;
    this.history = history;
    this.live = live;
    this.codec = codec;
  }

  /** Recovery replayed (and folded into the history) every record up to {@code sequence}. */
  public void recoveredUpTo(long sequence) {
    assert Thread.holdsLock(history);
    recovered = Math.max(recovered, sequence);
  }

  /**
   * Folds into the history the rollouts of {@code service} that ended since the last refresh and
   * that this engine did not end itself.
   *
   * @return how many ends were folded in
   * @throws io.cutover.api.ProviderException if the journal cannot be read (retryable)
   */
  public int refresh(String service) {
    assert Thread.holdsLock(history);
    long after = Math.max(recovered, seen.getOrDefault(service, 0L));
    int folded = 0;
    for (JournalRecord end : journal.endedSince(service, after)) {
      after = Math.max(after, end.sequence());
      String id = end.rolloutId();
      if (live.isLive(id) || history.status(id).isPresent()) {
        continue; // ended here: the history learned it directly
      }
      if (fold(id, end)) {
        folded++;
      }
    }
    seen.put(service, after);
    return folded;
  }

  private boolean fold(String id, JournalRecord end) {
    List<JournalRecord> records = journal.records(id);
    if (records.isEmpty() || records.get(0).type() != JournalRecord.Type.CREATED) {
      return false; // compacted away meanwhile: a later end of the service says what runs
    }
    try {
      Plan plan = codec.created(records.get(0)).plan();
      if (!(codec.decode(end) instanceof JournalPayload.Ended e)) {
        return false;
      }
      history.replayEnded(
          plan, e.succeeded(), e.revisions(), EndedStatus.of(id, plan, records, codec));
      LOG.debug(
          "rollout {} of {} ended on another replica: stable is {} here now",
          id,
          plan.service(),
          history.stable(plan.service()));
      return true;
    } catch (RuntimeException unreadable) {
      LOG.warn(
          "the end of rollout {} (record {}) cannot be read; the release history skips it: {}",
          id,
          end.sequence(),
          unreadable.getMessage());
      return false;
    }
  }
}
