// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.strategy.internal;

import java.time.Duration;

/**
 * Short, exact renderings of durations for option summaries and messages ({@code 90s}, {@code 5m}).
 */
public final class Durations {
  private Durations() {}

  /** {@code 250ms}, {@code 90s}, {@code 5m}, {@code 2h}; negative values keep their sign. */
  public static String human(Duration d) {
    if (d.isNegative()) {
      // Duration.negated() overflows for the most negative duration only.
      return d.getSeconds() == Long.MIN_VALUE ? d.toString() : "-" + human(d.negated());
    }
    long s = d.getSeconds();
    int nanos = d.getNano();
    if (nanos % 1_000_000 != 0 || (nanos != 0 && s > Long.MAX_VALUE / 1000 - 1)) {
      return d.toString();
    }
    if (nanos != 0) {
      return (s * 1000 + nanos / 1_000_000) + "ms";
    }
    if (s != 0 && s % 3600 == 0) {
      return s / 3600 + "h";
    }
    if (s != 0 && s % 60 == 0) {
      return s / 60 + "m";
    }
    return s + "s";
  }
}
