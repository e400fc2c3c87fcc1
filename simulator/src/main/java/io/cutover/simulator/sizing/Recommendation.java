// SPDX-License-Identifier: Apache-2.0
package io.cutover.simulator.sizing;

import io.cutover.api.plan.Plan;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The cheapest sizing of a plan's first canary step that reaches a {@link SizingTarget}: its first
 * weight, and the count and interval of the analysis that follows it, with what they cost.
 * "Cheapest" is the smallest expected blast radius (requests served by the bad release); ties go to
 * the shorter rollout.
 *
 * @param target what had to be reached
 * @param found whether some sizing reached it; when false only {@code explanation} is meaningful
 * @param firstWeightPercent the candidate's weight in the first canary step, in percent
 * @param count measurements of the analysis after it
 * @param interval time between them
 * @param detectionProbability the simulated probability of detecting the target's regression
 * @param nominalDuration how long the sized rollout takes when every gate passes
 * @param blastRequestsMean expected requests served by the bad release
 * @param blastRequestsP95 95th percentile of them
 * @param blastErrorsMean expected errors among them
 * @param explanation one line: what was searched and what was found
 * @param plan the sized plan, null when none was found
 */
public record Recommendation(
    SizingTarget target,
    boolean found,
    double firstWeightPercent,
    int count,
    Duration interval,
    double detectionProbability,
    Duration nominalDuration,
    double blastRequestsMean,
    double blastRequestsP95,
    double blastErrorsMean,
    String explanation,
    @Nullable Plan plan) {

  /** Checks the required parts. */
  public Recommendation {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(nominalDuration, "nominalDuration");
    Objects.requireNonNull(explanation, "explanation");
  }

  static Recommendation none(SizingTarget target, String explanation) {
    return new Recommendation(
        target, false, 0, 0, Duration.ZERO, 0, Duration.ZERO, 0, 0, 0, explanation, null);
  }
}
