// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.kubernetes.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.cutover.api.Instance;
import io.cutover.api.InstanceState;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.api.plan.Step;
import io.cutover.api.rollout.RolloutEvent;
import io.cutover.api.rollout.RolloutState;
import io.cutover.core.Rollout;
import io.cutover.core.gate.Comparison;
import io.cutover.core.gate.NoDataPolicy;
import io.cutover.core.gate.ThresholdGate;
import io.cutover.core.strategy.Strategies;
import io.cutover.provider.kubernetes.KubernetesNames;
import io.cutover.provider.kubernetes.fleet.KubernetesFleet;
import io.cutover.provider.kubernetes.router.GatewayApiRouter;
import io.cutover.provider.kubernetes.router.ServiceRouter;
import io.cutover.provider.kubernetes.testing.SimulatedKubelet;
import io.cutover.provider.kubernetes.testing.TestCluster;
import io.cutover.simulator.EngineCrash;
import io.cutover.simulator.RolloutHarness;
import io.cutover.simulator.RolloutResult;
import io.cutover.simulator.VirtualScheduler;
import io.cutover.spi.OperationId;
import io.cutover.spi.RolloutStrategy;
import io.cutover.spi.Router;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Rollouts through the engine on the Kubernetes fleet and routers. The engine runs under virtual
 * time on the testkit's {@link RolloutHarness} (gate intervals pass at once), with the harness's
 * fake fleet and router replaced by the real {@link KubernetesFleet} and a real router, behind the
 * harness's crash switch. No Kubernetes API server can run on the build machines: fabric8's mock
 * server in CRUD mode stands in ({@link TestCluster}, every custom resource validated against its
 * CRD), and a {@link SimulatedKubelet} on its own threads plays the ReplicaSet controller and the
 * kubelet.
 *
 * <p>Provider calls run inline on the test thread (the harness's provider executor), so a launch
 * blocks it until the simulated pods are Ready. The fleet's own scheduler is a virtual one that
 * never advances: its re-checks and deadlines cannot fire, so a launch that completes was woken by
 * the watch alone, and the engine sees it with no virtual time passing.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES) // a launch the watch never wakes would hang here
class KubernetesEndToEndTest {
  private static final String SVC = "checkout";
  private static final Step.Verify CHECK =
      Step.Verify.gates("error-rate").count(3).interval(Duration.ofSeconds(30)).build();
  private static final RolloutStrategy CANARY =
      Strategies.canary().setWeight(20).analysis(CHECK).setWeight(50).analysis(CHECK).build();

  private final ScheduledExecutorService kubeletThreads = Executors.newScheduledThreadPool(2);
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final KubernetesClient admin = TestCluster.get().client();

  /** One namespace of the mock cluster with a simulated kubelet and a fleet. */
  private record Cluster(
      String namespace, String agent, SimulatedKubelet kubelet, KubernetesFleet fleet) {}

  private Cluster cluster(String namespace, Duration readyAfter) {
    SimulatedKubelet kubelet =
        new SimulatedKubelet(admin, namespace, kubeletThreads).readyAfter(readyAfter).start();
    closeables.add(kubelet);
    String agent = "e2e-" + namespace;
    KubernetesClient client = TestCluster.get().newClient(agent);
    closeables.add(client);
    VirtualScheduler frozen = VirtualScheduler.create();
    KubernetesFleet fleet =
        KubernetesFleet.builder(client, namespace)
            .clock(frozen.clock())
            .scheduler(frozen)
            .retainedReleases(1)
            .build();
    closeables.add(0, fleet);
    return new Cluster(namespace, agent, kubelet, fleet);
  }

  private static GatewayApiRouter gatewayRouter(String namespace) {
    return new GatewayApiRouter(
        TestCluster.get().client(),
        namespace,
        "cutover",
        List.of(new GatewayApiRouter.Parent("infra", "public", null)),
        List.of("shop.example.com"),
        80,
        "http");
  }

