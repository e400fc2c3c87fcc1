// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.journal;

import io.cutover.api.InvalidSpecException;
import io.cutover.spi.Journal;
import io.cutover.spi.JournalRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A {@link Journal} in the heap: for tests, simulations under virtual time, and benchmarks.
 *
 * <p><b>Not durable.</b> Records and leases live only as long as this object; a crash loses them
 * all. "Durable" in the {@link Journal} contract holds only within one JVM run here. Production
 * deployments use a durable journal (file or JDBC).
 *
 * <p><b>Semantics.</b> Sequences start at 1 and increase by one per append, strictly, across all
 * rollouts. {@link #replay} and {@link #records} deliver records in sequence order. A rollout's
 * records must all name the same service, and a rollout takes no record after its {@link
 * JournalRecord.Type#ENDED} record. Leases are held per service until released.
 *
 * <p><b>Compaction.</b> {@link #create()} retains every record. {@link #compactingEndedRollouts()}
 * drops a rollout's records as soon as its {@code ENDED} record is appended and keeps a small
 * {@link Summary} instead ({@link #summary(String)}), so that a benchmark of 10 000 rollouts runs
 * in bounded memory; records of open rollouts are never dropped, as the contract requires.
 *
 * <p><b>Close.</b> After {@link #close()}, {@link #append} and {@link #tryLease} throw {@link
 * IllegalStateException}; reads keep working so that tests can inspect a journal after the engine
 * that owned it has shut down, and {@link #releaseLease} stays harmless.
 *
 * <p><b>Threading.</b> Safe for concurrent use; one lock guards all state, and {@link #replay}
 * delivers a snapshot outside it, so a consumer may append.
 *
 * <p><b>Errors.</b> {@link InvalidSpecException} for a record that already has a sequence, that
 * names another service than its rollout's, or that follows its rollout's {@code ENDED} record;
 * nothing is stored then.
 */
public final class InMemoryJournal implements Journal {

  /**
   * What is kept of a rollout whose records were compacted away.
   *
   * @param rolloutId the rollout
   * @param service its service
   * @param startedAt time of its first record
   * @param endedAt time of its {@code ENDED} record
   * @param firstSequence sequence of its first record
   * @param lastSequence sequence of its {@code ENDED} record
   * @param recordCount how many records it had, {@code ENDED} included
   * @param endPayload the payload of its {@code ENDED} record (the outcome, as written by the
   *     engine)
   */
  public record Summary(
      String rolloutId,
      String service,
      Instant startedAt,
      Instant endedAt,
      long firstSequence,
      long lastSequence,
      int recordCount,
      String endPayload) {}

  /** The records and state of one rollout. */
  private static final class Rollout {
    final String service;
    final List<JournalRecord> records = new ArrayList<>();
    long endedAt = -1;

    Rollout(String service) {
      this.service = service;
    }
  }

  private final boolean compact;
  private final Object lock = new Object();
  private final TreeMap<Long, JournalRecord> bySequence = new TreeMap<>();
  private final Map<String, Rollout> rollouts = new HashMap<>();
  private final Map<String, Summary> summaries = new LinkedHashMap<>();
  private final Map<String, String> leases = new HashMap<>();
  private long lastSequence;
  private boolean closed;

  private InMemoryJournal(boolean compact) {
    this.compact = compact;
  }

  /** A journal that retains every record until it is discarded. */
  public static InMemoryJournal create() {
    return new InMemoryJournal(false);
  }

  /**
   * A journal that drops the records of each rollout once its {@code ENDED} record is appended,
   * keeping a {@link Summary}: memory stays proportional to the open rollouts plus one summary per
   * ended one.
   */
  public static InMemoryJournal compactingEndedRollouts() {
    return new InMemoryJournal(true);
  }

  @Override
  public JournalRecord append(JournalRecord record) {
    Objects.requireNonNull(record, "record");
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException(
            "the journal is closed: no record can be appended (rollout "
                + record.rolloutId()
                + ", "
                + record.type()
                + "); open a new journal");
      }
      if (record.sequence() != -1) {
        throw new InvalidSpecException(
            "record.sequence",
            "is " + record.sequence() + ", but sequences are assigned by the journal",
            "append JournalRecord.of(...), whose sequence is -1");
      }
      Summary compacted = summaries.get(record.rolloutId());
      Rollout rollout = rollouts.get(record.rolloutId());
      if (compacted != null || (rollout != null && rollout.endedAt >= 0)) {
        long endedAt =
            compacted != null ? compacted.lastSequence() : Objects.requireNonNull(rollout).endedAt;
        throw new InvalidSpecException(
            "record.rolloutId",
            "rollout '"
                + record.rolloutId()
                + "' ended at sequence "
                + endedAt
                + " and takes no more records (got "
                + record.type()
                + ")",
            "start a new rollout with a new id");
      }
      if (rollout != null && !rollout.service.equals(record.service())) {
        throw new InvalidSpecException(
            "record.service",
            "is '"
                + record.service()
                + "' but rollout '"
                + record.rolloutId()
                + "' belongs to service '"
                + rollout.service
                + "'",
            "journal every record of a rollout under the rollout's service");
      }
      if (rollout == null) {
        rollout = new Rollout(record.service());
        rollouts.put(record.rolloutId(), rollout);
      }
      JournalRecord stored = record.withSequence(++lastSequence);
      rollout.records.add(stored);
      bySequence.put(stored.sequence(), stored);
      if (stored.type() == JournalRecord.Type.ENDED) {
        rollout.endedAt = stored.sequence();
        if (compact) {
          compactLocked(stored, rollout);
        }
      }
      return stored;
    }
  }

  private void compactLocked(JournalRecord end, Rollout rollout) {
    JournalRecord first = rollout.records.get(0);
    for (JournalRecord r : rollout.records) {
      bySequence.remove(r.sequence());
    }
    rollouts.remove(end.rolloutId());
    summaries.put(
        end.rolloutId(),
        new Summary(
            end.rolloutId(),
            rollout.service,
            first.time(),
            end.time(),
            first.sequence(),
            end.sequence(),
            rollout.records.size(),
            end.payload()));
  }

  @Override
  public void replay(long fromSequence, Consumer<JournalRecord> consumer) {
    Objects.requireNonNull(consumer, "consumer");
    List<JournalRecord> snapshot;
    synchronized (lock) {
      snapshot = new ArrayList<>(bySequence.tailMap(fromSequence, true).values());
    }
    snapshot.forEach(consumer);
  }

  @Override
  public List<JournalRecord> records(String rolloutId) {
    Objects.requireNonNull(rolloutId, "rolloutId");
    synchronized (lock) {
      Rollout rollout = rollouts.get(rolloutId);
      return rollout == null ? List.of() : List.copyOf(rollout.records);
    }
  }

  /**
   * The summary of a rollout whose records were compacted; empty if it is open or nothing was
   * compacted.
   */
  public Optional<Summary> summary(String rolloutId) {
    synchronized (lock) {
      return Optional.ofNullable(summaries.get(rolloutId));
    }
  }

  /** Summaries of every compacted rollout, in the order they ended. */
  public List<Summary> summaries() {
    synchronized (lock) {
      return List.copyOf(summaries.values());
    }
  }

  /** The number of records retained (compacted ones excluded). */
  public int size() {
    synchronized (lock) {
      return bySequence.size();
    }
  }

  /** The sequence of the last record appended, 0 if none. */
  public long lastSequence() {
    synchronized (lock) {
      return lastSequence;
    }
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }

  @Override
  public boolean tryLease(String service, String rolloutId) {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(rolloutId, "rolloutId");
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException(
            "the journal is closed: cannot lease service '"
                + service
                + "' to rollout '"
                + rolloutId
                + "'; open a new journal");
      }
      return leases.computeIfAbsent(service, s -> rolloutId).equals(rolloutId);
    }
  }

  @Override
  public Optional<String> leaseHolder(String service) {
    Objects.requireNonNull(service, "service");
    synchronized (lock) {
      return Optional.ofNullable(leases.get(service));
    }
  }

  @Override
  public void releaseLease(String service, String rolloutId) {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(rolloutId, "rolloutId");
    synchronized (lock) {
      leases.remove(service, rolloutId);
    }
  }

  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
    }
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "InMemoryJournal["
          + bySequence.size()
          + " records, last sequence "
          + lastSequence
          + ", "
          + rollouts.size()
          + " open rollouts, "
          + summaries.size()
          + " compacted"
          + (closed ? ", closed" : "")
          + "]";
    }
  }
}
