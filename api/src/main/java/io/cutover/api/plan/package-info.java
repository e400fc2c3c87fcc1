// SPDX-License-Identifier: Apache-2.0
/**
 * Plans as data: a {@link io.cutover.api.plan.Plan} is an ordered list of sealed
 * {@link io.cutover.api.plan.Step}s compiled by a {@link io.cutover.spi.RolloutStrategy}. Plans never touch
 * the world; the engine executes them. A plan prints as a table, serializes to JSON (in core), and
 * carries its own rollback steps.
 */
@NullMarked
package io.cutover.api.plan;

import org.jspecify.annotations.NullMarked;
