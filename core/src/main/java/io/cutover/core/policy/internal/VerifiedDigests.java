// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.policy.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The evidence of the signature and provenance checks an artifact passed, by {@code
 * repository@digest}, for one policy instance: bounded (least recently used out first) and each
 * entry kept at most {@code ttl}. Only passes are kept; a failure is never cached (a signature may
 * be pushed later). Thread-safe.
 */
public final class VerifiedDigests {
  /** What was verified and when. */
  public record Entry(List<String> evidence, Instant verifiedAt) {}

  private final int maxEntries;
  private final Duration ttl;
  private final InstantSource clock;
  private final Map<String, Entry> entries;

  public VerifiedDigests(int maxEntries, Duration ttl, InstantSource clock) {
    this.maxEntries = maxEntries;
    this.ttl = ttl;
    this.clock = clock;
    this.entries = new LinkedHashMap<>(16, 0.75f, true);
  }

  /** The cached evidence of {@code ref}, if verified less than {@code ttl} ago. */
  public synchronized @Nullable Entry get(String ref) {
    Entry e = entries.get(ref);
    if (e == null) {
      return null;
    }
    Instant now = clock.instant();
    // An entry from the future (the clock went back) is not trusted either.
    if (now.isBefore(e.verifiedAt()) || !now.isBefore(e.verifiedAt().plus(ttl))) {
      entries.remove(ref);
      return null;
    }
    return e;
  }

  /** Remembers that {@code ref} passed with this evidence, now. */
  public synchronized void put(String ref, List<String> evidence) {
    entries.put(ref, new Entry(List.copyOf(evidence), clock.instant()));
    while (entries.size() > maxEntries) {
      String eldest = entries.keySet().iterator().next();
      entries.remove(eldest);
    }
  }

  /** How many entries are kept now. */
  public synchronized int size() {
    return entries.size();
  }
}
