// SPDX-License-Identifier: Apache-2.0
package io.cutover.api.rollout;

import io.cutover.api.TrafficSplit;
import io.cutover.api.Verdict;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Something that happened to a rollout, delivered to {@link RolloutListener}s in the order it
 * happened.
 *
 * <p>Pairing: every {@link Type#STEP_STARTED} is followed by exactly one {@link
 * Type#STEP_COMPLETED} or {@link Type#STEP_FAILED} for the same step index, unless the rollout is
 * aborted in between (then {@link Type#ABORT_STARTED} follows). Every rollout starts with {@link
 * Type#ROLLOUT_STARTED} and ends with exactly one of {@link Type#ROLLOUT_SUCCEEDED} or {@link
 * Type#ROLLOUT_ABORTED}.
 *
 * @param type what happened
 * @param rolloutId the rollout
 * @param service its service
 * @param time when, from the engine's clock
 * @param stepIndex the forward step involved, or -1
 * @param stepKind the kind of that step ({@code launch}, {@code route}, ...), or empty
 * @param message a human-readable line
 * @param verdict the verdict, for {@link Type#GATE_VERDICT}
 * @param gate the gate's name, for {@link Type#GATE_VERDICT}
 * @param split the split, for {@link Type#TRAFFIC_SHIFTED}
 * @param releaseId the id of the release the rollout deploys (its target), or empty where the
 *     emitter knows none (events built with the older constructor)
 * @param artifactDigest the content digest of that release's artifact ({@code sha256:...}), or
 *     empty where the emitter knows none
 */
public record RolloutEvent(
    Type type,
    String rolloutId,
    String service,
    Instant time,
    int stepIndex,
    String stepKind,
    String message,
    @Nullable Verdict verdict,
    @Nullable String gate,
    @Nullable TrafficSplit split,
    String releaseId,
    String artifactDigest) {

  /** Validates the release id and digest (empty for unknown, never null). */
  public RolloutEvent {
    Objects.requireNonNull(releaseId, "releaseId");
    Objects.requireNonNull(artifactDigest, "artifactDigest");
  }

  /**
   * An event without release id and artifact digest (both empty): the constructor from before they
   * were added, kept for emitters that know no release. The engine always fills both.
   */
  public RolloutEvent(
      Type type,
      String rolloutId,
      String service,
      Instant time,
      int stepIndex,
      String stepKind,
      String message,
      @Nullable Verdict verdict,
      @Nullable String gate,
      @Nullable TrafficSplit split) {
    this(
        type, rolloutId, service, time, stepIndex, stepKind, message, verdict, gate, split, "", "");
  }

  /** Kinds of events. */
  public enum Type {
    /** The rollout was accepted and journaled. */
    ROLLOUT_STARTED,
    /** A forward step began. */
    STEP_STARTED,
    /** A forward step finished successfully. */
    STEP_COMPLETED,
    /** A forward step failed; an abort follows. */
    STEP_FAILED,
    /** A traffic split was applied and read back. */
    TRAFFIC_SHIFTED,
    /** A gate produced a verdict (dry-run gates included). */
    GATE_VERDICT,
    /** The rollout paused (approval, inconclusive analysis, manual). */
    PAUSED,
    /**
     * A confirm hook did not confirm: the rollout waits (state WAITING) and asks again every
     * interval. Emitted when the wait begins and when the hook's answer changes.
     */
    WAITING,
    /** The rollout resumed after a pause. */
    RESUMED,
    /** Remaining steps were skipped by a promote. */
    PROMOTED,
    /** A provider call failed and will be retried. */
    PROVIDER_RETRY,
    /** The fleet reports a digest that differs from the release's. */
    DRIFT_DETECTED,
    /** An abort began: traffic goes to stable first. */
    ABORT_STARTED,
    /** The rollout completed; the target is stable. Terminal. */
    ROLLOUT_SUCCEEDED,
    /** The rollout ended aborted; stable serves. Terminal. */
    ROLLOUT_ABORTED,
    /**
     * A drifted instance was replaced by a fresh one of its release (drift repair; the event's
     * rollout id is the repair's id).
     */
    DRIFT_REPAIRED,
    /** A drifted instance that could not be replaced was taken out of routing (drift repair). */
    INSTANCE_QUARANTINED
  }
}
