// SPDX-License-Identifier: Apache-2.0
package io.cutover.benchmarks;

import io.cutover.api.ArtifactRef;
import io.cutover.api.Digest;
import io.cutover.api.Instance;
import io.cutover.api.InstanceState;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.provider.kubernetes.KubernetesNames;
import io.cutover.provider.kubernetes.fleet.KubernetesFleet;
import io.cutover.provider.kubernetes.router.GatewayApiRouter;
import io.cutover.provider.kubernetes.router.IstioRouter;
import io.cutover.provider.kubernetes.router.ServiceRouter;
import io.cutover.spi.OperationId;
import io.cutover.spi.Router;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.readiness.Readiness;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Cutover's overhead per weight change on Kubernetes, against the bare fabric8 call that changes
 * the same weights, measured in the same run on the same mock API server and interleaved, so that
 * machine load hits both alike. No API server can run on the build machines: fabric8's mock server
 * in CRUD mode stands in ({@link KubernetesBenchCluster}), so the figures are client-side and
 * mock-side costs, not an API server's or a data plane's.
 *
 * <p>Per router, one iteration of Cutover is {@code router.apply(...)} of a new split between two
 * releases (the {@code gateway-api} router: 2 release Services applied, the HTTPRoute applied, the
 * release Services listed; {@code istio}: the host Service, a DestinationRule read and applied, the
 * VirtualService applied; {@code kubernetes-service}: the Service applied with the other release's
 * selector, the preview Service deleted). One iteration of the baseline is the one server-side
 * apply that carries the same weights: the HTTPRoute, the VirtualService or the Service.
 *
 * <p>Prints, per router R: {@code kubernetes.route_p50.R} and {@code kubernetes.route_p99.R} (ms),
 * {@code baseline.route_apply_p50.R} (ms), {@code kubernetes.route_overhead.R} (ratio of the
 * medians) and {@code kubernetes.route_requests.R} (API requests per weight change).
 *
 * <p>Then the time from {@code Fleet.launch} of one pod to its return with the pod READY, under a
 * simulated kubelet with a pod start of 0 ms ({@link KubernetesBenchKubelet}), against a bare
 * fabric8 create of a ReplicaSet and a watch of its pods until one is Ready: {@code
 * kubernetes.launch_ready_p50/_p99}, {@code baseline.create_watch_ready_p50/_p99} (ms) and {@code
 * kubernetes.launch_overhead_p50/_p99} (ratios). Arguments: [changes] [warmup] [launches] (default
 * 500, max(100, changes / 5), 200; launch warm-up max(launches / 5, min(20, launches))).
 */
public final class KubernetesBenchmark {
  private static final String NS = "bench";
  private static final String LAUNCH_NS = "bench-launch";

  private KubernetesBenchmark() {}

  public static void main(String[] args) throws Exception {
    int changes = args.length > 0 ? Integer.parseInt(args[0]) : 500;
    int warmup = args.length > 1 ? Integer.parseInt(args[1]) : Math.max(100, changes / 5);
    int launches = args.length > 2 ? Integer.parseInt(args[2]) : 200;
    int launchWarmup = Math.max(launches / 5, Math.min(20, launches));
    try (KubernetesBenchCluster cluster = new KubernetesBenchCluster();
        KubernetesClient client = cluster.newClient()) {
      Release a = release("a");
      Release b = release("b");
      Map<String, List<Instance>> backends = Map.of(a.id(), ready(a), b.id(), ready(b));

      GatewayApiRouter gateway =
          new GatewayApiRouter(
              client,
              NS,
              "cutover",
              List.of(new GatewayApiRouter.Parent("infra", "public", null)),
              List.of(),
              80,
              "http");
      routerBench(
          "gateway-api",
          cluster,
          gateway,
          i -> TrafficSplit.of(a.id(), b.id(), 1 + (i * 37) % 9_999),
          i -> bareRoute(client, a, b, 1 + (i * 37) % 9_999),
          backends,
          changes,
          warmup);

      IstioRouter istio = new IstioRouter(client, NS, "cutover", List.of(), List.of(), 80, "http");
      routerBench(
          "istio",
          cluster,
          istio,
          i -> TrafficSplit.of(a.id(), b.id(), 100 * (1 + i % 99)),
          i -> bareVirtualService(client, a, b, 1 + i % 99),
          backends,
          changes,
          warmup);

      ServiceRouter service = new ServiceRouter(client, NS, "cutover", 80, "http");
      routerBench(
          "kubernetes-service",
          cluster,
          service,
          i ->
              (i & 1) == 0
                  ? TrafficSplit.of(a.id(), b.id(), 0)
                  : TrafficSplit.of(b.id(), a.id(), 0),
          i -> bareService(client, (i & 1) == 0 ? a : b),
          backends,
          changes,
          warmup);

      launchBench(client, launches, launchWarmup);
    }
  }

