// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.gate.internal;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.Verdict;
import io.cutover.spi.GateContext;
import io.cutover.spi.HealthGate;
import java.util.Locale;
import java.util.regex.Pattern;

/** Small helpers shared by the gates. */
public final class Gates {
  private static final Pattern NAME = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$");

  private Gates() {}

  /** Validates a gate name (what {@code Verify} and {@code Hook} steps reference). */
  public static String name(String name, String path) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new InvalidSpecException(
          path,
          "'" + name + "' is not a valid gate name",
          "use 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
    return name;
  }

  /**
   * Evaluates a gate, turning anything it throws into an ERROR verdict (the SPI asks gates not to
   * throw).
   */
  public static Verdict safely(HealthGate gate, GateContext ctx) {
    try {
      Verdict v = gate.evaluate(ctx);
      return v == null ? Verdict.error("gate '" + gate.name() + "' returned no verdict") : v;
    } catch (RuntimeException e) {
      return Verdict.error(
          "gate '"
              + gate.name()
              + "' threw "
              + e.getClass().getSimpleName()
              + ": "
              + e.getMessage());
    }
  }

  /** Formats a number for reasons: up to 6 significant digits, no exponent for ordinary values. */
  public static String num(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    String s = String.format(Locale.ROOT, "%.6g", v);
    if (s.contains("e")) {
      return s;
    }
    s = s.replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }
}
