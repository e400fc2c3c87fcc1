// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.kubernetes.fleet;

import io.cutover.api.Digest;
import io.cutover.api.Instance;
import io.cutover.api.InstanceState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads what a pod is, as an {@link Instance}: READY from the pod's {@code Ready} condition,
 * endpoint from the pod IP and the fleet's container port, FAILED (with a reason) for a container
 * waiting in CrashLoopBackOff, ImagePullBackOff, ErrImagePull, CreateContainerConfigError,
 * CreateContainerError, InvalidImageName or RunContainerError, for an OOMKilled container and for a
 * pod in phase Failed; the running digest from the application container's {@code imageID}, and
 * FAILED ("drift") when it is not the release's digest.
 */
final class PodReader {
  /** Waiting reasons after which a container will not become ready without someone acting. */
  static final Set<String> FAILURES =
      Set.of(
          "CrashLoopBackOff",
          "ImagePullBackOff",
          "ErrImagePull",
          "CreateContainerConfigError",
          "CreateContainerError",
          "InvalidImageName",
          "RunContainerError");

  private static final Pattern DIGEST = Pattern.compile("@(sha256:[0-9a-f]{64})$");
  private static final int MAX_MESSAGE = 200;

  private PodReader() {}

  /** What one pod is. */
  record Observed(Instance instance, @Nullable String reason, Pod pod) {}

  /**
   * The instance a pod is, or null for a pod that is not one of Cutover's (no release id) or has
   * finished ({@code Succeeded}).
   *
   * @param draining whether the pod's release was drained
   */
  static @Nullable Observed read(Pod pod, boolean draining, int containerPort) {
    String releaseId = Workloads.annotation(pod, Workloads.RELEASE_ID);
    String artifact = Workloads.annotation(pod, Workloads.ARTIFACT);
    if (releaseId == null || releaseId.isBlank() || artifact == null) {
      return null;
    }
    PodStatus status = pod.getStatus() == null ? new PodStatus() : pod.getStatus();
    if ("Succeeded".equals(status.getPhase())) {
      return null;
    }
    Digest expected = digestOf(artifact);
    Digest running = runningDigest(pod, artifact);
    String reason = failure(status);
    if (reason == null && running != null && expected != null && !running.equals(expected)) {
      reason = "drift: the container runs " + running + ", the release is " + expected;
    }
    InstanceState state;
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      state = InstanceState.DRAINING;
    } else if (reason != null) {
      state = InstanceState.FAILED;
    } else if (draining) {
      state = InstanceState.DRAINING;
    } else if (ready(status)) {
      state = InstanceState.READY;
    } else {
      state = InstanceState.PENDING;
    }
    URI endpoint = endpoint(status.getPodIP(), containerPort);
    return new Observed(
        new Instance(
            pod.getMetadata().getName(),
            releaseId,
            endpoint,
            state,
            running,
            null,
            state == InstanceState.FAILED ? reason : null),
        reason,
        pod);
  }

  private static boolean ready(PodStatus status) {
    return status.getConditions() != null
        && status.getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static @Nullable URI endpoint(@Nullable String ip, int port) {
    if (ip == null || ip.isBlank()) {
      return null;
    }
    String host = ip.contains(":") ? "[" + ip + "]" : ip;
    try {
      return URI.create("http://" + host + ":" + port);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * The digest the application container runs, from its {@code imageID} ({@code repo@sha256:...},
   * as containerd and CRI-O report it); null when unknown, or when the runtime reports only an
   * image config id ({@code sha256:...} without a repository), which is not the manifest digest the
   * release names.
   */
  static @Nullable Digest runningDigest(Pod pod, String artifact) {
    PodStatus status = pod.getStatus();
    if (status == null || status.getContainerStatuses() == null) {
      return null;
    }
    String appName = null;
    if (pod.getSpec() != null && pod.getSpec().getContainers() != null) {
      appName =
          pod.getSpec().getContainers().stream()
              .filter(c -> artifact.equals(c.getImage()))
              .map(c -> c.getName())
              .findFirst()
              .orElse(null);
    }
    for (ContainerStatus cs : status.getContainerStatuses()) {
      if (appName == null || appName.equals(cs.getName())) {
        String id = cs.getImageID();
        Matcher m = id == null ? null : DIGEST.matcher(id);
        return m != null && m.find() ? Digest.parse(m.group(1)) : null;
      }
    }
    return null;
  }

  private static @Nullable Digest digestOf(String artifact) {
    Matcher m = DIGEST.matcher(artifact);
    return m.find() ? Digest.parse(m.group(1)) : null;
  }

  /** Why a pod cannot serve, or null. */
  static @Nullable String failure(PodStatus status) {
    if ("Failed".equals(status.getPhase())) {
      return "pod Failed"
          + (status.getReason() == null ? "" : ": " + status.getReason())
          + message(status.getMessage());
    }
    List<ContainerStatus> all = new ArrayList<>();
    if (status.getInitContainerStatuses() != null) {
      all.addAll(status.getInitContainerStatuses());
    }
    if (status.getContainerStatuses() != null) {
      all.addAll(status.getContainerStatuses());
    }
    for (ContainerStatus cs : all) {
      ContainerStateTerminated last =
          cs.getLastState() == null ? null : cs.getLastState().getTerminated();
      boolean lastOom = last != null && "OOMKilled".equals(last.getReason());
      ContainerStateWaiting waiting = cs.getState() == null ? null : cs.getState().getWaiting();
      if (waiting != null && FAILURES.contains(waiting.getReason())) {
        return waiting.getReason()
            + (lastOom ? " (last exit: OOMKilled)" : "")
            + " in container "
            + cs.getName()
            + message(waiting.getMessage());
      }
      ContainerStateTerminated now = cs.getState() == null ? null : cs.getState().getTerminated();
      if (now != null && "OOMKilled".equals(now.getReason())) {
        return "OOMKilled in container " + cs.getName();
      }
    }
    return null;
  }

  private static String message(@Nullable String message) {
    if (message == null || message.isBlank()) {
      return "";
    }
    String m = message.strip();
    return ": " + (m.length() > MAX_MESSAGE ? m.substring(0, MAX_MESSAGE) + "..." : m);
  }
}
