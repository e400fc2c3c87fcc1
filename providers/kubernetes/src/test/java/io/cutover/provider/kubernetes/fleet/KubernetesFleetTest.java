// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.kubernetes.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.ArtifactRef;
import io.cutover.api.ConfigRef;
import io.cutover.api.Digest;
import io.cutover.api.Instance;
import io.cutover.api.InstanceState;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.ProviderException;
import io.cutover.api.Release;
import io.cutover.provider.kubernetes.KubernetesNames;
import io.cutover.provider.kubernetes.testing.SimulatedKubelet;
import io.cutover.provider.kubernetes.testing.SimulatedKubelet.Behavior;
import io.cutover.provider.kubernetes.testing.TestCluster;
import io.cutover.simulator.VirtualScheduler;
import io.cutover.spi.OperationId;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What the Kubernetes fleet writes and how it reads pods back, beyond the contract kit: the
 * workload and its ConfigMap, idempotency by operation id, retention, every failure mode a node
 * shows, drift, and waits woken by the watch. No Kubernetes API server can run on the build
 * machines: fabric8's mock server in CRUD mode stands in ({@link TestCluster}) and a {@link
 * SimulatedKubelet} plays the ReplicaSet controller and the kubelet, so what a real node does
 * (pulling images, probing, restarting) is simulated by the statuses it writes.
 */
class KubernetesFleetTest {
  private static final String NS = "fleet-modes";
  private static final KubernetesClient CLIENT = TestCluster.get().client();

  private static ScheduledExecutorService scheduler;
  private static SimulatedKubelet kubelet;

  private final String run = UUID.randomUUID().toString().substring(0, 8);
  private final ConfigValues.Registry configs = ConfigValues.registry();
  private final List<KubernetesFleet> fleets = new ArrayList<>();
  private int ops;

  @BeforeAll
  static void startTheCluster() {
    scheduler = Executors.newScheduledThreadPool(2);
    kubelet = new SimulatedKubelet(CLIENT, NS, scheduler).readyAfter(Duration.ofMillis(10)).start();
  }

  @AfterAll
  static void stopTheCluster() {
    kubelet.close();
    scheduler.shutdownNow();
  }

  @AfterEach
  void closeFleets() {
    fleets.forEach(KubernetesFleet::close);
  }

  private KubernetesFleet fleet(UnaryOperator<KubernetesFleet.Builder> settings) {
    KubernetesFleet f =
        settings
            .apply(
                KubernetesFleet.builder(CLIENT, NS)
                    .clock(Clock.systemUTC())
                    .scheduler(scheduler)
                    .configs(configs)
                    .readyTimeout(Duration.ofSeconds(20)))
            .build();
    fleets.add(f);
    return f;
  }

  private KubernetesFleet fleet() {
    return fleet(b -> b);
  }

  private String service(String name) {
    return name + "-" + run;
  }

  private static Release release(String service, String label, ConfigRef config) {
    return Release.of(
            service, new ArtifactRef("registry.example/" + service, Digest.sha256(label)), config)
        .withLabel(label);
  }

  private static Release release(String service, String label) {
    return release(service, label, ConfigRef.EMPTY);
  }

  private OperationId op(String kind) {
    return new OperationId("r-" + run + "/s" + (ops++) + "/" + kind);
  }

  private static ReplicaSet replicaSet(Release r) {
    return CLIENT
        .apps()
        .replicaSets()
        .inNamespace(NS)
        .withName(KubernetesNames.releaseName(r))
        .get();
  }

  private static List<ReplicaSet> replicaSetsOf(String service) {
    return CLIENT
        .apps()
        .replicaSets()
        .inNamespace(NS)
        .withLabel(KubernetesNames.SERVICE_LABEL, service)
        .list()
        .getItems();
  }

  private static ConfigMap configMap(Release r) {
    return CLIENT.configMaps().inNamespace(NS).withName(Workloads.configMapName(r)).get();
  }

