// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.strategy.internal;

import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.api.plan.Plan;
import io.cutover.api.plan.Step;
import io.cutover.spi.PlanRequest;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** The plan shapes every built-in strategy shares: first deployments and rollback step lists. */
public final class Plans {
  private Plans() {}

  /**
   * A first deployment ({@code stable == null}): nothing serves yet, so there is nobody to protect
   * by shifting gradually. The target is launched at full scale and takes all traffic; the analyses
   * the options contain still run, pauses do not.
   *
   * @param beforeRoute analyses that run before traffic arrives (pre-promotion, background)
   * @param afterRoute analyses that run once the target serves
   */
  public static Plan firstDeployment(
      String strategy,
      PlanRequest request,
      List<Step.Verify> beforeRoute,
      List<Step.Verify> afterRoute) {
    Release target = request.target();
    List<Step> steps = new ArrayList<>();
    steps.add(new Step.Launch(target.id(), request.replicas()));
    steps.addAll(beforeRoute);
    steps.add(new Step.Route(TrafficSplit.all(target.id())));
    steps.addAll(afterRoute);
    return Plan.of(strategy, null, target, steps, List.of(new Step.Retire(target.id())));
  }

  /**
   * The rollback of a plan whose stable release keeps running instances throughout: traffic back to
   * 100 % stable first, then (when the plan shrinks the stable release) its full capacity back,
   * then the target retired.
   */
  public static List<Step> routeBackFirst(
      Release stable, Release target, int replicas, boolean restoreCapacity) {
    List<Step> steps = new ArrayList<>();
    steps.add(new Step.Route(TrafficSplit.all(stable.id())));
    if (restoreCapacity) {
      steps.add(new Step.Scale(stable.id(), replicas));
    }
    steps.add(new Step.Retire(target.id()));
    return steps;
  }

  /** An optional analysis as a list of zero or one steps. */
  public static List<Step.Verify> optional(Step.@Nullable Verify verify) {
    return verify == null ? List.of() : List.of(verify);
  }

  /** {@code ceil(total * percent / 100)}: Kubernetes' round-up, exact in integers. */
  public static int ceilPercent(int total, int percent) {
    return (int) ((total * (long) percent + 99) / 100);
  }

  /** {@code floor(total * percent / 100)}: Kubernetes' round-down. */
  public static int floorPercent(int total, int percent) {
    return (int) (total * (long) percent / 100);
  }
}
