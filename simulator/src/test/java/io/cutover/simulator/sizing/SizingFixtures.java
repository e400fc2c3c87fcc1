// SPDX-License-Identifier: Apache-2.0
package io.cutover.simulator.sizing;

import io.cutover.api.ArtifactRef;
import io.cutover.api.ConfigRef;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.api.plan.Plan;
import io.cutover.api.plan.Step;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Plans for the sizing tests: a one-step canary and its closed-form detection probability. */
final class SizingFixtures {
  static final Release STABLE = release("1111");
  static final Release CANDIDATE = release("2222");

  private SizingFixtures() {}

  private static Release release(String hex) {
    return Release.of(
        "shop", ArtifactRef.parse("example/shop@sha256:" + hex.repeat(16)), ConfigRef.of(Map.of()));
  }

  /** Route {@code percent} to the candidate, analyse {@code count} times every {@code interval}. */
  static Plan canary(String gate, double percent, int count, Duration interval) {
    int bp = (int) Math.round(percent * 100);
    return Plan.of(
        "canary",
        STABLE,
        CANDIDATE,
        List.of(
            new Step.Launch(CANDIDATE.id(), 1),
            new Step.Route(TrafficSplit.of(STABLE.id(), CANDIDATE.id(), bp)),
            Step.Verify.gates(gate).count(count).interval(interval).build(),
            new Step.Route(TrafficSplit.all(CANDIDATE.id()))),
        List.of(new Step.Route(TrafficSplit.all(STABLE.id())), new Step.Retire(CANDIDATE.id())));
  }

  /** P(X <= k) for X ~ Binomial(n, p), summed exactly in log space. */
  static double binomialCdf(int n, double p, int k) {
    double sum = 0;
    for (int i = 0; i <= k; i++) {
      sum += Math.exp(logChoose(n, i) + i * Math.log(p) + (n - i) * Math.log1p(-p));
    }
    return sum;
  }

  private static double logChoose(int n, int k) {
    double s = 0;
    for (int i = 1; i <= k; i++) {
      s += Math.log(n - k + i) - Math.log(i);
    }
    return s;
  }

  /**
   * Closed form for a success-rate threshold gate ({@code >= minimum}) measured {@code count} times
   * over windows of {@code n} requests with error probability {@code p}: one minus the probability
   * that every window has at most {@code floor(n (1 - minimum))} errors.
   */
  static double thresholdDetection(int n, double p, double minimum, int count) {
    int allowed = (int) Math.floor(n * (1 - minimum) + 1e-9);
    return 1 - Math.pow(binomialCdf(n, p, allowed), count);
  }
}
