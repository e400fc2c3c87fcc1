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
}
