// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.kubernetes.fleet;

import io.cutover.api.Release;
import io.cutover.provider.kubernetes.testing.SimulatedKubelet;
import io.cutover.provider.kubernetes.testing.TestCluster;
import io.cutover.spi.Fleet;
import io.cutover.testkit.contract.FleetContract;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link FleetContract} for the Kubernetes fleet. No Kubernetes API server can run on the build
 * machines, so fabric8's mock server in CRUD mode stands in for it ({@link TestCluster}), and since
 * the mock runs no controllers, a {@link SimulatedKubelet} plays the ReplicaSet controller and the
 * kubelet: it creates the pods of the ReplicaSets the fleet writes and reports them Ready, or
 * failing when a test arranges it. The fleet under test is the real one, talking HTTP to the mock
 * through fabric8's client and watching it with informers.
 */
class KubernetesFleetContractTest extends FleetContract {
  static final String NAMESPACE = "fleet-contract";

  private static ScheduledExecutorService scheduler;
  private static SimulatedKubelet kubelet;
  private static KubernetesFleet fleet;

  @BeforeAll
  static void startTheCluster() {
    scheduler = Executors.newScheduledThreadPool(2);
    kubelet =
        new SimulatedKubelet(TestCluster.get().client(), NAMESPACE, scheduler)
            .readyAfter(Duration.ofMillis(20))
            .start();
    fleet =
        KubernetesFleet.builder(TestCluster.get().client(), NAMESPACE)
            .clock(Clock.systemUTC())
            .scheduler(scheduler)
            .readyTimeout(Duration.ofSeconds(20))
            .build();
  }

  @AfterAll
  static void stopTheCluster() {
    fleet.close();
    kubelet.close();
    scheduler.shutdownNow();
  }

  /** One fleet for the class: the kit's services are unique per test, so none sees another's. */
  @Override
  protected Fleet createFleet() {
    return fleet;
  }

  @Override
  protected boolean arrangeLaunchFailure(Fleet fleet, Release release) {
    kubelet.behave(release, SimulatedKubelet.Behavior.CRASH_LOOP);
    return true;
  }
}
