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
import io.cutover.api.TrafficSplit;
import io.cutover.api.TrafficSplit.MatchRule;
import io.cutover.api.plan.Plan;
import io.cutover.api.plan.Step;
import io.cutover.spi.PlanRequest;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BlueGreenStrategyTest {
  private static final Step.Verify SMOKE = verify("smoke");
  private static final Step.Verify ERRORS = verify("error-rate");
  private static final Step DRAIN = new Step.Drain(S, Duration.ofSeconds(30));

  private static Plan plan(BlueGreenStrategy s, int replicas) {
    Plan p = s.plan(new PlanRequest(STABLE, TARGET, replicas));
    PlanChecks.forward(p, replicas, false);
    PlanChecks.rollbackFromEveryStep(
        p, replicas, PlanChecks.indexOf(p.steps(), Step.Retire.class), false);
    return p;
  }

  @Test
  @DisplayName("defaults: launch green, switch, drain blue for 30s, retire blue")
  void defaults() {
    Plan p = plan(Strategies.blueGreen().build(), 3);

    assertThat(p.strategy()).isEqualTo("blue-green");
    assertThat(p.steps())
        .containsExactly(new Step.Launch(T, 3), routeAll(T), DRAIN, new Step.Retire(S));
    assertThat(p.rollbackSteps()).containsExactly(routeAll(S), new Step.Retire(T));
  }

  @Test
  @DisplayName(
      "every option: preview rule at 0 %, pre analysis, approval, scale-up from preview, switch, post analysis")
  void everyOption() {
    BlueGreenStrategy s =
        Strategies.blueGreen()
            .previewHeader("x-cutover-preview", "true")
            .previewReplicas(1)
            .prePromotionAnalysis(SMOKE)
            .autoPromotion(false)
            .postPromotionAnalysis(ERRORS)
            .scaleDownDelay(Duration.ofMinutes(2))
            .build();

    Plan p = plan(s, 4);

    TrafficSplit preview =
        TrafficSplit.builder()
            .weight(S, 10_000)
            .weight(T, 0)
            .rule(new MatchRule(MatchRule.Kind.HEADER, "x-cutover-preview", "true", T))
            .build();
    assertThat(p.steps())
        .containsExactly(
            new Step.Launch(T, 1),
            new Step.Route(preview),
            SMOKE,
            Step.Pause.untilApproved(),
            new Step.Scale(T, 4),
            routeAll(T),
            ERRORS,
            new Step.Drain(S, Duration.ofMinutes(2)),
            new Step.Retire(S));
    assertThat(s)
        .hasToString(
            "blue-green{preview=header x-cutover-preview=true, previewReplicas=1, "
                + "prePromotionAnalysis=smoke, autoPromotion=false, postPromotionAnalysis=error-rate, scaleDownDelay=2m}");
  }

  @Test
  @DisplayName(
      "auto-promotion delay is a timed pause; preview replicas at or above full scale launch full scale")
  void autoPromotionDelay() {
    BlueGreenStrategy s =
        Strategies.blueGreen()
            .previewCookie("canary", "yes")
            .previewReplicas(5)
            .autoPromotionDelay(Duration.ofMinutes(10))
            .build();

    TrafficSplit preview =
        TrafficSplit.builder()
            .weight(S, 10_000)
            .weight(T, 0)
            .rule(new MatchRule(MatchRule.Kind.COOKIE, "canary", "yes", T))
            .build();
    assertThat(plan(s, 5).steps())
        .containsExactly(
            new Step.Launch(T, 5),
            new Step.Route(preview),
            Step.Pause.of(Duration.ofMinutes(10)),
            routeAll(T),
            DRAIN,
            new Step.Retire(S));
  }

  @Test
  @DisplayName(
      "a first deployment keeps the analyses around the switch and drops preview and approval")
  void firstDeployment() {
    BlueGreenStrategy s =
        Strategies.blueGreen()
            .previewHeader("x-preview", "1")
            .previewReplicas(1)
            .prePromotionAnalysis(SMOKE)
            .autoPromotion(false)
            .postPromotionAnalysis(ERRORS)
            .build();

    Plan p = s.plan(new PlanRequest(null, TARGET, 2));

    assertThat(p.steps()).containsExactly(new Step.Launch(T, 2), SMOKE, routeAll(T), ERRORS);
    assertThat(p.rollbackSteps()).containsExactly(new Step.Retire(T));
  }

  @Test
  @DisplayName("lists every violation")
  void validation() {
    assertThatThrownBy(
            () ->
                Strategies.blueGreen()
                    .previewHeader(" ", "true")
                    .previewReplicas(0)
                    .prePromotionAnalysis(background("a"))
                    .postPromotionAnalysis(background("b"))
                    .autoPromotion(false)
                    .autoPromotionDelay(Duration.ZERO)
                    .scaleDownDelay(Duration.ofSeconds(-1))
                    .build())
        .isInstanceOfSatisfying(
            InvalidSpecException.class,
            e ->
                assertThat(e.violations())
                    .extracting(InvalidSpecException.Violation::path)
                    .containsExactly(
                        "blueGreen.preview.name",
                        "blueGreen.previewReplicas",
                        "blueGreen.prePromotionAnalysis.background",
                        "blueGreen.postPromotionAnalysis.background",
                        "blueGreen.autoPromotionDelay",
                        "blueGreen.autoPromotionDelay",
                        "blueGreen.scaleDownDelay"));
    assertThatThrownBy(() -> Strategies.blueGreen().previewHeader("a", "1").previewCookie("b", "2"))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("blueGreen.preview: was already set");
    assertThatThrownBy(() -> Strategies.blueGreen().autoPromotion(true).autoPromotion(false))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("blueGreen.autoPromotion");
  }
}
