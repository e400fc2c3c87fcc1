// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.facade;

import io.cutover.api.ArtifactRef;
import io.cutover.api.Release;
import io.cutover.api.plan.Plan;
import io.cutover.api.plan.Step;
import io.cutover.api.rollout.RolloutState;
import io.cutover.api.rollout.RolloutStatus;
import io.cutover.core.internal.schema.JournalPayload;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What the engine knows about each service: its stable release and replica count, its revision
 * history (the releases that ran before it and stay rollback targets, newest first, at most the
 * service's revision history limit — default {@value #DEFAULT_REVISION_LIMIT}) and its finished
 * rollouts (oldest first, at most {@code finishedLimit}). Both lists are bounded, so a long-lived
 * engine deploying the same service forever keeps constant memory. The journal is the durable
 * record: every successful rollout journals the revision history it leaves ({@link
 * JournalPayload.Revisions}), and {@link #replayEnded} restores it after a restart.
 *
 * <p>Every change of the revision history returns a {@link Retention}: the artifacts that became
 * and stopped being rollback targets, so that the artifact store pins exactly what the history
 * keeps.
 *
 * <p><b>Threading.</b> Every method synchronizes on this object. The same monitor is the engine's
 * service lock: {@code Cutover} and {@link JournalRecovery} hold it around lease changes, so that a
 * service's lease and its state change together.
 */
public final class ReleaseHistory {
  /** Revisions (previous releases) kept per service unless configured otherwise, as Argo's. */
  public static final int DEFAULT_REVISION_LIMIT = 10;

  /** Finished rollouts kept per service unless the builder says otherwise. */
  public static final int DEFAULT_FINISHED_LIMIT = 100;

  /** The release a service rolls back from and to, with the replicas to launch. */
  public record RollbackSource(Release current, Release previous, int replicas) {}

  /**
   * How the rollback-target pins of a service change: artifacts of releases that entered the
   * revision history ({@code pin}) and of releases that left it while no release still in it uses
   * the same artifact ({@code unpin}).
   */
  public record Retention(String service, Set<ArtifactRef> pin, Set<ArtifactRef> unpin) {
    public Retention {
      pin = Set.copyOf(pin);
      unpin = Set.copyOf(unpin);
    }

    /** Whether nothing changes. */
    public boolean isEmpty() {
      return pin.isEmpty() && unpin.isEmpty();
    }
  }

  private static final class ServiceState {
    @Nullable Release stable;
    int replicas;
    final Deque<Release> previous = new ArrayDeque<>();
    final Deque<RolloutStatus> finished = new ArrayDeque<>();

    /** Revisions the journal kept but this engine's lower limit dropped while replaying. */
    Set<ArtifactRef> droppedOnReplay = Set.of();
  }

  private final Map<String, ServiceState> services = new HashMap<>();
  private final int finishedLimit;
  private final int defaultRevisionLimit;
  private final Map<String, Integer> revisionLimits;

  /**
   * @param finishedLimit finished rollouts kept per service, at least 1
   * @param defaultRevisionLimit revisions kept per service without its own limit, at least 1
   * @param revisionLimits per service limits, each at least 1
   * @throws IllegalArgumentException if a limit is below 1 (the builder reports it to users first)
   */
  public ReleaseHistory(
      int finishedLimit, int defaultRevisionLimit, Map<String, Integer> revisionLimits) {
    if (finishedLimit < 1 || defaultRevisionLimit < 1) {
      throw new IllegalArgumentException(
          "finishedLimit " + finishedLimit + " or revision limit " + defaultRevisionLimit + " < 1");
    }
    this.finishedLimit = finishedLimit;
    this.defaultRevisionLimit = defaultRevisionLimit;
    this.revisionLimits = Map.copyOf(revisionLimits);
  }

  /** The revision history limit of {@code service}. */
  public int revisionLimit(String service) {
    return revisionLimits.getOrDefault(service, defaultRevisionLimit);
  }

  /**
   * Records that {@code stable} runs now (deployed before this engine); the old stable becomes
   * previous.
   */
  public synchronized Retention adopt(Release stable, int replicas) {
    ServiceState s = state(stable.service());
    Set<ArtifactRef> before = artifacts(s.previous);
    if (s.stable != null && !s.stable.equals(stable)) {
      s.previous.remove(stable);
      push(s, s.stable, revisionLimit(stable.service()));
    }
    s.stable = stable;
    s.replicas = replicas;
    return retention(stable.service(), before, s.previous);
  }

  /** The service's stable release, or null if the engine knows none. */
  public synchronized @Nullable Release stable(String service) {
    ServiceState s = services.get(service);
    return s == null ? null : s.stable;
  }

  /** The services whose stable release is known, sorted. */
  public synchronized List<String> services() {
    List<String> out = new ArrayList<>();
    services.forEach(
        (name, s) -> {
          if (s.stable != null) {
            out.add(name);
          }
        });
    out.sort(null);
    return out;
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
   * Like {@link #rollbackSource(String)} to the revision {@code releaseId}, or null if the
   * service's revision history does not hold it.
   */
  public synchronized @Nullable RollbackSource rollbackSource(String service, String releaseId) {
    ServiceState s = services.get(service);
    if (s == null || s.stable == null) {
      return null;
    }
    for (Release r : s.previous) {
      if (r.id().equals(releaseId)) {
        return new RollbackSource(s.stable, r, Math.max(1, s.replicas));
      }
    }
    return null;
  }

  /** The service's revision history: previous releases, newest first. */
  public synchronized List<Release> revisions(String service) {
    ServiceState s = services.get(service);
    return s == null ? List.of() : List.copyOf(s.previous);
  }

  /**
   * The revision history a successful end of {@code plan} would leave, without changing anything:
   * what its ENDED record journals.
   */
  public synchronized JournalPayload.Revisions revisionsAfterSuccess(Plan plan) {
    ServiceState s = services.get(plan.service());
    Deque<Release> previous = new ArrayDeque<>(s == null ? List.of() : s.previous);
    Release old = s == null ? null : s.stable;
    int limit = revisionLimit(plan.service());
    succeed(previous, old == null ? plan.stable() : old, plan.target(), limit);
    return new JournalPayload.Revisions(limit, List.copyOf(previous));
  }

  /**
   * Records a rollout that ended in this engine: on success its target becomes stable and the old
   * stable the newest revision; revisions over the limit leave the history.
   *
   * @return on success, how the rollback-target pins change; null otherwise
   */
  public synchronized @Nullable Retention ended(Plan plan, RolloutStatus status) {
    ServiceState s = state(plan.service());
    Retention retention = null;
    if (status.state() == RolloutState.SUCCEEDED) {
      Set<ArtifactRef> before = artifacts(s.previous);
      succeed(
          s.previous,
          s.stable == null ? plan.stable() : s.stable,
          plan.target(),
          revisionLimit(plan.service()));
      s.stable = plan.target();
      s.replicas = targetReplicas(plan, s.replicas);
      retention = retention(plan.service(), before, s.previous);
    }
    addFinished(s, status);
    return retention;
  }

  /**
   * Replays a rollout that ended in an earlier engine: its releases, its journaled revision history
   * when it has one (else the history is rebuilt from the plans, as engines before issue 12 did),
   * and its status.
   */
  public synchronized void replayEnded(
      Plan plan,
      boolean succeeded,
      JournalPayload.@Nullable Revisions revisions,
      @Nullable RolloutStatus status) {
    ServiceState s = state(plan.service());
    if (succeeded) {
      if (revisions != null) {
        s.previous.clear();
        s.previous.addAll(revisions.releases());
        trim(s.previous, revisionLimit(plan.service()));
        Set<ArtifactRef> dropped = artifacts(revisions.releases());
        dropped.removeAll(artifacts(s.previous));
        s.droppedOnReplay = dropped;
      } else {
        succeed(
            s.previous,
            s.stable == null ? plan.stable() : s.stable,
            plan.target(),
            revisionLimit(plan.service()));
      }
      s.stable = plan.target();
      s.replicas = targetReplicas(plan, s.replicas);
    } else if (s.stable == null && plan.stable() != null) {
      s.stable = plan.stable();
    }
    if (status != null) {
      addFinished(s, status);
    }
  }

  /**
   * What the store must hold for every service after a restart: each revision's artifact pinned as
   * a rollback target (pins are idempotent; this repairs an engine that died between its ENDED
   * record and its pin update), and the revisions a lower limit dropped while replaying unpinned.
   */
  public synchronized List<Retention> retentions() {
    List<Retention> out = new ArrayList<>();
    // A loop rather than forEach with a lambda: this runs in every build (recovery), where each
    // lambda linked costs more than the loop.
    for (Map.Entry<String, ServiceState> e : services.entrySet()) {
      ServiceState s = e.getValue();
      Set<ArtifactRef> keep = artifacts(s.previous);
      Set<ArtifactRef> unpin = new LinkedHashSet<>(s.droppedOnReplay);
      unpin.removeAll(keep);
      s.droppedOnReplay = Set.of();
      Retention r = new Retention(e.getKey(), keep, unpin);
      if (!r.isEmpty()) {
        out.add(r);
      }
    }
    return out;
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

  private void addFinished(ServiceState s, RolloutStatus status) {
    s.finished.addLast(status);
    while (s.finished.size() > finishedLimit) {
      s.finished.removeFirst();
    }
  }

  /** {@code target} replaced {@code old} as stable: old becomes the newest revision. */
  private static void succeed(
      Deque<Release> previous, @Nullable Release old, Release target, int limit) {
    previous.remove(target);
    if (old != null && !old.equals(target)) {
      previous.remove(old);
      previous.push(old);
    }
    trim(previous, limit);
  }

  private static void push(ServiceState s, Release release, int limit) {
    s.previous.push(release);
    trim(s.previous, limit);
  }

  private static void trim(Deque<Release> previous, int limit) {
    while (previous.size() > limit) {
      previous.removeLast();
    }
  }

  private static Set<ArtifactRef> artifacts(Collection<Release> releases) {
    Set<ArtifactRef> out = new LinkedHashSet<>();
    releases.forEach(r -> out.add(r.artifact()));
    return out;
  }

  private static Retention retention(
      String service, Set<ArtifactRef> before, Collection<Release> after) {
    Set<ArtifactRef> now = artifacts(after);
    Set<ArtifactRef> pin = new LinkedHashSet<>(now);
    pin.removeAll(before);
    Set<ArtifactRef> unpin = new LinkedHashSet<>(before);
    unpin.removeAll(now);
    return new Retention(service, pin, unpin);
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
