// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.schema;

import io.cutover.api.Release;
import io.cutover.api.Verdict;
import io.cutover.api.plan.Plan;
import io.cutover.spi.JournalRecord;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What one journal record says, typed: one record type per kind of record the engine writes. The
 * wire format of each (field names, value spellings) is in {@code docs/journal.md} and in {@link
 * JournalCodec}; never rename a field there, add new ones instead.
 */
public sealed interface JournalPayload {

  /** The current schema version, written into every {@link Created} record. */
  int SCHEMA_VERSION = 1;

  /** The journal record type this payload is written as. */
  JournalRecord.Type type();

  /** Why a rollout waits for a human. */
  enum PauseKind {
    /** A {@code Pause} step without a duration. */
    APPROVAL,
    /** An analysis went over its inconclusive limit. */
    INCONCLUSIVE,
    /** A pause command, or a background analysis that was inconclusive, at a step boundary. */
    MANUAL
  }

  /** How far a forward step got. */
  enum StepStatus {
    STARTED,
    COMPLETED,
    SKIPPED
  }

  /** Commands that change what a rollout does next. */
  enum CommandKind {
    PAUSE,
    RESUME,
    /** A full promote ({@code "promote"} on the wire, what every promote was before issue 12). */
    PROMOTE,
    /** A step promote ({@code "promote-step"}): skip the current (or next) wait only. */
    PROMOTE_STEP
  }

  /** The side effects the engine journals before and after it issues them. */
  enum EffectKind {
    LAUNCH,
    SCALE,
    ROUTE,
    RETIRE,
    DRAIN,
    /** A {@code Migration} step's run (expand or contract). */
    MIGRATE;

    /** The name on the wire and in operation ids, e.g. {@code launch}. */
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * CREATED: a rollout was created. Holds the whole plan, so that a restarted engine can rebuild
   * the rollout from the journal alone.
   *
   * @param schema the schema version the rollout's records follow (1 when absent: older engines)
   * @param stable the stable release id, null for a first deployment
   * @param progressDeadline the rollout's progress deadline; null if the record has none (the
   *     engine's default applies)
   * @param retryOf the aborted rollout this one retries ({@code Cutover.retry}); null otherwise and
   *     in records of engines before issue 12
   */
  record Created(
      int schema,
      String strategy,
      String target,
      String artifact,
      String config,
      @Nullable String stable,
      int steps,
      String initiator,
      @Nullable Duration progressDeadline,
      boolean skipAnalysis,
      Map<String, String> annotations,
      List<String> verification,
      Plan plan,
      @Nullable String retryOf)
      implements JournalPayload {
    public Created {
      annotations = Map.copyOf(annotations);
      verification = List.copyOf(verification);
      Objects.requireNonNull(plan, "plan");
    }

    @Override
    public JournalRecord.Type type() {
      return JournalRecord.Type.CREATED;
    }
  }

  /** STATE: forward step {@code step} (of kind {@code kind}) started, completed or was skipped. */
  record StepState(int step, StepStatus status, String kind) implements JournalPayload {
    @Override
    public JournalRecord.Type type() {
      return JournalRecord.Type.STATE;
    }
  }

  /** STATE: rollback step {@code rollbackStep} completed. */
  record RollbackStep(int rollbackStep) implements JournalPayload {
    @Override
    public JournalRecord.Type type() {
      return JournalRecord.Type.STATE;
    }
  }

  /** STATE: the rollout paused. */
  record Paused(PauseKind pause, String reason) implements JournalPayload {
    @Override
    public JournalRecord.Type type() {
      return JournalRecord.Type.STATE;
    }
  }

  /** STATE: the rollout is aborting: traffic goes back to stable, then the rollback steps run. */
  record Aborting(String reason) implements JournalPayload {
    @Override
    public JournalRecord.Type type() {
      return JournalRecord.Type.STATE;
    }
  }

  /** COMMAND: a human or API command that the rollout acted on. */
  record Command(CommandKind command, String by) implements JournalPayload {
    @Override
    public JournalRecord.Type type() {
      return JournalRecord.Type.COMMAND;
    }
  }

  /**
   * VERDICT: one gate verdict.
   *
   * @param step the forward step it belongs to; -1 for a hook of a rollback step
   * @param measurement 1-based number of the analysis measurement
   */
  record GateVerdict(
      String gate,
      Verdict.Outcome outcome,
      boolean dryRun,
      int step,
      int measurement,
      List<String> reasons)
      implements JournalPayload {
    public GateVerdict {
      reasons = List.copyOf(reasons);
    }

    @Override
    public JournalRecord.Type type() {
      return JournalRecord.Type.VERDICT;
    }
  }

  /** INTENT: the effect with this operation id is about to be issued. */
  record Intent(String operationId, EffectKind kind) implements JournalPayload {
    @Override
    public JournalRecord.Type type() {
      return JournalRecord.Type.INTENT;
    }
  }

  /** DONE: the effect with this operation id happened. */
  record Done(String operationId, EffectKind kind) implements JournalPayload {
    @Override
    public JournalRecord.Type type() {
      return JournalRecord.Type.DONE;
    }
  }

  /** FAILED: the effect with this operation id failed for good. */
  record Failed(String operationId, EffectKind kind, String error) implements JournalPayload {
    @Override
    public JournalRecord.Type type() {
      return JournalRecord.Type.FAILED;
    }
  }

  /**
   * ENDED: the rollout reached a terminal state.
   *
   * @param succeeded true for SUCCEEDED ({@code "succeeded"} on the wire), false for ABORTED
   *     ({@code "aborted"})
   * @param reason why it was aborted; null for a success
   * @param revisions on a success, the service's revision history after it (absent in records of
   *     engines before issue 12, and on aborted rollouts, which change no history)
   */
  record Ended(
      boolean succeeded,
      String target,
      @Nullable String stable,
      @Nullable String reason,
      @Nullable Revisions revisions)
      implements JournalPayload {
    /** An ENDED record without revisions (an aborted rollout, or one read from an older engine). */
    public Ended(
        boolean succeeded, String target, @Nullable String stable, @Nullable String reason) {
      this(succeeded, target, stable, reason, null);
    }

    @Override
    public JournalRecord.Type type() {
      return JournalRecord.Type.ENDED;
    }
  }

  /**
   * A service's revision history as a successful rollout left it: the releases before the new
   * stable one that stay rollback targets (and pinned), newest first, at most {@code limit}.
   *
   * @param limit the revision history limit in effect (at least 1)
   * @param releases the previous releases kept, newest first
   */
  record Revisions(int limit, List<Release> releases) {
    public Revisions {
      releases = List.copyOf(releases);
    }
  }

  /**
   * A record this engine does not understand (a command or state written by a newer engine): kept
   * as read and ignored by recovery.
   */
  record Unknown(JournalRecord.Type type, String json) implements JournalPayload {}
}
