// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.engine;

import io.cutover.api.TrafficSplit;
import io.cutover.api.plan.Plan;
import io.cutover.api.plan.Step;
import io.cutover.api.rollout.RolloutState;
import io.cutover.api.rollout.RolloutStatus;
import io.cutover.core.internal.schema.JournalCodec;
import io.cutover.core.internal.schema.JournalPayload;
import io.cutover.spi.JournalRecord;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The final status of a rollout that ended in an earlier engine, rebuilt from its journal records,
 * so that {@code Cutover.history} and {@code status} survive a restart. It says what the live
 * engine said at the end: the state and reason of the ENDED record, the last step reached, and the
 * last split a completed step applied.
 */
public final class EndedStatus {
  private EndedStatus() {}

  /**
   * The status, or null if the records do not end with a readable ENDED record.
   *
   * @param records the rollout's records, CREATED first
   */
  public static @Nullable RolloutStatus of(
      String rolloutId, Plan plan, List<JournalRecord> records, JournalCodec codec) {
    JournalRecord last = records.get(records.size() - 1);
    JournalPayload.Ended ended;
    try {
      if (!(codec.decode(last) instanceof JournalPayload.Ended e)) {
        return null;
      }
      ended = e;
    } catch (IllegalArgumentException e) {
      return null;
    }
    int step = -1;
    TrafficSplit split = null;
    for (JournalRecord r : records) {
      JournalPayload p;
      try {
        p = codec.decode(r);
      } catch (IllegalArgumentException e) {
        continue;
      }
      if (p instanceof JournalPayload.StepState s && s.step() < plan.steps().size()) {
        step = Math.max(step, s.step());
        if (s.status() == JournalPayload.StepStatus.COMPLETED
            && plan.steps().get(s.step()) instanceof Step.Route route) {
          split = route.split();
        }
      } else if (p instanceof JournalPayload.RollbackStep rs
          && rs.rollbackStep() < plan.rollbackSteps().size()
          && plan.rollbackSteps().get(rs.rollbackStep()) instanceof Step.Route route) {
        split = route.split();
      }
    }
    boolean ok = ended.succeeded();
    return new RolloutStatus(
        rolloutId,
        plan.service(),
        ok ? RolloutState.SUCCEEDED : RolloutState.ABORTED,
        plan.stable() == null ? null : plan.stable().id(),
        plan.target().id(),
        ok ? plan.steps().size() : step,
        plan.steps().size(),
        "",
        split,
        records.get(0).time(),
        last.time(),
        ended.reason());
  }
}
