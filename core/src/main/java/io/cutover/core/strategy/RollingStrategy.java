// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.strategy;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.api.plan.Plan;
import io.cutover.api.plan.Step;
import io.cutover.core.strategy.internal.Plans;
import io.cutover.core.strategy.internal.Violations;
import io.cutover.spi.PlanRequest;
import io.cutover.spi.RolloutStrategy;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Replaces stable instances with target instances in batches bounded by {@code maxSurge} and {@code
 * maxUnavailable}, with Kubernetes Deployment semantics: each is a count or a percentage of {@code
 * replicas}; a surge percentage rounds up, an unavailable percentage rounds down; if both resolve
 * to 0 for a small fleet, one instance may be unavailable (as Kubernetes does). Defaults: 25 % and
 * 25 %.
 *
 * <p><b>Plan.</b> Each batch scales the target up as far as the surge allows (at most {@code
 * replicas + maxSurge} instances in total), routes traffic by the instance counts the batch ends
 * with ({@code target / (target + stable)}, in basis points), runs the analysis (if any), and only
 * then scales the stable release down as far as availability allows (at least {@code replicas -
 * maxUnavailable} instances in total): an analysis that fails finds the stable release still at its
 * pre-batch size. Routing before the scale-down keeps requests away from the stable instances about
 * to stop. When the stable release reaches 0 it is retired. The rollback routes 100 % back to
 * stable, restores it to {@code replicas}, then retires the target. A first deployment launches the
 * target at full scale, routes 100 % to it, and runs the analysis once.
 *
 * <p><b>Validation.</b> Counts are 0 or more, percentages 0..100, each option set in one form only,
 * and surge and unavailable not both zero (the rollout could never make progress).
 *
 * <p><b>Threading.</b> Immutable and thread-safe; the builder is not.
 *
 * <p><b>Errors.</b> {@link Builder#build()} throws one {@link InvalidSpecException} listing every
 * violation, with paths such as {@code rolling.maxSurge}.
 */
public final class RollingStrategy implements RolloutStrategy {
  /** Default {@code maxSurge} and {@code maxUnavailable}, as in Kubernetes: 25 %. */
  public static final int DEFAULT_PERCENT = 25;

  private final int surge;
  private final boolean surgeIsPercent;
  private final int unavailable;
  private final boolean unavailableIsPercent;
  private final Step.@Nullable Verify analysis;

  private RollingStrategy(Builder b) {
    this.surge = b.maxSurge == null ? DEFAULT_PERCENT : b.maxSurge;
    this.surgeIsPercent = b.maxSurge == null || b.surgeIsPercent;
    this.unavailable = b.maxUnavailable == null ? DEFAULT_PERCENT : b.maxUnavailable;
    this.unavailableIsPercent = b.maxUnavailable == null || b.unavailableIsPercent;
    this.analysis = b.analysis;
  }

  /** An empty builder: 25 % surge, 25 % unavailable, no analysis. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return "rolling";
  }

  @Override
  public Plan plan(PlanRequest request) {
    Release target = request.target();
    Release stable = request.stable();
    if (stable == null) {
      return Plans.firstDeployment(name(), request, List.of(), Plans.optional(analysis));
    }
    int n = request.replicas();
    int maxSurge = surgeIsPercent ? Plans.ceilPercent(n, surge) : surge;
    int maxUnavailable =
        Math.min(n, unavailableIsPercent ? Plans.floorPercent(n, unavailable) : unavailable);
    if (maxSurge == 0 && maxUnavailable == 0) {
      maxUnavailable = 1;
    }
    List<Step> steps = new ArrayList<>();
    int stableCount = n;
    int targetCount = 0;
    int targetWeight = 0;
    while (targetCount < n || stableCount > 0) {
      int newTarget = (int) Math.min(n, Math.max(targetCount, (long) n + maxSurge - stableCount));
      int newStable = Math.max(0, Math.min(stableCount, n - maxUnavailable - newTarget));
      if (newTarget > targetCount) {
        steps.add(
            targetCount == 0
                ? new Step.Launch(target.id(), newTarget)
                : new Step.Scale(target.id(), newTarget));
      }
      // At least 1 basis point once the target runs, so a huge fleet's first batch still gets
      // traffic.
      int weight =
          newStable == 0
              ? TrafficSplit.TOTAL
              : newTarget == 0
                  ? 0
                  : (int)
                      Math.max(
                          1,
                          Math.round(
                              TrafficSplit.TOTAL * (double) newTarget / (newTarget + newStable)));
      if (weight != targetWeight) {
        steps.add(
            new Step.Route(
                newStable == 0
                    ? TrafficSplit.all(target.id())
                    : TrafficSplit.of(stable.id(), target.id(), weight)));
        targetWeight = weight;
        steps.addAll(Plans.optional(analysis));
      }
      if (newStable < stableCount) {
        steps.add(
            newStable == 0 ? new Step.Retire(stable.id()) : new Step.Scale(stable.id(), newStable));
      }
      targetCount = newTarget;
      stableCount = newStable;
    }
    return Plan.of(name(), stable, target, steps, Plans.routeBackFirst(stable, target, n, true));
  }

  /** The options, e.g. {@code rolling{maxSurge=25%, maxUnavailable=0}}. */
  @Override
  public String toString() {
    return "rolling{maxSurge="
        + surge
        + (surgeIsPercent ? "%" : "")
        + ", maxUnavailable="
        + unavailable
        + (unavailableIsPercent ? "%" : "")
        + (analysis == null ? "" : ", analysis=" + String.join(",", analysis.gates()))
        + "}";
  }

  /**
   * Builds a {@link RollingStrategy}. Every option may be set once, in one form. Not thread-safe.
   */
  public static final class Builder {
    private static final String PATH = "rolling";
    private @Nullable Integer maxSurge;
    private boolean surgeIsPercent;
    private @Nullable Integer maxUnavailable;
    private boolean unavailableIsPercent;
    private Step.@Nullable Verify analysis;

    private Builder() {}

    /** At most this many instances above {@code replicas} during the rollout (0 or more). */
    public Builder maxSurge(int count) {
      this.maxSurge =
          Violations.setOnce(describe(maxSurge, surgeIsPercent), count, PATH + ".maxSurge");
      return this;
    }

    /** At most this percentage (0..100, rounded up) of {@code replicas} above {@code replicas}. */
    public Builder maxSurgePercent(int percent) {
      this.maxSurge =
          Violations.setOnce(describe(maxSurge, surgeIsPercent), percent, PATH + ".maxSurge");
      this.surgeIsPercent = true;
      return this;
    }

    /** At most this many instances below {@code replicas} during the rollout (0 or more). */
    public Builder maxUnavailable(int count) {
      this.maxUnavailable =
          Violations.setOnce(
              describe(maxUnavailable, unavailableIsPercent), count, PATH + ".maxUnavailable");
      return this;
    }

    /**
     * At most this percentage (0..100, rounded down) of {@code replicas} below {@code replicas}.
     */
    public Builder maxUnavailablePercent(int percent) {
      this.maxUnavailable =
          Violations.setOnce(
              describe(maxUnavailable, unavailableIsPercent), percent, PATH + ".maxUnavailable");
      this.unavailableIsPercent = true;
      return this;
    }

    /**
     * An analysis after each batch's traffic shift, before the stable release shrinks; foreground
     * only.
     */
    public Builder analysis(Step.Verify verify) {
      Violations.notNull(
          verify, PATH + ".analysis", "build one with Step.Verify.gates(...).build()");
      this.analysis = Violations.setOnce(analysis, verify, PATH + ".analysis");
      return this;
    }

    private static @Nullable String describe(@Nullable Integer value, boolean percent) {
      return value == null ? null : value + (percent ? "%" : "");
    }

    /**
     * Validates every option and builds the strategy.
     *
     * @throws InvalidSpecException listing every violation
     */
    public RollingStrategy build() {
      Violations v = new Violations();
      check(v, maxSurge, surgeIsPercent, PATH + ".maxSurge");
      check(v, maxUnavailable, unavailableIsPercent, PATH + ".maxUnavailable");
      if (maxSurge != null && maxSurge == 0 && maxUnavailable != null && maxUnavailable == 0) {
        v.add(
            PATH + ".maxUnavailable",
            "is 0 and so is rolling.maxSurge, so no batch could ever start",
            "allow a surge (e.g. maxSurge(1)) or some unavailability (e.g. maxUnavailable(1))");
      }
      v.foreground(analysis, PATH + ".analysis");
      v.throwIfAny();
      return new RollingStrategy(this);
    }

    private static void check(Violations v, @Nullable Integer value, boolean percent, String path) {
      if (value == null) {
        return;
      }
      if (percent) {
        v.percent(value, 0, path);
      } else if (value < 0) {
        v.add(path, "is " + value, "use a count of 0 or more, or a percentage");
      }
    }
  }
}
