// SPDX-License-Identifier: Apache-2.0
/**
 * Real-process crash testing: a {@link io.cutover.testkit.crash.CrashCampaign} starts
 * {@link io.cutover.testkit.crash.CrashChild} JVMs that run canary rollouts with the durable
 * {@code FileJournal}, kills them with {@code kill -9} at seeded random instants, restarts them so the
 * engine resumes, and checks the end state. The outside world those processes change is a
 * {@link io.cutover.testkit.crash.RecordingWorld}: a {@link io.cutover.testkit.crash.RecordingFleet} and a
 * {@link io.cutover.testkit.crash.RecordingRouter} that force every effect to an
 * {@link io.cutover.testkit.crash.EffectLog} on disk, so it outlives the engine, and that a checker
 * replays through {@link io.cutover.testkit.crash.RecordedWorld} to find duplicated effects and traffic
 * sent to stopped instances.
 */
@NullMarked
package io.cutover.testkit.crash;

import org.jspecify.annotations.NullMarked;