  private static Container app(ReplicaSet rs) {
    return rs.getSpec().getTemplate().getSpec().getContainers().stream()
        .filter(c -> c.getImage().contains("registry.example/"))
        .findFirst()
        .orElseThrow();
  }

  private static EnvVar env(Container c, String name) {
    return c.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst().orElseThrow();
  }

  private static void eventually(String what, BooleanSupplier condition)
      throws InterruptedException {
    for (int i = 0; i < 500 && !condition.getAsBoolean(); i++) {
      Thread.sleep(20);
    }
    assertThat(condition.getAsBoolean()).as(what).isTrue();
  }

  // ---------------------------------------------------------------- what is written

  @Test
  @DisplayName(
      "the workload is one ReplicaSet named from the release, its pod template fully specified on"
          + " top of the user's template")
  void workload() {
    PodTemplate template =
        PodTemplate.parse(
            """
            metadata:
              labels: {team: payments}
            spec:
              serviceAccountName: checkout
              containers:
              - name: proxy
                image: envoy@sha256:%s
              - name: main
                resources: {limits: {memory: 256Mi}}
            """
                .formatted("a".repeat(64)),
            "podTemplate");
    Release r = release(service("shop"), "v1");
    fleet(b -> b.podTemplate(template).containerPort(9090)).launch(op("launch"), r, 2);

    ReplicaSet rs = replicaSet(r);
    assertThat(replicaSetsOf(r.service())).hasSize(1);
    assertThat(rs.getMetadata().getName()).isEqualTo(KubernetesNames.releaseName(r));
    assertThat(rs.getSpec().getReplicas()).isEqualTo(2);
    assertThat(rs.getSpec().getSelector().getMatchLabels())
        .containsEntry(KubernetesNames.SERVICE_LABEL, r.service())
        .containsEntry(KubernetesNames.RELEASE_LABEL, KubernetesNames.releaseName(r));
    PodTemplateSpec pod = rs.getSpec().getTemplate();
    assertThat(pod.getMetadata().getLabels())
        .containsEntry("team", "payments")
        .containsEntry(KubernetesNames.SERVICE_LABEL, r.service())
        .containsEntry(KubernetesNames.RELEASE_LABEL, KubernetesNames.releaseName(r))
        .containsEntry(KubernetesNames.MANAGED_BY_LABEL, "cutover");
    assertThat(pod.getMetadata().getAnnotations())
        .containsEntry("cutover.io/release-id", r.id())
        .containsEntry("cutover.io/artifact", r.artifact().toString())
        .containsEntry("cutover.io/config", ConfigRef.EMPTY.digest().toString());
    assertThat(pod.getSpec().getServiceAccountName()).isEqualTo("checkout");
    assertThat(pod.getSpec().getContainers())
        .extracting(Container::getName)
        .containsExactly("proxy", "main");
    Container main = app(rs);
    assertThat(main.getName()).isEqualTo("main");
    assertThat(main.getImage())
        .isEqualTo("registry.example/" + r.service() + "@" + Digest.sha256("v1"))
        .matches(".*@sha256:[0-9a-f]{64}");
    assertThat(main.getResources().getLimits()).containsKey("memory");
    assertThat(main.getPorts())
        .anyMatch(p -> "http".equals(p.getName()) && p.getContainerPort() == 9090);
    assertThat(env(main, "CUTOVER_RELEASE").getValue()).isEqualTo(r.id());
  }

