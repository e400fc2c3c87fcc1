// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.oci.internal;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * A bounded, least-recently-used cache of verified content keyed by {@code repository@digest}. Only
 * digest-addressed content enters it (a tag is never a key), so an entry can never go stale;
 * entries the {@code protect} predicate holds on to (pinned artifacts) are never evicted.
 * Thread-safe.
 */
public final class ContentCache {
  /** Cached content and its media type. */
  public record Entry(byte[] bytes, @Nullable String mediaType) {}

  private final int maxEntries;
  private final Predicate<String> protect;
  private final LinkedHashMap<String, Entry> map = new LinkedHashMap<>(64, 0.75f, true);

  public ContentCache(int maxEntries, Predicate<String> protect) {
    this.maxEntries = maxEntries;
    this.protect = protect;
  }

  public synchronized @Nullable Entry get(String key) {
    return map.get(key);
  }

  public synchronized void put(String key, Entry entry) {
    map.put(key, entry);
    Iterator<Map.Entry<String, Entry>> it = map.entrySet().iterator();
    while (map.size() > maxEntries && it.hasNext()) {
      if (!protect.test(it.next().getKey())) {
        it.remove();
      }
    }
  }

  public synchronized int size() {
    return map.size();
  }
}
