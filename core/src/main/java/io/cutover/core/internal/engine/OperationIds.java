// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.engine;

import io.cutover.spi.OperationId;

/**
 * How the engine names its effects: {@code <rolloutId>/s<stepIndex>/<kind>} for forward steps and
 * {@code <rolloutId>/r<stepIndex>/<kind>} for rollback steps. Engine-internal: {@link OperationId}
 * is opaque to providers, but journals written by earlier versions hold these ids, so the format
 * must not change.
 */
public final class OperationIds {
  private OperationIds() {}

  /** The id of a forward step's effect. */
  public static OperationId forStep(String rolloutId, int stepIndex, String kind) {
    return new OperationId(rolloutId + "/s" + stepIndex + "/" + kind);
  }

  /** The id of a rollback step's effect. */
  public static OperationId forRollbackStep(String rolloutId, int stepIndex, String kind) {
    return new OperationId(rolloutId + "/r" + stepIndex + "/" + kind);
  }
}
