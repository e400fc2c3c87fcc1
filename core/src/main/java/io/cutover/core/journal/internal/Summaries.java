package io.cutover.core.journal.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.cutover.core.journal.RolloutSummary;
import io.cutover.spi.JournalRecord;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Turns the records of an ended rollout into its {@link RolloutSummary}, reading the engine's JSON in the
 * CREATED and ENDED payloads. Lenient: a missing field or a payload that is not JSON leaves fields null,
 * because compaction must never fail on a payload the journal stores verbatim.
 */
public final class Summaries {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Summaries() {}

  /** The summary of a rollout's records (in order), or null if they hold no ENDED record. */
  public static @Nullable RolloutSummary of(List<JournalRecord> records) {
    JournalRecord created = null;
    JournalRecord ended = null;
    for (JournalRecord r : records) {
      if (r.type() == JournalRecord.Type.CREATED && created == null) {
        created = r;
      } else if (r.type() == JournalRecord.Type.ENDED) {
        ended = r;
      }
    }
    if (ended == null) {
      return null;
    }
    JournalRecord first = records.get(0);
    JsonNode c = created == null ? MissingNode.getInstance() : parse(created.payload());
    JsonNode e = parse(ended.payload());
    Map<String, String> annotations = new LinkedHashMap<>();
    c.path("annotations").properties().forEach(f -> annotations.put(f.getKey(), f.getValue().asText()));
    return new RolloutSummary(first.rolloutId(), first.service(), text(c, "strategy"),
        firstText(c, e, "target"), firstText(c, e, "stable"), text(c, "artifact"), text(c, "config"),
        text(c, "initiator"), annotations, (created != null ? created : first).time(), ended.time(),
        text(e, "outcome"), text(e, "reason"), first.sequence(), records.get(records.size() - 1).sequence(),
        records.size());
  }

  /** Whether an ENDED record says the rollout succeeded. */
  public static boolean succeeded(JournalRecord ended) {
    return "succeeded".equals(text(parse(ended.payload()), "outcome"));
  }

  private static JsonNode parse(String json) {
    try {
      JsonNode n = JSON.readTree(json);
      return n == null ? MissingNode.getInstance() : n;
    } catch (IOException ex) {
      return MissingNode.getInstance();
    }
  }

  private static @Nullable String firstText(JsonNode a, JsonNode b, String field) {
    String s = text(a, field);
    return s != null ? s : text(b, field);
  }

  private static @Nullable String text(JsonNode n, String field) {
    JsonNode v = n.path(field);
    return v.isValueNode() && !v.isNull() ? v.asText() : null;
  }
}
