// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.kubernetes.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.ArtifactRef;
import io.cutover.api.Digest;
import io.cutover.api.Instance;
import io.cutover.api.InstanceState;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.provider.kubernetes.testing.CrdSchemas;
import io.cutover.provider.kubernetes.testing.TestCluster;
import io.cutover.spi.OperationId;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The CRD schema check itself: it accepts what the routers write and refuses a misspelled field,
 * even where the CRD does not forbid unknown fields (a real API server would prune them silently).
 */
class CrdSchemasTest {
  private static final String ROUTES =
      "/apis/gateway.networking.k8s.io/v1/namespaces/shop/httproutes";

  static Release release(String service, String label) {
    return Release.of(service, new ArtifactRef("test/" + service, Digest.sha256(label)));
  }

  static Map<String, List<Instance>> ready(Release... releases) {
    java.util.LinkedHashMap<String, List<Instance>> out = new java.util.LinkedHashMap<>();
    for (Release r : releases) {
      out.put(
          r.id(),
          List.of(
              new Instance(
                  r.id() + "-0",
                  r.id(),
                  URI.create("http://10.0.0.1:8080"),
                  InstanceState.READY,
                  r.artifact().digest())));
    }
    return out;
  }

  private String writtenRoute() {
    Release stable = release("schema", "stable");
    Release canary = release("schema", "canary");
    TrafficSplit split =
        TrafficSplit.builder()
            .weight(stable.id(), 9_000)
            .weight(canary.id(), 1_000)
            .rule(
                new TrafficSplit.MatchRule(
                    TrafficSplit.MatchRule.Kind.COOKIE, "beta", "yes", canary.id()))
            .mirror(new TrafficSplit.Mirror(canary.id(), 500))
            .build();
    new GatewayApiRouter(
            TestCluster.get().client(),
            "shop",
            "cutover",
            List.of(new GatewayApiRouter.Parent(null, "public", null)),
            List.of(),
            80,
            "http")
        .apply(new OperationId("schema-1"), "schema", split, ready(stable, canary));
    HTTPRoute route =
        TestCluster.get()
            .client()
            .resources(HTTPRoute.class)
            .inNamespace("shop")
            .withName("schema")
            .get();
    return Serialization.asJson(route);
  }

  @Test
  @DisplayName("an HTTPRoute the router wrote matches the Gateway API v1 schema")
  void routeIsValid() {
    assertThat(CrdSchemas.get().violations(ROUTES + "/schema", writtenRoute())).isEmpty();
  }

  @Test
  @DisplayName("a misspelled field fails the check, though the CRD does not forbid unknown fields")
  void typoFails() {
    String json = writtenRoute();
    assertThat(json).contains("\"weight\"");
    assertThat(
            CrdSchemas.get()
                .violations(ROUTES + "/schema", json.replace("\"weight\"", "\"wieght\"")))
        .isNotEmpty()
        .anySatisfy(v -> assertThat(v).contains("wieght"));
    assertThat(
            CrdSchemas.get()
                .violations(ROUTES + "/schema", json.replace("\"fraction\"", "\"fractoin\"")))
        .anySatisfy(v -> assertThat(v).contains("fractoin"));
  }

  @Test
  @DisplayName("a wrong value type fails the check")
  void wrongTypeFails() {
    String json = writtenRoute().replace("\"numerator\":500", "\"numerator\":\"500\"");
    assertThat(CrdSchemas.get().violations(ROUTES + "/schema", json)).isNotEmpty();
  }

  @Test
  @DisplayName(
      "the test cluster refuses an invalid custom resource with 422, as an API server does")
  void clusterRefusesInvalid() {
    HTTPRoute route = Serialization.unmarshal(writtenRoute(), HTTPRoute.class);
    route.getMetadata().setName("schema-typo");
    route.getMetadata().setResourceVersion(null);
    route.getSpec().getRules().get(0).getAdditionalProperties().put("matchs", List.of());
    int before = TestCluster.get().violations().size();
    assertThatThrownBy(
            () ->
                TestCluster.get()
                    .client()
                    .resources(HTTPRoute.class)
                    .inNamespace("shop")
                    .resource(route)
                    .create())
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422));
    assertThat(TestCluster.get().violations()).hasSize(before + 1);
    TestCluster.get().forgetViolations(before);
  }
}