  @Test
  @DisplayName(
      "configuration goes into an immutable ConfigMap named by its digest, as env and a mount;"
          + " secrets only as secretKeyRef")
  void immutableConfigMap() {
    ConfigRef config =
        configs.register(
            Map.of(
                "db.url", "jdbc:postgresql://db/shop",
                "db.password", "${secret:shop-db/password}",
                "feature.flag", "on"));
    Release r = release(service("cfg"), "v1", config);
    fleet().launch(op("launch"), r, 1);

    ConfigMap cm = configMap(r);
    assertThat(cm.getMetadata().getName())
        .isEqualTo(r.service() + "-config-" + config.digest().hex());
    assertThat(cm.getImmutable()).isTrue();
    assertThat(cm.getData())
        .containsOnly(
            Map.entry("db.url", "jdbc:postgresql://db/shop"), Map.entry("feature.flag", "on"));
    ReplicaSet rs = replicaSet(r);
    Container app = app(rs);
    assertThat(env(app, "DB_URL").getValueFrom().getConfigMapKeyRef().getName())
        .isEqualTo(cm.getMetadata().getName());
    assertThat(env(app, "DB_URL").getValueFrom().getConfigMapKeyRef().getKey()).isEqualTo("db.url");
    EnvVar password = env(app, "DB_PASSWORD");
    assertThat(password.getValue()).isNull();
    assertThat(password.getValueFrom().getSecretKeyRef().getName()).isEqualTo("shop-db");
    assertThat(password.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("password");
    assertThat(app.getVolumeMounts())
        .anyMatch(m -> m.getMountPath().equals(Workloads.CONFIG_MOUNT) && m.getReadOnly());
    assertThat(rs.getSpec().getTemplate().getSpec().getVolumes())
        .anyMatch(
            v ->
                v.getConfigMap() != null
                    && v.getConfigMap().getName().equals(cm.getMetadata().getName()));
    assertThat(Serialization.asJson(rs) + Serialization.asJson(cm)).doesNotContain("${secret");
  }

  @Test
  @DisplayName("configuration that cannot go into a pod is refused before anything is written")
  void badConfig() {
    ConfigRef config =
        configs.register(Map.of("db.url", "x", "DB_URL", "y", "endpoint", "pre-${secret:a/b}"));
    Release r = release(service("badcfg"), "v1", config);
    assertThatThrownBy(() -> fleet().launch(op("launch"), r, 1))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("DB_URL")
        .hasMessageContaining("config.endpoint")
        .hasMessageNotContaining("pre-");
    assertThat(replicaSet(r)).isNull();
    assertThat(configMap(r)).isNull();
    Release unknown = release(service("badcfg"), "v2", ConfigRef.of(Map.of("a", "b")));
    assertThatThrownBy(() -> fleet().launch(op("launch"), unknown, 1))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("release.config");
  }

  // ---------------------------------------------------------------- idempotency

  @Test
  @DisplayName(
      "a retried launch, also by a new fleet after a restart, creates no second ReplicaSet and no"
          + " new pod")
  void retriedLaunch() {
    Release r = release(service("retry"), "v1");
    OperationId op = op("launch");
    List<Instance> first = fleet().launch(op, r, 2);
    int pods = kubelet.podsCreated();
    String uid = replicaSet(r).getMetadata().getUid();
    String resourceVersion = replicaSet(r).getMetadata().getResourceVersion();

    assertThat(fleet().launch(op, r, 2)).isEqualTo(first);
    assertThat(replicaSetsOf(r.service())).hasSize(1);
    assertThat(replicaSet(r).getMetadata().getUid()).isEqualTo(uid);
    assertThat(kubelet.podsCreated()).isEqualTo(pods);
    assertThat(replicaSet(r).getMetadata().getAnnotations().get(Workloads.OPERATIONS))
        .isEqualTo(op.value());
    assertThat(replicaSet(r).getMetadata().getResourceVersion())
        .as("nothing written by the repeat")
        .isEqualTo(resourceVersion);
  }

  @Test
  @DisplayName("a stale operation (applied before a later one) changes nothing")
  void staleOperation() {
    KubernetesFleet fleet = fleet();
    Release r = release(service("stale"), "v1");
    OperationId launch = op("launch");
    fleet.launch(launch, r, 3);
    fleet.scale(op("scale"), r, 1);
    assertThat(fleet.launch(launch, r, 3)).hasSize(1);
    assertThat(replicaSet(r).getSpec().getReplicas()).isEqualTo(1);
  }

  @Test
  @DisplayName("scaling changes only replicas: the pod template is never written again")
  void neverUpdatedInPlace() {
    KubernetesFleet fleet = fleet();
    Release r = release(service("immutable"), "v1");
    fleet.launch(op("launch"), r, 1);
    String template = Serialization.asJson(replicaSet(r).getSpec().getTemplate());
    fleet.scale(op("scale"), r, 3);
    fleet.drain(op("drain"), r);
    fleet.retire(op("retire"), r);
    fleet.launch(op("launch"), r, 2);
    assertThat(Serialization.asJson(replicaSet(r).getSpec().getTemplate())).isEqualTo(template);
    assertThat(replicaSet(r).getSpec().getReplicas()).isEqualTo(2);
  }

  // ---------------------------------------------------------------- retire

  @Test
  @DisplayName(
      "retire deletes a ReplicaSet beyond retainedReleases, and its ConfigMap only once no release"
          + " uses it")
  void configMapDeletedWhenUnused() {
    ConfigRef config = configs.register(Map.of("greeting", "hello"));
    KubernetesFleet fleet = fleet(b -> b.retainedReleases(0));
    Release v1 = release(service("gc"), "v1", config);
    Release v2 = release(service("gc"), "v2", config);
    fleet.launch(op("launch"), v1, 1);
    fleet.launch(op("launch"), v2, 1);
    assertThat(Workloads.configMapName(v1)).isEqualTo(Workloads.configMapName(v2));

    fleet.retire(op("retire"), v1);
    assertThat(replicaSet(v1)).isNull();
    assertThat(configMap(v1)).as("still used by v2").isNotNull();
    assertThat(fleet.instances(v2.service())).hasSize(1);

    fleet.retire(op("retire"), v2);
    assertThat(replicaSet(v2)).isNull();
    assertThat(configMap(v2)).as("used by no release").isNull();
  }

  @Test
  @DisplayName(
      "the ReplicaSets of the last retainedReleases retired releases stay at 0 replicas, and a"
          + " rollback to one scales the same ReplicaSet up")
  void retention() {
    KubernetesFleet fleet = fleet(b -> b.retainedReleases(1));
    String service = service("keep");
    List<Release> releases =
        List.of(release(service, "v1"), release(service, "v2"), release(service, "v3"));
    for (Release r : releases) {
      fleet.launch(op("launch"), r, 1);
      fleet.retire(op("retire"), r);
    }
    assertThat(replicaSetsOf(service))
        .extracting(rs -> rs.getMetadata().getName())
        .containsExactly(KubernetesNames.releaseName(releases.get(2)));
    ReplicaSet kept = replicaSet(releases.get(2));
    assertThat(kept.getSpec().getReplicas()).isZero();
    assertThat(kept.getMetadata().getAnnotations()).containsKey(Workloads.RETIRED_AT);

    List<Instance> back = fleet.launch(op("launch"), releases.get(2), 2);
    assertThat(back).hasSize(2).allMatch(i -> i.state() == InstanceState.READY);
    assertThat(replicaSet(releases.get(2)).getMetadata().getUid())
        .isEqualTo(kept.getMetadata().getUid());
    assertThat(replicaSet(releases.get(2)).getMetadata().getAnnotations())
        .doesNotContainKey(Workloads.RETIRED_AT);
  }

  @Test
  @DisplayName("retire waits for terminating pods, which are listed DRAINING meanwhile")
  void waitsForTermination() throws Exception {
    KubernetesFleet fleet = fleet();
    Release r = release(service("term"), "v1");
    fleet.launch(op("launch"), r, 1);
    kubelet.terminateAfter(Duration.ofMillis(400));
    try {
      CompletableFuture<Void> retire =
          CompletableFuture.runAsync(() -> fleet.retire(op("retire"), r));
      eventually(
          "a terminating pod is DRAINING",
          () ->
              fleet.instances(r.service()).stream()
                  .anyMatch(i -> i.state() == InstanceState.DRAINING));
      assertThat(retire).isNotDone();
      retire.get(10, TimeUnit.SECONDS);
      assertThat(fleet.instances(r.service())).isEmpty();
    } finally {
      kubelet.terminateAfter(Duration.ZERO);
    }
  }

  @Test
  @DisplayName(
      "pods still terminating after terminationWait (on the injected scheduler) are deleted"
          + " forcibly, and retire goes on once they are gone")
  void forcedTermination() throws Exception {
    String agent = "fleet-force-" + run;
    VirtualScheduler virtual = VirtualScheduler.create();
    try (KubernetesClient client = TestCluster.get().newClient(agent)) {
      KubernetesFleet fleet =
          KubernetesFleet.builder(client, NS)
              .clock(virtual.clock())
              .scheduler(virtual)
              .podTemplate(PodTemplate.parse("spec: {terminationGracePeriodSeconds: 5}", "t"))
              .terminationWait(Duration.ofSeconds(5))
              .build();
      fleets.add(fleet);
      Release r = release(service("force"), "v1");
      CompletableFuture<List<Instance>> launch =
          CompletableFuture.supplyAsync(() -> fleet.launch(op("launch"), r, 1));
      launch.get(20, TimeUnit.SECONDS);
      kubelet.terminateAfter(Duration.ofSeconds(2));
      try {
        CompletableFuture<Void> retire =
            CompletableFuture.runAsync(() -> fleet.retire(op("retire"), r));
        eventually("the retire waits", () -> virtual.pendingTaskCount() == 2);
        virtual.advance(Duration.ofSeconds(5));
        retire.get(20, TimeUnit.SECONDS);
        assertThat(TestCluster.get().requests(agent))
            .anyMatch(q -> q.method().equals("DELETE") && q.path().contains("/pods"));
        assertThat(fleet.instances(r.service())).isEmpty();
      } finally {
        kubelet.terminateAfter(Duration.ZERO);
      }
    }
  }

  // ---------------------------------------------------------------- failures

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "CRASH_LOOP, CrashLoopBackOff in container",
    "IMAGE_PULL_BACKOFF, ImagePullBackOff in container",
    "OOM_KILLED, CrashLoopBackOff (last exit: OOMKilled)",
    "WRONG_IMAGE_ID, drift: the container runs " + "sha256:",
  })
  @DisplayName(
      "a launch whose pods fail names the reason, is not retried, and leaves nothing READY")
  void failedLaunch(Behavior behavior, String reason) {
    Release r = release(service("fail"), behavior.name().toLowerCase().replace('_', '-'));
    kubelet.behave(r, behavior);
    KubernetesFleet fleet = fleet();
    assertThatThrownBy(() -> fleet.launch(op("launch"), r, 2))
        .isInstanceOfSatisfying(ProviderException.class, e -> assertThat(e.retryable()).isFalse())
        .hasMessageContaining(reason)
        .hasMessageContaining(KubernetesNames.releaseName(r));
    assertThat(replicaSet(r).getSpec().getReplicas()).as("scaled back").isZero();
    assertThat(fleet.instances(r.service())).noneMatch(i -> i.state() == InstanceState.READY);
  }

  @Test
  @DisplayName(
      "pods that never become ready fail the launch at readyTimeout, measured on the injected"
          + " scheduler")
  void neverReady() throws Exception {
    VirtualScheduler virtual = VirtualScheduler.create();
    KubernetesFleet fleet =
        fleet(b -> b.scheduler(virtual).clock(virtual.clock()).readyTimeout(Duration.ofMinutes(3)));
    Release r = release(service("never"), "v1");
    kubelet.behave(r, Behavior.NEVER_READY);
    CompletableFuture<List<Instance>> launch =
        CompletableFuture.supplyAsync(() -> fleet.launch(op("launch"), r, 1));
    eventually("the pod runs", () -> !fleet.instances(r.service()).isEmpty());
    eventually(
        "the launch waits: deadline and re-check scheduled", () -> virtual.pendingTaskCount() == 2);
    virtual.advance(Duration.ofMinutes(2));
    assertThat(launch).isNotDone();
    virtual.advance(Duration.ofMinutes(1));
    assertThatThrownBy(() -> launch.get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(ProviderException.class)
        .hasMessageContaining("0 of 1 pods")
        .hasMessageContaining("readyTimeout PT3M");
  }

  @Test
  @DisplayName(
      "readiness is seen from the watch: with a scheduler that never runs, a launch still returns")
  void wokenByTheWatch() {
    VirtualScheduler frozen = VirtualScheduler.create();
    KubernetesFleet fleet = fleet(b -> b.scheduler(frozen).clock(frozen.clock()));
    Release r = release(service("watch"), "v1");
    assertThat(fleet.launch(op("launch"), r, 2)).hasSize(2);
    assertThat(frozen.pendingTaskCount()).as("deadline and re-check cancelled").isZero();
  }

  @Test
  @DisplayName("a pod that crashes after launch is listed FAILED, with its reason")
  void readyThenCrash() throws Exception {
    KubernetesFleet fleet = fleet();
    Release r = release(service("crash"), "v1");
    kubelet.behave(r, Behavior.READY_THEN_CRASH);
    List<Instance> launched = fleet.launch(op("launch"), r, 1);
    assertThat(launched).allMatch(i -> i.state() == InstanceState.READY);
    String id = launched.get(0).id();
    eventually(
        "FAILED",
        () ->
            fleet.instances(r.service()).stream().allMatch(i -> i.state() == InstanceState.FAILED));
    Instance failed =
        fleet.instances(r.service()).stream()
            .filter(i -> i.id().equals(id))
            .findFirst()
            .orElseThrow();
    assertThat(failed.reason()).startsWith("CrashLoopBackOff");
  }

  @Test
  @DisplayName(
      "a pod running another digest than its release's is drift: FAILED, with the digest it runs")
  void drift() throws Exception {
    KubernetesFleet fleet = fleet();
    Release r = release(service("drift"), "v1");
    List<Instance> launched = fleet.launch(op("launch"), r, 1);
    assertThat(launched.get(0).runningDigest()).isEqualTo(r.artifact().digest());
    kubelet.failNow(r, Behavior.WRONG_IMAGE_ID);
    eventually(
        "drift seen",
        () ->
            fleet.instances(r.service()).stream()
                .allMatch(i -> SimulatedKubelet.WRONG_DIGEST.equals(i.runningDigest())));
    Instance i = fleet.instances(r.service()).get(0);
    assertThat(i.state()).isEqualTo(InstanceState.FAILED);
    assertThat(i.reason()).startsWith("drift");
  }

  @Test
  @DisplayName(
      "an API server that forbids the watch (RBAC) fails the call permanently, naming what was"
          + " refused")
  void forbidden() {
    String agent = "fleet-forbidden-" + run;
    TestCluster.get().forbid(agent);
    try (KubernetesClient client = TestCluster.get().newClient(agent)) {
      KubernetesFleet fleet =
          KubernetesFleet.builder(client, NS).clock(Clock.systemUTC()).scheduler(scheduler).build();
      fleets.add(fleet);
      assertThatThrownBy(() -> fleet.instances(service("rbac")))
          .isInstanceOfSatisfying(ProviderException.class, e -> assertThat(e.retryable()).isFalse())
          .hasMessageContaining("HTTP 403")
          .hasMessageContaining("list and watch the pods and ReplicaSets of namespace " + NS);
    }
  }

  @Test
  @DisplayName("a ReplicaSet of that name that Cutover did not write is never adopted")
  void foreignWorkload() {
    Release r = release(service("foreign"), "v1");
    CLIENT
        .apps()
        .replicaSets()
        .inNamespace(NS)
        .resource(
            new io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder()
                .withNewMetadata()
                .withName(KubernetesNames.releaseName(r))
                .endMetadata()
                .withNewSpec()
                .withReplicas(0)
                .endSpec()
                .build())
        .create();
    assertThatThrownBy(() -> fleet().launch(op("launch"), r, 1))
        .isInstanceOf(ProviderException.class)
        .hasMessageContaining("not written by Cutover");
  }
}
