// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.kubernetes.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.ProviderException;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.api.TrafficSplit.MatchRule;
import io.cutover.provider.kubernetes.KubernetesNames;
import io.cutover.provider.kubernetes.testing.TestCluster;
import io.cutover.spi.OperationId;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What each router writes into the cluster (the mock API server stands in for one) and what it
 * refuses, beyond the contract kit.
 */
class RouterMappingTest {
  private final KubernetesClient client = TestCluster.get().client();

  @Test
  @DisplayName(
      "kubernetes-service: the selector names the release at 100 %; the preview Service comes and goes with the rules")
  void serviceSelectorAndPreview() {
    Release blue = CrdSchemasTest.release("bg", "blue");
    Release green = CrdSchemasTest.release("bg", "green");
    ServiceRouter router = new ServiceRouter(client, "map", "cutover", 80, "http");
    TrafficSplit preview =
        TrafficSplit.builder()
            .weight(blue.id(), TrafficSplit.TOTAL)
            .weight(green.id(), 0)
            .rule(new MatchRule(MatchRule.Kind.HEADER, "x-preview", "on", green.id()))
            .build();
    router.apply(new OperationId("bg-1"), "bg", preview, CrdSchemasTest.ready(blue, green));
    Service main = client.services().inNamespace("map").withName("bg").get();
    assertThat(main.getSpec().getSelector())
        .containsEntry(KubernetesNames.SERVICE_LABEL, "bg")
        .containsEntry(KubernetesNames.RELEASE_LABEL, KubernetesNames.releaseName(blue));
    Service previewService = client.services().inNamespace("map").withName("bg-preview").get();
    assertThat(previewService.getSpec().getSelector())
        .containsEntry(KubernetesNames.RELEASE_LABEL, KubernetesNames.releaseName(green));
    assertThat(router.current("bg")).contains(preview);

    router.apply(
        new OperationId("bg-2"), "bg", TrafficSplit.all(green.id()), CrdSchemasTest.ready(green));
    assertThat(client.services().inNamespace("map").withName("bg").get().getSpec().getSelector())
        .containsEntry(KubernetesNames.RELEASE_LABEL, KubernetesNames.releaseName(green));
    assertThat(client.services().inNamespace("map").withName("bg-preview").get()).isNull();
    assertThat(router.current("bg")).contains(TrafficSplit.all(green.id()));
  }

  @Test
  @DisplayName("kubernetes-service: a fractional split is refused naming the router and the fix")
  void serviceRefusesFraction() {
    Release a = CrdSchemasTest.release("frac", "a");
    Release b = CrdSchemasTest.release("frac", "b");
    ServiceRouter router = new ServiceRouter(client, "map", "cutover", 80, "http");
    assertThatThrownBy(
            () ->
                router.apply(
                    new OperationId("frac-1"),
                    "frac",
                    TrafficSplit.of(a.id(), b.id(), 1_000),
                    CrdSchemasTest.ready(a, b)))
        .isInstanceOfSatisfying(ProviderException.class, e -> assertThat(e.retryable()).isFalse())
        .hasMessageContaining("kubernetes-service")
        .hasMessageContaining("gateway-api or istio");
    assertThat(client.services().inNamespace("map").withName("frac").get()).isNull();
  }

  @Test
  @DisplayName("gateway-api: one Service per release, deleted with the release")
  void gatewayServicesFollowTheSplit() {
    Release a = CrdSchemasTest.release("gw", "a");
    Release b = CrdSchemasTest.release("gw", "b");
    GatewayApiRouter router =
        new GatewayApiRouter(
            client,
            "map",
            "cutover",
            List.of(new GatewayApiRouter.Parent(null, "public", null)),
            List.of(),
            80,
            "http");
    router.apply(
        new OperationId("gw-1"),
        "gw",
        TrafficSplit.of(a.id(), b.id(), 2_500),
        CrdSchemasTest.ready(a, b));
    assertThat(client.services().inNamespace("map").withName(KubernetesNames.releaseName(a)).get())
        .isNotNull();
    Service bs =
        client.services().inNamespace("map").withName(KubernetesNames.releaseName(b)).get();
    assertThat(bs.getSpec().getSelector())
        .isEqualTo(
            Map.of(
                KubernetesNames.SERVICE_LABEL,
                "gw",
                KubernetesNames.RELEASE_LABEL,
                KubernetesNames.releaseName(b)));
    router.apply(new OperationId("gw-2"), "gw", TrafficSplit.all(b.id()), CrdSchemasTest.ready(b));
    assertThat(client.services().inNamespace("map").withName(KubernetesNames.releaseName(a)).get())
        .isNull();
    assertThat(router.current("gw")).contains(TrafficSplit.all(b.id()));
  }

  @Test
  @DisplayName("istio: 12.5 % and upper-case header names are refused, nothing written")
  void istioRefusals() {
    Release a = CrdSchemasTest.release("mesh", "a");
    Release b = CrdSchemasTest.release("mesh", "b");
    IstioRouter router =
        new IstioRouter(client, "map", "cutover", List.of(), List.of(), 80, "http");
    assertThatThrownBy(
            () ->
                router.apply(
                    new OperationId("mesh-1"),
                    "mesh",
                    TrafficSplit.of(a.id(), b.id(), 1_250),
                    CrdSchemasTest.ready(a, b)))
        .isInstanceOfSatisfying(ProviderException.class, e -> assertThat(e.retryable()).isFalse())
        .hasMessageContaining("whole percents");
    TrafficSplit upper =
        TrafficSplit.builder()
            .weight(a.id(), TrafficSplit.TOTAL)
            .weight(b.id(), 0)
            .rule(new MatchRule(MatchRule.Kind.HEADER, "X-Preview", "on", b.id()))
            .build();
    assertThatThrownBy(
            () ->
                router.apply(new OperationId("mesh-2"), "mesh", upper, CrdSchemasTest.ready(a, b)))
        .isInstanceOf(ProviderException.class)
        .hasMessageContaining("'x-preview'");
    assertThat(router.current("mesh")).isEmpty();
  }

  @Test
  @DisplayName("istio: the DestinationRule has one subset per release of the split")
  void istioSubsets() {
    Release a = CrdSchemasTest.release("sub", "a");
    Release b = CrdSchemasTest.release("sub", "b");
    IstioRouter router =
        new IstioRouter(client, "map", "cutover", List.of(), List.of(), 80, "http");
    router.apply(
        new OperationId("sub-1"),
        "sub",
        TrafficSplit.of(a.id(), b.id(), 5_000),
        CrdSchemasTest.ready(a, b));
    assertThat(subsets("sub"))
        .containsExactly(KubernetesNames.releaseName(a), KubernetesNames.releaseName(b));
    router.apply(
        new OperationId("sub-2"), "sub", TrafficSplit.all(b.id()), CrdSchemasTest.ready(b));
    assertThat(subsets("sub")).containsExactly(KubernetesNames.releaseName(b));
  }

  @SuppressWarnings("unchecked")
  private List<String> subsets(String name) {
    GenericKubernetesResource dr =
        client
            .genericKubernetesResources(IstioRouter.DESTINATION_RULE)
            .inNamespace("map")
            .withName(name)
            .get();
    Map<String, Object> spec = (Map<String, Object>) dr.getAdditionalProperties().get("spec");
    return ((List<Map<String, Object>>) spec.get("subsets"))
        .stream().map(s -> (String) s.get("name")).toList();
  }
}
