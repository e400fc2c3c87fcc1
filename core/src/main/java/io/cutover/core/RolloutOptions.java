// SPDX-License-Identifier: Apache-2.0
package io.cutover.core;

import io.cutover.api.InvalidSpecException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Per-rollout settings that are not part of the plan.
 *
 * @param progressDeadline a rollout that makes no progress (no step or measurement completes) for
 *     this long while progressing aborts; pauses do not count. Never stuck.
 * @param skipAnalysis the rollback fast path: Verify and Pause steps are skipped, traffic moves at
 *     once
 * @param initiator who started it (a user, a pipeline id), for the journal and audit
 * @param annotations free-form key/values recorded in the journal (ticket, change id, ...)
 */
public record RolloutOptions(
    Duration progressDeadline,
    boolean skipAnalysis,
    String initiator,
    Map<String, String> annotations) {

  /** Deadline 10 minutes, analysis on, initiator {@code api}. */
  public static final RolloutOptions DEFAULT =
      new RolloutOptions(Duration.ofMinutes(10), false, "api", Map.of());

  /** Validates and copies. */
  public RolloutOptions {
    Objects.requireNonNull(progressDeadline, "progressDeadline");
    if (progressDeadline.isNegative() || progressDeadline.isZero()) {
      throw new InvalidSpecException(
          "options.progressDeadline", "is " + progressDeadline, "use a positive duration");
    }
    if (initiator == null || initiator.isBlank()) {
      throw new InvalidSpecException(
          "options.initiator", "is blank", "name who starts the rollout");
    }
    annotations = Map.copyOf(annotations);
  }

  /** A copy with another progress deadline. */
  public RolloutOptions withProgressDeadline(Duration d) {
    return new RolloutOptions(d, skipAnalysis, initiator, annotations);
  }

  /** A copy with the analysis fast path on or off. */
  public RolloutOptions withSkipAnalysis(boolean skip) {
    return new RolloutOptions(progressDeadline, skip, initiator, annotations);
  }

  /** A copy with another initiator. */
  public RolloutOptions withInitiator(String who) {
    return new RolloutOptions(progressDeadline, skipAnalysis, who, annotations);
  }
}
