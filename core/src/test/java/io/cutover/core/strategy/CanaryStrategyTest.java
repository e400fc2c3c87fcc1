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
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class CanaryStrategyTest {
  private static final Duration FIVE_MIN = Duration.ofMinutes(5);
  private static final Step.Verify ERRORS = verify("error-rate");

  private static Plan plan(CanaryStrategy s, int replicas) {
    Plan p = s.plan(new PlanRequest(STABLE, TARGET, replicas));
    PlanChecks.forward(p, replicas, false);
    PlanChecks.rollbackFromEveryStep(
        p, replicas, PlanChecks.indexOf(p.steps(), Step.Retire.class), false);
    return p;
  }

  @Nested
  @DisplayName("with a stable release")
  class Plans {
    @Test
    @DisplayName(
        "canary instances follow the weight, scaled before each increase; stable drains and retires at the end")
    void representativeStepList() {
      CanaryStrategy s =
          Strategies.canary()
              .setWeight(10)
              .pause(FIVE_MIN)
              .setWeight(50)
              .analysis(ERRORS)
              .pause()
              .build();

      Plan p = plan(s, 4);

      assertThat(p.strategy()).isEqualTo("canary");
      assertThat(p.steps())
          .containsExactly(
              new Step.Launch(T, 1),
              route(10),
              Step.Pause.of(FIVE_MIN),
              new Step.Scale(T, 2),
              route(50),
              ERRORS,
              Step.Pause.untilApproved(),
              new Step.Scale(T, 4),
              routeAll(T),
              new Step.Drain(S, Duration.ofSeconds(30)),
              new Step.Retire(S));
      assertThat(p.rollbackSteps()).containsExactly(routeAll(S), new Step.Retire(T));
    }

    @Test
    @DisplayName(
        "setCanaryScale fixes the count until matchTrafficWeight hands it back to the weight")
    void canaryScaleModes() {
      CanaryStrategy s =
          Strategies.canary()
              .setCanaryScaleReplicas(3)
              .setWeight(20)
              .setCanaryScaleMatchTrafficWeight()
              .setWeight(50)
              .setCanaryScalePercent(70)
              .analysis(ERRORS)
              .build();

      assertThat(plan(s, 10).steps())
          .containsExactly(
              new Step.Launch(T, 3),
              route(20),
              new Step.Scale(T, 2),
              new Step.Scale(T, 5),
              route(50),
              new Step.Scale(T, 7),
              ERRORS,
              new Step.Scale(T, 10),
              routeAll(T),
              new Step.Drain(S, Duration.ofSeconds(30)),
              new Step.Retire(S));
    }

    @Test
    @DisplayName("canary counts round up, never drop below 1 and never exceed the full scale")
    void countsAreClamped() {
      CanaryStrategy s =
          Strategies.canary()
              .setWeight(0)
              .setWeight(1)
              .setCanaryScaleReplicas(9)
              .setWeight(30)
              .setCanaryScalePercent(50)
              .scaleDownDelay(Duration.ZERO)
              .build();

      assertThat(plan(s, 3).steps())
          .containsExactly(
              new Step.Launch(T, 1),
              route(0),
              route(1),
              new Step.Scale(T, 3),
              route(30),
              new Step.Scale(T, 2),
              new Step.Scale(T, 3),
              routeAll(T),
              new Step.Drain(S, Duration.ZERO),
              new Step.Retire(S));
    }

    @Test
    @DisplayName("a pause before the first weight waits before anything is launched")
    void pauseFirst() {
      CanaryStrategy s = Strategies.canary().pause().setWeight(25).build();

      assertThat(plan(s, 2).steps())
          .containsExactly(
              Step.Pause.untilApproved(),
              new Step.Launch(T, 1),
              route(25),
              new Step.Scale(T, 2),
              routeAll(T),
              new Step.Drain(S, Duration.ofSeconds(30)),
              new Step.Retire(S));
    }

    @Test
    @DisplayName(
        "setWeight 100 then promotion: the final route drops the stable release from the split")
    void weightHundred() {
      CanaryStrategy s = Strategies.canary().setWeight(100).pause(FIVE_MIN).build();

      assertThat(plan(s, 2).steps())
          .containsExactly(
              new Step.Launch(T, 2),
              route(100),
              Step.Pause.of(FIVE_MIN),
              routeAll(T),
              new Step.Drain(S, Duration.ofSeconds(30)),
              new Step.Retire(S));
    }

    @Test
    @DisplayName(
        "an analysis-only step list is a dark launch: one canary instance, no traffic, then promotion")
    void darkLaunch() {
      CanaryStrategy s = Strategies.canary().analysis(ERRORS).build();

      assertThat(plan(s, 3).steps())
          .containsExactly(
              new Step.Launch(T, 1),
              ERRORS,
              new Step.Scale(T, 3),
              routeAll(T),
              new Step.Drain(S, Duration.ofSeconds(30)),
              new Step.Retire(S));
      assertThat(plan(s, 1).steps())
          .containsExactly(
              new Step.Launch(T, 1),
              ERRORS,
              routeAll(T),
              new Step.Drain(S, Duration.ofSeconds(30)),
              new Step.Retire(S));
    }

    @Test
    @DisplayName(
        "the background analysis starts before its starting step, launching the canary if needed")
    void backgroundAnalysis() {
      Step.Verify bg = background("latency");
      CanaryStrategy atStart =
          Strategies.canary().setWeight(20).pause(FIVE_MIN).backgroundAnalysis(bg).build();
      CanaryStrategy later =
          Strategies.canary()
              .setWeight(20)
              .pause(FIVE_MIN)
              .setWeight(40)
              .backgroundAnalysis(bg, 2)
              .build();

      assertThat(plan(atStart, 10).steps())
          .containsExactly(
              new Step.Launch(T, 1),
              bg,
              new Step.Scale(T, 2),
              route(20),
              Step.Pause.of(FIVE_MIN),
              new Step.Scale(T, 10),
              routeAll(T),
              new Step.Drain(S, Duration.ofSeconds(30)),
              new Step.Retire(S));
      assertThat(plan(later, 10).steps())
          .containsExactly(
              new Step.Launch(T, 2),
              route(20),
              Step.Pause.of(FIVE_MIN),
              bg,
              new Step.Scale(T, 4),
              route(40),
              new Step.Scale(T, 10),
              routeAll(T),
              new Step.Drain(S, Duration.ofSeconds(30)),
              new Step.Retire(S));
    }

    @Test
    @DisplayName(
        "a strategy is a pure function: equal requests give equal plans, and it serves many requests")
    void pure() {
      CanaryStrategy s = Strategies.canary().setWeight(10).analysis(ERRORS).build();

      assertThat(s.plan(new PlanRequest(STABLE, TARGET, 4)))
          .isEqualTo(s.plan(new PlanRequest(STABLE, TARGET, 4)));
      assertThat(s.plan(new PlanRequest(STABLE, TARGET, 40)).steps())
          .startsWith(new Step.Launch(T, 4));
      assertThat(s).hasToString("canary[setWeight 10, analysis error-rate], scaleDownDelay 30s");
    }
  }

  @Test
  @DisplayName(
      "a first deployment launches at full scale, starts the background analysis, routes 100 %, runs inline analyses")
  void firstDeployment() {
    Step.Verify bg = background("latency");
    Step.Verify smoke = verify("smoke");
    CanaryStrategy s =
        Strategies.canary()
            .setWeight(10)
            .analysis(ERRORS)
            .pause()
            .setWeight(50)
            .analysis(smoke)
            .backgroundAnalysis(bg, 1)
            .build();

    Plan p = s.plan(new PlanRequest(null, TARGET, 3));

    assertThat(p.stable()).isNull();
    assertThat(p.steps()).containsExactly(new Step.Launch(T, 3), bg, routeAll(T), ERRORS, smoke);
    assertThat(p.rollbackSteps()).containsExactly(new Step.Retire(T));
    PlanChecks.forward(p, 3, false);
  }

  @Nested
  @DisplayName("validation")
  class Validation {
    @Test
    @DisplayName("lists every violation with its path")
    void everyViolation() {
      CanaryStrategy.Builder b =
          Strategies.canary()
              .setWeight(120) // 0
              .setWeight(30) // 1
              .setWeight(20) // 2: decreasing
              .pause(Duration.ZERO) // 3
              .analysis(background("latency")) // 4: background inline
              .setCanaryScaleReplicas(0) // 5
              .setCanaryScalePercent(150) // 6
              .backgroundAnalysis(ERRORS, 9)
              .scaleDownDelay(Duration.ofSeconds(-1));

      assertThatThrownBy(b::build)
          .isInstanceOfSatisfying(
              InvalidSpecException.class,
              e ->
                  assertThat(e.violations())
                      .extracting(InvalidSpecException.Violation::path)
                      .containsExactly(
                          "canary.steps[0].setWeight",
                          "canary.steps[2].setWeight",
                          "canary.steps[3].pause",
                          "canary.steps[4].analysis.background",
                          "canary.steps[5].setCanaryScale.replicas",
                          "canary.steps[6].setCanaryScale.percent",
                          "canary.backgroundAnalysis.background",
                          "canary.backgroundAnalysis.startingStep",
                          "canary.scaleDownDelay"))
          .hasMessageContaining("9 problems")
          .hasMessageContaining("canary.steps[2].setWeight: is 20, below 30 set at steps[1]")
          .hasMessageContaining("fix: keep weights non-decreasing");
    }

    @Test
    @DisplayName("refuses an empty step list, and one that would promote the target unseen")
    void noExposure() {
      assertThatThrownBy(() -> Strategies.canary().build())
          .isInstanceOfSatisfying(
              InvalidSpecException.class,
              e -> {
                assertThat(e.path()).isEqualTo("canary.steps");
                assertThat(e.violations().get(0).problem()).isEqualTo("is empty");
              });
      assertThatThrownBy(
              () -> Strategies.canary().pause().setCanaryScaleReplicas(2).pause(FIVE_MIN).build())
          .isInstanceOfSatisfying(
              InvalidSpecException.class,
              e -> {
                assertThat(e.path()).isEqualTo("canary.steps");
                assertThat(e.getMessage())
                    .contains("no setWeight and no analysis")
                    .contains("blueGreen() or recreate()");
              });
    }

    @Test
    @DisplayName("a background analysis alone is exposure enough")
    void backgroundIsExposure() {
      Step.Verify bg = background("latency");
      CanaryStrategy s = Strategies.canary().pause().backgroundAnalysis(bg).build();

      assertThat(plan(s, 2).steps())
          .containsExactly(
              new Step.Launch(T, 1),
              bg,
              Step.Pause.untilApproved(),
              new Step.Scale(T, 2),
              routeAll(T),
              new Step.Drain(S, Duration.ofSeconds(30)),
              new Step.Retire(S));
    }

    @Test
    @DisplayName("an option set twice, or a null argument, fails at once naming the option")
    void setTwiceAndNulls() {
      CanaryStrategy.Builder b =
          Strategies.canary().setWeight(5).scaleDownDelay(Duration.ofMinutes(1));

      assertThatThrownBy(() -> b.scaleDownDelay(Duration.ofMinutes(2)))
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("canary.scaleDownDelay: was already set to PT1M");
      assertThatThrownBy(
              () -> b.backgroundAnalysis(background("a")).backgroundAnalysis(background("b")))
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("canary.backgroundAnalysis");
      assertThatThrownBy(() -> b.pause(null))
          .isInstanceOfSatisfying(
              InvalidSpecException.class,
              e -> assertThat(e.path()).isEqualTo("canary.steps[1].pause"));
      assertThatThrownBy(() -> b.analysis(null))
          .isInstanceOfSatisfying(
              InvalidSpecException.class,
              e -> assertThat(e.path()).isEqualTo("canary.steps[1].analysis"));
    }
  }

  @Test
  @DisplayName("every plan of many step lists keeps the invariants")
  void invariantsAcrossShapes() {
    List<CanaryStrategy> shapes =
        List.of(
            Strategies.canary().setWeight(5).setWeight(5).setWeight(100).build(),
            Strategies.canary().setCanaryScalePercent(100).setWeight(1).pause().build(),
            Strategies.canary()
                .analysis(ERRORS)
                .setWeight(0)
                .analysis(ERRORS)
                .setWeight(33)
                .setWeight(66)
                .build());
    for (CanaryStrategy s : shapes) {
      for (int replicas : new int[] {1, 2, 3, 7, 100}) {
        plan(s, replicas);
      }
    }
  }
}