  /**
   * {@code fleet.launch} of one pod of a new release until it returns (READY), against a bare
   * create of a ReplicaSet plus a watch of its pods until one is Ready; both served by the same
   * kubelet with 0 ms pod start, interleaved. Retiring (Cutover) and deleting (bare) are not timed.
   */
  private static void launchBench(KubernetesClient client, int launches, int warmup)
      throws Exception {
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try (KubernetesBenchKubelet kubelet = new KubernetesBenchKubelet(client, LAUNCH_NS);
        KubernetesFleet fleet =
            KubernetesFleet.builder(client, LAUNCH_NS)
                .clock(Clock.systemUTC())
                .scheduler(scheduler)
                .retainedReleases(0)
                .readyTimeout(Duration.ofSeconds(60))
                .build()) {
      long[] cutover = new long[launches];
      long[] baseline = new long[launches];
      for (int i = -warmup; i < launches; i++) {
        int n = i + warmup;
        Release r =
            Release.of("launch", new ArtifactRef("bench/launch", Digest.sha256("launch-" + n)));
        long a;
        long b;
        if ((i & 1) == 0) {
          a = timeLaunch(fleet, r, n);
          b = timeBare(client, r, n);
        } else {
          b = timeBare(client, r, n);
          a = timeLaunch(fleet, r, n);
        }
        if (i >= 0) {
          cutover[i] = a;
          baseline[i] = b;
        }
      }
      Arrays.sort(cutover);
      Arrays.sort(baseline);
      double p50 = cutover[launches / 2] / 1e6;
      double p99 = cutover[(int) (launches * 0.99)] / 1e6;
      double bareP50 = baseline[launches / 2] / 1e6;
      double bareP99 = baseline[(int) (launches * 0.99)] / 1e6;
      System.out.println(line("kubernetes.launch_ready_p50", p50, "ms"));
      System.out.println(line("kubernetes.launch_ready_p99", p99, "ms"));
      System.out.println(line("baseline.create_watch_ready_p50", bareP50, "ms"));
      System.out.println(line("baseline.create_watch_ready_p99", bareP99, "ms"));
      System.out.println(line("kubernetes.launch_overhead_p50", p50 / bareP50, "x"));
      System.out.println(line("kubernetes.launch_overhead_p99", p99 / bareP99, "x"));
    } finally {
      scheduler.shutdownNow();
    }
  }

  private static long timeLaunch(KubernetesFleet fleet, Release r, int n) {
    long start = System.nanoTime();
    List<Instance> up = fleet.launch(new OperationId("launch-" + n), r, 1);
    long took = System.nanoTime() - start;
    if (up.size() != 1 || up.get(0).state() != InstanceState.READY) {
      throw new IllegalStateException("launch returned " + up);
    }
    fleet.retire(new OperationId("retire-" + n), r);
    return took;
  }

  private static long timeBare(KubernetesClient client, Release r, int n) throws Exception {
    String name = "bare-" + n;
    ReplicaSet rs =
        new ReplicaSetBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(LAUNCH_NS)
            .endMetadata()
            .withNewSpec()
            .withReplicas(1)
            .withNewSelector()
            .addToMatchLabels("bare", name)
            .endSelector()
            .withNewTemplate()
            .withNewMetadata()
            .addToLabels("bare", name)
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("app")
            .withImage(r.artifact().toString())
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    long start = System.nanoTime();
    CompletableFuture<Pod> ready = new CompletableFuture<>();
    try (Watch watch =
        client
            .pods()
            .inNamespace(LAUNCH_NS)
            .withLabel("bare", name)
            .watch(
                new Watcher<Pod>() {
                  @Override
                  public void eventReceived(Action action, Pod pod) {
                    if (Readiness.isPodReady(pod)) {
                      ready.complete(pod);
                    }
                  }

                  @Override
                  public void onClose(WatcherException cause) {
                    ready.completeExceptionally(cause);
                  }
                })) {
      client.apps().replicaSets().inNamespace(LAUNCH_NS).resource(rs).create();
      ready.get(60, TimeUnit.SECONDS);
    }
    long took = System.nanoTime() - start;
    client.apps().replicaSets().inNamespace(LAUNCH_NS).withName(name).delete();
    return took;
  }

  private interface Split {
    TrafficSplit at(int i);
  }

  private interface Bare {
    void apply(int i);
  }

