// SPDX-License-Identifier: Apache-2.0
package io.cutover.spi;

import io.cutover.api.ProviderException;
import java.util.List;
import java.util.Optional;
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
 * <p><b>Threading.</b> Safe for concurrent use.
 *
 * <p><b>Errors.</b> {@link ProviderException} if the record cannot be made durable; the engine
 * treats that as a failed step (no side effect follows an intent that was not journaled). A journal
 * that finds itself corrupted refuses to open rather than skip records.
 */
public interface Journal extends AutoCloseable {

  /** Appends a record durably and returns it with its assigned sequence. */
  JournalRecord append(JournalRecord record);

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

  /** Releases resources; appends after close fail. */
  @Override
  void close();
}
