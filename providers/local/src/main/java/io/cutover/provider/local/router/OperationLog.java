package io.cutover.provider.local.router;

import io.cutover.spi.OperationId;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The operation ids a router applied for one service, in order, so that a stale repeat (an id applied
 * before a later one) changes nothing, while repeating the latest id re-applies it harmlessly. Keeps
 * the last {@value #CAPACITY} ids. Thread-safe.
 */
final class OperationLog {
  static final int CAPACITY = 1_024;

  private final Map<String, Long> seen = new LinkedHashMap<>(16, 0.75f, false) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
      return size() > CAPACITY;
    }
  };
  private long last;

  /** Whether {@code op} was applied before a later operation (so applying it again would undo that one). */
  synchronized boolean isStale(OperationId op) {
    Long seq = seen.get(op.value());
    return seq != null && seq < last;
  }

  /** Records that {@code op} is the latest operation in effect. */
  synchronized void applied(OperationId op) {
    Long seq = seen.get(op.value());
    if (seq == null || seq < last) {
      seen.remove(op.value());
      seen.put(op.value(), ++last);
    }
  }
}
