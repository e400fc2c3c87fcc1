// SPDX-License-Identifier: Apache-2.0
package io.cutover.simulator.sizing;

import io.cutover.api.InvalidSpecException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What is wrong with the new release in a what-if run: nothing, more errors (percentage points
 * added to the healthy error rate) or more latency (added to every request, so every percentile,
 * p95 included, moves by that much).
 *
 * @param kind what regresses
 * @param amount percentage points for {@link Kind#ERRORS} (2 means +2 %), milliseconds for {@link
 *     Kind#LATENCY}, 0 for {@link Kind#NONE}
 */
public record Regression(Kind kind, double amount) {

  /** What regresses. */
  public enum Kind {
    /** Nothing: the new release is as healthy as the stable one. */
    NONE,
    /** The error rate rises by {@code amount} percentage points. */
    ERRORS,
    /** Every request takes {@code amount} milliseconds longer. */
    LATENCY
  }

  private static final Pattern ERRORS =
      Pattern.compile("\\+?\\s*(\\d+(?:\\.\\d+)?)\\s*%\\s*errors?");
  private static final Pattern LATENCY =
      Pattern.compile("\\+?\\s*(\\d+(?:\\.\\d+)?)\\s*ms\\s*(?:p95|latency)");

  /** No regression. */
  public static final Regression NONE = new Regression(Kind.NONE, 0);

  /** Validates the amount. */
  public Regression {
    if (kind == null) {
      throw new InvalidSpecException(
          "regression.kind", "is missing", "use NONE, ERRORS or LATENCY");
    }
    if (kind == Kind.NONE ? amount != 0 : !(amount > 0) || Double.isInfinite(amount)) {
      throw new InvalidSpecException(
          "regression.amount",
          "is " + amount + " for " + kind,
          kind == Kind.NONE ? "use 0 with NONE" : "use a finite amount above 0");
    }
    if (kind == Kind.ERRORS && amount >= 100) {
      throw new InvalidSpecException(
          "regression.amount", "is +" + amount + " %", "add less than 100 percentage points");
    }
  }

  /** {@code +points %} errors. */
  public static Regression errors(double points) {
    return new Regression(Kind.ERRORS, points);
  }

  /** {@code +millis ms} on every request. */
  public static Regression latency(double millis) {
    return new Regression(Kind.LATENCY, millis);
  }

  /**
   * Parses {@code "+2% errors"}, {@code "+0.5 % errors"}, {@code "+50ms p95"}, {@code "+50 ms
   * latency"} or {@code "none"}.
   *
   * @throws InvalidSpecException naming the accepted forms
   */
  public static Regression parse(String text) {
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    if (t.equals("none")) {
      return NONE;
    }
    Matcher m = ERRORS.matcher(t);
    if (m.matches()) {
      return errors(Double.parseDouble(m.group(1)));
    }
    m = LATENCY.matcher(t);
    if (m.matches()) {
      return latency(Double.parseDouble(m.group(1)));
    }
    throw new InvalidSpecException(
        "regression", "is '" + text + "'", "write '+2% errors', '+50ms p95' or 'none'");
  }

  /** The error rate of a release with this regression, given the healthy one. */
  double errorRate(double healthy) {
    return kind == Kind.ERRORS ? Math.min(1, healthy + amount / 100) : healthy;
  }

  /** Seconds added to every request. */
  double latencyShiftSeconds() {
    return kind == Kind.LATENCY ? amount / 1000 : 0;
  }

  @Override
  public String toString() {
    return switch (kind) {
      case NONE -> "none";
      case ERRORS -> "+" + num(amount) + "% errors";
      case LATENCY -> "+" + num(amount) + "ms p95";
    };
  }

  private static String num(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }
}
