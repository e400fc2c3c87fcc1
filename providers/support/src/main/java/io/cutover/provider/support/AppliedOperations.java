// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.support;

import io.cutover.spi.OperationId;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The operation ids a provider applied for one subject (a router: one service), in order: what a
 * provider needs to honour the idempotency promise of the SPIs. A repeat of the latest operation is
 * harmless to re-apply; a <em>stale</em> repeat (an id applied before a later one) must change
 * nothing, or a re-issued old call after a crash would undo a newer state. Remembers the last
 * {@value #CAPACITY} ids, in memory only.
 *
 * <p>A helper, not a contract: providers may keep their own memory (a durable one, say). It lives
 * in {@code cutover-provider-support}, which depends on {@code cutover-api} only.
 *
 * <p>Thread-safe.
 */
public final class AppliedOperations {
  /** How many operation ids are remembered. */
  public static final int CAPACITY = 1_024;

  private final Map<String, Long> seen =
      new LinkedHashMap<>(16, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
          return size() > CAPACITY;
        }
      };
  private long last;

  /**
   * Whether {@code op} was applied before a later operation, so applying it again would undo that
   * one.
   */
  public synchronized boolean isStale(OperationId op) {
    Long seq = seen.get(op.value());
    return seq != null && seq < last;
  }

  /** Records that {@code op} is now the latest operation in effect. */
  public synchronized void applied(OperationId op) {
    Long seq = seen.get(op.value());
    if (seq == null || seq < last) {
      seen.remove(op.value());
      seen.put(op.value(), ++last);
    }
  }
}
