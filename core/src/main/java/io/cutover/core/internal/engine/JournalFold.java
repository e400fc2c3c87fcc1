// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.engine;

import io.cutover.api.plan.Plan;
import io.cutover.api.plan.Step;
import io.cutover.api.rollout.RolloutState;
import io.cutover.core.internal.schema.JournalCodec;
import io.cutover.core.internal.schema.JournalPayload;
import io.cutover.core.internal.schema.JournalPayload.Aborting;
import io.cutover.core.internal.schema.JournalPayload.Command;
import io.cutover.core.internal.schema.JournalPayload.Done;
import io.cutover.core.internal.schema.JournalPayload.GateVerdict;
import io.cutover.core.internal.schema.JournalPayload.PauseKind;
import io.cutover.core.internal.schema.JournalPayload.Paused;
import io.cutover.core.internal.schema.JournalPayload.RollbackStep;
import io.cutover.core.internal.schema.JournalPayload.StepState;
import io.cutover.core.internal.schema.JournalPayload.StepStatus;
import io.cutover.spi.JournalRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Folds the records of one rollout (CREATED first) into the immutable {@link Recovered} state that
 * a restarted engine continues from.
 */
final class JournalFold {

  /**
   * The journal's account of an open rollout.
   *
   * @param state PROGRESSING, PAUSED or ABORTING
   * @param pause why it is paused; null unless PAUSED
   * @param stepIndex the last forward step journaled as started (-1 if none)
   * @param stepCompleted whether that step is behind the rollout (completed, skipped, or resumed
   *     past)
   * @param rollbackCompleted the last rollback step journaled as completed (-1 if none)
   * @param stepStartedAt when each started forward step started
   * @param verdicts the verdicts journaled per forward step, in order
   * @param doneOps operation ids of the effects journaled as DONE
   * @param updatedAt time of the last record that changed the visible state
   * @param abortStartedAt when the abort began; null unless ABORTING
   */
  record Recovered(
      RolloutState state,
      @Nullable PauseKind pause,
      @Nullable String reason,
      int stepIndex,
      boolean stepCompleted,
      int rollbackCompleted,
      Map<Integer, Instant> stepStartedAt,
      Map<Integer, List<AnalysisRun.Recorded>> verdicts,
      Set<String> doneOps,
      boolean promoted,
      boolean promoteStepPending,
      boolean manualPauseRequested,
      Instant updatedAt,
      @Nullable Instant abortStartedAt) {
    Recovered {
      stepStartedAt = Map.copyOf(stepStartedAt);
      Map<Integer, List<AnalysisRun.Recorded>> v = new HashMap<>();
      verdicts.forEach((k, l) -> v.put(k, List.copyOf(l)));
      verdicts = Map.copyOf(v);
      doneOps = Set.copyOf(doneOps);
    }

    /** When forward step {@code i} started, or {@code fallback} if the journal does not say. */
    Instant startedAt(int i, Instant fallback) {
      return stepStartedAt.getOrDefault(i, fallback);
    }

    List<AnalysisRun.Recorded> verdictsOf(int step) {
      return verdicts.getOrDefault(step, List.of());
    }

    /**
     * Whether a forward step up to the current one launched the target (or scaled it up) and none
     * retired it, by DONE records: then the fleet must still know instances of the target.
     */
    boolean targetLaunched(String rolloutId, Plan plan) {
      String target = plan.target().id();
      boolean launched = false;
      boolean retired = false;
      for (int i = 0; i <= Math.min(stepIndex, plan.steps().size() - 1); i++) {
        Step s = plan.steps().get(i);
        String op = OperationIds.forStep(rolloutId, i, s.kind()).value();
        if ((s instanceof Step.Launch l && l.releaseId().equals(target))
            || (s instanceof Step.Scale sc && sc.releaseId().equals(target) && sc.replicas() > 0)) {
          launched |= doneOps.contains(op);
        } else if (s instanceof Step.Retire rt && rt.releaseId().equals(target)) {
          retired |= doneOps.contains(op);
        }
      }
      return launched && !retired;
    }
  }

  private RolloutState state = RolloutState.PROGRESSING;
  private @Nullable PauseKind pause;
  private @Nullable String reason;
  private int stepIndex = -1;
  private boolean stepCompleted = true;
  private int rollbackCompleted = -1;
  private final Map<Integer, Instant> stepStartedAt = new HashMap<>();
  private final Map<Integer, List<AnalysisRun.Recorded>> verdicts = new HashMap<>();
  private final Set<String> doneOps = new HashSet<>();
  private boolean promoted;
  private boolean promoteStepPending;
  private boolean manualPauseRequested;
  private Instant updatedAt;
  private @Nullable Instant abortStartedAt;

  private JournalFold(Instant createdAt) {
    this.updatedAt = createdAt;
  }

  /**
   * Folds a rollout's records.
   *
   * @throws IllegalArgumentException if a record is unreadable
   */
  static Recovered fold(List<JournalRecord> records, JournalCodec codec) {
    JournalFold f = new JournalFold(records.get(0).time());
    for (JournalRecord r : records) {
      f.apply(codec.decode(r), r.time());
    }
    return new Recovered(
        f.state,
        f.pause,
        f.reason,
        f.stepIndex,
        f.stepCompleted,
        f.rollbackCompleted,
        f.stepStartedAt,
        f.verdicts,
        f.doneOps,
        f.promoted,
        f.promoteStepPending,
        f.manualPauseRequested,
        f.updatedAt,
        f.abortStartedAt);
  }

  private void apply(JournalPayload p, Instant time) {
    if (p instanceof StepState s) {
      if (s.status() != StepStatus.STARTED
          && (s.kind().equals("verify") || s.kind().equals("pause"))) {
        // a pending step promote is used up by the wait it skipped (or that completed)
        promoteStepPending = false;
      }
      stepIndex = s.step();
      stepCompleted = s.status() != StepStatus.STARTED;
      if (!stepCompleted) {
        stepStartedAt.put(stepIndex, time);
      }
      updatedAt = time;
    } else if (p instanceof RollbackStep r) {
      rollbackCompleted = r.rollbackStep();
    } else if (p instanceof Paused ps) {
      state = RolloutState.PAUSED;
      pause = ps.pause();
      reason = ps.reason();
      updatedAt = time;
    } else if (p instanceof Aborting a) {
      state = RolloutState.ABORTING;
      reason = a.reason();
      abortStartedAt = time;
      updatedAt = time;
    } else if (p instanceof Command c) {
      command(c);
    } else if (p instanceof GateVerdict v && v.step() >= 0) {
      verdicts
          .computeIfAbsent(v.step(), k -> new ArrayList<>())
          .add(new AnalysisRun.Recorded(v, time));
    } else if (p instanceof Done d) {
      doneOps.add(d.operationId());
    }
  }

  private void command(Command c) {
    switch (c.command()) {
      case PROMOTE -> {
        promoted = true;
        promoteStepPending = false;
        unpause();
      }
      case PROMOTE_STEP -> {
        promoteStepPending = state != RolloutState.PAUSED;
        unpause();
      }
      case PAUSE -> manualPauseRequested = true;
      case RESUME -> unpause();
    }
  }

  /** A resume or promote of a paused rollout; what it did next follows in the journal. */
  private void unpause() {
    manualPauseRequested = false;
    if (state == RolloutState.PAUSED) {
      boolean wasManual = pause == PauseKind.MANUAL;
      state = RolloutState.PROGRESSING;
      pause = null;
      reason = null;
      if (!wasManual) {
        stepCompleted = true;
      }
    }
  }
}
