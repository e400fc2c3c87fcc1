// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.Verdict;
import io.cutover.api.Verdict.Outcome;
import io.cutover.core.ProviderConfigs;
import io.cutover.core.ProviderRegistry;
import io.cutover.core.testing.TestContexts;
import io.cutover.spi.GateContext;
import io.cutover.spi.HealthGate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CompositeGateTest {
  private static final GateContext CTX = TestContexts.at(Instant.parse("2026-01-01T00:00:00Z"));

  private static HealthGate fixed(String name, Outcome o) {
    return new HealthGate() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Verdict evaluate(GateContext ctx) {
        return new Verdict(
            o, List.of(new Verdict.Measurement(name, null, 1, "x")), List.of("because"));
      }
    };
  }

  private static List<HealthGate> gates(String outcomes) {
    List<HealthGate> out = new ArrayList<>();
    int i = 0;
    for (String s : outcomes.split(" ")) {
      out.add(fixed("g" + i++, Outcome.valueOf(s)));
    }
    return out;
  }

  @ParameterizedTest(name = "{0} of [{1}] -> {2}")
  @CsvSource({
    "all, PASS PASS PASS, PASS",
    "all, PASS FAIL PASS, FAIL",
    "all, PASS INCONCLUSIVE PASS, INCONCLUSIVE",
    "all, PASS ERROR PASS, ERROR",
    "all, FAIL ERROR, FAIL",
    "any, FAIL FAIL PASS, PASS",
    "any, FAIL FAIL FAIL, FAIL",
    "any, FAIL INCONCLUSIVE ERROR, INCONCLUSIVE",
    "any, FAIL ERROR, ERROR",
    "2, PASS FAIL PASS, PASS",
    "2, PASS FAIL FAIL, FAIL",
    "2, PASS FAIL INCONCLUSIVE, INCONCLUSIVE",
    "3, PASS PASS INCONCLUSIVE FAIL FAIL, INCONCLUSIVE",
    "3, PASS INCONCLUSIVE FAIL FAIL, FAIL"
  })
  void combinesOutcomes(String mode, String outcomes, Outcome expected) {
    List<HealthGate> g = gates(outcomes);
    CompositeGate c =
        switch (mode) {
          case "all" -> CompositeGate.all("c", g);
          case "any" -> CompositeGate.any("c", g);
          default -> CompositeGate.quorum("c", Integer.parseInt(mode), g);
        };
    Verdict v = c.evaluate(CTX);
    assertThat(v.outcome()).isEqualTo(expected);
    assertThat(v.measurements()).hasSize(g.size());
    assertThat(v.reasons().get(0)).startsWith("gate 'c': ");
    assertThat(v.reasons())
        .anyMatch(r -> r.startsWith("g0 " + g.get(0).evaluate(CTX).outcome() + ": because"));
  }

  @Test
  void aChildThatThrowsCountsAsError() {
    HealthGate boom =
        new HealthGate() {
          @Override
          public String name() {
            return "boom";
          }

          @Override
          public Verdict evaluate(GateContext ctx) {
            throw new IllegalStateException("kaput");
          }
        };
    Verdict v = CompositeGate.all("c", List.of(fixed("ok", Outcome.PASS), boom)).evaluate(CTX);
    assertThat(v.outcome()).isEqualTo(Outcome.ERROR);
    assertThat(String.join("\n", v.reasons())).contains("kaput");
  }

  @Test
  void refusesImpossibleQuorums() {
    assertThatThrownBy(() -> CompositeGate.quorum("c", 3, gates("PASS PASS")))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("1..2");
    assertThatThrownBy(() -> CompositeGate.all("c", List.of()))
        .hasMessageContaining("at least one");
  }

  @Test
  void providerBuildsNestedGatesFromConfiguration() {
    HealthGate g =
        new CompositeGateProvider()
            .create(
                ProviderConfigs.of(
                    "composite",
                    Map.of(
                        "name",
                        "both",
                        "mode",
                        "quorum",
                        "quorum",
                        1,
                        "gates",
                        List.of(
                            Map.of("type", "manual-approval", "name", "human", "timeout", "1h"),
                            Map.of("type", "manual-approval", "name", "human2", "timeout", "1h")))),
                ProviderRegistry.create().withDiscovery().context());
    assertThat(g.evaluate(CTX).outcome()).isEqualTo(Outcome.INCONCLUSIVE);
    assertThatThrownBy(
            () ->
                new CompositeGateProvider()
                    .create(
                        ProviderConfigs.of(
                            "composite",
                            Map.of("name", "x", "gates", List.of(Map.of("type", "nope")))),
                        ProviderRegistry.create().withDiscovery().context()))
        .hasMessageContaining("$.providers.composite.gates[0].type")
        .hasMessageContaining("threshold");
  }
}
