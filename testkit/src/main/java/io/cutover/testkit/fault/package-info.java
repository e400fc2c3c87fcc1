// SPDX-License-Identifier: Apache-2.0
/**
 * Fault injection for every SPI: {@link io.cutover.testkit.fault.Faults} wraps a real or fake
 * {@code Fleet}, {@code Router}, {@code HealthGate}, {@code MetricSource}, {@code ArtifactStore} or
 * {@code Journal} so that chosen calls fail (the Nth, with a seeded probability, inside an outage window
 * of virtual time, or after the effect happened, as a lost response), are delayed by virtual latency, or
 * hang until a virtual timeout; {@link io.cutover.testkit.fault.FaultLog} tells a test what was injected.
 */
@NullMarked
package io.cutover.testkit.fault;

import org.jspecify.annotations.NullMarked;
