// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.engine;

import io.cutover.api.TrafficSplit;
import io.cutover.api.plan.Plan;
import io.cutover.api.rollout.RolloutState;
import io.cutover.api.rollout.RolloutStatus;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Builds a rollout's {@link RolloutStatus}, only when something it shows has changed (most
 * transitions change nothing visible), and describes each step once (events and status both show
 * it).
 */
final class StatusSnapshot {
  private final String rolloutId;
  private final Plan plan;
  private final Instant startedAt;
  private int describedStep = -1;
  private String stepDescription = "";

  StatusSnapshot(String rolloutId, Plan plan, Instant startedAt) {
    this.rolloutId = rolloutId;
    this.plan = plan;
    this.startedAt = startedAt;
  }

  /** {@code previous} if it still shows the state, otherwise a new status. */
  RolloutStatus refresh(
      RolloutStatus previous,
      RolloutState state,
      int stepIndex,
      @Nullable TrafficSplit split,
      Instant updatedAt,
      @Nullable String reason) {
    if (previous.state() != state
        || previous.stepIndex() != stepIndex
        || previous.split() != split
        || previous.reason() != reason
        || !previous.updatedAt().equals(updatedAt)) {
      return build(state, stepIndex, split, updatedAt, reason);
    }
    return previous;
  }

  RolloutStatus build(
      RolloutState state,
      int stepIndex,
      @Nullable TrafficSplit split,
      Instant updatedAt,
      @Nullable String reason) {
    String current = stepIndex >= 0 && stepIndex < plan.steps().size() ? describe(stepIndex) : "";
    return new RolloutStatus(
        rolloutId,
        plan.service(),
        state,
        plan.stable() == null ? null : plan.stable().id(),
        plan.target().id(),
        stepIndex,
        plan.steps().size(),
        current,
        split,
        startedAt,
        updatedAt,
        reason);
  }

  /** Forward step {@code index}'s description. */
  String describe(int index) {
    if (describedStep != index) {
      describedStep = index;
      stepDescription = plan.steps().get(index).describe();
    }
    return stepDescription;
  }
}
