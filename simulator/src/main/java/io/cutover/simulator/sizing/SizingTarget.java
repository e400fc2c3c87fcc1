// SPDX-License-Identifier: Apache-2.0
package io.cutover.simulator.sizing;

import io.cutover.api.InvalidSpecException;
import java.time.Duration;

/**
 * What a recommendation must reach: detect {@code regression} with at least {@code probability}, in
 * a rollout that takes at most {@code timeBudget} when nothing is wrong.
 *
 * @param regression the regression to catch, e.g. +1 % errors
 * @param probability the detection probability to reach, in (0, 1)
 * @param timeBudget the longest acceptable rollout (every gate passing)
 */
public record SizingTarget(Regression regression, double probability, Duration timeBudget) {

  /** Validates every part. */
  public SizingTarget {
    if (regression == null || regression.kind() == Regression.Kind.NONE) {
      throw new InvalidSpecException(
          "target.regression", "is none", "name the regression to detect, e.g. '+1% errors'");
    }
    if (!(probability > 0 && probability < 1)) {
      throw new InvalidSpecException(
          "target.probability", "is " + probability, "use a probability in (0, 1), e.g. 0.95");
    }
    if (timeBudget == null || timeBudget.isNegative() || timeBudget.isZero()) {
      throw new InvalidSpecException(
          "target.timeBudget", "is " + timeBudget, "use a positive duration, e.g. 1h");
    }
  }

  /** 95 % for +1 % errors within one hour. */
  public static SizingTarget defaults() {
    return new SizingTarget(Regression.errors(1), 0.95, Duration.ofHours(1));
  }
}