  /** A harness whose engine runs on {@code c}'s fleet and {@code router}; gate on error_rate. */
  private static RolloutHarness harness(Cluster c, Router router) {
    return RolloutHarness.builder()
        .gate(
            m ->
                ThresholdGate.builder("error-rate", m)
                    .query("error_rate")
                    .passWhen(Comparison.AT_MOST, 0.01)
                    .onNoData(NoDataPolicy.FAIL)
                    .build())
        .fleet(c.fleet())
        .router(router)
        .build();
  }

  /** v1 runs (2 pods) with all traffic, adopted as stable; metrics scripted for v1 and v2. */
  private static Release[] stable(
      RolloutHarness h, Cluster c, Router router, String service, double v2ErrorRate) {
    Release v1 = h.release(service, "v1");
    Release v2 = h.release(service, "v2");
    h.metrics()
        .series("error_rate")
        .release(v1.id())
        .constant(0.001)
        .release(v2.id())
        .constant(v2ErrorRate);
    List<Instance> up = c.fleet().launch(new OperationId("setup/" + service), v1, 2);
    router.apply(
        new OperationId("setup/route/" + service),
        service,
        TrafficSplit.all(v1.id()),
        Map.of(v1.id(), up));
    h.cutover().adopt(v1, 2);
    return new Release[] {v1, v2};
  }

  private ReplicaSet replicaSet(Cluster c, Release r) {
    return admin
        .apps()
        .replicaSets()
        .inNamespace(c.namespace())
        .withName(KubernetesNames.releaseName(r))
        .get();
  }

  private List<ReplicaSet> replicaSetsOf(Cluster c, String service) {
    return admin
        .apps()
        .replicaSets()
        .inNamespace(c.namespace())
        .withLabel(KubernetesNames.SERVICE_LABEL, service)
        .list()
        .getItems();
  }

  private static List<Instance> of(KubernetesFleet fleet, String service, Release r) {
    return fleet.instances(service).stream().filter(i -> i.releaseId().equals(r.id())).toList();
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    kubeletThreads.shutdownNow();
    assertThat(TestCluster.get().violations()).as("CRD schema violations").isEmpty();
  }

  @Test
  @DisplayName(
      "canary on the Kubernetes fleet with the gateway-api router and a threshold gate: promoted")
  void canaryPromoted() {
    Cluster c = cluster("e2e-canary", Duration.ZERO);
    GatewayApiRouter router = gatewayRouter(c.namespace());
    try (RolloutHarness h = harness(c, router)) {
      Release[] r = stable(h, c, router, SVC, 0.001);
      RolloutResult result = h.deploy(CANARY, r[1], 2);

      assertThat(result.status().state()).isEqualTo(RolloutState.SUCCEEDED);
      assertThat(
              result.events().stream()
                  .filter(e -> e.type() == RolloutEvent.Type.TRAFFIC_SHIFTED)
                  .map(e -> e.split().weight(r[1].id())))
          .as("the canary's weights on the HTTPRoute, step by step")
          .containsSubsequence(2_000, 5_000, TrafficSplit.TOTAL);
      assertThat(router.current(SVC))
          .hasValueSatisfying(s -> assertThat(s.weight(r[1].id())).isEqualTo(TrafficSplit.TOTAL));
      assertThat(of(c.fleet(), SVC, r[1]))
          .hasSize(2)
          .allMatch(i -> i.state() == InstanceState.READY);
      assertThat(of(c.fleet(), SVC, r[0])).as("v1's pods are gone").isEmpty();
      assertThat(replicaSet(c, r[0]).getSpec().getReplicas())
          .as("v1's ReplicaSet kept at 0 for a fast rollback")
          .isZero();
      assertThat(h.cutover().stable(SVC)).contains(r[1]);
    }
  }

