// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.ArtifactRef;
import io.cutover.api.ConfigRef;
import io.cutover.api.Digest;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.api.TrafficSplit.MatchRule;
import io.cutover.api.plan.Plan;
import io.cutover.api.plan.Step;
import io.cutover.core.strategy.Strategies;
import io.cutover.spi.PlanRequest;
import io.cutover.spi.RolloutStrategy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class PlanJsonTest {
  private static final Release STABLE =
      Release.of(
              "checkout",
              new ArtifactRef("registry.example.com:5000/shop/checkout", Digest.sha256("v1")))
          .withLabel("v1");
  private static final Release TARGET =
      Release.of(
              "checkout",
              new ArtifactRef("registry.example.com:5000/shop/checkout", Digest.sha256("v2")),
              ConfigRef.of(Map.of("pool.size", "20", "db.password", "${secret:checkout-db}")))
          .withLabel("v2 \"rc\"");
  private static final String S = STABLE.id();
  private static final String T = TARGET.id();

  /** A plan with every step kind, every optional field set away from its default. */
  static Plan everyKind() {
    TrafficSplit split =
        TrafficSplit.builder()
            .weight(S, 9000)
            .weight(T, 1000)
            .rule(new MatchRule(MatchRule.Kind.HEADER, "x-cutover-preview", "true", T))
            .rule(new MatchRule(MatchRule.Kind.COOKIE, "beta", "", T))
            .mirror(new TrafficSplit.Mirror(T, 2500))
            .build();
    Step.Verify verify =
        new Step.Verify(
            List.of("error-rate", "latency-p99"),
            List.of("cpu"),
            Duration.ofSeconds(10),
            Duration.ofMillis(1500),
            5,
            1,
            2,
            3,
            false);
    Step.Verify background =
        Step.Verify.gates("slo-burn").interval(Duration.ofMinutes(1)).count(0).background().build();
    List<Step> steps =
        List.of(
            new Step.Hook("migrate", "pre-rollout", Map.of("table", "orders", "mode", "expand")),
            new Step.Launch(T, 2),
            background,
            new Step.Route(split),
            verify,
            Step.Pause.of(Duration.ofHours(1).plusMinutes(30)),
            Step.Pause.untilApproved(),
            new Step.Scale(T, 4),
            new Step.Route(TrafficSplit.all(T)),
            new Step.Drain(S, Duration.ofSeconds(45)),
            new Step.Retire(S),
            Step.Migration.contract("db", Map.of("schema", "orders-v2")));
    List<Step> rollback =
        List.of(new Step.Route(TrafficSplit.all(S)), new Step.Scale(S, 4), new Step.Retire(T));
    return Plan.of("custom", STABLE, TARGET, steps, rollback);
  }

  @Nested
  @DisplayName("round trip")
  class RoundTrip {
    @Test
    @DisplayName("every step kind with every field survives toJson/fromJson, labels included")
    void everyStepKind() {
      Plan plan = everyKind();

      String json = PlanJson.toJson(plan);
      Plan back = PlanJson.fromJson(json);

      assertThat(back).isEqualTo(plan);
      assertThat(back.steps()).isEqualTo(plan.steps());
      assertThat(back.rollbackSteps()).isEqualTo(plan.rollbackSteps());
      assertThat(back.target().label()).isEqualTo("v2 \"rc\"");
      assertThat(back.stable().label()).isEqualTo("v1");
      assertThat(back.target().config()).isEqualTo(TARGET.config());
      assertThat(PlanJson.toJson(back)).isEqualTo(json);
      assertThat(plan.steps())
          .extracting(Step::kind)
          .containsAll(
              List.of(
                  "launch",
                  "route",
                  "verify",
                  "pause",
                  "hook",
                  "retire",
                  "scale",
                  "drain",
                  "migration"));
    }

    @Test
    @DisplayName("a first deployment has \"stable\": null")
    void firstDeployment() {
      Plan plan = Strategies.blueGreen().build().plan(new PlanRequest(null, TARGET, 2));

      String json = PlanJson.toJson(plan);

      assertThat(json).contains("\"stable\" : null");
      assertThat(PlanJson.fromJson(json)).isEqualTo(plan);
    }

    @Test
    @DisplayName("plans of every built-in strategy round-trip")
    void everyStrategy() {
      Step.Verify v = Step.Verify.gates("error-rate").build();
      List<RolloutStrategy> strategies =
          List.of(
              Strategies.canary()
                  .setWeight(10)
                  .pause(Duration.ofMinutes(5))
                  .setCanaryScaleReplicas(2)
                  .analysis(v)
                  .build(),
              Strategies.blueGreen()
                  .previewHeader("x-preview", "1")
                  .prePromotionAnalysis(v)
                  .autoPromotion(false)
                  .build(),
              Strategies.linear().stepWeight(20).interval(Duration.ofSeconds(90)).build(),
              Strategies.rolling().maxSurge(1).maxUnavailable(0).analysis(v).build(),
              Strategies.recreate().analysis(v).build());
      for (RolloutStrategy s : strategies) {
        Plan plan = s.plan(new PlanRequest(STABLE, TARGET, 3));
        assertThat(PlanJson.fromJson(PlanJson.toJson(plan))).as(s.name()).isEqualTo(plan);
      }
    }

    @Test
    @DisplayName("the document is the documented format, with stable field order and \\n line ends")
    void format() {
      Plan plan =
          Plan.of(
              "recreate",
              null,
              STABLE,
              List.of(
                  new Step.Launch(S, 1),
                  new Step.Route(TrafficSplit.all(S)),
                  Step.Pause.untilApproved()),
              List.of(new Step.Retire(S)));

      assertThat(PlanJson.toJson(plan))
          .isEqualTo(
              """
          {
            "format" : "cutover.plan/v1",
            "strategy" : "recreate",
            "service" : "checkout",
            "stable" : null,
            "target" : {
              "id" : "%1$s",
              "service" : "checkout",
              "artifact" : "registry.example.com:5000/shop/checkout@%2$s",
              "config" : "%3$s",
              "label" : "v1"
            },
            "steps" : [
              {
                "kind" : "launch",
                "releaseId" : "%1$s",
                "replicas" : 1
              },
              {
                "kind" : "route",
                "split" : {
                  "weights" : {
                    "%1$s" : 10000
                  },
                  "rules" : [ ],
                  "mirror" : null
                }
              },
              {
                "kind" : "pause",
                "duration" : null
              }
            ],
            "rollback" : [
              {
                "kind" : "retire",
                "releaseId" : "%1$s"
              }
            ]
          }"""
                  .formatted(S, Digest.sha256("v1"), ConfigRef.EMPTY.digest()));
    }

    @Test
    @DisplayName("optional step fields may be omitted and take the api's defaults")
    void defaults() {
      String json =
          PlanJson.toJson(everyKind())
              .replaceFirst(
                  "\\{\\s*\"kind\" : \"verify\",\\s*\"gates\" : \\[\\s*\"error-rate\"[^}]*}",
                  "{\"kind\": \"verify\", \"gates\": [\"error-rate\"]}");

      Step verify = PlanJson.fromJson(json).steps().get(4);

      assertThat(verify).isEqualTo(Step.Verify.gates("error-rate").build());
    }
  }

  @Nested
  @DisplayName("malformed documents")
  class Malformed {
    private final String valid = PlanJson.toJson(everyKind());

    private InvalidSpecException refuse(String json) {
      try {
        PlanJson.fromJson(json);
      } catch (InvalidSpecException e) {
        return e;
      }
      throw new AssertionError("accepted: " + json);
    }

    private List<String> paths(String json) {
      return refuse(json).violations().stream().map(InvalidSpecException.Violation::path).toList();
    }

    @Test
    @DisplayName("weights that do not sum to 100 % name $.steps[3].split.weights")
    void weightsSum() {
      String json = valid.replace("\"" + T + "\" : 1000", "\"" + T + "\" : 1500");

      InvalidSpecException e = refuse(json);

      assertThat(e.path()).isEqualTo("$.steps[3].split.weights");
      assertThat(e.getMessage())
          .contains("sum to 10500 basis points, not 10000")
          .contains("fix: make the weights add up");
    }

    @Test
    @DisplayName("every problem is listed with its path in one exception")
    void everyProblem() {
      String json =
          valid
              .replace("\"replicas\" : 2", "\"replicas\" : \"two\"")
              .replace("\"count\" : 5", "\"count\" : 5, \"cuont\" : 6")
              .replace("\"duration\" : \"PT1H30M\"", "\"duration\" : \"90 minutes\"")
              .replace(
                  "\"kind\" : \"retire\",\n      \"releaseId\" : \"" + S + "\"",
                  "\"kind\" : \"retrie\"")
              .replace("\"kind\" : \"cookie\"", "\"kind\" : \"query\"")
              .replace("\"basisPoints\" : 2500", "\"basisPoints\" : 2.5");

      assertThat(paths(json))
          .containsExactly(
              "$.steps[1].replicas",
              "$.steps[3].split.rules[1].kind",
              "$.steps[3].split.mirror.basisPoints",
              "$.steps[4].cuont",
              "$.steps[5].duration",
              "$.steps[10].kind");
      assertThat(refuse(json).getMessage())
          .contains("$.steps[1].replicas: is the string \"two\", not an integer")
          .contains(
              "$.steps[10].kind: is \"retrie\" (fix: use one of launch, route, verify, pause, hook, retire, scale, drain, migration)");
    }

    @Test
    @DisplayName("values the api refuses are reported at their JSON path")
    void apiValidation() {
      assertThat(paths(valid.replace("\"count\" : 5", "\"count\" : 0")))
          .containsExactly("$.steps[4].count");
      assertThat(paths(valid.replace("\"replicas\" : 4", "\"replicas\" : -1")))
          .containsExactly("$.steps[7].replicas", "$.rollback[1].replicas");
      assertThat(
              paths(
                  valid.replace(
                      "\"value\" : \"true\",\n            \"releaseId\" : \"" + T + "\"",
                      "\"value\" : \"true\",\n            \"releaseId\" : \"checkout-000000000000\"")))
          .containsExactly("$.steps[3].split.rules[0].releaseId");
      assertThat(paths(valid.replace("\"period\" : \"PT45S\"", "\"period\" : \"PT-45S\"")))
          .containsExactly("$.steps[9].period");
    }

    @Test
    @DisplayName(
        "a duration beyond Step.MAX_DURATION is refused at its JSON path, with the maximum")
    void hugeDuration() {
      String json =
          valid.replace(
              "\"duration\" : \"PT1H30M\"", "\"duration\" : \"PT" + (Long.MAX_VALUE / 2) + "S\"");
      assertThat(paths(json)).containsExactly("$.steps[5].duration");
      assertThat(refuse(json).getMessage())
          .contains("$.steps[5].duration: is PT")
          .contains("longer than the maximum 365d");
      assertThat(paths(valid.replace("\"period\" : \"PT45S\"", "\"period\" : \"P400D\"")))
          .containsExactly("$.steps[9].period");
    }

    @Test
    @DisplayName("a step naming a release that is not in the plan is refused at the step")
    void unknownRelease() {
      String json =
          valid.replace(
              "\"kind\" : \"launch\",\n      \"releaseId\" : \"" + T + "\"",
              "\"kind\" : \"launch\",\n      \"releaseId\" : \"checkout-000000000000\"");

      InvalidSpecException e = refuse(json);

      assertThat(e.path()).isEqualTo("$.steps[1]");
      assertThat(e.getMessage()).contains("launch names release 'checkout-000000000000'");
    }

    @Test
    @DisplayName(
        "releases: an id that does not match its parts, a tag instead of a digest, a bad config digest")
    void releases() {
      String otherId =
          valid.replace("\"id\" : \"" + T + "\"", "\"id\" : \"checkout-123456789abc\"");
      assertThat(paths(otherId)).containsExactly("$.target.id");
      assertThat(refuse(otherId).getMessage())
          .contains("service, artifact and config give \"" + T + "\"");

      String tag =
          valid.replace(
              "\"artifact\" : \"registry.example.com:5000/shop/checkout@"
                  + Digest.sha256("v1")
                  + "\"",
              "\"artifact\" : \"registry.example.com:5000/shop/checkout:1.0\"");
      assertThat(paths(tag)).containsExactly("$.stable.artifact");
      assertThat(refuse(tag).getMessage()).contains("is the tag").contains("resolve the tag");

      String config =
          valid.replace(
              "\"config\" : \"" + TARGET.config().digest() + "\"", "\"config\" : \"sha256:ABC\"");
      assertThat(paths(config)).containsExactly("$.target.config");
    }

    @Test
    @DisplayName("syntax errors, duplicate keys, trailing data and wrong shapes name the document")
    void syntax() {
      InvalidSpecException broken = refuse(valid.substring(0, 200));
      assertThat(broken.path()).isEqualTo("$");
      assertThat(broken.getMessage()).contains("is not valid JSON").contains("line ");

      assertThat(refuse("{\"format\": \"cutover.plan/v1\", \"format\": \"x\"}").getMessage())
          .contains("Duplicate field");
      assertThat(refuse(valid + " {}").getMessage()).contains("is not valid JSON");
      assertThat(paths("[]")).containsExactly("$");
      assertThat(paths("{}"))
          .containsExactly("$.format", "$.strategy", "$.target", "$.steps", "$.rollback");
      assertThat(paths(valid.replace("cutover.plan/v1", "cutover.plan/v9")))
          .containsExactly("$.format");
      assertThat(
              paths(
                  valid.replace(
                      "\"service\" : \"checkout\",\n  \"stable\"",
                      "\"service\" : \"cart\",\n  \"stable\"")))
          .containsExactly("$.service");
      assertThatThrownBy(() -> PlanJson.fromJson(null)).isInstanceOf(InvalidSpecException.class);
    }
  }
}
