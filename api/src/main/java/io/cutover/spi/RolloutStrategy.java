// SPDX-License-Identifier: Apache-2.0
package io.cutover.spi;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.plan.Plan;

/**
 * Compiles a {@link PlanRequest} into a {@link Plan}: blue/green, canary, linear, rolling,
 * recreate, or your own.
 *
 * <p><b>Semantics.</b> A pure function: no I/O, no clock, no randomness; the same request always
 * gives an equal plan. The strategy's options are validated when the strategy is built, so {@link
 * #plan} fails only for requests the options cannot serve (e.g. a strategy that needs a stable
 * release on a first deploy).
 *
 * <p><b>Threading.</b> Immutable and safe for concurrent use.
 *
 * <p><b>Errors.</b> {@link InvalidSpecException} naming the option or request field.
 */
public interface RolloutStrategy {

  /** The strategy's name, e.g. {@code canary}. */
  String name();

  /** Compiles the plan, including its rollback steps. */
  Plan plan(PlanRequest request);
}
