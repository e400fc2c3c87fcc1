/**
 * The rollout engine's implementation: one state machine per rollout ({@code RolloutRun}) multiplexed
 * on the injected scheduler through per-rollout mailboxes, write-ahead journaling, Resilience4j-wrapped
 * provider calls, analysis runs, and telemetry. No compatibility promise: use {@link io.cutover.core.Cutover}.
 */
@NullMarked
package io.cutover.core.internal.engine;

import org.jspecify.annotations.NullMarked;
