// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.strategy.internal;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.plan.Step;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Collects every problem a builder finds so that one {@link InvalidSpecException} lists them all,
 * and holds the option checks the strategy builders share. Not thread-safe; one instance per {@code
 * build()} call.
 */
public final class Violations {
  private final List<InvalidSpecException.Violation> found = new ArrayList<>();

  /** Records one problem. */
  public Violations add(String path, String problem, String fix) {
    found.add(new InvalidSpecException.Violation(path, problem, fix));
    return this;
  }

  /** How many problems were recorded so far. */
  public int count() {
    return found.size();
  }

  /** Throws one exception listing every recorded problem, if there is any. */
  public void throwIfAny() {
    if (!found.isEmpty()) {
      throw new InvalidSpecException(found);
    }
  }

  /**
   * Guards a builder option that may be set only once: a second call is almost always a mistake
   * (two configuration sources disagreeing), so it fails at once instead of letting the last one
   * win.
   *
   * @param current the option's value so far, null if unset
   * @param value the new value, returned when accepted
   * @throws InvalidSpecException naming {@code path} if the option was already set
   */
  public static <T> T setOnce(@Nullable Object current, T value, String path) {
    if (current != null) {
      throw new InvalidSpecException(
          path, "was already set to " + current, "set '" + path + "' once; remove the second call");
    }
    return value;
  }

  /**
   * Rejects a null argument at once: unlike a wrong value, a null is never worth collecting with
   * other problems, and accepting it would leave the option silently unset.
   */
  public static <T> T notNull(@Nullable T value, String path, String fix) {
    if (value == null) {
      throw new InvalidSpecException(path, "is null", fix);
    }
    return value;
  }

  /** Checks an optional analysis that must finish before the plan goes on. */
  public Violations foreground(Step.@Nullable Verify verify, String path) {
    if (verify != null && verify.background()) {
      add(
          path + ".background",
          "is true, but this analysis must finish before the rollout goes on",
          "build the Verify without background()");
    }
    return this;
  }

  /** Checks a required value. */
  public Violations present(@Nullable Object value, String path, String fix) {
    if (value == null) {
      add(path, "is missing", fix);
    }
    return this;
  }

  /** Checks a percentage. */
  public Violations percent(int value, int min, String path) {
    if (value < min || value > 100) {
      add(path, "is " + value, "use a percentage from " + min + " to 100");
    }
    return this;
  }

  /** Checks an optional duration that must not be negative. */
  public Violations notNegative(@Nullable Duration d, String path) {
    if (d != null && d.isNegative()) {
      add(path, "is negative (" + Durations.human(d) + ")", "use 0 or a positive duration");
    }
    return this;
  }

  /** Checks an optional duration that must be positive. */
  public Violations positive(@Nullable Duration d, String path) {
    if (d != null && (d.isNegative() || d.isZero())) {
      add(path, "is " + Durations.human(d), "use a positive duration such as 5m");
    }
    return this;
  }
}
