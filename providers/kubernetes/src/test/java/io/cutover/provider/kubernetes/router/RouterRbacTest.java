// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.kubernetes.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.ProviderException;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.api.TrafficSplit.MatchRule;
import io.cutover.api.TrafficSplit.Mirror;
import io.cutover.provider.kubernetes.RbacRole;
import io.cutover.provider.kubernetes.RbacRole.Permission;
import io.cutover.provider.kubernetes.testing.TestCluster;
import io.cutover.spi.OperationId;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The routers need nothing beyond the Role shipped in docs/kubernetes.md, and every router grant of
 * that Role is used. No API server (and so no RBAC authorizer) can run on the build machines:
 * fabric8's mock server in CRUD mode stands in ({@link TestCluster}), records every request the
 * routers' client sends, and each one is translated into the verb, group and resource a real API
 * server would authorize ({@link RbacRole#permissions}).
 */
class RouterRbacTest {
  private static final String AGENT = "cutover-rbac-routers";
  private static final Set<String> ROUTER_RESOURCES =
      Set.of("services", "httproutes", "virtualservices", "destinationrules");

  @Test
  @DisplayName(
      "every request of the three routers is allowed by the Role, and every router grant is used")
  void routersStayInsideTheRole() {
    TestCluster cluster = TestCluster.get();
    try (KubernetesClient client = cluster.newClient(AGENT)) {
      exerciseServiceRouter(client);
      exerciseGatewayRouter(client);
      exerciseIstioRouter(client);
    }
    RbacRole role = RbacRole.load();
    List<Permission> needed = new ArrayList<>();
    for (TestCluster.Request r : cluster.requests(AGENT)) {
      needed.addAll(RbacRole.permissions(r.method(), r.path(), r.createdByApply()));
    }
    assertThat(needed).as("requests recorded").hasSizeGreaterThan(20);
    assertThat(needed)
        .as("requests outside the Role of docs/kubernetes.md")
        .filteredOn(p -> !role.allows(p))
        .isEmpty();
    Set<String> used = new LinkedHashSet<>();
    needed.forEach(p -> used.add(p.key()));
    assertThat(used)
        .as("router grants of the Role (least privilege: each one used)")
        .containsAll(role.grants(ROUTER_RESOURCES::contains));
  }

  private static void exerciseServiceRouter(KubernetesClient client) {
    Release blue = CrdSchemasTest.release("rbac-bg", "blue");
    Release green = CrdSchemasTest.release("rbac-bg", "green");
    ServiceRouter router = new ServiceRouter(client, "rbac", "cutover", 80, "http");
    TrafficSplit preview =
        TrafficSplit.builder()
            .weight(blue.id(), TrafficSplit.TOTAL)
            .weight(green.id(), 0)
            .rule(new MatchRule(MatchRule.Kind.HEADER, "x-preview", "on", green.id()))
            .build();
    router.apply(new OperationId("bg-1"), "rbac-bg", preview, CrdSchemasTest.ready(blue, green));
    assertThat(router.current("rbac-bg")).contains(preview);
    assertThatThrownBy(
            () ->
                router.apply(
                    new OperationId("bg-2"),
                    "rbac-bg",
                    TrafficSplit.of(blue.id(), green.id(), 1_000),
                    CrdSchemasTest.ready(blue, green)))
        .isInstanceOf(ProviderException.class);
    router.apply(
        new OperationId("bg-3"),
        "rbac-bg",
        TrafficSplit.all(green.id()),
        CrdSchemasTest.ready(green));
    assertThat(router.current("rbac-bg")).contains(TrafficSplit.all(green.id()));
  }

  private static void exerciseGatewayRouter(KubernetesClient client) {
    Release a = CrdSchemasTest.release("rbac-gw", "a");
    Release b = CrdSchemasTest.release("rbac-gw", "b");
    GatewayApiRouter router =
        new GatewayApiRouter(
            client,
            "rbac",
            "cutover",
            List.of(new GatewayApiRouter.Parent("infra", "public", null)),
            List.of("shop.example.com"),
            80,
            "http");
    TrafficSplit canary =
        TrafficSplit.builder()
            .weight(a.id(), 7_500)
            .weight(b.id(), 2_500)
            .rule(new MatchRule(MatchRule.Kind.HEADER, "x-canary", "1", b.id()))
            .rule(new MatchRule(MatchRule.Kind.COOKIE, "canary", "yes", b.id()))
            .mirror(new Mirror(b.id(), 1_000))
            .build();
    router.apply(new OperationId("gw-1"), "rbac-gw", canary, CrdSchemasTest.ready(a, b));
    assertThat(router.current("rbac-gw")).contains(canary);
    router.apply(
        new OperationId("gw-2"), "rbac-gw", TrafficSplit.all(b.id()), CrdSchemasTest.ready(b));
    assertThat(router.current("rbac-gw")).contains(TrafficSplit.all(b.id()));
  }

  private static void exerciseIstioRouter(KubernetesClient client) {
    Release a = CrdSchemasTest.release("rbac-mesh", "a");
    Release b = CrdSchemasTest.release("rbac-mesh", "b");
    IstioRouter router =
        new IstioRouter(
            client, "rbac", "cutover", List.of("shop.example.com"), List.of(), 80, "http");
    TrafficSplit canary =
        TrafficSplit.builder()
            .weight(a.id(), 9_000)
            .weight(b.id(), 1_000)
            .rule(new MatchRule(MatchRule.Kind.HEADER, "x-canary", "1", b.id()))
            .mirror(new Mirror(b.id(), 500))
            .build();
    router.apply(new OperationId("mesh-1"), "rbac-mesh", canary, CrdSchemasTest.ready(a, b));
    assertThat(router.current("rbac-mesh")).contains(canary);
    router.apply(
        new OperationId("mesh-2"), "rbac-mesh", TrafficSplit.all(b.id()), CrdSchemasTest.ready(b));
    assertThat(router.current("rbac-mesh")).contains(TrafficSplit.all(b.id()));
  }
}
