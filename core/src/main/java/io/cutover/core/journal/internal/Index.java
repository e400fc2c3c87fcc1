// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.journal.internal;

import io.cutover.spi.JournalRecord;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The journal's memory: every retained record in sequence order, grouped by rollout, and the lease
 * table. Only durable state is published here (the writer publishes after its flush), so readers
 * never see a record that a crash could take back. Thread-safe; readers get copies.
 */
public final class Index {
  private final ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
  private ArrayList<JournalRecord> all = new ArrayList<>();
  private final Map<String, List<JournalRecord>> byRollout = new HashMap<>();
  private final Map<String, String> leases = new ConcurrentHashMap<>();

  /** Adds records whose sequences are higher than any present, in order. */
  public void add(Collection<JournalRecord> records) {
    if (records.isEmpty()) {
      return;
    }
    rw.writeLock().lock();
    try {
      all.addAll(records);
      for (JournalRecord r : records) {
        group(r);
      }
    } finally {
      rw.writeLock().unlock();
    }
  }

  // A method of its own: at open this runs once per record of the journal in a fresh JVM, where the
  // loop above stays interpreted for most of its iterations, but a method called that often is
  // compiled after a few hundred calls.
  private void group(JournalRecord r) {
    byRollout.computeIfAbsent(r.rolloutId(), k -> new ArrayList<>(8)).add(r);
  }

  /** Records a lease change. */
  public void lease(String service, String rolloutId, boolean granted) {
    if (granted) {
      leases.put(service, rolloutId);
    } else {
      leases.remove(service, rolloutId);
    }
  }

  /** The rollout holding a service, if any. */
  public Optional<String> leaseHolder(String service) {
    return Optional.ofNullable(leases.get(service));
  }

  /** A copy of the lease table. */
  public Map<String, String> leases() {
    return Map.copyOf(leases);
  }

  /** Retained records with a sequence of at least {@code from}, in order. */
  public List<JournalRecord> from(long from) {
    rw.readLock().lock();
    try {
      int lo = 0;
      int hi = all.size();
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (all.get(mid).sequence() < from) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return new ArrayList<>(all.subList(lo, all.size()));
    } finally {
      rw.readLock().unlock();
    }
  }

  /** Retained records of one rollout, in order. */
  public List<JournalRecord> rollout(String rolloutId) {
    rw.readLock().lock();
    try {
      List<JournalRecord> l = byRollout.get(rolloutId);
      return l == null ? List.of() : List.copyOf(l);
    } finally {
      rw.readLock().unlock();
    }
  }

  /** The retained records of each rollout of {@code service}, each list in order. */
  public List<List<JournalRecord>> rolloutsOf(String service) {
    rw.readLock().lock();
    try {
      List<List<JournalRecord>> out = new ArrayList<>();
      for (List<JournalRecord> l : byRollout.values()) {
        if (l.get(0).service().equals(service)) {
          out.add(List.copyOf(l));
        }
      }
      return out;
    } finally {
      rw.readLock().unlock();
    }
  }

  /** Number of retained records. */
  public int size() {
    rw.readLock().lock();
    try {
      return all.size();
    } finally {
      rw.readLock().unlock();
    }
  }

  /**
   * Drops the records of {@code rollouts} with a sequence up to {@code upTo}: they are compacted.
   */
  public void prune(Set<String> rollouts, long upTo) {
    if (rollouts.isEmpty()) {
      return;
    }
    rw.writeLock().lock();
    try {
      ArrayList<JournalRecord> kept = new ArrayList<>(all.size());
      for (JournalRecord r : all) {
        if (r.sequence() > upTo || !rollouts.contains(r.rolloutId())) {
          kept.add(r);
        }
      }
      all = kept;
      for (String id : rollouts) {
        List<JournalRecord> l = byRollout.get(id);
        if (l != null) {
          l.removeIf(r -> r.sequence() <= upTo);
          if (l.isEmpty()) {
            byRollout.remove(id);
          }
        }
      }
    } finally {
      rw.writeLock().unlock();
    }
  }

  /** A copy of every retained record, in order. */
  public List<JournalRecord> all() {
    rw.readLock().lock();
    try {
      return Collections.unmodifiableList(new ArrayList<>(all));
    } finally {
      rw.readLock().unlock();
    }
  }
}
