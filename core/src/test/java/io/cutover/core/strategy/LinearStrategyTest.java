// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.strategy;

import static io.cutover.core.strategy.PlanChecks.S;
import static io.cutover.core.strategy.PlanChecks.STABLE;
import static io.cutover.core.strategy.PlanChecks.T;
import static io.cutover.core.strategy.PlanChecks.TARGET;
import static io.cutover.core.strategy.PlanChecks.background;
import static io.cutover.core.strategy.PlanChecks.route;
import static io.cutover.core.strategy.PlanChecks.routeAll;
import static io.cutover.core.strategy.PlanChecks.verify;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.plan.Plan;
import io.cutover.api.plan.Step;
import io.cutover.spi.PlanRequest;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LinearStrategyTest {
  private static final Duration MIN = Duration.ofMinutes(1);
  private static final Step.Verify ERRORS = verify("error-rate");
  private static final Step DRAIN = new Step.Drain(S, Duration.ofSeconds(30));

  private static Plan plan(LinearStrategy s, int replicas) {
    Plan p = s.plan(new PlanRequest(STABLE, TARGET, replicas));
    PlanChecks.forward(p, replicas, false);
    PlanChecks.rollbackFromEveryStep(
        p, replicas, PlanChecks.indexOf(p.steps(), Step.Retire.class), false);
    return p;
  }

  @Test
  @DisplayName(
      "stepWeight 25 gives 25, 50, 75, 100 with analysis then interval after each, none after 100 %")
  void stepWeight() {
    LinearStrategy s = Strategies.linear().stepWeight(25).interval(MIN).analysis(ERRORS).build();

    Plan p = plan(s, 4);

    assertThat(p.strategy()).isEqualTo("linear");
    assertThat(p.steps())
        .containsExactly(
            new Step.Launch(T, 1),
            route(25),
            ERRORS,
            Step.Pause.of(MIN),
            new Step.Scale(T, 2),
            route(50),
            ERRORS,
            Step.Pause.of(MIN),
            new Step.Scale(T, 3),
            route(75),
            ERRORS,
            Step.Pause.of(MIN),
            new Step.Scale(T, 4),
            route(100),
            ERRORS,
            routeAll(T),
            DRAIN,
            new Step.Retire(S));
    assertThat(p.rollbackSteps()).containsExactly(routeAll(S), new Step.Retire(T));
  }

  @Test
  @DisplayName(
      "a stepWeight that does not divide maxWeight ends with maxWeight, then promotion jumps to 100 %")
  void uneven() {
    LinearStrategy s = Strategies.linear().stepWeight(30).maxWeight(70).interval(MIN).build();

    assertThat(plan(s, 10).steps())
        .containsExactly(
            new Step.Launch(T, 3),
            route(30),
            Step.Pause.of(MIN),
            new Step.Scale(T, 6),
            route(60),
            Step.Pause.of(MIN),
            new Step.Scale(T, 7),
            route(70),
            Step.Pause.of(MIN),
            new Step.Scale(T, 10),
            routeAll(T),
            DRAIN,
            new Step.Retire(S));
  }

  @Test
  @DisplayName("explicit weights, analysis only, background analysis from the first increment")
  void explicitWeights() {
    Step.Verify bg = background("latency");
    LinearStrategy s =
        Strategies.linear()
            .weights(5, 50)
            .analysis(ERRORS)
            .backgroundAnalysis(bg)
            .scaleDownDelay(Duration.ofMinutes(10))
            .build();

    assertThat(plan(s, 2).steps())
        .containsExactly(
            new Step.Launch(T, 1),
            bg,
            route(5),
            ERRORS,
            route(50),
            ERRORS,
            new Step.Scale(T, 2),
            routeAll(T),
            new Step.Drain(S, Duration.ofMinutes(10)),
            new Step.Retire(S));
  }

  @Test
  @DisplayName("a first deployment runs the analysis once")
  void firstDeployment() {
    LinearStrategy s = Strategies.linear().stepWeight(10).interval(MIN).analysis(ERRORS).build();

    Plan p = s.plan(new PlanRequest(null, TARGET, 3));

    assertThat(p.steps()).containsExactly(new Step.Launch(T, 3), routeAll(T), ERRORS);
    assertThat(p.rollbackSteps()).containsExactly(new Step.Retire(T));
  }

  @Test
  @DisplayName("lists every violation: both weight forms, bad weights, no interval nor analysis")
  void validation() {
    assertThatThrownBy(
            () ->
                Strategies.linear()
                    .stepWeight(10)
                    .maxWeight(50)
                    .weights(0, 40, 40, 101)
                    .analysis(background("x"))
                    .scaleDownDelay(Duration.ofSeconds(-5))
                    .build())
        .isInstanceOfSatisfying(
            InvalidSpecException.class,
            e ->
                assertThat(e.violations())
                    .extracting(InvalidSpecException.Violation::path)
                    .containsExactly(
                        "linear.stepWeight",
                        "linear.maxWeight",
                        "linear.weights[0]",
                        "linear.weights[2]",
                        "linear.weights[3]",
                        "linear.analysis.background",
                        "linear.scaleDownDelay"));
    assertThatThrownBy(() -> Strategies.linear().stepWeight(50).maxWeight(20).build())
        .isInstanceOfSatisfying(
            InvalidSpecException.class,
            e ->
                assertThat(e.violations())
                    .extracting(InvalidSpecException.Violation::path)
                    .containsExactly("linear.maxWeight", "linear.interval"));
    assertThatThrownBy(() -> Strategies.linear().interval(Duration.ZERO).build())
        .isInstanceOfSatisfying(
            InvalidSpecException.class,
            e ->
                assertThat(e.violations())
                    .extracting(InvalidSpecException.Violation::path)
                    .containsExactly("linear.stepWeight", "linear.interval"));
    assertThatThrownBy(() -> Strategies.linear().weights(10).weights(20))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("linear.weights: was already set to [10]");
  }
}
