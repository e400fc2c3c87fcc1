// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.kubernetes.fleet;

import io.cutover.api.ProviderException;
import io.cutover.provider.kubernetes.KubernetesNames;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The fleet's view of the cluster: two informers (list + watch) on the pods and ReplicaSets the
 * fleet manages in its namespace, and the waits built on them. A wait is a check over the
 * informers' caches that runs again on every change the watch delivers, once every {@link #RECHECK}
 * on the injected scheduler as a safety net for a missed event, and fails at its deadline, also on
 * the scheduler: nothing polls the API server, nothing sleeps, and the checks never block (they
 * read the caches). Only the calling thread (the engine's provider executor) blocks, on the
 * outcome.
 *
 * <p>Started on first use, since starting lists every pod of the namespace the fleet manages.
 * Thread-safe.
 */
final class ClusterWatch implements AutoCloseable {
  /** How often a wait re-checks the caches without being woken by an event. */
  static final Duration RECHECK = Duration.ofSeconds(5);

  private static final String BY_SERVICE = "service";

  private final KubernetesClient client;
  private final String namespace;
  private final ScheduledExecutorService scheduler;
  private final String provider;
  private final Set<Runnable> waiters = ConcurrentHashMap.newKeySet();
  private volatile @Nullable SharedIndexInformer<Pod> pods;
  private volatile @Nullable SharedIndexInformer<ReplicaSet> replicaSets;

  ClusterWatch(
      KubernetesClient client,
      String namespace,
      ScheduledExecutorService scheduler,
      String provider) {
    this.client = client;
    this.namespace = namespace;
    this.scheduler = scheduler;
    this.provider = provider;
  }

  /**
   * Starts both informers and waits for their first list, unless started already.
   *
   * @throws ProviderException if the first list fails: permanent if the API server refused it (e.g.
   *     403, RBAC), retryable otherwise
   */
  synchronized void start() {
    if (pods != null) {
      return;
    }
    ResourceEventHandler<Pod> podEvents = new Wake<>();
    ResourceEventHandler<ReplicaSet> rsEvents = new Wake<>();
    SharedIndexInformer<Pod> p =
        client
            .pods()
            .inNamespace(namespace)
            .withLabel(KubernetesNames.MANAGED_BY_LABEL, Workloads.MANAGED_BY)
            .runnableInformer(0);
    p.addIndexers(Map.of(BY_SERVICE, pod -> List.of(serviceOf(pod))));
    p.addEventHandler(podEvents);
    SharedIndexInformer<ReplicaSet> r =
        client
            .apps()
            .replicaSets()
            .inNamespace(namespace)
            .withLabel(KubernetesNames.MANAGED_BY_LABEL, Workloads.MANAGED_BY)
            .runnableInformer(0);
    r.addEventHandler(rsEvents);
    try {
      CompletableFuture.allOf(p.start().toCompletableFuture(), r.start().toCompletableFuture())
          .join();
    } catch (CompletionException e) {
      p.stop();
      r.stop();
      if (e.getCause() instanceof KubernetesClientException k) {
        // 403: the Role lacks list/watch on pods or replicasets; not fixed by retrying.
        throw KubernetesFleet.failure(
            "watch", "list and watch the pods and ReplicaSets of namespace " + namespace, k);
      }
      throw ProviderException.retryable(
          provider,
          "watch",
          "cannot list and watch the pods and ReplicaSets of namespace "
              + namespace
              + ": "
              + e.getCause(),
          e.getCause());
    }
    pods = p;
    replicaSets = r;
  }

  private static String serviceOf(Pod pod) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    String s = labels == null ? null : labels.get(KubernetesNames.SERVICE_LABEL);
    return s == null ? "" : s;
  }

  /** The cached pods of a service (started informers only). */
  List<Pod> podsOf(String service) {
    SharedIndexInformer<Pod> p = pods;
    return p == null ? List.of() : p.getIndexer().byIndex(BY_SERVICE, service);
  }

  /** The cached pod of that name, if any. */
  Optional<Pod> pod(String name) {
    SharedIndexInformer<Pod> p = pods;
    return p == null ? Optional.empty() : Optional.ofNullable(p.getStore().getByKey(key(name)));
  }

  /** The cached ReplicaSet of that name, if any. */
  Optional<ReplicaSet> replicaSet(String name) {
    SharedIndexInformer<ReplicaSet> r = replicaSets;
    return r == null ? Optional.empty() : Optional.ofNullable(r.getStore().getByKey(key(name)));
  }

  private String key(String name) {
    return namespace + "/" + name;
  }

  /**
   * Blocks the calling thread until {@code check} gives a value (returned), throws (rethrown), or
   * {@code timeout} passes on the scheduler ({@code onTimeout}'s exception is thrown). {@code
   * check} reads the caches only: it runs on the informers' event thread and on the scheduler.
   */
  <T> T await(
      Supplier<Optional<T>> check, Duration timeout, Supplier<ProviderException> onTimeout) {
    CompletableFuture<T> outcome = new CompletableFuture<>();
    Runnable evaluate =
        () -> {
          if (outcome.isDone()) {
            return;
          }
          try {
            check.get().ifPresent(outcome::complete);
          } catch (RuntimeException e) {
            outcome.completeExceptionally(e);
          }
        };
    waiters.add(evaluate);
    ScheduledFuture<?> deadline = null;
    ScheduledFuture<?> recheck = null;
    try {
      evaluate.run();
      if (!outcome.isDone()) {
        deadline =
            scheduler.schedule(
                () -> {
                  evaluate.run();
                  outcome.completeExceptionally(onTimeout.get());
                },
                timeout.toNanos(),
                TimeUnit.NANOSECONDS);
        recheck =
            scheduler.scheduleWithFixedDelay(
                evaluate, RECHECK.toNanos(), RECHECK.toNanos(), TimeUnit.NANOSECONDS);
      }
      return outcome.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ProviderException.retryable(provider, "wait", "interrupted while waiting", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw ProviderException.retryable(provider, "wait", String.valueOf(e.getCause()), e);
    } finally {
      waiters.remove(evaluate);
      if (deadline != null) {
        deadline.cancel(false);
      }
      if (recheck != null) {
        recheck.cancel(false);
      }
    }
  }

  private void wake() {
    for (Runnable w : waiters) {
      w.run();
    }
  }

  @Override
  public synchronized void close() {
    SharedIndexInformer<Pod> p = pods;
    SharedIndexInformer<ReplicaSet> r = replicaSets;
    if (p != null) {
      p.stop();
    }
    if (r != null) {
      r.stop();
    }
    pods = null;
    replicaSets = null;
  }

  /** Any change to a watched object re-runs every wait. */
  private final class Wake<T> implements ResourceEventHandler<T> {
    @Override
    public void onAdd(T obj) {
      wake();
    }

    @Override
    public void onUpdate(T oldObj, T newObj) {
      wake();
    }

    @Override
    public void onDelete(T obj, boolean deletedFinalStateUnknown) {
      wake();
    }
  }
}
