// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.gate;

import io.cutover.api.InvalidSpecException;

/** How a measured value must compare with a threshold for a gate to pass. */
public enum Comparison {
  /** Passes when {@code value < threshold}. */
  LESS_THAN("<"),
  /** Passes when {@code value <= threshold}. */
  AT_MOST("<="),
  /** Passes when {@code value > threshold}. */
  GREATER_THAN(">"),
  /** Passes when {@code value >= threshold}. */
  AT_LEAST(">=");

  private final String symbol;

  Comparison(String symbol) {
    this.symbol = symbol;
  }

  /** The operator, e.g. {@code >=}. */
  public String symbol() {
    return symbol;
  }

  /** Whether {@code value} passes against {@code threshold}; NaN never passes. */
  public boolean passes(double value, double threshold) {
    return switch (this) {
      case LESS_THAN -> value < threshold;
      case AT_MOST -> value <= threshold;
      case GREATER_THAN -> value > threshold;
      case AT_LEAST -> value >= threshold;
    };
  }

  /**
   * Parses an operator ({@code <}, {@code <=}, {@code >}, {@code >=}) or a name such as {@code
   * at-least}.
   *
   * @throws InvalidSpecException naming {@code path} for anything else
   */
  public static Comparison parse(String text, String path) {
    String t = text.trim();
    for (Comparison c : values()) {
      if (c.symbol.equals(t) || c.name().equalsIgnoreCase(t.replace('-', '_'))) {
        return c;
      }
    }
    throw new InvalidSpecException(
        path, "is '" + text + "'", "use one of <, <=, >, >= (the condition that passes)");
  }
}