  private static void routerBench(
      String name,
      KubernetesBenchCluster cluster,
      Router router,
      Split split,
      Bare bare,
      Map<String, List<Instance>> backends,
      int changes,
      int warmup) {
    long[] cutover = new long[changes];
    long[] baseline = new long[changes];
    long routerRequests = 0;
    String service = "shop-" + name.replace("kubernetes-", "");
    for (int i = -warmup; i < changes; i++) {
      OperationId op = new OperationId(name + "-" + (i + warmup));
      TrafficSplit s = split.at(i + warmup);
      long a;
      long b;
      long before;
      // Alternate which goes first so neither always runs right after the other's writes.
      if ((i & 1) == 0) {
        before = cluster.requests();
        a = time(() -> router.apply(op, service, s, backends));
        routerRequests += i >= 0 ? cluster.requests() - before : 0;
        int at = i + warmup;
        b = time(() -> bare.apply(at));
      } else {
        int at = i + warmup;
        b = time(() -> bare.apply(at));
        before = cluster.requests();
        a = time(() -> router.apply(op, service, s, backends));
        routerRequests += i >= 0 ? cluster.requests() - before : 0;
      }
      if (i >= 0) {
        cutover[i] = a;
        baseline[i] = b;
      }
    }
    if (!router.current(service).isPresent()) {
      throw new IllegalStateException(name + ": the split cannot be read back");
    }
    Arrays.sort(cutover);
    Arrays.sort(baseline);
    double p50 = cutover[changes / 2] / 1e6;
    double bareP50 = baseline[changes / 2] / 1e6;
    System.out.println(line("kubernetes.route_p50." + name, p50, "ms"));
    System.out.println(
        line("kubernetes.route_p99." + name, cutover[(int) (changes * 0.99)] / 1e6, "ms"));
    System.out.println(line("baseline.route_apply_p50." + name, bareP50, "ms"));
    System.out.println(line("kubernetes.route_overhead." + name, p50 / bareP50, "x"));
    System.out.println(
        line("kubernetes.route_requests." + name, routerRequests / (double) changes, "requests"));
  }

  private static long time(Runnable r) {
    long start = System.nanoTime();
    r.run();
    return System.nanoTime() - start;
  }

  private static void bareRoute(KubernetesClient client, Release a, Release b, int bBasisPoints) {
    HTTPRoute route =
        new HTTPRouteBuilder()
            .withNewMetadata()
            .withName("bare-route")
            .withNamespace(NS)
            .endMetadata()
            .withNewSpec()
            .addNewParentRef()
            .withName("public")
            .withNamespace("infra")
            .endParentRef()
            .addNewRule()
            .addNewBackendRef()
            .withName(KubernetesNames.releaseName(a))
            .withPort(80)
            .withWeight(10_000 - bBasisPoints)
            .endBackendRef()
            .addNewBackendRef()
            .withName(KubernetesNames.releaseName(b))
            .withPort(80)
            .withWeight(bBasisPoints)
            .endBackendRef()
            .endRule()
            .endSpec()
            .build();
    client
        .resources(HTTPRoute.class)
        .inNamespace(NS)
        .resource(route)
        .fieldManager("bare")
        .forceConflicts()
        .serverSideApply();
  }

  private static final ResourceDefinitionContext VIRTUAL_SERVICE =
      new ResourceDefinitionContext.Builder()
          .withGroup("networking.istio.io")
          .withVersion("v1")
          .withKind("VirtualService")
          .withPlural("virtualservices")
          .withNamespaced(true)
          .build();

  private static void bareVirtualService(
      KubernetesClient client, Release a, Release b, int bPercent) {
    GenericKubernetesResource vs = new GenericKubernetesResource();
    vs.setApiVersion("networking.istio.io/v1");
    vs.setKind("VirtualService");
    vs.setMetadata(new ObjectMetaBuilder().withName("bare-mesh").withNamespace(NS).build());
    vs.setAdditionalProperty(
        "spec",
        Map.of(
            "hosts",
            List.of("bare-mesh"),
            "http",
            List.of(
                Map.of(
                    "route",
                    List.of(
                        destination(KubernetesNames.releaseName(a), 100 - bPercent),
                        destination(KubernetesNames.releaseName(b), bPercent))))));
    client
        .genericKubernetesResources(VIRTUAL_SERVICE)
        .inNamespace(NS)
        .resource(vs)
        .fieldManager("bare")
        .forceConflicts()
        .serverSideApply();
  }

  private static Map<String, Object> destination(String subset, int weight) {
    return Map.of("destination", Map.of("host", "bare-mesh", "subset", subset), "weight", weight);
  }

  private static void bareService(KubernetesClient client, Release active) {
    Service s =
        new ServiceBuilder()
            .withNewMetadata()
            .withName("bare-service")
            .withNamespace(NS)
            .endMetadata()
            .withNewSpec()
            .withSelector(
                Map.of(
                    KubernetesNames.SERVICE_LABEL,
                    "bare",
                    KubernetesNames.RELEASE_LABEL,
                    KubernetesNames.releaseName(active)))
            .addNewPort()
            .withPort(80)
            .endPort()
            .endSpec()
            .build();
    client
        .services()
        .inNamespace(NS)
        .resource(s)
        .fieldManager("bare")
        .forceConflicts()
        .serverSideApply();
  }

  private static Release release(String label) {
    return Release.of("shop", new ArtifactRef("bench/shop", Digest.sha256(label)));
  }

  private static List<Instance> ready(Release r) {
    return List.of(
        new Instance(
            r.id() + "-0",
            r.id(),
            URI.create("http://10.0.0.1:8080"),
            InstanceState.READY,
            r.artifact().digest()));
  }

  private static String line(String name, double value, String unit) {
    return String.format(Locale.ROOT, "BENCH %s %.3f %s", name, value, unit);
  }
}
