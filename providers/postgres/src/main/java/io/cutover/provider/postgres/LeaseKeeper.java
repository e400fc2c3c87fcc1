// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.postgres;

import io.cutover.api.ProviderException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leases one replica holds, renewed by its heartbeat: every heartbeat interval it records the
 * replica's heartbeat and renews each held lease by the TTL. A renewal refused because the lease is
 * no longer current drops the lease and tells the listeners ({@link #onLost}): the replica must
 * stand down from that work. When the database cannot be reached, renewals are retried at the next
 * heartbeat; meanwhile the leases age by the database's clock like any other.
 *
 * <p><b>Threading.</b> Thread-safe. Heartbeats run on the keeper's own daemon thread (they do I/O),
 * never on the engine's scheduler; listeners run on that thread and must return quickly.
 */
public final class LeaseKeeper implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LeaseKeeper.class);

  private final Leases leases;
  private final Replicas replicas;
  private final String replica;
  private final Duration ttl;
  private final Map<String, Lease> held = new ConcurrentHashMap<>();
  private final List<Consumer<LeaseLostException>> listeners = new CopyOnWriteArrayList<>();
  private final List<Runnable> afterBeat = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService heartbeats;

  LeaseKeeper(Leases leases, Replicas replicas, String replica, Duration ttl, Duration heartbeat) {
    this.leases = leases;
    this.replicas = replicas;
    this.replica = replica;
    this.ttl = ttl;
    this.heartbeats =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "cutover-postgres-heartbeat-" + replica);
              t.setDaemon(true);
              return t;
            });
    long every = Math.max(1, heartbeat.toMillis());
    heartbeats.scheduleWithFixedDelay(this::beat, every, every, TimeUnit.MILLISECONDS);
  }

  /** Acquires {@code key} for this replica if it is free or expired, and keeps it renewed. */
  public Optional<Lease> tryAcquire(String key) {
    Optional<Lease> lease = leases.tryAcquire(key, replica, ttl);
    lease.ifPresent(l -> held.put(key, l));
    return lease;
  }

  /** The lease this replica holds on {@code key}, as last acquired or renewed. */
  public Optional<Lease> lease(String key) {
    return Optional.ofNullable(held.get(key));
  }

  /** The keys this replica holds. */
  public List<String> keys() {
    return List.copyOf(held.keySet());
  }

  /** Stops renewing {@code key} and releases it. */
  public void release(String key) {
    Lease l = held.remove(key);
    if (l != null) {
      leases.release(l);
    }
  }

  /**
   * Stops renewing {@code key} without releasing it (the database may be unreachable): the lease
   * expires by the database's clock and another replica may take the key.
   */
  public void forget(String key) {
    held.remove(key);
  }

  /**
   * Runs {@code task} on the heartbeat thread after each heartbeat (e.g. looking for expired work
   * to take over); it must not throw and should return quickly.
   */
  public void afterBeat(Runnable task) {
    afterBeat.add(task);
  }

  /** Calls {@code listener} for each lease this replica loses. */
  public void onLost(Consumer<LeaseLostException> listener) {
    listeners.add(listener);
  }

  /** One heartbeat now (also what the schedule runs). */
  public void beat() {
    try {
      replicas.heartbeat(replica);
      for (Lease l : held.values()) {
        try {
          Lease renewed = leases.renew(l, ttl);
          held.replace(l.key(), l, renewed);
        } catch (LeaseLostException lost) {
          if (!held.remove(l.key(), l)) {
            continue; // released (or dropped) meanwhile: nothing was lost
          }
          LOG.warn("replica {} lost its lease on {}: {}", replica, l.key(), lost.getMessage());
          listeners.forEach(x -> x.accept(lost));
        }
      }
    } catch (ProviderException e) {
      LOG.warn(
          "replica {}: heartbeat failed, retrying at the next one: {}", replica, e.getMessage());
    } catch (RuntimeException e) {
      LOG.error("replica {}: heartbeat failed", replica, e);
    }
    for (Runnable task : afterBeat) {
      try {
        task.run();
      } catch (RuntimeException e) {
        LOG.warn("replica {}: a task after the heartbeat failed: {}", replica, e.toString());
      }
    }
  }

  /**
   * Stops the heartbeats and waits (at most 10 s) for one in progress, so that none uses the pool
   * after this returns; held leases then expire unless released. Idempotent.
   */
  @Override
  public void close() {
    heartbeats.shutdownNow();
    if (Thread.currentThread().getName().startsWith("cutover-postgres-heartbeat-")) {
      return; // closed from a task after a heartbeat: it cannot wait for itself
    }
    try {
      heartbeats.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Whether the heartbeat thread has ended (after {@link #close()}). */
  boolean stopped() {
    return heartbeats.isTerminated();
  }
}
