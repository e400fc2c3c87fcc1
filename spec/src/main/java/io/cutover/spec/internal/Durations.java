// SPDX-License-Identifier: Apache-2.0
package io.cutover.spec.internal;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The spec's duration syntax: one or more {@code <digits><unit>} parts, units {@code ms}, {@code
 * s}, {@code m}, {@code h}, {@code d} ({@code 250ms}, {@code 30s}, {@code 1m30s}). At most 9 digits
 * per part, so no value overflows. {@link #PATTERN} is the exact regular expression of the JSON
 * Schema's duration type (docs/schema/cutover-v1.json): the two must agree.
 */
public final class Durations {
  /** The whole-string pattern, as in the schema. */
  public static final String PATTERN = "^([0-9]{1,9}(ms|s|m|h|d))+$";

  private static final Pattern WHOLE = Pattern.compile(PATTERN);
  private static final Pattern PART = Pattern.compile("([0-9]{1,9})(ms|s|m|h|d)");

  private Durations() {}

  /** The duration, or null if {@code text} is not one. */
  public static @Nullable Duration parse(String text) {
    if (!WHOLE.matcher(text).matches()) {
      return null;
    }
    Duration total = Duration.ZERO;
    Matcher m = PART.matcher(text);
    try {
      while (m.find()) {
        long n = Long.parseLong(m.group(1));
        total =
            total.plus(
                switch (m.group(2)) {
                  case "ms" -> Duration.ofMillis(n);
                  case "s" -> Duration.ofSeconds(n);
                  case "m" -> Duration.ofMinutes(n);
                  case "h" -> Duration.ofHours(n);
                  default -> Duration.ofDays(n);
                });
      }
    } catch (ArithmeticException e) {
      return null; // longer than a Duration holds: no option means that
    }
    return total;
  }
}
