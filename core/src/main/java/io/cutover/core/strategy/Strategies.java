// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.strategy;

/**
 * The entry point to the built-in rollout strategies: each method returns a fresh builder.
 *
 * <pre>{@code
 * RolloutStrategy canary = Strategies.canary()
 *     .setWeight(10).pause(Duration.ofMinutes(5))
 *     .setWeight(50).analysis(Step.Verify.gates("error-rate").build())
 *     .build();
 * Plan plan = canary.plan(new PlanRequest(stable, target, 4));
 * }</pre>
 *
 * <p>Every strategy is immutable, thread-safe and pure; every builder validates all of its options
 * in {@code build()} and throws one {@link io.cutover.api.InvalidSpecException} listing each
 * violation.
 */
public final class Strategies {
  private Strategies() {}

  /** A canary step list (Argo Rollouts canary). */
  public static CanaryStrategy.Builder canary() {
    return CanaryStrategy.builder();
  }

  /** Blue/green with optional preview, analyses and manual promotion (Argo Rollouts blueGreen). */
  public static BlueGreenStrategy.Builder blueGreen() {
    return BlueGreenStrategy.builder();
  }

  /** Equal (or explicit) traffic increments with an interval and/or analysis after each. */
  public static LinearStrategy.Builder linear() {
    return LinearStrategy.builder();
  }

  /** Batches bounded by maxSurge/maxUnavailable (Kubernetes Deployment rolling update). */
  public static RollingStrategy.Builder rolling() {
    return RollingStrategy.builder();
  }

  /** Stop the old release, then start the new one; downtime is inherent. */
  public static RecreateStrategy.Builder recreate() {
    return RecreateStrategy.builder();
  }
}
