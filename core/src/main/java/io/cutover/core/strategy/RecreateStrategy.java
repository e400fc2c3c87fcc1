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
 * Stops the stable release before the target starts, for services that cannot run two versions at
 * once (an exclusive lock, a singleton consumer, an incompatible schema). Downtime is inherent:
 * from the first step until the target is ready, requests find no instance.
 *
 * <p><b>Plan.</b> Route 100 % to the target (so the stable release is at 0 % before it stops),
 * retire the stable release, launch the target at {@code replicas}, run the analysis (if any). The
 * rollback cannot route back first, since the stable release no longer runs: it relaunches the
 * stable release at {@code replicas}, routes 100 % to it, then retires the target. A first
 * deployment launches, routes, and runs the analysis.
 *
 * <p><b>Threading.</b> Immutable and thread-safe; the builder is not.
 *
 * <p><b>Errors.</b> {@link Builder#build()} throws {@link InvalidSpecException} if the analysis is
 * a background one ({@code recreate.analysis.background}).
 */
public final class RecreateStrategy implements RolloutStrategy {
  private final Step.@Nullable Verify analysis;

  private RecreateStrategy(Step.@Nullable Verify analysis) {
    this.analysis = analysis;
  }

  /** An empty builder: no analysis. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return "recreate";
  }

  @Override
  public Plan plan(PlanRequest request) {
    Release target = request.target();
    Release stable = request.stable();
    if (stable == null) {
      return Plans.firstDeployment(name(), request, List.of(), Plans.optional(analysis));
    }
    List<Step> steps = new ArrayList<>();
    steps.add(new Step.Route(TrafficSplit.all(target.id())));
    steps.add(new Step.Retire(stable.id()));
    steps.add(new Step.Launch(target.id(), request.replicas()));
    steps.addAll(Plans.optional(analysis));
    List<Step> rollback =
        List.of(
            new Step.Scale(stable.id(), request.replicas()),
            new Step.Route(TrafficSplit.all(stable.id())),
            new Step.Retire(target.id()));
    return Plan.of(name(), stable, target, steps, rollback);
  }

  /** The options, e.g. {@code recreate{analysis=smoke}}. */
  @Override
  public String toString() {
    return "recreate{"
        + (analysis == null ? "" : "analysis=" + String.join(",", analysis.gates()))
        + "}";
  }

  /** Builds a {@link RecreateStrategy}. Not thread-safe. */
  public static final class Builder {
    private static final String PATH = "recreate";
    private Step.@Nullable Verify analysis;

    private Builder() {}

    /** An analysis once the target is up; foreground only. */
    public Builder analysis(Step.Verify verify) {
      Violations.notNull(
          verify, PATH + ".analysis", "build one with Step.Verify.gates(...).build()");
      this.analysis = Violations.setOnce(analysis, verify, PATH + ".analysis");
      return this;
    }

    /**
     * Validates and builds the strategy.
     *
     * @throws InvalidSpecException if the analysis is a background one
     */
    public RecreateStrategy build() {
      new Violations().foreground(analysis, PATH + ".analysis").throwIfAny();
      return new RecreateStrategy(analysis);
    }
  }
}
