// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.postgres;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.ProviderException;
import io.cutover.spi.JournalRecord;
import io.cutover.spi.OwnershipLostException;
import io.cutover.spi.ReplicaEngine;
import io.cutover.spi.SharedJournal;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link PostgresJournal} as one engine replica uses it: a {@link SharedJournal} whose every
 * rollout is owned by one replica through a lease with a fencing token ({@code rollout:<id>}).
 *
 * <ul>
 *   <li><b>Start.</b> {@link #tryLease} first acquires the rollout's lease for this replica, then
 *       the service's lease (one rollout per service across every replica).
 *   <li><b>Fenced appends.</b> Each record of a rollout is appended with that rollout's lease, in
 *       the transaction that checks the lease is current ({@link PostgresJournal#append(
 *       JournalRecord, Lease)}). A replica that does not hold the lease any more gets {@link
 *       LeaseLostException} (an {@link OwnershipLostException}) and the engine stands down from the
 *       rollout without another record or effect. An append that fails because the database cannot
 *       be reached stands the rollout down too (its lease is no longer renewed, so it expires and a
 *       replica that reaches the database takes it over): an engine that cannot journal must not go
 *       on with a rollout, and must not start an abort it cannot journal either.
 *   <li><b>Takeover.</b> After each heartbeat the replica looks for rollout leases that expired (by
 *       the database's clock), acquires each with a new token and hands it to its engine ({@link
 *       ReplicaEngine#takeOver}), which resumes it from the journal with the same operation ids. A
 *       rollout that ended, or that was never journaled, only has its leases released.
 *   <li><b>Commands.</b> {@link #sendCommand} reaches the owner of a rollout from any replica
 *       ({@code cutover_command} table, {@code LISTEN/NOTIFY}, polling as the fallback); the
 *       owner's engine applies and journals it.
 *   <li><b>End.</b> {@link #releaseLease} releases the service's and the rollout's lease; it leaves
 *       alone a lease another live replica holds (the replica that starts or drives that rollout).
 * </ul>
 *
 * <p><b>Threading.</b> Safe for concurrent use. Takeovers run on the heartbeat thread of the
 * journal's {@link LeaseKeeper}.
 *
 * <p><b>Errors.</b> As {@link PostgresJournal}; {@link OwnershipLostException} from {@link #append}
 * as described above.
 */
public final class ReplicaJournal implements SharedJournal {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicaJournal.class);

  /** The lease key prefix of rollouts. */
  public static final String ROLLOUT_KEY_PREFIX = "rollout:";

  private final PostgresJournal journal;
  private final LeaseKeeper keeper;
  private final CommandChannel commands;
  private volatile @Nullable ReplicaEngine engine;
  private final AtomicBoolean closed = new AtomicBoolean();

  private ReplicaJournal(PostgresJournal journal) {
    this.journal = journal;
    this.keeper = journal.keeper();
    this.commands =
        new CommandChannel(
            journal.dataSource(), journal.replica(), this::ownedRollouts, journal.heartbeat());
    // Closing the journal directly must stop the channel's polling before the pool goes.
    journal.closeBeforePool(commands);
  }

  /** The replica view of an open journal; closing it closes {@code journal}. */
  public static ReplicaJournal of(PostgresJournal journal) {
    return new ReplicaJournal(Objects.requireNonNull(journal, "journal"));
  }

  /** The underlying journal (chain, compaction, history, leases, replicas). */
  public PostgresJournal journal() {
    return journal;
  }

  /** The lease key of a rollout. */
  public static String key(String rolloutId) {
    return ROLLOUT_KEY_PREFIX + rolloutId;
  }

  @Override
  public String replica() {
    return journal.replica();
  }

  @Override
  public synchronized void attach(ReplicaEngine engine) {
    Objects.requireNonNull(engine, "engine");
    if (this.engine != null) {
      throw new IllegalStateException(
          "an engine is already attached to replica "
              + replica()
              + ": build one Cutover per ReplicaJournal");
    }
    this.engine = engine;
    commands.attach(engine);
    keeper.afterBeat(this::takeOverExpired);
  }

  /**
   * {@inheritDoc} Through the {@code cutover_command} table and {@code LISTEN/NOTIFY}, with polling
   * every heartbeat as the fallback; the owner applies it within one notification round trip.
   *
   * @throws InvalidSpecException (in the future) if the journal does not hold the rollout or it has
   *     ended
   */
  @Override
  public CompletableFuture<Void> sendCommand(
      String rolloutId, String command, @Nullable String argument) {
    Objects.requireNonNull(rolloutId, "rolloutId");
    Objects.requireNonNull(command, "command");
    List<JournalRecord> records = journal.records(rolloutId);
    if (records.isEmpty() || records.get(records.size() - 1).type() == JournalRecord.Type.ENDED) {
      return CompletableFuture.failedFuture(
          new InvalidSpecException(
              "rolloutId",
              "'"
                  + rolloutId
                  + (records.isEmpty() ? "' is not an open rollout of the journal" : "' has ended"),
              "send commands to running rollouts (see activeRollouts() on each replica)"));
    }
    return commands.send(rolloutId, command, argument);
  }

  /** The rollouts this replica owns now (by lease), by id. */
  public List<String> ownedRollouts() {
    return keeper.keys().stream()
        .filter(k -> k.startsWith(ROLLOUT_KEY_PREFIX))
        .map(k -> k.substring(ROLLOUT_KEY_PREFIX.length()))
        .sorted()
        .toList();
  }

  /**
   * The replica that owns a rollout now, if its lease is current (by the database's clock).
   *
   * @throws ProviderException if the database cannot be reached (retryable)
   */
  public Optional<String> owner(String rolloutId) {
    return journal.leases().holder(key(rolloutId)).map(Lease::replica);
  }

  /**
   * Looks for rollouts whose owner's lease expired and takes them over (what runs after every
   * heartbeat once an engine is attached).
   *
   * @return how many rollouts this replica resumed
   */
  public int takeOverExpired() {
    ReplicaEngine e = engine;
    if (e == null) {
      return 0;
    }
    int resumed = 0;
    for (String key : journal.leases().expired(ROLLOUT_KEY_PREFIX)) {
      Optional<Lease> lease = keeper.tryAcquire(key);
      if (lease.isEmpty()) {
        continue; // another replica was faster
      }
      String id = key.substring(ROLLOUT_KEY_PREFIX.length());
      List<JournalRecord> records = journal.records(id);
      if (records.isEmpty() || records.get(records.size() - 1).type() == JournalRecord.Type.ENDED) {
        // Its replica died before journaling CREATED, or after ENDED and before the release.
        LOG.info(
            "replica {}: rollout {} {}: releasing its leases",
            replica(),
            id,
            records.isEmpty() ? "was never journaled" : "had ended");
        journal.releaseServiceLeaseOf(id);
        keeper.release(key);
        continue;
      }
      LOG.warn(
          "replica {}: taking over rollout {} (lease token {}) from a replica whose lease expired",
          replica(),
          id,
          lease.get().token());
      if (e.takeOver(id)) {
        resumed++;
      } else {
        // Kept: releasing would only let every replica try again at every heartbeat.
        LOG.error("replica {}: rollout {} was taken over but cannot be resumed", replica(), id);
      }
    }
    return resumed;
  }

  @Override
  public JournalRecord append(JournalRecord record) {
    String key = key(record.rolloutId());
    Lease lease =
        keeper
            .lease(key)
            .orElseThrow(
                () ->
                    new OwnershipLostException(
                        "postgres",
                        "append",
                        "replica "
                            + replica()
                            + " does not own rollout "
                            + record.rolloutId()
                            + " (it never took it, or lost it): nothing was written",
                        null));
    try {
      return journal.append(record, lease);
    } catch (LeaseLostException lost) {
      keeper.forget(key);
      throw lost;
    } catch (ProviderException failed) {
      if (!failed.retryable()) {
        throw failed;
      }
      keeper.forget(key);
      throw new OwnershipLostException(
          "postgres",
          "append",
          "replica "
              + replica()
              + " could not journal a record of rollout "
              + record.rolloutId()
              + " and stands down from it; its lease expires and a replica that reaches the"
              + " database takes it over: "
              + failed.getMessage(),
          failed);
    }
  }

  @Override
  public void replay(long fromSequence, Consumer<JournalRecord> consumer) {
    journal.replay(fromSequence, consumer);
  }

  @Override
  public List<JournalRecord> records(String rolloutId) {
    return journal.records(rolloutId);
  }

  /** {@inheritDoc} One indexed query. */
  @Override
  public List<JournalRecord> endedSince(String service, long afterSequence) {
    return journal.endedSince(service, afterSequence);
  }

  /**
   * {@inheritDoc} Acquires the rollout's lease for this replica first (or keeps the one it holds):
   * false if another replica owns the rollout, or the service is leased to another rollout.
   */
  @Override
  public boolean tryLease(String service, String rolloutId) {
    String key = key(rolloutId);
    boolean acquired = false;
    if (keeper.lease(key).isEmpty()) {
      if (keeper.tryAcquire(key).isEmpty()) {
        return false;
      }
      acquired = true;
    }
    boolean granted;
    try {
      granted = journal.tryLease(service, rolloutId);
    } catch (RuntimeException e) {
      if (acquired) {
        releaseQuietly(key);
      }
      throw e;
    }
    if (!granted && acquired) {
      releaseQuietly(key);
    }
    return granted;
  }

  @Override
  public Optional<String> leaseHolder(String service) {
    return journal.leaseHolder(service);
  }

  /** The replica that owns the rollout holding the service now (after a takeover, the new one). */
  @Override
  public Optional<String> leaseHolderReplica(String service) {
    Optional<String> rollout = journal.leaseHolder(service);
    if (rollout.isEmpty()) {
      return Optional.empty();
    }
    Optional<String> owner = owner(rollout.get());
    return owner.isPresent() ? owner : journal.leaseHolderReplica(service);
  }

  /**
   * {@inheritDoc} Also releases the rollout's lease if this replica holds it. A service lease whose
   * rollout another replica owns now is left alone (that replica is starting or driving it).
   */
  @Override
  public void releaseLease(String service, String rolloutId) {
    String key = key(rolloutId);
    if (keeper.lease(key).isEmpty()) {
      Optional<String> owner = owner(rolloutId);
      if (owner.isPresent() && !owner.get().equals(replica())) {
        return;
      }
      journal.releaseLease(service, rolloutId);
      return;
    }
    try {
      journal.releaseLease(service, rolloutId);
      keeper.release(key);
    } catch (RuntimeException e) {
      // Let it expire: a replica's takeover finds the rollout ended and releases both leases.
      keeper.forget(key);
      throw e;
    }
  }

  private void releaseQuietly(String key) {
    try {
      keeper.release(key);
    } catch (ProviderException e) {
      keeper.forget(key);
    }
  }

  /**
   * Stops the heartbeats and the command channel, releases the rollout leases this replica holds
   * (so other replicas take its open rollouts over at their next heartbeat instead of after the
   * TTL), then closes the journal and its pool. Close the engine first. Idempotent; closing the
   * {@linkplain #journal() underlying journal} instead stops the channel too, but lets the leases
   * expire.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    // No heartbeat may renew (or take over) while the leases are given back.
    keeper.close();
    commands.close();
    for (String id : ownedRollouts()) {
      try {
        keeper.release(key(id));
      } catch (ProviderException e) {
        keeper.forget(key(id));
      }
    }
    journal.close();
  }

  /** Polling rounds of the command channel so far (for tests of the shutdown). */
  long commandCycles() {
    return commands.cycles();
  }

  /** Whether the command channel's and the heartbeat's threads have ended. */
  boolean threadsStopped() {
    return commands.stopped() && keeper.stopped();
  }

  @Override
  public String toString() {
    return "ReplicaJournal{" + journal + "}";
  }
}
