// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.strategy;

import static io.cutover.core.strategy.PlanChecks.S;
import static io.cutover.core.strategy.PlanChecks.STABLE;
import static io.cutover.core.strategy.PlanChecks.T;
import static io.cutover.core.strategy.PlanChecks.TARGET;
import static io.cutover.core.strategy.PlanChecks.background;
import static io.cutover.core.strategy.PlanChecks.route;
import static io.cutover.core.strategy.PlanChecks.routeAll;
import static io.cutover.core.strategy.PlanChecks.routeBasisPoints;
import static io.cutover.core.strategy.PlanChecks.verify;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.plan.Plan;
import io.cutover.api.plan.Step;
import io.cutover.spi.PlanRequest;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RollingStrategyTest {
  private static final Step.Verify ERRORS = verify("error-rate");

  private static Plan plan(RollingStrategy s, int replicas) {
    return plan(s, replicas, false);
  }

  private static Plan plan(RollingStrategy s, int replicas, boolean allowDowntime) {
    Plan p = s.plan(new PlanRequest(STABLE, TARGET, replicas));
    PlanChecks.forward(p, replicas, allowDowntime);
    PlanChecks.rollbackFromEveryStep(p, replicas, p.steps().size(), false);
    return p;
  }

  @Test
  @DisplayName(
      "maxSurge 1, maxUnavailable 0: one extra instance at a time, analysis before the stable shrinks")
  void surgeOnly() {
    RollingStrategy s = Strategies.rolling().maxSurge(1).maxUnavailable(0).analysis(ERRORS).build();

    Plan p = plan(s, 3);

    assertThat(p.strategy()).isEqualTo("rolling");
    assertThat(p.steps())
        .containsExactly(
            new Step.Launch(T, 1),
            routeBasisPoints(3333),
            ERRORS,
            new Step.Scale(S, 2),
            new Step.Scale(T, 2),
            routeBasisPoints(6667),
            ERRORS,
            new Step.Scale(S, 1),
            new Step.Scale(T, 3),
            routeAll(T),
            ERRORS,
            new Step.Retire(S));
    assertThat(p.rollbackSteps())
        .containsExactly(routeAll(S), new Step.Scale(S, 3), new Step.Retire(T));
  }

  @Test
  @DisplayName(
      "maxSurge 0, maxUnavailable 1: the stable shrinks first, then each batch replaces one instance")
  void unavailableOnly() {
    assertThat(plan(Strategies.rolling().maxSurge(0).maxUnavailable(1).build(), 3).steps())
        .containsExactly(
            new Step.Scale(S, 2),
            new Step.Launch(T, 1),
            route(50),
            new Step.Scale(S, 1),
            new Step.Scale(T, 2),
            routeAll(T),
            new Step.Retire(S),
            new Step.Scale(T, 3));
  }

  @Test
  @DisplayName(
      "defaults 25 %/25 % of 10: surge rounds up to 3, unavailable down to 2; weights follow the batch's counts")
  void defaultPercentages() {
    Plan p = plan(Strategies.rolling().build(), 10);

    assertThat(p.steps())
        .containsExactly(
            new Step.Launch(T, 3),
            routeBasisPoints(3750),
            new Step.Scale(S, 5),
            new Step.Scale(T, 8),
            routeAll(T),
            new Step.Retire(S),
            new Step.Scale(T, 10));
  }

  @Test
  @DisplayName(
      "percentages that both round to 0 still progress, one unavailable instance at a time (Kubernetes)")
  void fencepost() {
    assertThat(
            plan(Strategies.rolling().maxSurgePercent(0).maxUnavailablePercent(10).build(), 2)
                .steps())
        .containsExactly(
            new Step.Scale(S, 1),
            new Step.Launch(T, 1),
            routeAll(T),
            new Step.Retire(S),
            new Step.Scale(T, 2));
  }

  @Test
  @DisplayName(
      "never more than replicas + surge instances, never fewer than replicas - unavailable ready")
  void bounds() {
    int[][] options = {{1, 0}, {0, 1}, {2, 1}, {5, 5}, {0, 3}, {100, 0}};
    for (int[] o : options) {
      RollingStrategy s =
          Strategies.rolling().maxSurge(o[0]).maxUnavailable(o[1]).analysis(ERRORS).build();
      for (int replicas : new int[] {1, 2, 5, 9, 31}) {
        int maxUnavailable = Math.min(replicas, o[1] == 0 && o[0] == 0 ? 1 : o[1]);
        // Allowing every instance to be unavailable is asking for recreate's downtime.
        boolean downtime = maxUnavailable == replicas;
        Plan p = plan(s, replicas, downtime);
        PlanChecks.World w = new PlanChecks.World(STABLE, replicas, downtime);
        for (Step step : p.steps()) {
          w.apply(step, step.describe());
          int total = w.count(S) + w.count(T);
          assertThat(total)
              .as("%s with %s: instances after %s", s, replicas, step.describe())
              .isLessThanOrEqualTo(replicas + o[0])
              .isGreaterThanOrEqualTo(replicas - maxUnavailable);
        }
      }
    }
  }

  @Test
  @DisplayName("maxUnavailable of every instance and no surge degenerates into recreate")
  void allUnavailable() {
    Plan p = plan(Strategies.rolling().maxSurge(0).maxUnavailablePercent(100).build(), 4, true);

    assertThat(p.steps()).containsExactly(routeAll(T), new Step.Retire(S), new Step.Launch(T, 4));
  }

  @Test
  @DisplayName("a first deployment launches at full scale, routes 100 % and runs the analysis once")
  void firstDeployment() {
    Plan p = Strategies.rolling().analysis(ERRORS).build().plan(new PlanRequest(null, TARGET, 4));

    assertThat(p.steps()).containsExactly(new Step.Launch(T, 4), routeAll(T), ERRORS);
    assertThat(p.rollbackSteps()).containsExactly(new Step.Retire(T));
  }

  @Test
  @DisplayName(
      "lists every violation; surge and unavailable may not both be zero; one form per option")
  void validation() {
    assertThatThrownBy(
            () ->
                Strategies.rolling()
                    .maxSurgePercent(101)
                    .maxUnavailable(-1)
                    .analysis(background("x"))
                    .build())
        .isInstanceOfSatisfying(
            InvalidSpecException.class,
            e ->
                assertThat(e.violations())
                    .extracting(InvalidSpecException.Violation::path)
                    .containsExactly(
                        "rolling.maxSurge",
                        "rolling.maxUnavailable",
                        "rolling.analysis.background"));
    assertThatThrownBy(() -> Strategies.rolling().maxSurge(0).maxUnavailablePercent(0).build())
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("rolling.maxUnavailable: is 0 and so is rolling.maxSurge");
    assertThatThrownBy(() -> Strategies.rolling().maxSurge(1).maxSurgePercent(10))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("rolling.maxSurge: was already set to 1");
  }
}
