// SPDX-License-Identifier: Apache-2.0
/**
 * Generic health gates that work over any {@link io.cutover.spi.MetricSource}: thresholds (with the
 * request success-rate and p99-duration built-ins), SLO burn rate and the release-freeze policy, manual
 * approval, and composites (all, any, quorum). Every gate returns one {@link io.cutover.api.Verdict} per
 * evaluation and never turns missing data into a pass; counting and limits belong to the engine's
 * {@code Verify} step. Factories for {@link java.util.ServiceLoader} live here too.
 */
@NullMarked
package io.cutover.core.gate;

import org.jspecify.annotations.NullMarked;
