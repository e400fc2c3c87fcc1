// SPDX-License-Identifier: Apache-2.0
package io.cutover.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.core.strategy.BlueGreenStrategy;
import io.cutover.core.strategy.CanaryStrategy;
import io.cutover.core.strategy.LinearStrategy;
import io.cutover.core.strategy.RecreateStrategy;
import io.cutover.core.strategy.RollingStrategy;
import io.cutover.simulator.VirtualClock;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CutoverSpecTest {

  static Path resource(String name) {
    try {
      return Path.of(
          Objects.requireNonNull(CutoverSpecTest.class.getResource("/specs/" + name)).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static SpecException problems(String yaml) {
    try {
      CutoverSpec.parse(yaml, "cutover.yaml");
    } catch (SpecException e) {
      return e;
    }
    throw new AssertionError("parsed without problems:\n" + yaml);
  }

  private static final String VALID =
      """
      apiVersion: cutover.io/v1
      service: checkout
      artifact:
        digest: registry.example.com/shop/checkout@sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae
      replicas: 3
      strategy:
        canary:
          steps:
            - setWeight: 20
            - analysis: {gates: [ok], interval: 30s, count: 2}
      gates:
        ok: {type: fixed}
      providers:
        fleet: {type: fake}
        router: {type: fake}
      """;

  @Test
  void everyStrategyIsBuiltByItsCoreBuilder() {
    assertThat(CutoverSpec.parse(resource("canary.yaml")).strategy())
        .isInstanceOf(CanaryStrategy.class);
    assertThat(CutoverSpec.parse(resource("blue-green.yaml")).strategy())
        .isInstanceOf(BlueGreenStrategy.class);
    assertThat(CutoverSpec.parse(resource("linear.yaml")).strategy())
        .isInstanceOf(LinearStrategy.class);
    assertThat(CutoverSpec.parse(resource("rolling.yaml")).strategy())
        .isInstanceOf(RollingStrategy.class);
    assertThat(CutoverSpec.parse(resource("recreate.yaml")).strategy())
        .isInstanceOf(RecreateStrategy.class);
  }

  @Test
  void theCanaryExampleCarriesEveryPart() {
    CutoverSpec spec = CutoverSpec.parse(resource("canary.yaml"));
    assertThat(spec.service()).isEqualTo("checkout");
    assertThat(spec.tag()).hasValueSatisfying(t -> assertThat(t.tag()).isEqualTo("1.4.2"));
    assertThat(spec.digest()).isEmpty();
    assertThat(spec.replicas()).isEqualTo(4);
    assertThat(spec.config())
        .containsEntry("LOG_LEVEL", "info")
        .containsEntry("DB_PASSWORD", "${secret:checkout-db-password}");
    assertThat(spec.secretKeys()).containsExactly("DB_PASSWORD");
    assertThat(spec.strategy().toString()).contains("setWeight 10").contains("setWeight 50");
    assertThat(spec.gates()).containsOnlyKeys("success-rate", "shadow");
    assertThat(spec.gates().get("success-rate").config().getString("name"))
        .isEqualTo("success-rate");
    assertThat(spec.gates().get("success-rate").config().path()).isEqualTo("$.gates.success-rate");
    assertThat(spec.options().progressDeadline()).isEqualTo(Duration.ofMinutes(15));
    assertThat(spec.options().initiator()).isEqualTo("ci-pipeline");
    assertThat(spec.options().annotations()).isEqualTo(Map.of("ticket", "CHG-1234"));
    assertThat(spec.historyLimit()).hasValue(20);
    assertThat(spec.revisionHistoryLimit()).hasValue(3);
    assertThat(spec.store()).hasValueSatisfying(s -> assertThat(s.type()).isEqualTo("memory"));
    assertThat(spec.toString()).doesNotContain("checkout-db-password");
  }

  @Test
  void metricSourcesAreSharedByNameAndEveryGateProviderAcceptsItsSettings() {
    CutoverSpec spec = CutoverSpec.parse(resource("all-gates.yaml"));
    assertThat(spec.gates())
        .containsOnlyKeys(
            "success-rate", "judge", "slo", "release-check", "ready", "sign-off", "all-green");
    assertThat(spec.gates().get("judge").config().getConfig("source").getString("url"))
        .isEqualTo("http://127.0.0.1:9090");
    // composite gates' nested sources are resolved too
    assertThat(spec.gates().get("all-green").config().asMap().get("gates").toString())
        .contains("type=prometheus");
    spec.check(new TestProviders(VirtualClock.create()).registry());
  }

  @Test
  void everyProblemIsReportedAtOnceWithLineColumnPathAndFix() {
    SpecException e =
        problems(
            """
            apiVersion: cutover.io/v1
            service: Checkout
            artifact:
              digest: registry.example.com/shop/checkout@sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae
            replicas: 0
            strategy:
              canary:
                stpes: []
            gates:
              ok: {type: fixed}
            providers:
              fleet: {type: fake}
            """);
    assertThat(e.problems())
        .extracting(SpecProblem::path)
        .containsExactly(
            "$.service",
            "$.replicas",
            "$.strategy.canary.steps",
            "$.strategy.canary.stpes",
            "$.providers.router");
    SpecProblem typo = e.problems().get(3);
    assertThat(typo.line()).isEqualTo(8);
    assertThat(typo.column()).isEqualTo(5);
    assertThat(typo.fix()).startsWith("did you mean 'steps'?");
    assertThat(e.getMessage())
        .startsWith("invalid spec, 5 problems:")
        .contains("cutover.yaml:5:1: $.replicas: is 0 (fix: run at least 1 replica)");
    assertThat(e.violations()).hasSize(5);
  }

  @Test
  void theBuildersOwnRulesAreReportedWithTheirPlaceInTheFile() {
    SpecException e =
        problems(VALID.replace("- setWeight: 20", "- setWeight: 20\n      - setWeight: 5"));
    assertThat(e.problems()).hasSize(1);
    SpecProblem p = e.problems().get(0);
    assertThat(p.path()).isEqualTo("$.strategy.canary.steps[1].setWeight");
    assertThat(p.line()).isEqualTo(10);
    assertThat(p.problem()).contains("below 20");
    assertThat(p.fix()).contains("non-decreasing");
  }

  @Test
  void undefinedGatesAndMetricSourcesAreNamedWithASuggestion() {
    SpecException e =
        problems(
            VALID
                .replace("gates: [ok]", "gates: [okk]")
                .replace(
                    "ok: {type: fixed}",
                    "ok: {type: threshold, source: promm}\n"
                        + "metrics:\n  prom: {type: prometheus, url: http://x}"));
    assertThat(e.problems())
        .extracting(SpecProblem::path, SpecProblem::fix)
        .anySatisfy(
            t -> {
              assertThat(t.toList().get(0))
                  .isEqualTo("$.strategy.canary.steps[1].analysis.gates[0]");
              assertThat((String) t.toList().get(1)).startsWith("did you mean 'ok'?");
            })
        .anySatisfy(
            t -> {
              assertThat(t.toList().get(0)).isEqualTo("$.gates.ok.source");
              assertThat((String) t.toList().get(1)).startsWith("did you mean 'prom'?");
            });
  }

  @Test
  void hookProblemsAreReportedAtOnceWithTheirPaths() {
    SpecException e =
        problems(
            VALID
                + """
                hooks:
                  preRollout: [smoke]
                  rollback: [ok, ok]
                  interval: 0s
                  migrations:
                    - {params: {version: "42"}}
                """);
    assertThat(e.problems())
        .extracting(SpecProblem::path)
        .containsExactlyInAnyOrder(
            "$.hooks.rollback[1]",
            "$.hooks.interval",
            "$.hooks.migrations[0].gate",
            "$.hooks.preRollout[0]");
    assertThat(e.problems())
        .filteredOn(p -> p.path().equals("$.hooks.preRollout[0]"))
        .singleElement()
        .satisfies(p -> assertThat(p.problem()).contains("'smoke'", "not defined under gates"));
  }

  @Test
  void headerAndMirrorRouteProblemsCarryTheirStepPaths() {
    SpecException e =
        problems(
            VALID.replace(
                "- setWeight: 20",
                "- setHeaderRoute: {header: \"X Canary\", value: a}\n"
                    + "      - setHeaderRoute: {header: X-Canary}\n"
                    + "      - setMirrorRoute: {percent: 0}\n"
                    + "      - setWeight: 20"));
    assertThat(e.problems())
        .extracting(SpecProblem::path)
        .containsExactlyInAnyOrder(
            "$.strategy.canary.steps[1].setHeaderRoute.value",
            "$.strategy.canary.steps[2].setMirrorRoute.percent");
    SpecException builder =
        problems(
            VALID.replace(
                "- setWeight: 20",
                "- setHeaderRoute: {header: \"X Canary\", value: a}\n"
                    + "      - setMirrorRoute: {percent: 101}\n"
                    + "      - setWeight: 20"));
    assertThat(builder.problems())
        .extracting(SpecProblem::path)
        .containsExactlyInAnyOrder(
            "$.strategy.canary.steps[0].setHeaderRoute.header",
            "$.strategy.canary.steps[1].setMirrorRoute.percent");
  }

  @Test
  void aMistypedHookPhaseIsRefusedWithASuggestion() {
    SpecException e = problems(VALID + "hooks:\n  confirmRolout: [ok]\n");
    assertThat(e.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.path()).isEqualTo("$.hooks.confirmRolout");
              assertThat(p.fix()).startsWith("did you mean 'confirmRollout'?");
            });
  }

  @Test
  void literalSecretsAreRefusedWithoutShowingThem() {
    SpecException e =
        problems(
            VALID.replace(
                "replicas: 3",
                "replicas: 3\nconfig:\n  values:\n    DB_PASSWORD: hunter2-very-secret"));
    assertThat(e.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.path()).isEqualTo("$.config.values.DB_PASSWORD");
              assertThat(p.fix()).contains("config.secrets");
            });
    assertThat(e.getMessage()).doesNotContain("hunter2");
  }

  @Test
  void yamlSyntaxErrorsAndDuplicateKeysHaveAPosition() {
    SpecException dup = problems(VALID + "replicas: 4\n");
    assertThat(dup.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.problem()).contains("not valid YAML").contains("replicas");
              assertThat(p.line()).isEqualTo(16);
            });
    SpecException bad = problems("apiVersion: cutover.io/v1\nservice: [unclosed\n");
    assertThat(bad.problems().get(0).line()).isPositive();
    assertThat(problems("").problems().get(0).problem()).isEqualTo("is empty");
    assertThat(problems("- a list").problems().get(0).problem()).contains("not a mapping");
  }

  @Test
  void aTagNeedsAStoreAndTheApiVersionIsChecked() {
    SpecException e =
        problems(
            VALID
                .replace("cutover.io/v1", "cutover.io/v2")
                .replace(
                    "digest: registry.example.com/shop/checkout@sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
                    "tag: registry.example.com/shop/checkout:1.0"));
    assertThat(e.problems())
        .extracting(SpecProblem::path)
        .containsExactly("$.apiVersion", "$.artifact.tag");
  }

  @Test
  void unknownProvidersAreRefusedByCheckWithASuggestion() {
    CutoverSpec spec =
        CutoverSpec.parse(
            VALID.replace("router: {type: fake}", "router: {type: fak}"), "cutover.yaml");
    assertThatThrownBy(() -> spec.check(new TestProviders(VirtualClock.create()).registry()))
        .isInstanceOfSatisfying(
            SpecException.class,
            e -> {
              SpecProblem p = e.problems().get(0);
              assertThat(p.path()).isEqualTo("$.providers.router.type");
              assertThat(p.line()).isEqualTo(15);
              assertThat(p.fix()).startsWith("did you mean 'fake'?");
            });
  }

  @Test
  void aGateProvidersOwnRefusalIsLocatedInTheFile() {
    CutoverSpec spec =
        CutoverSpec.parse(
            VALID.replace("ok: {type: fixed}", "ok: {type: fixed, verdikt: pass}"), "cutover.yaml");
    assertThatThrownBy(() -> spec.check(new TestProviders(VirtualClock.create()).registry()))
        .isInstanceOfSatisfying(
            SpecException.class,
            e ->
                assertThat(e.problems())
                    .singleElement()
                    .satisfies(
                        p -> {
                          assertThat(p.path()).isEqualTo("$.gates.ok.verdikt");
                          assertThat(p.line()).isEqualTo(12);
                        }));
  }

  @Test
  void aMissingFileIsOneClearProblem(@TempDir Path dir) throws IOException {
    Path missing = dir.resolve("nope.yaml");
    assertThatThrownBy(() -> CutoverSpec.parse(missing))
        .isInstanceOfSatisfying(
            SpecException.class,
            e -> assertThat(e.problems().get(0).problem()).isEqualTo("does not exist"));
    Path big = dir.resolve("big.yaml");
    Files.writeString(big, "#".repeat(CutoverSpec.MAX_BYTES + 1));
    assertThatThrownBy(() -> CutoverSpec.parse(big)).hasMessageContaining("larger than");
    assertThat(List.of(missing)).hasSize(1);
  }
}
