// SPDX-License-Identifier: Apache-2.0
package io.cutover.spi;

import io.cutover.api.ProviderException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The write-ahead log of every rollout, and the lease that keeps one active rollout per service.
 *
 * <p><b>Durability.</b> When {@link #append} returns, the record survives a crash of the process
 * (for a durable journal: it has been forced to stable storage). Records are never changed or
 * reordered once appended; sequences are strictly increasing. A record's payload and {@linkplain
 * JournalRecord#index() index} are stored verbatim and returned as appended; a journal never needs
 * to parse the payload (what it summarises ended rollouts by is in the index).
 *
 * <p><b>Replay.</b> {@link #replay} delivers every retained record in sequence order. A journal may
 * compact the records of ended rollouts into a summary, but never the records of an open rollout.
 *
 * <p><b>Lease.</b> {@link #tryLease} grants a service to one rollout at a time; it is held until
 * {@link #releaseLease}. Leases survive restarts of durable journals, so a resumed rollout keeps
 * its service.
 *
 * <p><b>Pipelined appends.</b> {@link #appendAsync} hands a record over and returns at once; the
 * engine uses it so that its scheduler thread never waits for a flush, and a durable journal can
 * make the records of many rollouts durable with one flush. Journals that do not implement it get a
 * default that calls {@link #append} and returns a completed future.
 *
 * <p><b>Threading.</b> Safe for concurrent use.
 *
 * <p><b>Errors.</b> {@link ProviderException} if the record cannot be made durable; the engine
 * treats that as a failed step (no side effect follows an intent that was not journaled). A journal
 * that finds itself corrupted refuses to open rather than skip records.
 */
public interface Journal extends AutoCloseable {

  /** Appends a record durably and returns it with its assigned sequence. */
  JournalRecord append(JournalRecord record);

  /**
   * Queues a record and returns without waiting for it to become durable.
   *
   * <p><b>Contract.</b> The returned future completes with the record and its assigned sequence
   * once the record is as durable as {@link #append} would have left it, or exceptionally if it
   * cannot be made durable. A caller may keep many records in flight; a journal may make them
   * durable together (one flush for records of many rollouts).
   *
   * <p><b>Ordering.</b> Records queued by one thread are sequenced in the order of the calls, and a
   * record's future completes successfully only after every record queued before it by that thread
   * is durable. If a record fails, records queued after it may fail too; the engine never relies on
   * a later record of a rollout once an earlier one failed (it fails the rollout).
   *
   * <p><b>Threading.</b> Safe for concurrent use. Dependent stages without an executor may run on a
   * thread of the journal (for example its writer thread): keep them short and non-blocking, and
   * never call the blocking {@link #append} from them (a journal may refuse that with {@link
   * IllegalStateException} instead of deadlocking).
   *
   * <p><b>Errors.</b> {@link ProviderException} (through the future) if the record cannot be made
   * durable; an argument the journal refuses (such as {@link io.cutover.api.InvalidSpecException}
   * for an oversized or malformed record) may be thrown at once, and nothing is queued then.
   *
   * <p>The default calls {@link #append} on the caller's thread and returns a future that is
   * already complete (exceptionally if {@code append} threw a {@link RuntimeException}): correct
   * for every journal, and deterministic for in-memory ones, but without pipelining.
   *
   * @return a future of the record with its sequence
   */
  default CompletableFuture<JournalRecord> appendAsync(JournalRecord record) {
    try {
      return CompletableFuture.completedFuture(append(record));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Delivers every retained record with a sequence of at least {@code fromSequence}, in order. */
  void replay(long fromSequence, Consumer<JournalRecord> consumer);

  /** The retained records of one rollout, in order. */
  List<JournalRecord> records(String rolloutId);

  /**
   * Grants {@code service} to {@code rolloutId} if no other rollout holds it.
   *
   * @return true if the lease is now held by {@code rolloutId} (also when it already was)
   */
  boolean tryLease(String service, String rolloutId);

  /** The rollout holding a service's lease, if any. */
  Optional<String> leaseHolder(String service);

  /**
   * The engine replica that holds a service's lease, for a journal shared by several replicas (so a
   * {@link io.cutover.api.RolloutConflictException} can say where the other rollout runs); empty if
   * the service is not leased or the journal has a single engine (the default).
   */
  default Optional<String> leaseHolderReplica(String service) {
    return Optional.empty();
  }

  /** Releases a lease if {@code rolloutId} holds it; otherwise does nothing. */
  void releaseLease(String service, String rolloutId);

  /**
   * {@link #releaseLease} without waiting: the future completes once the release is durable, or
   * exceptionally with what {@code releaseLease} would have thrown. A lease change requested after
   * it sees the service released. The engine calls it once a rollout's last record is durable, so
   * that its scheduler thread does not wait for the flush.
   *
   * <p>Threading and errors as for {@link #appendAsync}. The default calls {@link #releaseLease}
   * and returns a completed future.
   */
  default CompletableFuture<Void> releaseLeaseAsync(String service, String rolloutId) {
    try {
      releaseLease(service, rolloutId);
      return CompletableFuture.completedFuture(null);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Releases resources; appends after close fail. */
  @Override
  void close();
}
