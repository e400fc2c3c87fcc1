// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.gate;

import io.cutover.api.InvalidSpecException;
import java.time.Duration;
import java.util.List;

/**
 * One alerting condition of a multi-window, multi-burn-rate SLO check: the error budget burns
 * faster than {@code factor} times the sustainable rate over both the long and the short window.
 * The short window makes the condition stop firing soon after the burning stops.
 *
 * @param longWindow the long window, e.g. 1h
 * @param shortWindow the short window, e.g. 5m; shorter than the long one
 * @param factor the burn-rate multiple, e.g. 14.4 (2 % of a 30-day budget in one hour)
 */
public record BurnRateWindow(Duration longWindow, Duration shortWindow, double factor) {
  /** The fast-burn page of the SRE workbook: 14.4x over 1 h and 5 m. */
  public static final BurnRateWindow FAST =
      new BurnRateWindow(Duration.ofHours(1), Duration.ofMinutes(5), 14.4);

  /** The slow-burn page of the SRE workbook: 6x over 6 h and 30 m. */
  public static final BurnRateWindow SLOW =
      new BurnRateWindow(Duration.ofHours(6), Duration.ofMinutes(30), 6);

  /** {@link #FAST} and {@link #SLOW}. */
  public static final List<BurnRateWindow> DEFAULTS = List.of(FAST, SLOW);

  /** Validates the windows and the factor. */
  public BurnRateWindow {
    if (longWindow == null
        || shortWindow == null
        || shortWindow.isNegative()
        || shortWindow.isZero()
        || shortWindow.compareTo(longWindow) >= 0) {
      throw new InvalidSpecException(
          "burnRate.windows",
          "long " + longWindow + " / short " + shortWindow,
          "use a positive short window shorter than the long one, e.g. 1h and 5m");
    }
    if (!(factor > 0) || Double.isInfinite(factor)) {
      throw new InvalidSpecException(
          "burnRate.windows.factor",
          "is " + factor,
          "use a positive burn-rate multiple, e.g. 14.4");
    }
  }
}
