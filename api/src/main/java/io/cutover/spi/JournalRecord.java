// SPDX-License-Identifier: Apache-2.0
package io.cutover.spi;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One entry of a {@link Journal}: an event in the life of a rollout.
 *
 * <p>The engine writes an {@link Type#INTENT} before each side effect and a {@link Type#DONE} (or
 * {@link Type#FAILED}) after it, with the same {@code operationId}; replaying the records rebuilds
 * every rollout exactly. The payload is JSON owned by the engine (its schema is in {@code
 * docs/journal.md}); journals store it verbatim and never need to read it.
 *
 * <p><b>Index.</b> What a journal may want to know about a record without reading its payload — to
 * summarise ended rollouts, to keep the latest succeeded one — the engine hands it in {@code
 * index}: a small map of strings, stored verbatim like the payload. The engine fills it on {@link
 * Type#CREATED} ({@code strategy}, {@code target}, {@code stable}, {@code artifact}, {@code
 * config}, {@code initiator}, and {@code annotation.<key>} per annotation) and on {@link
 * Type#ENDED} ({@code outcome}: {@code succeeded} or {@code aborted}, {@code target}, {@code
 * stable}, {@code reason}); a key whose value is unknown is absent. Other records have an empty
 * index. Records written before the index existed have an empty one too.
 *
 * @param sequence position in the journal, assigned by {@link Journal#append}; -1 before appending
 * @param time when, from the engine's clock
 * @param rolloutId the rollout
 * @param service the rollout's service
 * @param type the kind of record
 * @param operationId the side effect it concerns, for INTENT/DONE/FAILED; null otherwise
 * @param payload engine-owned JSON, never null (use {@code {}})
 * @param index strings the engine gives the journal to index and summarise the record by; empty for
 *     most records, never null
 */
public record JournalRecord(
    long sequence,
    Instant time,
    String rolloutId,
    String service,
    Type type,
    @Nullable String operationId,
    String payload,
    Map<String, String> index) {

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

  /** Validates the required parts and copies the index. */
  public JournalRecord {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(rolloutId, "rolloutId");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(payload, "payload");
    index = Map.copyOf(Objects.requireNonNull(index, "index"));
  }

  /** A record with an empty index. */
  public JournalRecord(
      long sequence,
      Instant time,
      String rolloutId,
      String service,
      Type type,
      @Nullable String operationId,
      String payload) {
    this(sequence, time, rolloutId, service, type, operationId, payload, Map.of());
  }

  /** A record to append (sequence not yet assigned), with an empty index. */
  public static JournalRecord of(
      Instant time,
      String rolloutId,
      String service,
      Type type,
      @Nullable String operationId,
      String payload) {
    return new JournalRecord(-1, time, rolloutId, service, type, operationId, payload, Map.of());
  }

  /** The same record with its assigned sequence. */
  public JournalRecord withSequence(long seq) {
    return new JournalRecord(seq, time, rolloutId, service, type, operationId, payload, index);
  }

  /** The same record with another index. */
  public JournalRecord withIndex(Map<String, String> index) {
    return new JournalRecord(sequence, time, rolloutId, service, type, operationId, payload, index);
  }
}
