// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.strategy;

import static io.cutover.core.strategy.PlanChecks.S;
import static io.cutover.core.strategy.PlanChecks.STABLE;
import static io.cutover.core.strategy.PlanChecks.T;
import static io.cutover.core.strategy.PlanChecks.TARGET;
import static io.cutover.core.strategy.PlanChecks.background;
import static io.cutover.core.strategy.PlanChecks.routeAll;
import static io.cutover.core.strategy.PlanChecks.verify;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.plan.Plan;
import io.cutover.api.plan.Step;
import io.cutover.spi.PlanRequest;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RecreateStrategyTest {
  private static final Step.Verify SMOKE = verify("smoke");

  @Test
  @DisplayName(
      "routes away from stable, retires it, launches the target, analyses; rollback relaunches stable first")
  void plan() {
    Plan p = Strategies.recreate().analysis(SMOKE).build().plan(new PlanRequest(STABLE, TARGET, 3));

    assertThat(p.strategy()).isEqualTo("recreate");
    assertThat(p.steps())
        .containsExactly(routeAll(T), new Step.Retire(S), new Step.Launch(T, 3), SMOKE);
    assertThat(p.rollbackSteps())
        .containsExactly(new Step.Scale(S, 3), routeAll(S), new Step.Retire(T));
    PlanChecks.forward(p, 3, true);
    PlanChecks.rollbackFromEveryStep(p, 3, p.steps().size(), true);
  }

  @Test
  @DisplayName("the downtime is real: the simulator refuses the plan when downtime is not allowed")
  void downtimeIsInherent() {
    Plan p = Strategies.recreate().build().plan(new PlanRequest(STABLE, TARGET, 2));

    assertThatThrownBy(() -> PlanChecks.forward(p, 2, false))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("has weight 10000 but no instance");
  }

  @Test
  @DisplayName("a first deployment launches, routes and analyses; its rollback retires the target")
  void firstDeployment() {
    Plan p = Strategies.recreate().analysis(SMOKE).build().plan(new PlanRequest(null, TARGET, 1));

    assertThat(p.steps()).containsExactly(new Step.Launch(T, 1), routeAll(T), SMOKE);
    assertThat(p.rollbackSteps()).containsExactly(new Step.Retire(T));
  }

  @Test
  @DisplayName("refuses a background analysis and a second analysis")
  void validation() {
    assertThatThrownBy(() -> Strategies.recreate().analysis(background("x")).build())
        .isInstanceOfSatisfying(
            InvalidSpecException.class,
            e -> assertThat(e.path()).isEqualTo("recreate.analysis.background"));
    assertThatThrownBy(() -> Strategies.recreate().analysis(SMOKE).analysis(SMOKE))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("recreate.analysis: was already set");
  }
}
