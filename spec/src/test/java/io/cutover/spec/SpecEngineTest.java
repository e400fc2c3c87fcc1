// SPDX-License-Identifier: Apache-2.0
package io.cutover.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.ArtifactRef;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.api.VerificationException;
import io.cutover.api.plan.Step;
import io.cutover.api.rollout.RolloutState;
import io.cutover.api.rollout.RolloutStatus;
import io.cutover.core.Rollout;
import io.cutover.simulator.FakeFleet;
import io.cutover.simulator.VirtualScheduler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The spec → plan → engine path for every strategy, on recording fakes under virtual time. */
class SpecEngineTest {
  private final VirtualScheduler scheduler = VirtualScheduler.create();
  private final TestProviders providers = new TestProviders(scheduler.clock());

  private SpecEngine open(CutoverSpec spec) {
    return SpecEngine.open(
        spec,
        providers.registry(),
        b ->
            b.clock(scheduler.clock())
                .scheduler(scheduler)
                .providerExecutor(Runnable::run)
                .autoResume(false));
  }

  private ArtifactRef push(String tag, String content) {
    return providers.store.push(
        "registry.example.com/shop/checkout", tag, content.getBytes(StandardCharsets.UTF_8));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"canary", "blue-green", "linear", "rolling", "recreate"})
  void aSpecPlansWithoutSideEffectsThenRollsOutToSuccess(String strategy) {
    CutoverSpec spec = CutoverSpec.parse(CutoverSpecTest.resource(strategy + ".yaml"));
    ArtifactRef v1 = push("1.4.1", "v1");
    ArtifactRef v2 = push("1.4.2", "v2");
    try (SpecEngine engine = open(spec)) {
      Release stable = spec.release(v1);
      engine.cutover().adopt(stable, spec.replicas());

      SpecPlan plan = engine.plan();
      assertThat(plan.target().artifact()).isEqualTo(v2);
      assertThat(plan.target().config()).isEqualTo(spec.configRef());
      assertThat(plan.stable()).isEqualTo(stable);
      assertThat(plan.requirePlan().strategy()).isEqualTo(spec.strategy().name());
      assertThat(plan.unchanged()).isFalse();
      assertThat(plan.diff())
          .anyMatch(l -> l.startsWith("artifact:") && l.contains(v1.toString() + " -> " + v2))
          .anyMatch(l -> l.startsWith("config:") && l.endsWith("(unchanged)"));
      // the dry run touched nothing: no launch, no route, no pin
      assertThat(providers.fleet.calls()).isEmpty();
      assertThat(providers.router.applyCalls()).isZero();
      assertThat(providers.store.pins(v2)).isEmpty();
      assertThat(engine.cutover().activeRollouts()).isEmpty();

      Rollout rollout = engine.apply(plan);
      assertThat(rollout.options()).isEqualTo(spec.options());
      scheduler.runUntil(() -> rollout.status().state().isTerminal(), Duration.ofHours(6));
      RolloutStatus end = rollout.status();
      assertThat(end.state()).as(end.toString()).isEqualTo(RolloutState.SUCCEEDED);
      assertThat(engine.cutover().stable("checkout")).contains(plan.target());
      assertThat(providers.fleet.instancesOf(plan.target().id())).hasSize(spec.replicas());
      assertThat(providers.router.maxExposure("checkout", plan.target().id())).isEqualTo(10_000);
      scheduler.assertNoTaskFailures();
    }
  }

  private static final String HOOKED =
      """
      apiVersion: cutover.io/v1
      service: checkout
      artifact: {tag: "registry.example.com/shop/checkout:1.4.2"}
      replicas: 2
      strategy:
        canary:
          steps:
            - setWeight: 25
            - setWeight: 100
      hooks:
        confirmRollout: [CONFIRM]
        preRollout: [ok]
        confirmPromotion: [ok]
        postRollout: [ok]
        interval: 10s
        migrations:
          - {gate: ok, params: {version: "42"}}
      gates:
        ok: {type: fixed}
        deny: {type: fixed, verdict: fail}
      providers: {fleet: {type: fake}, router: {type: fake}, store: {type: memory}}
      """;

  @Test
  void theSpecsHooksArePlacedByPhaseAndRunByTheEngine() {
    CutoverSpec spec = CutoverSpec.parse(HOOKED.replace("CONFIRM", "ok"), "cutover.yaml");
    ArtifactRef v1 = push("1.4.1", "v1");
    push("1.4.2", "v2");
    try (SpecEngine engine = open(spec)) {
      engine.cutover().adopt(spec.release(v1), 2);
      SpecPlan plan = engine.plan();
      List<String> kinds =
          plan.requirePlan().steps().stream()
              .map(s -> kind(s, plan.target().id()))
              .filter(k -> !k.isEmpty())
              .toList();
      assertThat(kinds)
          .containsSubsequence(
              Step.Hook.CONFIRM_ROLLOUT,
              "migration-" + Step.Migration.EXPAND,
              Step.Hook.PRE_ROLLOUT,
              "route-2500",
              Step.Hook.CONFIRM_PROMOTION,
              "route-10000",
              "migration-" + Step.Migration.CONTRACT,
              Step.Hook.POST_ROLLOUT);
      Rollout rollout = engine.apply(plan);
      scheduler.runUntil(() -> rollout.status().state().isTerminal(), Duration.ofHours(1));
      assertThat(rollout.status().state()).isEqualTo(RolloutState.SUCCEEDED);
    }
  }

  private static String kind(Step s, String target) {
    if (s instanceof Step.Hook h) {
      return h.phase();
    }
    if (s instanceof Step.Migration m) {
      return "migration-" + m.phase();
    }
    return s instanceof Step.Route r ? "route-" + r.split().weight(target) : "";
  }

  @Test
  void aDenyingConfirmRolloutHookInTheSpecAbortsBeforeAnySideEffect() {
    CutoverSpec spec = CutoverSpec.parse(HOOKED.replace("CONFIRM", "deny"), "cutover.yaml");
    ArtifactRef v1 = push("1.4.1", "v1");
    push("1.4.2", "v2");
    try (SpecEngine engine = open(spec)) {
      engine.cutover().adopt(spec.release(v1), 2);
      Rollout rollout = engine.apply();
      scheduler.runUntil(() -> rollout.status().state().isTerminal(), Duration.ofHours(1));
      assertThat(rollout.status().state()).isEqualTo(RolloutState.ABORTED);
      assertThat(rollout.status().reason()).contains("deny");
      // nothing launched; the abort's clean-up retire of the (never launched) target is all
      assertThat(providers.fleet.calls())
          .extracting(FakeFleet.Call::kind)
          .doesNotContain(FakeFleet.CallKind.LAUNCH);
      assertThat(providers.router.maxExposure("checkout", rollout.plan().target().id())).isZero();
    }
  }

  @Test
  void headerAndMirrorRoutesOfTheSpecReachTheRouterAndArePromotedAway() {
    CutoverSpec spec =
        CutoverSpec.parse(
            """
            apiVersion: cutover.io/v1
            service: checkout
            artifact: {tag: "registry.example.com/shop/checkout:1.4.2"}
            replicas: 2
            strategy:
              canary:
                steps:
                  - setHeaderRoute: {header: X-Canary, value: always}
                  - setMirrorRoute: {percent: 20}
                  - pause: 1m
                  - setWeight: 50
                  - setWeight: 100
            providers: {fleet: {type: fake}, router: {type: fake}, store: {type: memory}}
            """,
            "cutover.yaml");
    ArtifactRef v1 = push("1.4.1", "v1");
    push("1.4.2", "v2");
    try (SpecEngine engine = open(spec)) {
      engine.cutover().adopt(spec.release(v1), 2);
      Rollout rollout = engine.apply();
      String target = rollout.plan().target().id();
      scheduler.runUntil(
          () -> providers.router.current("checkout").map(s -> s.mirror() != null).orElse(false),
          Duration.ofMinutes(5));
      TrafficSplit during = providers.router.current("checkout").orElseThrow();
      assertThat(during.rules())
          .singleElement()
          .satisfies(
              m -> {
                assertThat(m.releaseId()).isEqualTo(target);
                assertThat(m.name()).isEqualTo("X-Canary");
                assertThat(m.value()).isEqualTo("always");
              });
      TrafficSplit.Mirror mirror = Objects.requireNonNull(during.mirror());
      assertThat(mirror.releaseId()).isEqualTo(target);
      assertThat(mirror.basisPoints()).isEqualTo(2_000);
      assertThat(during.weight(target)).isZero();
      scheduler.runUntil(() -> rollout.status().state().isTerminal(), Duration.ofHours(1));
      assertThat(rollout.status().state()).isEqualTo(RolloutState.SUCCEEDED);
      TrafficSplit end = providers.router.current("checkout").orElseThrow();
      assertThat(end.rules()).isEmpty();
      assertThat(end.mirror()).isNull();
      assertThat(end.weight(target)).isEqualTo(10_000);
    }
  }

  @Test
  void aFailingGateInTheSpecAbortsTheRollout() {
    CutoverSpec spec =
        CutoverSpec.parse(
            """
            apiVersion: cutover.io/v1
            service: checkout
            artifact: {tag: "registry.example.com/shop/checkout:1.4.2"}
            replicas: 2
            strategy:
              canary:
                steps:
                  - setWeight: 25
                  - analysis: {gates: [bad]}
                  - setWeight: 100
            gates:
              bad: {type: fixed, verdict: fail}
            providers: {fleet: {type: fake}, router: {type: fake}, store: {type: memory}}
            """,
            "cutover.yaml");
    ArtifactRef v1 = push("1.4.1", "v1");
    push("1.4.2", "v2");
    try (SpecEngine engine = open(spec)) {
      engine.cutover().adopt(spec.release(v1), 2);
      Rollout rollout = engine.apply();
      scheduler.runUntil(() -> rollout.status().state().isTerminal(), Duration.ofHours(1));
      assertThat(rollout.status().state()).isEqualTo(RolloutState.ABORTED);
      assertThat(engine.cutover().stable("checkout")).contains(spec.release(v1));
      assertThat(providers.router.maxExposure("checkout", rollout.plan().target().id()))
          .isEqualTo(2_500);
    }
  }

  @Test
  void theVerificationPolicyRunsInTheDryRunAndRefusesBeforeAnySideEffect() {
    String yaml =
        """
        apiVersion: cutover.io/v1
        service: checkout
        artifact: {tag: "registry.example.com/shop/checkout:1.4.2"}
        replicas: 2
        strategy: {recreate: {}}
        verification:
          allowedRepositories: ["%s"]
        providers: {fleet: {type: fake}, router: {type: fake}, store: {type: memory}}
        """;
    push("1.4.2", "v2");
    CutoverSpec allowed =
        CutoverSpec.parse(yaml.formatted("registry.example.com/shop/**"), "cutover.yaml");
    assertThat(allowed.verification()).isPresent();
    try (SpecEngine engine = open(allowed)) {
      assertThat(engine.plan().evidence())
          .anySatisfy(l -> assertThat(l).contains("registry.example.com/shop/**"));
    }
    CutoverSpec refused =
        CutoverSpec.parse(yaml.formatted("registry.example.com/other/**"), "c.yaml");
    try (SpecEngine engine = open(refused)) {
      assertThatThrownBy(engine::plan).isInstanceOf(VerificationException.class);
      assertThatThrownBy(engine::apply).isInstanceOf(VerificationException.class);
    }
    assertThat(providers.fleet.calls()).isEmpty();
    assertThat(providers.router.applyCalls()).isZero();
  }

  @Test
  void aProviderRefusingItsSettingsIsLocatedInTheFileAndNothingIsBuilt() {
    CutoverSpec spec =
        CutoverSpec.parse(
            """
            apiVersion: cutover.io/v1
            service: checkout
            artifact: {tag: "registry.example.com/shop/checkout:1.4.2"}
            replicas: 2
            strategy: {recreate: {}}
            providers:
              fleet: {type: fake, size: large}
              router: {type: fake}
              store: {type: memory}
            """,
            "cutover.yaml");
    assertThatThrownBy(() -> open(spec))
        .isInstanceOfSatisfying(
            SpecException.class,
            e -> {
              assertThat(e.problems().get(0).path()).isEqualTo("$.providers.fleet.size");
              assertThat(e.problems().get(0).line()).isEqualTo(7);
            });
    assertThat(providers.fleet.calls()).isEmpty();
  }
}
