// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.gate;

import io.cutover.api.CutoverException;

/**
 * A rollout of a service was refused because its error budget is exhausted (a release freeze).
 * Thrown by {@link ReleaseFreezePolicy#check} before anything is changed.
 */
public class ReleaseFrozenException extends CutoverException {
  private static final long serialVersionUID = 1L;
  private final String service;
  private final double budgetRemaining;

  /**
   * @param service the frozen service
   * @param budgetRemaining the share of the error budget left (0 or less when exhausted)
   * @param detail what was measured
   */
  public ReleaseFrozenException(String service, double budgetRemaining, String detail) {
    super(
        "service '"
            + service
            + "' is frozen: its error budget is exhausted ("
            + detail
            + ")"
            + " (fix: restore reliability first, or exempt a fix deliberately with ReleaseFreezePolicy.exempt)");
    this.service = service;
    this.budgetRemaining = budgetRemaining;
  }

  /** The frozen service. */
  public String service() {
    return service;
  }

  /** The share of the error budget left when the check ran. */
  public double budgetRemaining() {
    return budgetRemaining;
  }
}
