// SPDX-License-Identifier: Apache-2.0
package io.cutover.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.TrafficSplit.MatchRule;
import io.cutover.api.TrafficSplit.Mirror;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TrafficSplitTest {
  private static final MatchRule PREVIEW =
      new MatchRule(MatchRule.Kind.HEADER, "x-preview", "true", "b");

  @Test
  @DisplayName("factories give weights in basis points, keeping zero-weight releases")
  void factories() {
    TrafficSplit all = TrafficSplit.all("a");
    TrafficSplit canary = TrafficSplit.of("a", "b", 250);

    assertThat(all.weights()).containsExactly(Map.entry("a", 10_000));
    assertThat(canary.weights()).containsExactly(Map.entry("a", 9_750), Map.entry("b", 250));
    assertThat(canary.percent("b")).isEqualTo(2.5);
    assertThat(canary.weight("zzz")).isZero();
    assertThat(TrafficSplit.of("a", "b", 0).releaseIds()).containsExactly("a", "b");
    assertThat(TrafficSplit.of(Map.of("a", 10_000))).isEqualTo(all);
    assertThat(canary.rules()).isEmpty();
    assertThat(canary.mirror()).isNull();
  }

  @Test
  @DisplayName(
      "refuses sums other than 10 000, negative and oversized weights, empty splits; lists them all")
  void weights() {
    assertThatThrownBy(() -> TrafficSplit.of(Map.of("a", 5_000)))
        .isInstanceOfSatisfying(
            InvalidSpecException.class,
            e -> {
              assertThat(e.path()).isEqualTo("split.weights");
              assertThat(e.getMessage()).contains("sum to 5000 basis points, not 10000");
            });
    Map<String, Integer> bad = new LinkedHashMap<>();
    bad.put("a", -100);
    bad.put("b", 10_100);
    assertThatThrownBy(() -> TrafficSplit.of(bad))
        .isInstanceOfSatisfying(
            InvalidSpecException.class,
            e ->
                assertThat(e.violations())
                    .extracting(InvalidSpecException.Violation::path)
                    .containsExactly("split.weights.a", "split.weights.b"));
    assertThatThrownBy(() -> TrafficSplit.builder().build())
        .isInstanceOfSatisfying(
            InvalidSpecException.class, e -> assertThat(e.getMessage()).contains("is empty"));
    assertThatThrownBy(() -> TrafficSplit.builder().weight(" ", 10_000))
        .isInstanceOfSatisfying(
            InvalidSpecException.class, e -> assertThat(e.path()).isEqualTo("split.weights"));
  }

  @Test
  @DisplayName("rules and mirrors must name releases of the split; every such violation is listed")
  void rulesAndMirror() {
    TrafficSplit ok =
        TrafficSplit.builder()
            .weight("a", 10_000)
            .weight("b", 0)
            .rule(PREVIEW)
            .mirror(new Mirror("b", 500))
            .build();
    assertThat(ok.rules()).containsExactly(PREVIEW);
    assertThat(ok.mirror()).isEqualTo(new Mirror("b", 500));
    ok.validate();

    assertThatThrownBy(
            () ->
                TrafficSplit.builder()
                    .weight("a", 10_000)
                    .rule(PREVIEW)
                    .mirror(new Mirror("c", 1))
                    .build())
        .isInstanceOfSatisfying(
            InvalidSpecException.class,
            e -> {
              assertThat(e.violations())
                  .extracting(InvalidSpecException.Violation::path)
                  .containsExactly("split.rules[0].releaseId", "split.mirror.releaseId");
              assertThat(e.getMessage())
                  .contains("names 'b', which is not in the split")
                  .contains("weight 0 is fine");
            });
  }

  @Test
  @DisplayName("rule and mirror parts are validated")
  void partsValidated() {
    assertThatThrownBy(() -> new Mirror("b", 0))
        .isInstanceOfSatisfying(
            InvalidSpecException.class,
            e -> assertThat(e.path()).isEqualTo("split.mirror.basisPoints"));
    assertThatThrownBy(() -> new Mirror("b", 10_001)).isInstanceOf(InvalidSpecException.class);
    assertThat(new Mirror("b", 10_000).basisPoints()).isEqualTo(10_000);
    assertThatThrownBy(() -> new MatchRule(MatchRule.Kind.COOKIE, " ", "v", "b"))
        .isInstanceOfSatisfying(
            InvalidSpecException.class, e -> assertThat(e.path()).isEqualTo("split.rules.name"));
    assertThatThrownBy(() -> new MatchRule(null, "n", "v", "b"))
        .isInstanceOfSatisfying(
            InvalidSpecException.class, e -> assertThat(e.path()).isEqualTo("split.rules.kind"));
    assertThatThrownBy(() -> new MatchRule(MatchRule.Kind.HEADER, "n", "v", ""))
        .isInstanceOfSatisfying(
            InvalidSpecException.class,
            e -> assertThat(e.path()).isEqualTo("split.rules.releaseId"));
    assertThat(new MatchRule(MatchRule.Kind.HEADER, "n", "", "b").value()).isEmpty();
  }

  @Test
  @DisplayName("withWeights keeps the rules and mirror that still name a release of the new split")
  void withWeights() {
    TrafficSplit preview =
        TrafficSplit.builder()
            .weight("a", 10_000)
            .weight("b", 0)
            .rule(PREVIEW)
            .mirror(new Mirror("b", 500))
            .build();

    TrafficSplit shifted = preview.withWeights(Map.of("a", 5_000, "b", 5_000));
    assertThat(shifted.weight("b")).isEqualTo(5_000);
    assertThat(shifted.rules()).containsExactly(PREVIEW);
    assertThat(shifted.mirror()).isEqualTo(new Mirror("b", 500));

    TrafficSplit backToA = preview.withWeights(Map.of("a", 10_000));
    assertThat(backToA.weights()).containsExactly(Map.entry("a", 10_000));
    assertThat(backToA.rules()).isEmpty();
    assertThat(backToA.mirror()).isNull();
  }

  @Test
  @DisplayName(
      "equality ignores weight order; toString prints percentages whatever the default locale")
  void equalityAndToString() {
    TrafficSplit ab = TrafficSplit.builder().weight("a", 9_000).weight("b", 1_000).build();
    TrafficSplit ba = TrafficSplit.builder().weight("b", 1_000).weight("a", 9_000).build();
    assertThat(ab)
        .isEqualTo(ba)
        .hasSameHashCodeAs(ba)
        .isNotEqualTo(TrafficSplit.of("a", "b", 1_001));
    assertThat(TrafficSplit.builder().weight("a", 10_000).weight("b", 0).rule(PREVIEW).build())
        .isNotEqualTo(TrafficSplit.of("a", "b", 0));

    Locale before = Locale.getDefault();
    try {
      Locale.setDefault(Locale.GERMANY);
      assertThat(ab).hasToString("{a: 90.00%, b: 10.00%}");
    } finally {
      Locale.setDefault(before);
    }
  }
}
