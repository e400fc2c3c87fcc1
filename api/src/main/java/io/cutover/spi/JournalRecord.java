package io.cutover.spi;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One entry of a {@link Journal}: an event in the life of a rollout.
 *
 * <p>The engine writes an {@link Type#INTENT} before each side effect and a {@link Type#DONE} (or
 * {@link Type#FAILED}) after it, with the same {@code operationId}; replaying the records rebuilds every
 * rollout exactly. The payload is JSON owned by the engine; journals store it verbatim.
 *
 * @param sequence position in the journal, assigned by {@link Journal#append}; -1 before appending
 * @param time when, from the engine's clock
 * @param rolloutId the rollout
 * @param service the rollout's service
 * @param type the kind of record
 * @param operationId the side effect it concerns, for INTENT/DONE/FAILED; null otherwise
 * @param payload engine-owned JSON, never null (use {@code {}})
 */
public record JournalRecord(long sequence, Instant time, String rolloutId, String service, Type type,
    @Nullable String operationId, String payload) {

  /** Kinds of records. */
  public enum Type {
    /** A rollout was created; the payload holds its plan and options. */
    CREATED,
    /** A side effect is about to be attempted. */
    INTENT,
    /** A side effect completed; the payload holds its result. */
    DONE,
    /** A side effect failed for good. */
    FAILED,
    /** A gate verdict. */
    VERDICT,
    /** A state change of the rollout (step advanced, paused, aborting, ...). */
    STATE,
    /** A human or API command (approve, pause, resume, promote, abort). */
    COMMAND,
    /** The rollout reached a terminal state. */
    ENDED
  }

  /** Validates the required parts. */
  public JournalRecord {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(rolloutId, "rolloutId");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(payload, "payload");
  }

  /** A record to append (sequence not yet assigned). */
  public static JournalRecord of(Instant time, String rolloutId, String service, Type type,
      @Nullable String operationId, String payload) {
    return new JournalRecord(-1, time, rolloutId, service, type, operationId, payload);
  }

  /** The same record with its assigned sequence. */
  public JournalRecord withSequence(long seq) {
    return new JournalRecord(seq, time, rolloutId, service, type, operationId, payload);
  }
}
