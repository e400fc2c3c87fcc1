// SPDX-License-Identifier: Apache-2.0
package io.cutover.spi;

import io.cutover.api.Verdict;

/**
 * Decides whether a release is healthy enough to continue: one evaluation gives one {@link
 * Verdict}.
 *
 * <p><b>Semantics.</b> PASS means healthy; FAIL means unhealthy (evidence against the candidate);
 * INCONCLUSIVE means not enough evidence (no data must be INCONCLUSIVE or FAIL per the gate's
 * configured policy, never PASS); ERROR means the gate could not evaluate. How many of each a
 * rollout tolerates is decided by the {@code Verify} step's limits, not by the gate.
 *
 * <p><b>Idempotency.</b> Evaluation must have no side effects beyond reading (hooks excepted: a
 * hook gate may act, and must be idempotent per {@code rolloutId} + {@code phase}).
 *
 * <p><b>Threading.</b> May block; may be called concurrently for different rollouts.
 *
 * <p><b>Errors.</b> Return {@link Verdict#error} rather than throw; an exception that escapes is
 * recorded as ERROR by the engine.
 */
public interface HealthGate {

  /** The gate's name, as referenced by {@code Verify} and {@code Hook} steps. */
  String name();

  /** Evaluates the gate once. */
  Verdict evaluate(GateContext context);
}
