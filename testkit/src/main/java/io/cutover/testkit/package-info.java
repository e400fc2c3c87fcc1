/**
 * The Cutover testkit: virtual time ({@link io.cutover.testkit.VirtualClock},
 * {@link io.cutover.testkit.VirtualScheduler}) and in-memory fakes of every SPI that touches the world
 * ({@link io.cutover.testkit.FakeFleet}, {@link io.cutover.testkit.FakeRouter},
 * {@link io.cutover.testkit.InMemoryArtifactStore}, {@link io.cutover.testkit.ScriptedMetrics},
 * {@link io.cutover.testkit.FakeHealthGate}). Fakes are deterministic, thread-safe, record what was asked
 * of them so tests can assert on it, and offer fault hooks; none of them does I/O.
 */
@NullMarked
package io.cutover.testkit;

import org.jspecify.annotations.NullMarked;
