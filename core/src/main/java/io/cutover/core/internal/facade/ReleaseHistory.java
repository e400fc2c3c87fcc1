// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.facade;

import io.cutover.api.Release;
import io.cutover.api.plan.Plan;
import io.cutover.api.plan.Step;
import io.cutover.api.rollout.RolloutState;
import io.cutover.api.rollout.RolloutStatus;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What the engine knows about each service: its stable release and replica count, the releases that
 * ran before it (rollback targets, newest first) and its finished rollouts (oldest first). Both
 * lists are bounded, so a long-lived engine deploying the same service forever keeps constant
 * memory: at most {@link #PREVIOUS_RELEASES} previous releases and {@code finishedLimit} finished
 * rollouts per service (the oldest go first). The journal, not this class, is the durable record.
 *
 * <p><b>Threading.</b> Every method synchronizes on this object. The same monitor is the engine's
 * service lock: {@code Cutover} and {@link JournalRecovery} hold it around lease changes, so that a
 * service's lease and its state change together.
 */
public final class ReleaseHistory {
  /**
   * Previous releases kept per service; only the newest is a rollback target, the second is
   * unpinned.
   */
  public static final int PREVIOUS_RELEASES = 16;

  /** Finished rollouts kept per service unless the builder says otherwise. */
  public static final int DEFAULT_FINISHED_LIMIT = 100;

  /** The release a service rolls back from and to, with the replicas to launch. */
  public record RollbackSource(Release current, Release previous, int replicas) {}

  private static final class ServiceState {
    @Nullable Release stable;
    int replicas;
    final Deque<Release> previous = new ArrayDeque<>();
    final Deque<RolloutStatus> finished = new ArrayDeque<>();
  }

  private final Map<String, ServiceState> services = new HashMap<>();
  private final int finishedLimit;

  /**
   * @param finishedLimit finished rollouts kept per service, at least 1
   * @throws IllegalArgumentException if it is below 1 (the builder reports it to users first)
   */
  public ReleaseHistory(int finishedLimit) {
    if (finishedLimit < 1) {
      throw new IllegalArgumentException("finishedLimit " + finishedLimit + " < 1");
    }
    this.finishedLimit = finishedLimit;
  }

  /**
   * Records that {@code stable} runs now (deployed before this engine); the old stable becomes
   * previous.
   */
  public synchronized void adopt(Release stable, int replicas) {
    ServiceState s = state(stable.service());
    if (s.stable != null && !s.stable.equals(stable)) {
      push(s, s.stable);
    }
    s.stable = stable;
    s.replicas = replicas;
  }

  /** The service's stable release, or null if the engine knows none. */
  public synchronized @Nullable Release stable(String service) {
    ServiceState s = services.get(service);
    return s == null ? null : s.stable;
  }

  /** What {@code Cutover.rollback} rolls back, or null if the service has no previous release. */
  public synchronized @Nullable RollbackSource rollbackSource(String service) {
    ServiceState s = services.get(service);
    if (s == null || s.stable == null || s.previous.isEmpty()) {
      return null;
    }
    return new RollbackSource(s.stable, s.previous.peek(), Math.max(1, s.replicas));
  }

  /**
   * Records a rollout that ended in this engine: on success its target becomes stable and the old
   * stable the newest previous release.
   *
   * @return on success, the release that stopped being the rollback target (its pin can go), else
   *     null
   */
  public synchronized @Nullable Release ended(Plan plan, RolloutStatus status) {
    ServiceState s = state(plan.service());
    Release noLongerRollbackTarget = null;
    if (status.state() == RolloutState.SUCCEEDED) {
      Release old = s.stable;
      if (old != null && !old.equals(plan.target())) {
        s.previous.remove(plan.target());
        push(s, old);
      }
      s.stable = plan.target();
      s.replicas = targetReplicas(plan, s.replicas);
      Release older = s.previous.stream().skip(1).findFirst().orElse(null);
      if (older != null
          && !older.artifact().equals(plan.target().artifact())
          && (plan.stable() == null || !older.artifact().equals(plan.stable().artifact()))) {
        noLongerRollbackTarget = older;
      }
    }
    s.finished.addLast(status);
    while (s.finished.size() > finishedLimit) {
      s.finished.removeFirst();
    }
    return noLongerRollbackTarget;
  }

  /**
   * Replays a rollout that ended in an earlier engine (its status is not kept: only its releases).
   */
  public synchronized void replayEnded(Plan plan, boolean succeeded) {
    ServiceState s = state(plan.service());
    if (succeeded) {
      if (s.stable != null && !s.stable.equals(plan.target())) {
        s.previous.remove(plan.target());
        push(s, s.stable);
      } else if (s.stable == null && plan.stable() != null) {
        push(s, plan.stable());
      }
      s.stable = plan.target();
      s.replicas = targetReplicas(plan, s.replicas);
    } else if (s.stable == null && plan.stable() != null) {
      s.stable = plan.stable();
    }
  }

  /**
   * A rollout open in the journal continues: its stable release is the service's, unless one is
   * known.
   */
  public synchronized void recovering(Plan plan) {
    ServiceState s = state(plan.service());
    if (s.stable == null && plan.stable() != null) {
      s.stable = plan.stable();
    }
  }

  /** The status of a finished rollout still in the history. */
  public synchronized Optional<RolloutStatus> status(String rolloutId) {
    return services.values().stream()
        .flatMap(s -> s.finished.stream())
        .filter(st -> st.rolloutId().equals(rolloutId))
        .findFirst();
  }

  /** The service's finished rollouts still in the history, oldest first. */
  public synchronized List<RolloutStatus> finished(String service) {
    ServiceState s = services.get(service);
    return s == null ? List.of() : List.copyOf(s.finished);
  }

  private ServiceState state(String service) {
    return services.computeIfAbsent(service, k -> new ServiceState());
  }

  private static void push(ServiceState s, Release release) {
    s.previous.push(release);
    while (s.previous.size() > PREVIOUS_RELEASES) {
      s.previous.removeLast();
    }
  }

  private static int targetReplicas(Plan plan, int fallback) {
    int n = 0;
    for (Step s : plan.steps()) {
      if (s instanceof Step.Launch l && l.releaseId().equals(plan.target().id())) {
        n = l.replicas();
      } else if (s instanceof Step.Scale sc && sc.releaseId().equals(plan.target().id())) {
        n = sc.replicas();
      }
    }
    return n > 0 ? n : fallback;
  }
}
