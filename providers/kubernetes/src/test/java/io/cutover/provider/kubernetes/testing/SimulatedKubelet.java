// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.kubernetes.testing;

import io.cutover.api.Digest;
import io.cutover.api.Release;
import io.cutover.provider.kubernetes.KubernetesNames;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * TEST CODE, not shipped: a ReplicaSet controller and kubelet for fabric8's CRUD mock server, which
 * runs no controllers (no real cluster can run on the build machines). It watches the ReplicaSets
 * Cutover manages in one namespace ({@code app.kubernetes.io/managed-by=cutover}) and, like the
 * ReplicaSet controller, creates pods from the template until {@code spec.replicas} exist and
 * deletes the newest first when there are too many (or all when the ReplicaSet is deleted). Like a
 * kubelet, it then writes each new pod's status after {@link #readyAfter} as the release's {@link
 * Behavior} says: Ready with the image's digest as {@code imageID} by default, or one of the
 * failures a real node shows.
 *
 * <p>What it does not simulate: scheduling, probes, real containers and restarts, endpoints,
 * graceful termination (pods vanish on delete unless {@link #terminateAfter} keeps them terminating
 * a while), events, quotas, admission.
 *
 * <p>Reconciles on its own thread; status changes run on the given scheduler. Thread-safe.
 */
public final class SimulatedKubelet implements AutoCloseable {
  /** What the pods of a release do once started. */
  public enum Behavior {
    /** Become Ready, running the image's digest. */
    READY,
    /** Wait in CrashLoopBackOff (the container exits with 1, again and again). */
    CRASH_LOOP,
    /** Wait in ImagePullBackOff (the image cannot be pulled). */
    IMAGE_PULL_BACKOFF,
    /** Run, but never pass readiness. */
    NEVER_READY,
    /** Become Ready, then crash into CrashLoopBackOff after {@link #crashAfter}. */
    READY_THEN_CRASH,
    /** Become Ready, but run another digest than the pod's image names (drift). */
    WRONG_IMAGE_ID,
    /** Get OOMKilled and wait in CrashLoopBackOff. */
    OOM_KILLED
  }

  private static final String GRACE_FINALIZER = "simulator.cutover.io/terminating";

  /** The digest {@link Behavior#WRONG_IMAGE_ID} pods report. */
  public static final Digest WRONG_DIGEST = Digest.sha256("not-the-release");

  private final KubernetesClient client;
  private final String namespace;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService reconciler = Executors.newSingleThreadExecutor();
  private final Map<String, Behavior> behaviors = new ConcurrentHashMap<>();
  private final Map<String, Map<String, String>> selectors = new ConcurrentHashMap<>();
  private final AtomicInteger sequence = new AtomicInteger();
  private final AtomicInteger created = new AtomicInteger();
  private volatile Duration readyAfter = Duration.ZERO;
  private volatile Duration crashAfter = Duration.ofMillis(200);
  private volatile Duration terminateAfter = Duration.ZERO;
  private @Nullable SharedIndexInformer<ReplicaSet> informer;

  /** A simulator for {@code namespace}; call {@link #start()}. */
  public SimulatedKubelet(
      KubernetesClient client, String namespace, ScheduledExecutorService scheduler) {
    this.client = client;
    this.namespace = namespace;
    this.scheduler = scheduler;
  }

  /** Starts watching ReplicaSets; returns once the first list is in. */
  public synchronized SimulatedKubelet start() {
    informer =
        client
            .apps()
            .replicaSets()
            .inNamespace(namespace)
            .withLabel(KubernetesNames.MANAGED_BY_LABEL, "cutover")
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(ReplicaSet rs) {
                    remember(rs);
                    reconcileLater(rs.getMetadata().getName());
                  }

                  @Override
                  public void onUpdate(ReplicaSet old, ReplicaSet rs) {
                    remember(rs);
                    reconcileLater(rs.getMetadata().getName());
                  }

                  @Override
                  public void onDelete(ReplicaSet rs, boolean unknown) {
                    remember(rs);
                    reconcileLater(rs.getMetadata().getName());
                  }
                },
                0);
    return this;
  }

  /** How long after creation a pod gets its status (default 0). */
  public SimulatedKubelet readyAfter(Duration delay) {
    this.readyAfter = delay;
    return this;
  }

  /** How long a {@link Behavior#READY_THEN_CRASH} pod stays Ready (default 200 ms). */
  public SimulatedKubelet crashAfter(Duration delay) {
    this.crashAfter = delay;
    return this;
  }

  /** How long a deleted pod stays terminating (with a deletion timestamp) first (default 0). */
  public SimulatedKubelet terminateAfter(Duration delay) {
    this.terminateAfter = delay;
    return this;
  }

  /** Makes the pods of {@code release} started from now on behave so. */
  public void behave(Release release, Behavior behavior) {
    behaviors.put(KubernetesNames.releaseName(release), behavior);
  }

  /** Makes the running pods of {@code release} behave so now, and those started later. */
  public void failNow(Release release, Behavior behavior) {
    behave(release, behavior);
    String rs = KubernetesNames.releaseName(release);
    for (Pod pod : podsOf(Map.of(KubernetesNames.RELEASE_LABEL, rs))) {
      scheduler.execute(() -> writeStatus(pod.getMetadata().getName(), behavior, false));
    }
  }

  /** How many pods the simulator created so far. */
  public int podsCreated() {
    return created.get();
  }

  private void remember(ReplicaSet rs) {
    if (rs.getSpec() != null && rs.getSpec().getSelector() != null) {
      selectors.put(rs.getMetadata().getName(), rs.getSpec().getSelector().getMatchLabels());
    }
  }

  private void reconcileLater(String name) {
    reconciler.execute(
        () -> {
          try {
            reconcile(name);
          } catch (KubernetesClientException e) {
            // The next event reconciles again, as a controller would after an error.
            System.err.println("SimulatedKubelet: reconcile " + name + ": " + e.getMessage());
          }
        });
  }

  private void reconcile(String name) {
    ReplicaSet rs = client.apps().replicaSets().inNamespace(namespace).withName(name).get();
    Map<String, String> selector = selectors.get(name);
    if (selector == null) {
      return;
    }
    List<Pod> pods =
        podsOf(selector).stream()
            .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
            .sorted(Comparator.comparing((Pod p) -> p.getMetadata().getName()))
            .toList();
    int want = rs == null || rs.getSpec().getReplicas() == null ? 0 : rs.getSpec().getReplicas();
    for (int i = pods.size(); i < want; i++) {
      createPod(rs);
    }
    for (int i = pods.size() - 1; i >= want; i--) {
      terminate(pods.get(i));
    }
  }

  private List<Pod> podsOf(Map<String, String> selector) {
    return client.pods().inNamespace(namespace).withLabels(selector).list().getItems();
  }

  private void createPod(ReplicaSet rs) {
    String name = String.format("%s-%05d", rs.getMetadata().getName(), sequence.incrementAndGet());
    Pod pod =
        new PodBuilder()
            .withMetadata(rs.getSpec().getTemplate().getMetadata())
            .editMetadata()
            .withName(name)
            .withNamespace(namespace)
            .withCreationTimestamp(Instant.now().truncatedTo(ChronoUnit.MILLIS).toString())
            .withOwnerReferences(
                new OwnerReferenceBuilder()
                    .withApiVersion("apps/v1")
                    .withKind("ReplicaSet")
                    .withName(rs.getMetadata().getName())
                    .withUid(rs.getMetadata().getUid())
                    .withController(true)
                    .build())
            .endMetadata()
            .withSpec(rs.getSpec().getTemplate().getSpec())
            .withStatus(new PodStatusBuilder().withPhase("Pending").build())
            .build();
    client.pods().inNamespace(namespace).resource(pod).create();
    created.incrementAndGet();
    Behavior behavior = behaviors.getOrDefault(rs.getMetadata().getName(), Behavior.READY);
    scheduler.schedule(
        () -> writeStatus(name, behavior, true), readyAfter.toNanos(), TimeUnit.NANOSECONDS);
  }

  private void terminate(Pod pod) {
    String name = pod.getMetadata().getName();
    if (terminateAfter.isZero()) {
      delete(name);
      return;
    }
    // A pod with a finalizer is kept, with a deletion timestamp, when deleted (the mock does as
    // the API server does); dropping the finalizer later ends its termination.
    try {
      client
          .pods()
          .inNamespace(namespace)
          .withName(name)
          .edit(
              p ->
                  new PodBuilder(p)
                      .editMetadata()
                      .addToFinalizers(GRACE_FINALIZER)
                      .endMetadata()
                      .build());
      client.pods().inNamespace(namespace).withName(name).delete();
    } catch (KubernetesClientException e) {
      return;
    }
    scheduler.schedule(() -> finish(name), terminateAfter.toNanos(), TimeUnit.NANOSECONDS);
  }

  private void finish(String name) {
    try {
      client
          .pods()
          .inNamespace(namespace)
          .withName(name)
          .edit(
              p ->
                  new PodBuilder(p)
                      .editMetadata()
                      .removeFromFinalizers(GRACE_FINALIZER)
                      .endMetadata()
                      .build());
    } catch (KubernetesClientException e) {
      // already gone
    }
    delete(name);
  }

  private void delete(String name) {
    try {
      client.pods().inNamespace(namespace).withName(name).delete();
    } catch (KubernetesClientException e) {
      // already gone
    }
  }

  private void writeStatus(String name, Behavior behavior, boolean first) {
    try {
      Pod pod = client.pods().inNamespace(namespace).withName(name).get();
      if (pod == null || pod.getMetadata().getDeletionTimestamp() != null) {
        return;
      }
      Behavior now =
          behavior == Behavior.READY_THEN_CRASH && !first ? Behavior.CRASH_LOOP : behavior;
      pod.setStatus(status(pod, now));
      client.pods().inNamespace(namespace).resource(pod).updateStatus();
      if (behavior == Behavior.READY_THEN_CRASH && first) {
        scheduler.schedule(
            () -> writeStatus(name, behavior, false), crashAfter.toNanos(), TimeUnit.NANOSECONDS);
      }
    } catch (KubernetesClientException e) {
      // deleted meanwhile
    }
  }

  /** The status a kubelet would report for a pod behaving so. */
  static PodStatus status(Pod pod, Behavior behavior) {
    String now = Instant.now().toString();
    int n = Math.abs(pod.getMetadata().getName().hashCode());
    String ip = "10.244." + (n / 250 % 250) + "." + (n % 250 + 1);
    boolean ready =
        behavior == Behavior.READY
            || behavior == Behavior.READY_THEN_CRASH
            || behavior == Behavior.WRONG_IMAGE_ID;
    List<ContainerStatus> statuses = new ArrayList<>();
    for (Container c : pod.getSpec().getContainers()) {
      String image = c.getImage();
      boolean app = image != null && image.equals(annotation(pod, "cutover.io/artifact"));
      ContainerStatusBuilder cs =
          new ContainerStatusBuilder()
              .withName(c.getName())
              .withImage(image)
              .withImageID(
                  app && behavior == Behavior.WRONG_IMAGE_ID
                      ? image.substring(0, image.indexOf('@') + 1) + WRONG_DIGEST
                      : image)
              .withRestartCount(0)
              .withReady(ready)
              .withStarted(ready);
      if (!app || ready || behavior == Behavior.NEVER_READY) {
        cs.withNewState().withNewRunning().withStartedAt(now).endRunning().endState();
        cs.withReady(ready || !app).withStarted(true);
      } else if (behavior == Behavior.IMAGE_PULL_BACKOFF) {
        cs.withImageID("")
            .withNewState()
            .withNewWaiting()
            .withReason("ImagePullBackOff")
            .withMessage("Back-off pulling image \"" + image + "\"")
            .endWaiting()
            .endState();
      } else {
        boolean oom = behavior == Behavior.OOM_KILLED;
        cs.withRestartCount(3)
            .withNewState()
            .withNewWaiting()
            .withReason("CrashLoopBackOff")
            .withMessage(
                "back-off 40s restarting failed container="
                    + c.getName()
                    + " pod="
                    + pod.getMetadata().getName())
            .endWaiting()
            .endState()
            .withNewLastState()
            .withNewTerminated()
            .withExitCode(oom ? 137 : 1)
            .withReason(oom ? "OOMKilled" : "Error")
            .withFinishedAt(now)
            .endTerminated()
            .endLastState();
      }
      statuses.add(cs.build());
    }
    boolean pulled = behavior != Behavior.IMAGE_PULL_BACKOFF;
    return new PodStatusBuilder()
        .withPhase(pulled ? "Running" : "Pending")
        .withPodIP(pulled ? ip : null)
        .withHostIP("172.18.0.2")
        .withStartTime(now)
        .withConditions(
            condition("PodScheduled", true, now),
            condition("Initialized", true, now),
            condition("ContainersReady", ready, now),
            condition("Ready", ready, now))
        .withContainerStatuses(statuses)
        .build();
  }

  private static PodCondition condition(String type, boolean status, String now) {
    return new PodConditionBuilder()
        .withType(type)
        .withStatus(status ? "True" : "False")
        .withLastTransitionTime(now)
        .build();
  }

  private static @Nullable String annotation(Pod pod, String key) {
    Map<String, String> a = pod.getMetadata().getAnnotations();
    return a == null ? null : a.get(key);
  }

  @Override
  public synchronized void close() {
    if (informer != null) {
      informer.stop();
    }
    reconciler.shutdownNow();
  }
}