  @Test
  @DisplayName(
      "a failing canary is aborted: the HTTPRoute sends 100 % to stable and the canary's workload is retired")
  void failingCanaryAborted() {
    Cluster c = cluster("e2e-abort", Duration.ZERO);
    GatewayApiRouter router = gatewayRouter(c.namespace());
    try (RolloutHarness h = harness(c, router)) {
      Release[] r = stable(h, c, router, SVC, 0.2);
      RolloutResult result = h.deploy(CANARY, r[1], 2);

      assertThat(result.status().state()).isEqualTo(RolloutState.ABORTED);
      assertThat(router.current(SVC))
          .hasValueSatisfying(
              s -> {
                assertThat(s.weight(r[0].id())).isEqualTo(TrafficSplit.TOTAL);
                assertThat(s.weight(r[1].id())).isZero();
              });
      assertThat(of(c.fleet(), SVC, r[1])).as("the canary's pods").isEmpty();
      ReplicaSet canary = replicaSet(c, r[1]);
      assertThat(canary == null || canary.getSpec().getReplicas() == 0)
          .as("the canary's ReplicaSet is scaled to 0 or deleted")
          .isTrue();
      assertThat(of(c.fleet(), SVC, r[0]))
          .hasSize(2)
          .allMatch(i -> i.state() == InstanceState.READY);
      assertThat(h.cutover().stable(SVC)).contains(r[0]);
    }
  }

  @Test
  @DisplayName(
      "blue/green with the kubernetes-service router: a preview Service, then the selector switch")
  void blueGreenWithPreview() {
    Cluster c = cluster("e2e-bluegreen", Duration.ZERO);
    ServiceRouter router =
        new ServiceRouter(TestCluster.get().client(), c.namespace(), "cutover", 80, "http");
    try (RolloutHarness h = harness(c, router)) {
      Release[] r = stable(h, c, router, SVC, 0.001);
      RolloutStrategy blueGreen =
          Strategies.blueGreen()
              .previewHeader("x-preview", "1")
              .prePromotionAnalysis(CHECK)
              .build();
      Rollout rollout = h.cutover().deploy(blueGreen, r[1], 2);
      RolloutResult result = h.run(rollout);

      assertThat(result.status().state()).isEqualTo(RolloutState.SUCCEEDED);
      assertThat(
              result.events().stream()
                  .filter(e -> e.type() == RolloutEvent.Type.TRAFFIC_SHIFTED)
                  .map(RolloutEvent::split))
          .as("a preview split (0 % + a header rule to green) before the switch")
          .anySatisfy(
              s -> {
                assertThat(s.weight(r[1].id())).isZero();
                assertThat(s.rules())
                    .singleElement()
                    .satisfies(rule -> assertThat(rule.releaseId()).isEqualTo(r[1].id()));
              });
      assertThat(
              admin
                  .services()
                  .inNamespace(c.namespace())
                  .withName(SVC)
                  .get()
                  .getSpec()
                  .getSelector())
          .containsEntry(KubernetesNames.RELEASE_LABEL, KubernetesNames.releaseName(r[1]));
      assertThat(
              admin
                  .services()
                  .inNamespace(c.namespace())
                  .withName(SVC + ServiceRouter.PREVIEW_SUFFIX)
                  .get())
          .as("the preview Service goes with the switch")
          .isNull();
      assertThat(router.current(SVC)).contains(TrafficSplit.all(r[1].id()));
    }
  }

  @Test
  @DisplayName(
      "a rollout resumed after an engine crash creates no second workload, wherever the crash hit")
  void resumedAfterCrash() {
    Cluster c = cluster("e2e-crash", Duration.ZERO);
    GatewayApiRouter router = gatewayRouter(c.namespace());
    int resumed = 0;
    for (int records = 1; records <= 9; records += 2) {
      String service = "crash-" + records;
      try (RolloutHarness h = harness(c, router)) {
        Release[] r = stable(h, c, router, service, 0.001);
        h.crashAfterRecords(records);
        Rollout rollout;
        try {
          rollout = h.cutover().deploy(CANARY, r[1], 2);
        } catch (EngineCrash beforeTheRolloutExisted) {
          assertThat(h.restart()).isEmpty();
          continue;
        }
        RolloutResult result = h.run(rollout);
        if (h.crashed()) {
          List<Rollout> open = h.restart();
          assertThat(open).as("crash after %s records: resumed", records).hasSize(1);
          result = h.run(open.get(0));
          resumed++;
        }
        assertThat(result.status().state())
            .as("crash after %s records", records)
            .isEqualTo(RolloutState.SUCCEEDED);
        String path = "/replicasets/" + KubernetesNames.releaseName(r[1]);
        assertThat(
                TestCluster.get().requests(c.agent()).stream()
                    .filter(q -> q.createdByApply() && q.path().contains(path)))
            .as("crash after %s records: the canary's ReplicaSet was created once", records)
            .hasSize(1);
        assertThat(replicaSetsOf(c, service))
            .as("crash after %s records: one ReplicaSet per release", records)
            .hasSize(2);
        assertThat(of(c.fleet(), service, r[1])).hasSize(2);
      }
    }
    assertThat(resumed).as("runs in which the engine crashed mid-rollout and resumed").isPositive();
  }

