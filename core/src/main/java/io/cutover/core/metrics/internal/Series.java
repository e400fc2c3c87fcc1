// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.metrics.internal;

import java.time.Instant;
import java.util.Arrays;
import java.util.Map;

/**
 * The recordings of one instrument with one attribute set: (time, value) pairs in arrival order,
 * pruned past the retention. Appends and reads are guarded by the instance's monitor; recordings
 * are few per request, and contention is per series, not per registry.
 */
public final class Series {
  private final Map<String, String> attributes;
  private long[] nanos = new long[16];
  private double[] values = new double[16];
  private int head;
  private int size;

  /** A series for one attribute set. */
  public Series(Map<String, String> attributes) {
    this.attributes = Map.copyOf(attributes);
  }

  /** The attributes. */
  public Map<String, String> attributes() {
    return attributes;
  }

  /** Appends a recording and drops those older than {@code oldestKept}. */
  public synchronized void add(Instant at, double value, Instant oldestKept) {
    long t = toNanos(at);
    long keep = toNanos(oldestKept);
    while (size > 0 && nanos[head] < keep) {
      head++;
      size--;
    }
    if (head + size == nanos.length) {
      if (head > nanos.length / 2) {
        System.arraycopy(nanos, head, nanos, 0, size);
        System.arraycopy(values, head, values, 0, size);
      } else {
        nanos = Arrays.copyOfRange(nanos, head, head + Math.max(16, size * 2));
        values = Arrays.copyOfRange(values, head, head + Math.max(16, size * 2));
      }
      head = 0;
    }
    nanos[head + size] = t;
    values[head + size] = value;
    size++;
  }

  /**
   * Recordings in a time range, in arrival order.
   *
   * @param nanos epoch nanoseconds of each recording
   * @param values the recorded values
   */
  public record Points(long[] nanos, double[] values) {}

  /** The recordings in {@code (from, to]}, or {@code [from, to]} when {@code fromInclusive}. */
  public synchronized Points pointsIn(Instant from, Instant to, boolean fromInclusive) {
    long lo = toNanos(from);
    long hi = toNanos(to);
    long[] ts = new long[size];
    double[] out = new double[size];
    int n = 0;
    for (int i = head; i < head + size; i++) {
      long t = nanos[i];
      if ((fromInclusive ? t >= lo : t > lo) && t <= hi) {
        ts[n] = t;
        out[n++] = values[i];
      }
    }
    return new Points(Arrays.copyOf(ts, n), Arrays.copyOf(out, n));
  }

  private static long toNanos(Instant i) {
    // Saturate instead of overflowing for Instant.MIN/MAX used as open bounds.
    if (i.getEpochSecond() > 9_000_000_000L) {
      return Long.MAX_VALUE;
    }
    if (i.getEpochSecond() < -9_000_000_000L) {
      return Long.MIN_VALUE;
    }
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }
}
