// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.kubernetes.fleet;

import io.cutover.api.ConfigRef;
import io.cutover.api.Instance;
import io.cutover.api.InstanceState;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.ProviderException;
import io.cutover.api.Release;
import io.cutover.provider.kubernetes.KubernetesClients;
import io.cutover.provider.kubernetes.KubernetesNames;
import io.cutover.spi.Fleet;
import io.cutover.spi.OperationId;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Fleet} on Kubernetes: one ReplicaSet per release, named from the service and the release
 * id ({@link KubernetesNames#releaseName}, e.g. {@code checkout-3f9a1c2b0d4e}), never updated in
 * place. Cutover tells the API server what to run and reads back what runs; it never schedules
 * containers itself.
 *
 * <p><b>What it writes.</b> A release's ReplicaSet is created once, by server-side apply under the
 * configured field manager, with the pod template fully specified: the user's {@link PodTemplate}
 * as the base, the application container's image by digest ({@code repo@sha256:...}), labels {@code
 * cutover.io/service}, {@code cutover.io/release} and {@code app.kubernetes.io/managed-by=cutover},
 * annotations with the release id, the artifact and the configuration digest. Afterwards only
 * {@code spec.replicas} and the {@code cutover.io/} annotations of the ReplicaSet change (a JSON
 * merge patch of exactly those fields): the pod template is never written again. A new release is a
 * new ReplicaSet.
 *
 * <p><b>Configuration</b> (from {@link ConfigValues}, checked against the release's digest) goes
 * into an immutable ConfigMap named {@code <service>-config-<digest hex>} ({@code immutable:
 * true}), shared by the releases with that configuration, mounted read-only at {@value
 * Workloads#CONFIG_MOUNT} and injected as environment variables ({@code db.url -> DB_URL}). A value
 * {@code ${secret:NAME/KEY}} becomes a {@code secretKeyRef} to the Secret {@code NAME}: the fleet
 * writes references only, never secret values.
 *
 * <p><b>Idempotency.</b> The workload's name comes from the release, so a retried or resumed launch
 * finds it instead of creating a second one. The last {@value Workloads#OPERATIONS_KEPT} operation
 * ids applied are recorded on the workload (annotation {@value Workloads#OPERATIONS}): repeating
 * the latest is harmless, and an older one (a stale retry) changes nothing.
 *
 * <p><b>Instances</b> are the release's pods: READY from the pod's {@code Ready} condition,
 * endpoint {@code http://<pod IP>:<containerPort>}, FAILED for CrashLoopBackOff, ImagePullBackOff
 * and the like, OOMKilled, or a running digest ({@code containerStatuses[].imageID}) other than the
 * release's. A FAILED instance carries why in {@link Instance#reason()}; launch and scale failures
 * carry it in their message, and it is logged when a wait sees it. Instances are listed in launch
 * order (pod creation time, then name).
 *
 * <p><b>Retire</b> scales the ReplicaSet to 0, waits for its pods to terminate (the pods' {@code
 * terminationGracePeriodSeconds}, up to {@code terminationWait}; then they are deleted forcibly),
 * and keeps the ReplicaSets of the last {@code retainedReleases} retired releases at 0 replicas for
 * a fast rollback; older ones are deleted, and a configuration ConfigMap with them once no
 * remaining ReplicaSet uses it. Drain marks the release (annotation {@value Workloads#DRAINING})
 * and lists its pods DRAINING; taking traffic off them is the router's job, which the engine does
 * before.
 *
 * <p><b>Waiting.</b> Readiness and termination are seen through informers (watches), with a check
 * on the injected scheduler as a safety net and the deadline on it too; see {@link ClusterWatch}.
 * {@link #launch}, {@link #scale} and {@link #retire} block the calling thread (the engine's
 * provider executor) until done; nothing sleeps or polls in a loop. Never call them on the thread
 * that drives the fleet's scheduler (e.g. an inline provider executor, {@code Runnable::run}, over
 * a virtual scheduler driven by the same thread): readiness would still be seen through the watch,
 * but a deadline could never fire. Give such a fleet a scheduler of its own.
 *
 * <p><b>Errors.</b> Configuration that cannot go into a pod is an {@link InvalidSpecException}
 * before anything is written. A launch whose pods fail (or are not READY within {@code
 * readyTimeout}) is scaled back to 0 and fails with a non-retryable {@link ProviderException}
 * naming the pods and their reasons; API failures are retryable unless the API server refused the
 * object (400, 403, 404, 422).
 *
 * <p><b>Threading.</b> Safe for concurrent use across services; one call at a time per service (the
 * engine's promise).
 */
public final class KubernetesFleet implements Fleet, AutoCloseable {
  /** The provider name. */
  public static final String PROVIDER = "kubernetes";

  private static final Logger LOG = LoggerFactory.getLogger(KubernetesFleet.class);
  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private final KubernetesClient client;
  private final boolean ownsClient;
  private final String namespace;
  private final String fieldManager;
  private final int containerPort;
  private final int retainedReleases;
  private final Duration readyTimeout;
  private final Duration terminationWait;
  private final ConfigValues configs;
  private final InstantSource clock;
  private final Workloads workloads;
  private final ClusterWatch watch;

  private KubernetesFleet(Builder b) {
    this.client = b.client;
    this.ownsClient = b.ownsClient;
    this.namespace = b.namespace;
    this.fieldManager = b.fieldManager;
    this.containerPort = b.containerPort;
    this.retainedReleases = b.retainedReleases;
    this.readyTimeout = b.readyTimeout;
    this.terminationWait =
        b.terminationWait != null
            ? b.terminationWait
            : Duration.ofSeconds(b.template.terminationGracePeriodSeconds() + 10);
    this.configs = b.configs;
    this.clock = Objects.requireNonNull(b.clock, "clock");
    this.workloads = new Workloads(namespace, b.template, containerPort);
    this.watch =
        new ClusterWatch(
            client, namespace, Objects.requireNonNull(b.scheduler, "scheduler"), PROVIDER);
  }

  /**
   * A builder for a fleet in {@code namespace}; set at least the clock and the scheduler (the
   * provider passes the host's).
   */
  public static Builder builder(KubernetesClient client, String namespace) {
    return new Builder(client, namespace);
  }

  // ---------------------------------------------------------------- Fleet

  @Override
  public List<Instance> launch(OperationId op, Release release, int replicas) {
    checkReplicas(replicas, "launch", 1);
    Map<String, String> config = configOf(release);
    Workloads.Desired desired = workloads.desired(release, config, replicas, op);
    watch.start();
    String name = KubernetesNames.releaseName(release);
    ReplicaSet existing = get(name, "launch");
    if (existing == null) {
      if (desired.configMap() != null) {
        ensureConfigMap(desired.configMap(), "launch");
      }
      call(
          "launch",
          "apply ReplicaSet " + name,
          () ->
              client
                  .resource(desired.replicaSet())
                  .fieldManager(fieldManager)
                  .forceConflicts()
                  .serverSideApply());
      LOG.info("created ReplicaSet {}/{} for {} ({} replicas)", namespace, name, release, replicas);
    } else {
      checkOwned(existing, release, "launch");
      if (isStale(existing, op)) {
        return instancesOf(release);
      }
      if (desired.configMap() != null) {
        ensureConfigMap(desired.configMap(), "launch");
      }
      if (!isCurrent(existing, op, replicas)) {
        Map<String, @Nullable String> annotations = new LinkedHashMap<>();
        annotations.put(Workloads.DRAINING, "false");
        annotations.put(Workloads.RETIRED_AT, null);
        patch(existing, op, replicas, annotations, "launch");
      }
    }
    try {
      return awaitReady(release, replicas, "launch");
    } catch (ProviderException e) {
      try {
        ReplicaSet rs = get(name, "launch");
        if (rs != null) {
          patch(rs, op, 0, Map.of(), "launch");
        }
      } catch (RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
  }

  @Override
  public List<Instance> scale(OperationId op, Release release, int replicas) {
    checkReplicas(replicas, "scale", 0);
    watch.start();
    ReplicaSet existing = get(KubernetesNames.releaseName(release), "scale");
    if (existing == null) {
      if (replicas == 0) {
        return List.of();
      }
      throw ProviderException.permanent(
          PROVIDER,
          "scale",
          "release "
              + release.id()
              + " has no ReplicaSet "
              + namespace
              + "/"
              + KubernetesNames.releaseName(release)
              + "; launch it before scaling it");
    }
    checkOwned(existing, release, "scale");
    if (isStale(existing, op)) {
      return instancesOf(release);
    }
    patch(existing, op, replicas, Map.of(), "scale");
    return awaitReady(release, replicas, "scale");
  }

  @Override
  public void drain(OperationId op, Release release) {
    watch.start();
    String name = KubernetesNames.releaseName(release);
    ReplicaSet existing = get(name, "drain");
    if (existing == null) {
      return;
    }
    checkOwned(existing, release, "drain");
    if (isStale(existing, op)) {
      return;
    }
    Map<String, @Nullable String> annotations = new LinkedHashMap<>();
    annotations.put(Workloads.DRAINING, "true");
    patch(existing, op, null, annotations, "drain");
    // Read our own write: instances() answers from the informer's cache.
    watch.await(
        () ->
            watch
                .replicaSet(name)
                .filter(rs -> "true".equals(Workloads.annotation(rs, Workloads.DRAINING)))
                .map(rs -> Boolean.TRUE),
        readyTimeout,
        () ->
            ProviderException.retryable(
                PROVIDER,
                "drain",
                "the watch did not show ReplicaSet " + name + " drained within readyTimeout"));
  }

  @Override
  public void retire(OperationId op, Release release) {
    watch.start();
    String name = KubernetesNames.releaseName(release);
    ReplicaSet existing = get(name, "retire");
    if (existing != null) {
      checkOwned(existing, release, "retire");
      if (isStale(existing, op)) {
        return;
      }
      Map<String, @Nullable String> annotations = new LinkedHashMap<>();
      if (Workloads.annotation(existing, Workloads.RETIRED_AT) == null) {
        annotations.put(Workloads.RETIRED_AT, clock.instant().toString());
      }
      patch(existing, op, 0, annotations, "retire");
      awaitTermination(release);
    }
    prune(release.service());
  }

  @Override
  public List<Instance> instances(String service) {
    watch.start();
    return observed(service, o -> true).stream()
        .map(PodReader.Observed::instance)
        .filter(i -> i.state() != InstanceState.TERMINATED)
        .toList();
  }

  /**
   * Why an instance is FAILED (e.g. {@code CrashLoopBackOff in container app: back-off 10s ...},
   * {@code OOMKilled in container app}, {@code drift: the container runs sha256:..., the release is
   * sha256:...}), from the fleet's watch; empty for an instance that is not FAILED or not known.
   *
   * @deprecated the listed instance carries it: {@link Instance#reason()} of {@link
   *     #instances(String)}; this method returns the same
   */
  @Deprecated
  public Optional<String> failureReason(String instanceId) {
    watch.start();
    return watch
        .pod(instanceId)
        .map(p -> PodReader.read(p, false, containerPort))
        .map(o -> o.instance().reason());
  }

  /** Stops the watches, and closes the client if the fleet created it. Pods keep running. */
  @Override
  public void close() {
    watch.close();
    if (ownsClient) {
      client.close();
    }
  }

  // ---------------------------------------------------------------- waits

  private List<Instance> awaitReady(Release release, int replicas, String operation) {
    return watch.await(
        () -> {
          List<PodReader.Observed> pods = observed(release);
          List<String> failed =
              pods.stream()
                  .filter(o -> o.instance().state() == InstanceState.FAILED)
                  .map(o -> o.instance().id() + ": " + o.reason())
                  .toList();
          if (!failed.isEmpty()) {
            LOG.warn("{} of {} failed: {}", operation, release.id(), failed);
            throw ProviderException.permanent(
                PROVIDER,
                operation,
                "pods of release "
                    + release.id()
                    + " failed (ReplicaSet "
                    + namespace
                    + "/"
                    + KubernetesNames.releaseName(release)
                    + "): "
                    + String.join("; ", failed));
          }
          boolean done =
              pods.size() == replicas
                  && pods.stream().allMatch(o -> o.instance().state() == InstanceState.READY);
          return done
              ? Optional.of(pods.stream().map(PodReader.Observed::instance).toList())
              : Optional.empty();
        },
        readyTimeout,
        () -> {
          List<PodReader.Observed> pods = observed(release);
          long ready =
              pods.stream().filter(o -> o.instance().state() == InstanceState.READY).count();
          return ProviderException.permanent(
              PROVIDER,
              operation,
              ready
                  + " of "
                  + replicas
                  + " pods of release "
                  + release.id()
                  + " READY after readyTimeout "
                  + readyTimeout
                  + " (pods: "
                  + pods.stream().map(o -> o.instance().id() + " " + o.instance().state()).toList()
                  + "); raise readyTimeout if the pods start slowly, or look at their events");
        });
  }

  private void awaitTermination(Release release) {
    try {
      watch.await(
          () -> observed(release).isEmpty() ? Optional.of(Boolean.TRUE) : Optional.empty(),
          terminationWait,
          () ->
              ProviderException.retryable(
                  PROVIDER, "retire", "pods still running after terminationWait"));
      return;
    } catch (ProviderException e) {
      LOG.warn(
          "pods of {} did not terminate within terminationWait {}; deleting them forcibly",
          release.id(),
          terminationWait);
    }
    call(
        "retire",
        "force-delete the pods of " + release.id(),
        () ->
            client
                .pods()
                .inNamespace(namespace)
                .withLabels(Workloads.selector(release))
                .withGracePeriod(0)
                .delete());
    watch.await(
        () -> observed(release).isEmpty() ? Optional.of(Boolean.TRUE) : Optional.empty(),
        terminationWait,
        () ->
            ProviderException.retryable(
                PROVIDER,
                "retire",
                "pods of release "
                    + release.id()
                    + " still exist after a forced delete; retire again later"));
  }

  // ---------------------------------------------------------------- reading

  private List<Instance> instancesOf(Release release) {
    return observed(release).stream().map(PodReader.Observed::instance).toList();
  }

  private List<PodReader.Observed> observed(Release release) {
    String name = KubernetesNames.releaseName(release);
    return observed(
        release.service(),
        p ->
            p.getMetadata().getLabels() != null
                && name.equals(p.getMetadata().getLabels().get(KubernetesNames.RELEASE_LABEL)));
  }

  private List<PodReader.Observed> observed(String service, Predicate<Pod> filter) {
    List<PodReader.Observed> out = new ArrayList<>();
    for (Pod pod : watch.podsOf(service)) {
      if (!filter.test(pod)) {
        continue;
      }
      String release = pod.getMetadata().getLabels().get(KubernetesNames.RELEASE_LABEL);
      boolean draining =
          release != null
              && watch
                  .replicaSet(release)
                  .map(rs -> "true".equals(Workloads.annotation(rs, Workloads.DRAINING)))
                  .orElse(false);
      PodReader.Observed o = PodReader.read(pod, draining, containerPort);
      if (o != null) {
        out.add(o);
      }
    }
    out.sort(
        Comparator.comparing(
                (PodReader.Observed o) ->
                    String.valueOf(o.pod().getMetadata().getCreationTimestamp()))
            .thenComparing(o -> o.instance().id()));
    return out;
  }

  private Map<String, String> configOf(Release release) {
    Map<String, String> config =
        configs
            .find(release.config())
            .orElseThrow(
                () ->
                    new InvalidSpecException(
                        "release.config",
                        "the fleet knows no configuration with digest " + release.config().digest(),
                        "register the configuration with the fleet's ConfigValues"
                            + " (ConfigValues.Registry.register, or the host's ConfigValues"
                            + " component)"));
    if (!ConfigRef.of(config).equals(release.config())) {
      throw new InvalidSpecException(
          "release.config",
          "the ConfigValues returned values that do not hash to " + release.config().digest(),
          "fix the ConfigValues: it must return the exact snapshot of the release");
    }
    return config;
  }

  // ---------------------------------------------------------------- writing

  private @Nullable ReplicaSet get(String name, String operation) {
    return call(
        operation,
        "read ReplicaSet " + name,
        () -> client.apps().replicaSets().inNamespace(namespace).withName(name).get());
  }

  private void ensureConfigMap(ConfigMap desired, String operation) {
    String name = desired.getMetadata().getName();
    ConfigMap existing =
        call(
            operation,
            "read ConfigMap " + name,
            () -> client.configMaps().inNamespace(namespace).withName(name).get());
    String digest = Workloads.annotation(desired, Workloads.CONFIG);
    if (existing != null) {
      if (!Objects.equals(digest, Workloads.annotation(existing, Workloads.CONFIG))
          || !Boolean.TRUE.equals(existing.getImmutable())) {
        throw ProviderException.permanent(
            PROVIDER,
            operation,
            "ConfigMap "
                + namespace
                + "/"
                + name
                + " exists but is not Cutover's immutable ConfigMap of configuration "
                + digest
                + "; delete it so Cutover can write it");
      }
      return;
    }
    call(
        operation,
        "apply ConfigMap " + name,
        () ->
            client.resource(desired).fieldManager(fieldManager).forceConflicts().serverSideApply());
  }

  /**
   * Records {@code op} on the workload and changes {@code replicas} (unless null) and the given
   * annotations (null removes one): a JSON merge patch of exactly those fields, so the pod template
   * is never rewritten.
   */
  private void patch(
      ReplicaSet rs,
      OperationId op,
      @Nullable Integer replicas,
      Map<String, @Nullable String> annotations,
      String operation) {
    Map<String, @Nullable String> a = new LinkedHashMap<>(annotations);
    a.put(Workloads.OPERATIONS, Workloads.withOperation(Workloads.operations(rs), op));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("metadata", Map.of("annotations", a));
    if (replicas != null) {
      body.put("spec", Map.of("replicas", replicas));
    }
    String name = rs.getMetadata().getName();
    call(
        operation,
        "patch ReplicaSet " + name,
        () ->
            client
                .apps()
                .replicaSets()
                .inNamespace(namespace)
                .withName(name)
                .patch(
                    new PatchContext.Builder()
                        .withPatchType(PatchType.JSON_MERGE)
                        .withFieldManager(fieldManager)
                        .build(),
                    JSON.asJson(body)));
  }

  /** Deletes retired ReplicaSets beyond the newest {@code retainedReleases}, and unused configs. */
  private void prune(String service) {
    List<ReplicaSet> all =
        call(
            "retire",
            "list the ReplicaSets of " + service,
            () ->
                client
                    .apps()
                    .replicaSets()
                    .inNamespace(namespace)
                    .withLabel(KubernetesNames.MANAGED_BY_LABEL, Workloads.MANAGED_BY)
                    .withLabel(KubernetesNames.SERVICE_LABEL, service)
                    .list()
                    .getItems());
    List<ReplicaSet> retired =
        all.stream()
            .filter(rs -> retiredAt(rs) != null)
            .filter(
                rs -> rs.getSpec() != null && Integer.valueOf(0).equals(rs.getSpec().getReplicas()))
            .sorted(
                Comparator.comparing(
                        KubernetesFleet::retiredAt, Comparator.nullsLast(Comparator.reverseOrder()))
                    // Retired at the same instant (a virtual clock): the newest workload is kept.
                    .thenComparing(
                        rs -> String.valueOf(rs.getMetadata().getCreationTimestamp()),
                        Comparator.reverseOrder()))
            .toList();
    if (retired.size() <= retainedReleases) {
      return;
    }
    List<ReplicaSet> doomed = retired.subList(retainedReleases, retired.size());
    Set<String> kept = new HashSet<>();
    for (ReplicaSet rs : all) {
      if (!doomed.contains(rs)) {
        String cm = Workloads.annotation(rs, Workloads.CONFIG_MAP);
        if (cm != null) {
          kept.add(cm);
        }
      }
    }
    Set<String> unused = new HashSet<>();
    for (ReplicaSet rs : doomed) {
      String name = rs.getMetadata().getName();
      call(
          "retire",
          "delete ReplicaSet " + name,
          () -> client.apps().replicaSets().inNamespace(namespace).withName(name).delete());
      LOG.info("deleted retired ReplicaSet {}/{}", namespace, name);
      String cm = Workloads.annotation(rs, Workloads.CONFIG_MAP);
      if (cm != null && !kept.contains(cm)) {
        unused.add(cm);
      }
    }
    for (String cm : unused) {
      call(
          "retire",
          "delete ConfigMap " + cm,
          () -> client.configMaps().inNamespace(namespace).withName(cm).delete());
      LOG.info("deleted ConfigMap {}/{}: no release uses it", namespace, cm);
    }
  }

  private static @Nullable Instant retiredAt(ReplicaSet rs) {
    String value = Workloads.annotation(rs, Workloads.RETIRED_AT);
    if (value == null) {
      return null;
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      return Instant.EPOCH;
    }
  }

  // ---------------------------------------------------------------- checks

  private static void checkReplicas(int replicas, String operation, int min) {
    if (replicas < min || replicas > 10_000) {
      throw new InvalidSpecException(
          operation + ".replicas", "is " + replicas, "use " + min + " to 10000 replicas");
    }
  }

  /** Fails unless the workload was written by Cutover for this very release. */
  private void checkOwned(ReplicaSet rs, Release release, String operation) {
    String id = Workloads.annotation(rs, Workloads.RELEASE_ID);
    String artifact = Workloads.annotation(rs, Workloads.ARTIFACT);
    if (!release.id().equals(id) || !release.artifact().toString().equals(artifact)) {
      throw ProviderException.permanent(
          PROVIDER,
          operation,
          "ReplicaSet "
              + namespace
              + "/"
              + rs.getMetadata().getName()
              + " exists but was not written by Cutover for release "
              + release.id()
              + " (its "
              + Workloads.RELEASE_ID
              + " is '"
              + id
              + "'); Cutover never adopts or changes a workload it did not create: delete or"
              + " rename it");
    }
  }

  /** Whether a launch by {@code op} is in effect already: nothing to write, only to wait for. */
  private static boolean isCurrent(ReplicaSet rs, OperationId op, int replicas) {
    List<String> ops = Workloads.operations(rs);
    return !ops.isEmpty()
        && ops.get(ops.size() - 1).equals(op.value())
        && rs.getSpec() != null
        && Integer.valueOf(replicas).equals(rs.getSpec().getReplicas())
        && !"true".equals(Workloads.annotation(rs, Workloads.DRAINING))
        && Workloads.annotation(rs, Workloads.RETIRED_AT) == null;
  }

  /** An operation applied before the workload's latest one: repeating it must change nothing. */
  private static boolean isStale(ReplicaSet rs, OperationId op) {
    List<String> ops = Workloads.operations(rs);
    int at = ops.indexOf(op.value());
    return at >= 0 && at < ops.size() - 1;
  }

  // ---------------------------------------------------------------- errors

  private interface Call<T> {
    T run();
  }

  private static <T> T call(String operation, String what, Call<T> call) {
    try {
      return call.run();
    } catch (KubernetesClientException e) {
      throw failure(operation, what, e);
    }
  }

  /**
   * A client failure as a {@link ProviderException}: the API server refusing the object (400, 403,
   * 404, 422) cannot be fixed by a retry; anything else (timeouts, 409, 429, 5xx, no connection)
   * may be.
   */
  static ProviderException failure(String operation, String what, KubernetesClientException e) {
    int code = e.getCode();
    String message =
        what
            + ": "
            + (code > 0 ? "HTTP " + code + " " : "")
            + (e.getStatus() != null && e.getStatus().getMessage() != null
                ? e.getStatus().getMessage()
                : e.getMessage());
    boolean permanent = code == 400 || code == 403 || code == 404 || code == 422;
    return permanent
        ? ProviderException.permanent(PROVIDER, operation, message, e)
        : ProviderException.retryable(PROVIDER, operation, message, e);
  }

  // ---------------------------------------------------------------- builder

  /** Builds a {@link KubernetesFleet}; not thread-safe. */
  public static final class Builder {
    private final KubernetesClient client;
    private final String namespace;
    private boolean ownsClient;
    private String fieldManager = KubernetesClients.DEFAULT_FIELD_MANAGER;
    private PodTemplate template = PodTemplate.empty();
    private int containerPort = 8080;
    private int retainedReleases = 2;
    private Duration readyTimeout = Duration.ofMinutes(5);
    private @Nullable Duration terminationWait;
    private ConfigValues configs = ConfigValues.EMPTY;
    private @Nullable InstantSource clock;
    private @Nullable ScheduledExecutorService scheduler;

    private Builder(KubernetesClient client, String namespace) {
      this.client = Objects.requireNonNull(client, "client");
      this.namespace = Objects.requireNonNull(namespace, "namespace");
    }

    /** The server-side-apply field manager (default {@code cutover}). */
    public Builder fieldManager(String fieldManager) {
      this.fieldManager = Objects.requireNonNull(fieldManager);
      return this;
    }

    /** The pod template every pod is built from (default {@link PodTemplate#empty()}). */
    public Builder podTemplate(PodTemplate template) {
      this.template = Objects.requireNonNull(template);
      return this;
    }

    /** The application container's port, named {@code http} (default 8080). */
    public Builder containerPort(int port) {
      if (port < 1 || port > 65_535) {
        throw new InvalidSpecException("containerPort", "is " + port, "use a port from 1 to 65535");
      }
      this.containerPort = port;
      return this;
    }

    /** How many retired releases keep their ReplicaSet at 0 replicas (default 2). */
    public Builder retainedReleases(int n) {
      if (n < 0 || n > 100) {
        throw new InvalidSpecException("retainedReleases", "is " + n, "use 0 to 100");
      }
      this.retainedReleases = n;
      return this;
    }

    /** How long a launch or scale waits for READY pods (default 5 minutes). */
    public Builder readyTimeout(Duration timeout) {
      this.readyTimeout = positive(timeout, "readyTimeout");
      return this;
    }

    /**
     * How long a retire waits for pods to terminate before deleting them forcibly (default: the
     * template's {@code terminationGracePeriodSeconds} plus 10 s).
     */
    public Builder terminationWait(Duration wait) {
      this.terminationWait = positive(wait, "terminationWait");
      return this;
    }

    /** Where configuration values come from (default: only the empty configuration). */
    public Builder configs(ConfigValues configs) {
      this.configs = Objects.requireNonNull(configs);
      return this;
    }

    /** The clock for the retirement time stamps (required). */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock);
      return this;
    }

    /** The scheduler for deadlines and re-checks; never blocked (required). */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler);
      return this;
    }

    /** Whether {@link KubernetesFleet#close} closes the client (default false). */
    public Builder ownsClient(boolean owns) {
      this.ownsClient = owns;
      return this;
    }

    /** The fleet. */
    public KubernetesFleet build() {
      if (clock == null || scheduler == null) {
        throw new IllegalStateException("set clock(...) and scheduler(...) before build()");
      }
      long grace = template.terminationGracePeriodSeconds();
      if (terminationWait != null && terminationWait.compareTo(Duration.ofSeconds(grace)) < 0) {
        throw new InvalidSpecException(
            "terminationWait",
            "is "
                + terminationWait
                + ", shorter than the pods' terminationGracePeriodSeconds ("
                + grace
                + "s): pods would be killed before their grace period ends",
            "use at least " + grace + "s, or lower terminationGracePeriodSeconds in the template");
      }
      return new KubernetesFleet(this);
    }

    private static Duration positive(Duration d, String key) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new InvalidSpecException(key, "is " + d, "use a positive duration such as 30s");
      }
      return d;
    }
  }
}