  @Test
  @DisplayName("a pod running another digest than its release is reported as drift")
  void driftReported() {
    Cluster c = cluster("e2e-drift", Duration.ZERO);
    GatewayApiRouter router = gatewayRouter(c.namespace());
    try (RolloutHarness h = harness(c, router)) {
      Release[] r = stable(h, c, router, SVC, 0.001);
      // One of v1's pods now runs another image (someone retagged and the node re-pulled).
      Pod pod =
          admin
              .pods()
              .inNamespace(c.namespace())
              .withLabel(KubernetesNames.RELEASE_LABEL, KubernetesNames.releaseName(r[0]))
              .list()
              .getItems()
              .get(0);
      pod.getStatus()
          .getContainerStatuses()
          .get(0)
          .setImageID("cutover.test/" + SVC + "@" + SimulatedKubelet.WRONG_DIGEST);
      admin.pods().inNamespace(c.namespace()).resource(pod).updateStatus();
      // The fleet sees pods through a watch: wait until it has the new status, or the engine's
      // first look may come before it (seen under load: no DRIFT_DETECTED).
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (c.fleet().instances(SVC).stream()
              .noneMatch(i -> SimulatedKubelet.WRONG_DIGEST.equals(i.runningDigest()))
          && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }

      RolloutResult result = h.deploy(CANARY, r[1], 2);

      assertThat(result.events())
          .filteredOn(e -> e.type() == RolloutEvent.Type.DRIFT_DETECTED)
          .as("DRIFT_DETECTED naming the pod and the digest it runs")
          .anySatisfy(
              e ->
                  assertThat(e.message())
                      .contains(pod.getMetadata().getName())
                      .contains(SimulatedKubelet.WRONG_DIGEST.toString()));
    }
  }

  @Test
  @DisplayName(
      "a pod that goes Ready is seen at once under virtual time: the launch step takes no virtual time")
  void readinessSeenWithoutPolling() {
    Cluster c = cluster("e2e-ready", Duration.ofMillis(300));
    GatewayApiRouter router = gatewayRouter(c.namespace());
    try (RolloutHarness h = harness(c, router)) {
      Release[] r = stable(h, c, router, SVC, 0.001);
      long before = System.nanoTime();
      RolloutResult result = h.deploy(CANARY, r[1], 2);
      Duration real = Duration.ofNanos(System.nanoTime() - before);

      assertThat(result.status().state()).isEqualTo(RolloutState.SUCCEEDED);
      assertThat(real)
          .as("the kubelet made the launch wait in real time")
          .isGreaterThan(Duration.ofMillis(300));
      RolloutEvent started =
          result.events().stream()
              .filter(
                  e -> e.type() == RolloutEvent.Type.STEP_STARTED && e.stepKind().equals("launch"))
              .findFirst()
              .orElseThrow();
      RolloutEvent completed =
          result.events().stream()
              .filter(
                  e ->
                      e.type() == RolloutEvent.Type.STEP_COMPLETED
                          && e.stepIndex() == started.stepIndex())
              .findFirst()
              .orElseThrow();
      assertThat(completed.time())
          .as("READY seen with no virtual time passing (no poll interval, no scheduler tick)")
          .isEqualTo(started.time());
    }
  }
}
