// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.kubernetes.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.ArtifactRef;
import io.cutover.api.ConfigRef;
import io.cutover.api.Digest;
import io.cutover.api.InstanceState;
import io.cutover.api.ProviderException;
import io.cutover.api.Release;
import io.cutover.provider.kubernetes.RbacRole;
import io.cutover.provider.kubernetes.RbacRole.Permission;
import io.cutover.provider.kubernetes.testing.SimulatedKubelet;
import io.cutover.provider.kubernetes.testing.TestCluster;
import io.cutover.spi.OperationId;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The fleet needs nothing beyond the Role shipped in docs/kubernetes.md, and every fleet grant of
 * that Role is used. No API server (and so no RBAC authorizer) can run on the build machines:
 * fabric8's mock server in CRUD mode stands in ({@link TestCluster}) with a {@link
 * SimulatedKubelet} playing the controllers (its own requests come from another client and are not
 * counted); every request of the fleet's client is recorded and translated into the verb, group and
 * resource a real API server would authorize ({@link RbacRole#permissions}).
 */
class FleetRbacTest {
  private static final String AGENT = "cutover-rbac-fleet";
  private static final String NS = "rbac-fleet";
  private static final Set<String> FLEET_RESOURCES = Set.of("replicasets", "pods", "configmaps");

  @Test
  @DisplayName(
      "launch, scale, drain, list, a failed launch, retire and a forced termination stay inside the Role, and use every fleet grant")
  void fleetStaysInsideTheRole() {
    TestCluster cluster = TestCluster.get();
    ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    ConfigValues.Registry configs = ConfigValues.registry();
    try (SimulatedKubelet kubelet =
            new SimulatedKubelet(cluster.client(), NS, scheduler)
                .readyAfter(Duration.ofMillis(10))
                .start();
        KubernetesClient client = cluster.newClient(AGENT);
        KubernetesFleet fleet =
            KubernetesFleet.builder(client, NS)
                .clock(Clock.systemUTC())
                .scheduler(scheduler)
                .configs(configs)
                .retainedReleases(0)
                .readyTimeout(Duration.ofSeconds(20))
                .build()) {
      ConfigRef config =
          configs.register(Map.of("pool.size", "20", "db.password", "${secret:db/password}"));
      Release v1 = release("v1", config);
      Release v2 = release("v2", config);
      Release bad = release("bad", ConfigRef.EMPTY);

      assertThat(fleet.launch(new OperationId("rbac/1"), v1, 2))
          .hasSize(2)
          .allMatch(i -> i.state() == InstanceState.READY);
      fleet.launch(new OperationId("rbac/1"), v1, 2); // a retry: finds the ReplicaSet
      fleet.scale(new OperationId("rbac/2"), v1, 3);
      fleet.launch(new OperationId("rbac/3"), v2, 1);
      fleet.drain(new OperationId("rbac/4"), v1);
      assertThat(fleet.instances("rbac-shop")).hasSize(4);
      kubelet.behave(bad, SimulatedKubelet.Behavior.CRASH_LOOP);
      assertThatThrownBy(() -> fleet.launch(new OperationId("rbac/5"), bad, 1))
          .isInstanceOf(ProviderException.class);
      fleet.retire(new OperationId("rbac/6"), v1);
      fleet.retire(new OperationId("rbac/7"), bad);
      fleet.retire(new OperationId("rbac/8"), v2);
      // Pods that outlive terminationWait are deleted forcibly. The simulator keeps a terminating
      // pod for terminateAfter whatever the delete's grace period, so it must end within the
      // fleet's second wait (terminationWait again) after the forced delete.
      try (KubernetesFleet impatient =
          KubernetesFleet.builder(client, NS)
              .clock(Clock.systemUTC())
              .scheduler(scheduler)
              .podTemplate(PodTemplate.parse("spec: {terminationGracePeriodSeconds: 3}", "t"))
              .terminationWait(Duration.ofSeconds(3))
              .retainedReleases(0)
              .readyTimeout(Duration.ofSeconds(20))
              .build()) {
        Release slow = release("slow", ConfigRef.EMPTY);
        impatient.launch(new OperationId("rbac/9"), slow, 1);
        kubelet.terminateAfter(Duration.ofMillis(4_500));
        try {
          impatient.retire(new OperationId("rbac/10"), slow);
        } finally {
          kubelet.terminateAfter(Duration.ZERO);
        }
        assertThat(impatient.instances("rbac-shop")).isEmpty();
      }
      assertThat(cluster.client().configMaps().inNamespace(NS).list().getItems())
          .as("the ConfigMap is deleted with the last ReplicaSet using it")
          .isEmpty();
    } finally {
      scheduler.shutdownNow();
    }
    RbacRole role = RbacRole.load();
    List<Permission> needed = new ArrayList<>();
    for (TestCluster.Request r : cluster.requests(AGENT)) {
      needed.addAll(RbacRole.permissions(r.method(), r.path(), r.createdByApply()));
    }
    assertThat(needed).as("requests recorded").hasSizeGreaterThan(10);
    assertThat(needed)
        .as("requests outside the Role of docs/kubernetes.md")
        .filteredOn(p -> !role.allows(p))
        .isEmpty();
    Set<String> used = new LinkedHashSet<>();
    needed.forEach(p -> used.add(p.key()));
    assertThat(used)
        .as("fleet grants of the Role (least privilege: each one used)")
        .containsAll(role.grants(FLEET_RESOURCES::contains));
  }

  private static Release release(String label, ConfigRef config) {
    return Release.of(
            "rbac-shop",
            new ArtifactRef("registry.example/rbac-shop", Digest.sha256(label)),
            config)
        .withLabel(label);
  }
}
