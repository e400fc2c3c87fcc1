// SPDX-License-Identifier: Apache-2.0
/**
 * The rollout engine's implementation: one state machine per rollout ({@code RolloutRun}, the transition
 * core) multiplexed on the injected scheduler through per-rollout mailboxes, with its parts — steps
 * ({@code StepExecutor}), write-ahead effects ({@code WriteAhead}, {@code Effect}), analysis runs
 * ({@code AnalysisRun}, {@code Analyses}), the progress deadline ({@code ProgressWatchdog}), recovery from the
 * journal ({@code JournalFold}) and telemetry ({@code RolloutTelemetry}). {@code docs/concepts.md} maps them.
 * No compatibility promise: use {@link io.cutover.core.Cutover}.
 */
@NullMarked
package io.cutover.core.internal.engine;

import org.jspecify.annotations.NullMarked;
