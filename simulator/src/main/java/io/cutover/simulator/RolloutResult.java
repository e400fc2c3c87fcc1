// SPDX-License-Identifier: Apache-2.0
package io.cutover.simulator;

import io.cutover.api.TrafficSplit;
import io.cutover.api.plan.Plan;
import io.cutover.api.rollout.RolloutEvent;
import io.cutover.api.rollout.RolloutStatus;
import io.cutover.core.Rollout;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What happened during one rollout run by a {@link RolloutHarness}: its final status, its events,
 * and the traffic timeline its router recorded. Immutable; inspect it directly or with {@code
 * CutoverAssertions}.
 *
 * @param rollout the rollout handle
 * @param status the status when the harness stopped running it (terminal unless the run was
 *     bounded)
 * @param events the rollout's events, in order
 * @param timeline the router's timeline for the rollout's service during the run
 * @param fleetCalls the fleet calls made during the run
 * @param violations router contract violations recorded for the service during the run, and splits
 *     that gave weight to a release with no READY backend ({@link
 *     FakeRouter.Violation.Kind#UNROUTABLE}: the router accepted traffic it could not deliver)
 * @param startedAt virtual time when the run began
 * @param endedAt virtual time when it stopped
 */
public record RolloutResult(
    Rollout rollout,
    RolloutStatus status,
    List<RolloutEvent> events,
    List<FakeRouter.Entry> timeline,
    List<FakeFleet.Call> fleetCalls,
    List<FakeRouter.Violation> violations,
    Instant startedAt,
    Instant endedAt) {

  /** Copies the lists. */
  public RolloutResult {
    events = List.copyOf(events);
    timeline = List.copyOf(timeline);
    fleetCalls = List.copyOf(fleetCalls);
    violations = List.copyOf(violations);
  }

  /**
   * The splits of the run that gave weight to a release with no READY backend (also in {@link
   * #violations()}).
   */
  public List<FakeRouter.Violation> unroutable() {
    return violations.stream()
        .filter(v -> v.kind() == FakeRouter.Violation.Kind.UNROUTABLE)
        .toList();
  }

  /** The plan that ran. */
  public Plan plan() {
    return rollout.plan();
  }

  /** Virtual time from start to stop. */
  public Duration virtualDuration() {
    return Duration.between(startedAt, endedAt);
  }

  /** Highest weight (basis points) the release had in any split applied during the run. */
  public int maxExposure(String releaseId) {
    return timeline.stream().mapToInt(e -> e.split().weight(releaseId)).max().orElse(0);
  }

  /** The last split applied during the run, if any. */
  public Optional<TrafficSplit> finalSplit() {
    return timeline.isEmpty()
        ? Optional.empty()
        : Optional.of(timeline.get(timeline.size() - 1).split());
  }

  /** The first event of a type, if any. */
  public Optional<RolloutEvent> firstEvent(RolloutEvent.Type type) {
    return events.stream().filter(e -> e.type() == type).findFirst();
  }

  /**
   * Time from the abort decision to the first split that sends 100 % of traffic to the stable
   * release, if the rollout was aborted and got there.
   */
  public Optional<Duration> timeToRollback() {
    Optional<RolloutEvent> abort = firstEvent(RolloutEvent.Type.ABORT_STARTED);
    if (abort.isEmpty() || plan().stable() == null) {
      return Optional.empty();
    }
    String stable = plan().stable().id();
    Instant from = abort.get().time();
    return timeline.stream()
        .filter(e -> !e.time().isBefore(from) && e.split().weight(stable) == TrafficSplit.TOTAL)
        .findFirst()
        .map(e -> Duration.between(from, e.time()));
  }
}
