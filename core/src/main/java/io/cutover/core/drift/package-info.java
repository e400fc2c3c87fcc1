// SPDX-License-Identifier: Apache-2.0
/**
 * Drift detection and repair outside rollouts: {@link io.cutover.core.drift.DriftDetector} compares
 * what the fleet runs (artifact and config digests) with each service's stable release on an
 * interval, reports drift as events and metrics, and — when repair is on — replaces drifted
 * instances with fresh ones as a journaled mini-rollout that holds the service's lease. It never
 * patches a unit in place; a unit it cannot replace is quarantined from routing.
 */
@NullMarked
package io.cutover.core.drift;

import org.jspecify.annotations.NullMarked;
