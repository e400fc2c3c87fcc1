// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.gate;

import io.cutover.api.InvalidSpecException;
import java.util.Locale;

/** How a series of samples becomes the single value a threshold is compared with. */
public enum Aggregation {
  /** The most recent sample (the natural choice for instant queries). */
  LAST,
  /** The arithmetic mean of the samples. */
  MEAN,
  /** The smallest sample. */
  MIN,
  /** The largest sample. */
  MAX;

  /** Applies the aggregation to a non-empty array. */
  public double apply(double[] values) {
    double acc =
        switch (this) {
          case LAST -> values[values.length - 1];
          case MEAN -> 0;
          case MIN -> Double.POSITIVE_INFINITY;
          case MAX -> Double.NEGATIVE_INFINITY;
        };
    if (this == LAST) {
      return acc;
    }
    for (double v : values) {
      acc =
          switch (this) {
            case MEAN -> acc + v;
            case MIN -> Math.min(acc, v);
            default -> Math.max(acc, v);
          };
    }
    return this == MEAN ? acc / values.length : acc;
  }

  /** Parses a name such as {@code mean}; names {@code path} in the error. */
  public static Aggregation parse(String text, String path) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new InvalidSpecException(path, "is '" + text + "'", "use one of last, mean, min, max");
    }
  }
}
