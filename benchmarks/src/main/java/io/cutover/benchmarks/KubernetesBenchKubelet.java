// SPDX-License-Identifier: Apache-2.0
package io.cutover.benchmarks;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * BENCHMARK CODE: the ReplicaSet controller and kubelet that fabric8's mock API server lacks, with
 * a pod start of 0 ms: for every ReplicaSet of the namespace it creates the missing pods from the
 * template and reports each Ready at once (running the image's digest), and deletes the surplus
 * (newest first). The providers' tests have a fuller simulator (failure modes, delays,
 * termination); this one does only what both sides of the benchmark need, the same for both.
 * Reconciles on one thread.
 */
final class KubernetesBenchKubelet implements AutoCloseable {
  private final KubernetesClient client;
  private final String namespace;
  private final ExecutorService reconciler = Executors.newSingleThreadExecutor();
  private final AtomicInteger sequence = new AtomicInteger();
  private final SharedIndexInformer<ReplicaSet> informer;

  KubernetesBenchKubelet(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
    this.informer =
        client
            .apps()
            .replicaSets()
            .inNamespace(namespace)
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(ReplicaSet rs) {
                    reconciler.execute(() -> reconcile(rs, false));
                  }

                  @Override
                  public void onUpdate(ReplicaSet old, ReplicaSet rs) {
                    reconciler.execute(() -> reconcile(rs, false));
                  }

                  @Override
                  public void onDelete(ReplicaSet rs, boolean unknown) {
                    reconciler.execute(() -> reconcile(rs, true));
                  }
                },
                0);
  }

  private void reconcile(ReplicaSet rs, boolean deleted) {
    try {
      Map<String, String> selector = rs.getSpec().getSelector().getMatchLabels();
      int want = deleted || rs.getSpec().getReplicas() == null ? 0 : rs.getSpec().getReplicas();
      List<Pod> pods =
          new ArrayList<>(
              client.pods().inNamespace(namespace).withLabels(selector).list().getItems());
      pods.sort(Comparator.comparing(p -> p.getMetadata().getName()));
      for (int i = pods.size(); i < want; i++) {
        start(rs);
      }
      for (int i = pods.size() - 1; i >= want; i--) {
        client.pods().inNamespace(namespace).resource(pods.get(i)).delete();
      }
    } catch (KubernetesClientException e) {
      // The ReplicaSet went away meanwhile; its delete event reconciles again.
    }
  }

  private void start(ReplicaSet rs) {
    String name =
        rs.getMetadata().getName() + "-" + String.format("%05d", sequence.incrementAndGet());
    Pod pod =
        client
            .pods()
            .inNamespace(namespace)
            .resource(
                new PodBuilder()
                    .withNewMetadata()
                    .withName(name)
                    .withNamespace(namespace)
                    .withLabels(rs.getSpec().getTemplate().getMetadata().getLabels())
                    .withAnnotations(rs.getSpec().getTemplate().getMetadata().getAnnotations())
                    .endMetadata()
                    .withSpec(rs.getSpec().getTemplate().getSpec())
                    .build())
            .create();
    String now = Instant.now().toString();
    List<ContainerStatus> statuses = new ArrayList<>();
    for (Container c : pod.getSpec().getContainers()) {
      statuses.add(
          new ContainerStatusBuilder()
              .withName(c.getName())
              .withImage(c.getImage())
              .withImageID(c.getImage())
              .withReady(true)
              .withStarted(true)
              .withRestartCount(0)
              .withNewState()
              .withNewRunning()
              .withStartedAt(now)
              .endRunning()
              .endState()
              .build());
    }
    int n = sequence.get();
    pod.setStatus(
        new PodStatusBuilder()
            .withPhase("Running")
            .withPodIP("10.244." + (n / 250 % 250) + "." + (n % 250 + 1))
            .addNewCondition()
            .withType("Ready")
            .withStatus("True")
            .withLastTransitionTime(now)
            .endCondition()
            .withContainerStatuses(statuses)
            .build());
    client.pods().inNamespace(namespace).resource(pod).updateStatus();
  }

  @Override
  public void close() {
    informer.close();
    reconciler.shutdownNow();
  }
}
