// SPDX-License-Identifier: Apache-2.0
package io.cutover.api.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.ArtifactRef;
import io.cutover.api.Digest;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PlanTest {
  private static final Release STABLE = release("v1");
  private static final Release TARGET = release("v2");
  private static final String S = STABLE.id();
  private static final String T = TARGET.id();
  private static final List<Step> ROLLBACK =
      List.of(new Step.Route(TrafficSplit.all(S)), new Step.Retire(T));

  private static Release release(String v) {
    return Release.of("checkout", new ArtifactRef("team/checkout", Digest.sha256(v))).withLabel(v);
  }

  private static Plan canary() {
    return Plan.of(
        "canary",
        STABLE,
        TARGET,
        List.of(
            new Step.Launch(T, 1),
            new Step.Route(TrafficSplit.of(S, T, 1_000)),
            Step.Verify.gates("error-rate").count(3).interval(Duration.ofSeconds(30)).build(),
            Step.Pause.untilApproved(),
            new Step.Scale(T, 4),
            new Step.Route(TrafficSplit.all(T)),
            new Step.Drain(S, Duration.ofSeconds(30)),
            new Step.Retire(S)),
        ROLLBACK);
  }

  @Test
  @DisplayName("exposes its releases, stable first, and finds them by id")
  void releases() {
    Plan p = canary();

    assertThat(p.service()).isEqualTo("checkout");
    assertThat(p.strategy()).isEqualTo("canary");
    assertThat(p.releases())
        .containsExactly(java.util.Map.entry(S, STABLE), java.util.Map.entry(T, TARGET));
    assertThat(p.release(S)).isEqualTo(STABLE);
    assertThat(p.release(T)).isEqualTo(TARGET);
    assertThat(p.release("checkout-000000000000")).isNull();
    assertThat(p).isEqualTo(canary()).hasSameHashCodeAs(canary());
    assertThat(Plan.releaseIdsOf(new Step.Route(TrafficSplit.of(S, T, 0)))).containsExactly(S, T);
    assertThat(Plan.releaseIdsOf(Step.Pause.untilApproved())).isEmpty();
  }

  @Test
  @DisplayName("refuses steps and rollback steps naming unknown releases, listing every one")
  void unknownReleases() {
    Release other = release("v3");

    assertThatThrownBy(
            () ->
                Plan.of(
                    "canary",
                    STABLE,
                    TARGET,
                    List.of(
                        new Step.Launch(other.id(), 1),
                        new Step.Route(TrafficSplit.of(S, other.id(), 100)),
                        new Step.Retire(S)),
                    List.of(new Step.Route(TrafficSplit.all(S)), new Step.Retire(other.id()))))
        .isInstanceOfSatisfying(
            InvalidSpecException.class,
            e -> {
              assertThat(e.violations())
                  .extracting(InvalidSpecException.Violation::path)
                  .containsExactly("plan.steps[0]", "plan.steps[1]", "plan.rollback[1]");
              assertThat(e.getMessage())
                  .contains("launch names release '" + other.id() + "'")
                  .contains("use '" + S + "' or '" + T + "'");
            });
    assertThatThrownBy(
            () -> Plan.of("canary", null, TARGET, List.of(new Step.Launch(S, 1)), List.of()))
        .isInstanceOfSatisfying(
            InvalidSpecException.class,
            e -> assertThat(e.getMessage()).contains("use '" + T + "'").doesNotContain("' or '"));
  }

  @Test
  @DisplayName("refuses empty steps, mixed services and a target equal to stable")
  void invalid() {
    Release cart = Release.of("cart", new ArtifactRef("team/cart", Digest.sha256("v1")));

    assertThatThrownBy(() -> Plan.of("x", STABLE, TARGET, List.of(), List.of()))
        .isInstanceOfSatisfying(
            InvalidSpecException.class, e -> assertThat(e.path()).isEqualTo("plan.steps"));
    assertThatThrownBy(() -> Plan.of("x", cart, TARGET, List.of(new Step.Launch(T, 1)), List.of()))
        .isInstanceOfSatisfying(
            InvalidSpecException.class, e -> assertThat(e.path()).isEqualTo("plan.stable.service"));
    assertThatThrownBy(
            () ->
                Plan.of(
                    "x",
                    STABLE,
                    STABLE.withLabel("again"),
                    List.of(new Step.Launch(S, 1)),
                    List.of()))
        .isInstanceOfSatisfying(
            InvalidSpecException.class, e -> assertThat(e.path()).isEqualTo("plan.target"));
  }

  @Test
  @DisplayName(
      "toTable is readable: a header, one aligned row per step with index, kind and detail, then the rollback")
  void table() {
    String table = canary().toTable();

    assertThat(table)
        .isEqualTo(
            String.join(
                "\n",
                "plan canary for checkout",
                "  stable: " + STABLE,
                "  target: " + TARGET,
                "  #         kind    detail",
                "  0         launch  launch 1 x " + T,
                "  1         route   route {" + S + ": 90.00%, " + T + ": 10.00%}",
                "  2         verify  verify error-rate x3 every 30s limits f=0 i=0 e=4",
                "  3         pause   pause until approved",
                "  4         scale   scale " + T + " to 4",
                "  5         route   route {" + T + ": 100.00%}",
                "  6         drain   drain " + S + " for 30s",
                "  7         retire  retire " + S,
                "  rollback# kind    detail",
                "  0         route   route {" + S + ": 100.00%}",
                "  1         retire  retire " + T,
                ""));
    assertThat(canary()).hasToString(table);
    assertThat(
            Plan.of(
                    "recreate",
                    null,
                    TARGET,
                    List.of(new Step.Launch(T, 1)),
                    List.of(new Step.Retire(T)))
                .toTable())
        .contains("  stable: (none: first deployment)\n");
  }

  @Test
  @DisplayName("toTable prints ASCII digits and \\n line ends whatever the default locale")
  void tableIgnoresLocale() {
    String expected = canary().toTable();
    Locale before = Locale.getDefault(Locale.Category.FORMAT);
    try {
      Locale.setDefault(Locale.Category.FORMAT, Locale.forLanguageTag("th-TH-u-nu-thai"));
      assertThat(canary().toTable()).isEqualTo(expected);
    } finally {
      Locale.setDefault(Locale.Category.FORMAT, before);
    }
  }
}
