// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.plan;

import io.cutover.api.ArtifactRef;
import io.cutover.api.ConfigRef;
import io.cutover.api.Digest;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.Release;
import io.cutover.api.plan.Plan;
import io.cutover.api.plan.Step;
import io.cutover.core.strategy.Strategies;
import io.cutover.spi.PlanRequest;
import io.cutover.testfixtures.fuzz.Fuzz;
import io.cutover.testfixtures.fuzz.Mutations;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzes {@link PlanJson#fromJson}: mutated plans are refused with an {@link InvalidSpecException}
 * whose every violation has a JSON path ({@code $...}), or accepted and then round-trip exactly
 * (docs/fuzzing.md).
 */
class PlanJsonFuzzTest {
  static final Release STABLE =
      Release.of(
              "checkout",
              new ArtifactRef("registry.example.com:5000/shop/checkout", Digest.sha256("v1")))
          .withLabel("v1");
  static final Release TARGET =
      Release.of(
              "checkout",
              new ArtifactRef("registry.example.com:5000/shop/checkout", Digest.sha256("v2")),
              ConfigRef.of(Map.of("pool.size", "20")))
          .withLabel("v2");

  /** Plans of every step kind and every built-in strategy: the seeds. */
  static List<Plan> plans() {
    Step.Verify v = Step.Verify.gates("error-rate").build();
    PlanRequest request = new PlanRequest(STABLE, TARGET, 3);
    return List.of(
        PlanJsonTest.everyKind(),
        Strategies.canary()
            .setWeight(10)
            .pause(Duration.ofMinutes(5))
            .setCanaryScaleReplicas(2)
            .analysis(v)
            .build()
            .plan(request),
        Strategies.blueGreen().previewHeader("x-preview", "1").build().plan(request),
        Strategies.blueGreen().build().plan(new PlanRequest(null, TARGET, 2)),
        Strategies.linear().stepWeight(20).interval(Duration.ofSeconds(90)).build().plan(request),
        Strategies.rolling().maxSurge(1).maxUnavailable(0).build().plan(request),
        Strategies.recreate().build().plan(request));
  }

  @Provide
  Arbitrary<String> mutatedPlans() {
    return Mutations.json(PlanJsonFuzzProbe.seeds());
  }

  @Property
  void mutatedPlansAreRefusedWithAPathOrRoundTrip(@ForAll("mutatedPlans") String json) {
    Fuzz.Outcome<Plan> out =
        Fuzz.run("plan_json", json, () -> PlanJson.fromJson(json), InvalidSpecException.class);
    if (out.accepted()) {
      Plan plan = out.value();
      String again = PlanJson.toJson(plan);
      if (!PlanJson.fromJson(again).equals(plan) || !PlanJson.toJson(plan).equals(again)) {
        throw Fuzz.unexpected("plan_json", json, "an accepted plan does not round-trip");
      }
    } else {
      for (InvalidSpecException.Violation v : ((InvalidSpecException) out.refusal()).violations()) {
        Fuzz.require(v.path().startsWith("$"), "plan_json", json, () -> "not a JSON path: " + v);
      }
    }
  }
}
