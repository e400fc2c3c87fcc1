// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.journal.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.spi.JournalRecord;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The index of a CREATED or ENDED record written before records carried one: derived from the
 * payload's top-level fields (payload schema 1), the only place those engines put it. This is the
 * one place a journal reads a payload, and only for such records; records written since carry their
 * index and are never parsed.
 */
final class LegacyIndex {
  private static final ObjectMapper JSON = new ObjectMapper();

  private LegacyIndex() {}

  /**
   * The index of an old CREATED or ENDED record; empty for other records and unreadable payloads.
   */
  static Map<String, String> of(JournalRecord r) {
    if (r.type() != JournalRecord.Type.CREATED && r.type() != JournalRecord.Type.ENDED) {
      return Map.of();
    }
    JsonNode p;
    try {
      p = JSON.readTree(r.payload());
    } catch (IOException e) {
      return Map.of();
    }
    if (p == null || !p.isObject()) {
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String key :
        new String[] {
          "strategy", "target", "stable", "artifact", "config", "initiator", "outcome", "reason"
        }) {
      JsonNode v = p.path(key);
      if (v.isValueNode() && !v.isNull()) {
        out.put(key, v.asText());
      }
    }
    p.path("annotations")
        .properties()
        .forEach(f -> out.put(Summaries.ANNOTATION + f.getKey(), f.getValue().asText()));
    return out;
  }
}
