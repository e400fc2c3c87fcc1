// SPDX-License-Identifier: Apache-2.0
/**
 * The Cutover simulator: virtual time ({@link io.cutover.simulator.VirtualClock},
 * {@link io.cutover.simulator.VirtualScheduler}), in-memory fakes of the SPIs that touch the world
 * ({@link io.cutover.simulator.FakeFleet}, {@link io.cutover.simulator.FakeRouter},
 * {@link io.cutover.simulator.InMemoryArtifactStore}, {@link io.cutover.simulator.ScriptedMetrics}), and
 * {@link io.cutover.simulator.RolloutHarness}, which runs the real engine on them to the end in
 * milliseconds. Fakes are deterministic, thread-safe, record what was asked of them and offer fault hooks;
 * none does I/O. No test framework here: {@code cutover simulate} runs on this package, and
 * {@code cutover-testkit} adds the JUnit extension, assertions and contract kits on top.
 */
@NullMarked
package io.cutover.simulator;

import org.jspecify.annotations.NullMarked;
