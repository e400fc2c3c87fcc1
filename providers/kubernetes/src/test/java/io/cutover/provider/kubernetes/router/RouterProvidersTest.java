// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.kubernetes.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.TrafficSplit;
import io.cutover.core.ProviderConfigs;
import io.cutover.core.ProviderRegistry;
import io.cutover.provider.kubernetes.testing.TestCluster;
import io.cutover.spi.OperationId;
import io.cutover.spi.ProviderContext;
import io.cutover.spi.Router;
import io.cutover.spi.RouterProvider;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The three router factories: discovery, their keys, and errors that name the key. */
class RouterProvidersTest {
  private final ProviderContext context =
      ProviderRegistry.create()
          .withComponent(KubernetesClient.class, TestCluster.get().client())
          .context();

  private static RouterProvider provider(String name) {
    return ServiceLoader.load(RouterProvider.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(p -> p.name().equals(name))
        .findFirst()
        .orElseThrow();
  }

  @Test
  @DisplayName("ServiceLoader finds kubernetes-service, gateway-api and istio")
  void discovered() {
    assertThat(
            ServiceLoader.load(RouterProvider.class).stream()
                .map(p -> p.get().name())
                .collect(Collectors.toSet()))
        .contains("kubernetes-service", "gateway-api", "istio");
  }

  @Test
  @DisplayName(
      "a configured gateway-api router writes the route with the configured parents and hostnames")
  void gatewayFromConfig() {
    Router router =
        provider("gateway-api")
            .create(
                ProviderConfigs.of(
                    "gateway-api",
                    Map.of(
                        "namespace",
                        "conf",
                        "parentRefs",
                        List.of("infra/public#https"),
                        "hostnames",
                        List.of("shop.example.com"),
                        "port",
                        8080)),
                context);
    var stable = CrdSchemasTest.release("conf", "stable");
    router.apply(
        new OperationId("conf-1"),
        "conf",
        TrafficSplit.all(stable.id()),
        CrdSchemasTest.ready(stable));
    HTTPRoute route =
        TestCluster.get()
            .client()
            .resources(HTTPRoute.class)
            .inNamespace("conf")
            .withName("conf")
            .get();
    assertThat(route.getSpec().getParentRefs().get(0).getNamespace()).isEqualTo("infra");
    assertThat(route.getSpec().getParentRefs().get(0).getName()).isEqualTo("public");
    assertThat(route.getSpec().getParentRefs().get(0).getSectionName()).isEqualTo("https");
    assertThat(route.getSpec().getHostnames()).containsExactly("shop.example.com");
    assertThat(route.getSpec().getRules().get(0).getBackendRefs().get(0).getPort()).isEqualTo(8080);
    assertThat(router.current("conf")).contains(TrafficSplit.all(stable.id()));
  }

  @Test
  @DisplayName("an unknown key is refused with its path")
  void unknownKey() {
    for (String name : List.of("kubernetes-service", "gateway-api", "istio")) {
      assertThatThrownBy(
              () ->
                  provider(name)
                      .create(
                          ProviderConfigs.of(name, Map.of("parentRefs", "gw", "prot", 80)),
                          context))
          .as(name)
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("prot");
    }
  }

  @Test
  @DisplayName("gateway-api without parentRefs is refused, naming the key")
  void parentRefsRequired() {
    assertThatThrownBy(
            () ->
                provider("gateway-api")
                    .create(ProviderConfigs.of("gateway-api", Map.of()), context))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("parentRefs");
    assertThatThrownBy(
            () ->
                provider("gateway-api")
                    .create(
                        ProviderConfigs.of(
                            "gateway-api", Map.of("parentRefs", List.of("Bad Gateway"))),
                        context))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("parentRefs[0]");
  }

  @Test
  @DisplayName("a port out of range and a malformed targetPort are refused, naming the key")
  void ports() {
    assertThatThrownBy(
            () ->
                provider("kubernetes-service")
                    .create(
                        ProviderConfigs.of("kubernetes-service", Map.of("port", 70_000)), context))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("port");
    assertThatThrownBy(
            () ->
                provider("istio")
                    .create(
                        ProviderConfigs.of("istio", Map.of("targetPort", "HTTP PORT")), context))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("targetPort");
    assertThatThrownBy(
            () ->
                provider("istio")
                    .create(
                        ProviderConfigs.of("istio", Map.of("hosts", List.of("Shop!"))), context))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("hosts[0]");
  }
}
