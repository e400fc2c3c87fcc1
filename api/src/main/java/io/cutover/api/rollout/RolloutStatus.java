// SPDX-License-Identifier: Apache-2.0
package io.cutover.api.rollout;

import io.cutover.api.TrafficSplit;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A consistent snapshot of one rollout.
 *
 * @param rolloutId the rollout's id
 * @param service the service
 * @param state the state
 * @param stableReleaseId the release that served before the rollout, null for a first deployment
 * @param targetReleaseId the release being rolled out
 * @param stepIndex index of the current (or last) forward step; -1 before the first
 * @param stepCount number of forward steps
 * @param currentStep description of the current step, or empty
 * @param split the last traffic split applied and verified, null if none yet
 * @param startedAt when the rollout was created
 * @param updatedAt when its state last changed
 * @param reason why it paused or aborted; null otherwise
 */
public record RolloutStatus(
    String rolloutId,
    String service,
    RolloutState state,
    @Nullable String stableReleaseId,
    String targetReleaseId,
    int stepIndex,
    int stepCount,
    String currentStep,
    @Nullable TrafficSplit split,
    Instant startedAt,
    Instant updatedAt,
    @Nullable String reason) {}
