// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.drift;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.spi.Journal;
import io.cutover.spi.JournalRecord;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The journal records of one drift repair. They are written under the service name {@code
 * <service>}{@value DriftDetector#JOURNAL_SERVICE_SUFFIX}, so that a journal that keeps each
 * service's latest rollouts (compaction) never mistakes a repair for one; the first record is a
 * STATE record (never CREATED), so the engine's recovery leaves repairs to the detector. Every
 * payload carries {@code "driftRepair": 1}.
 *
 * <p>An append that fails propagates: a repair whose journal fails stops where it is, keeps the
 * service's lease and is continued by {@link DriftDetector#start()} on the next start.
 */
final class RepairJournal {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String MARKER = "driftRepair";
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private final Journal journal;
  private final InstantSource clock;
  private final String repairId;
  private final String recordService;

  RepairJournal(Journal journal, InstantSource clock, String repairId, String service) {
    this.journal = journal;
    this.clock = clock;
    this.repairId = repairId;
    this.recordService = service + DriftDetector.JOURNAL_SERVICE_SUFFIX;
  }

  void append(JournalRecord.Type type, @Nullable String op, Map<String, Object> payload) {
    append(type, op, payload, Map.of());
  }

  void append(
      JournalRecord.Type type,
      @Nullable String op,
      Map<String, Object> payload,
      Map<String, String> index) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put(MARKER, 1);
    body.putAll(payload);
    String json;
    try {
      json = JSON.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize a drift repair record", e);
    }
    journal.append(
        JournalRecord.of(clock.instant(), repairId, recordService, type, op, json)
            .withIndex(index));
  }

  /** The payload of a drift repair record, or null if the record is not one. */
  static @Nullable Map<String, Object> read(JournalRecord r) {
    if (!r.service().endsWith(DriftDetector.JOURNAL_SERVICE_SUFFIX)) {
      return null;
    }
    try {
      Map<String, Object> m = JSON.readValue(r.payload(), MAP);
      return m != null && m.containsKey(MARKER) ? m : null;
    } catch (JsonProcessingException e) {
      return null;
    }
  }
}
