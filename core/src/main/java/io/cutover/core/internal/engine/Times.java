// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.engine;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;

/**
 * Time arithmetic that saturates instead of throwing. Plans bound their durations ({@link
 * io.cutover.api.plan.Step#MAX_DURATION}), but options, policies and recovered journals may still
 * name huge ones, and an {@link ArithmeticException} inside a mailbox task would cost the rollout
 * its timer: "far in the future" is the right answer for all of them.
 */
final class Times {
  private Times() {}

  /** {@code t + d}, or {@link Instant#MAX} (or {@link Instant#MIN}) where it would overflow. */
  static Instant plus(Instant t, Duration d) {
    try {
      return t.plus(d);
    } catch (ArithmeticException | DateTimeException e) {
      return d.isNegative() ? Instant.MIN : Instant.MAX;
    }
  }

  /**
   * {@code d} in nanoseconds, {@link Long#MAX_VALUE} (or {@link Long#MIN_VALUE}) beyond ~292 years.
   */
  static long nanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  /** {@code d} for humans: {@code 90s}, {@code 5m}, {@code 1h}, {@code 250ms}. */
  static String human(Duration d) {
    if (d.toMillis() % 1000 != 0) {
      return d.toMillis() + "ms";
    }
    long s = d.toSeconds();
    if (s > 0 && s % 3600 == 0) {
      return s / 3600 + "h";
    }
    if (s > 0 && s % 60 == 0) {
      return s / 60 + "m";
    }
    return s + "s";
  }
}
