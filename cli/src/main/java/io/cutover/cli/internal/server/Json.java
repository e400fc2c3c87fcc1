// SPDX-License-Identifier: Apache-2.0
package io.cutover.cli.internal.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cutover.api.TrafficSplit;
import io.cutover.api.rollout.RolloutStatus;
import io.cutover.spi.JournalRecord;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The admin API's JSON shapes (docs/cli.md, "Admin API"): a rollout's status and journal records.
 * Stateless; thread-safe.
 */
public final class Json {
  /** The shared mapper (thread-safe once configured). */
  public static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  /** A rollout's status. */
  public static ObjectNode status(RolloutStatus s) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("rolloutId", s.rolloutId());
    n.put("service", s.service());
    n.put("state", s.state().name());
    n.put("stable", s.stableReleaseId());
    n.put("target", s.targetReleaseId());
    n.put("stepIndex", s.stepIndex());
    n.put("stepCount", s.stepCount());
    n.put("currentStep", s.currentStep());
    n.set("split", split(s.split()));
    n.put("startedAt", s.startedAt().toString());
    n.put("updatedAt", s.updatedAt().toString());
    n.put("reason", s.reason());
    return n;
  }

  /** Statuses as an array. */
  public static ArrayNode statuses(List<RolloutStatus> list) {
    ArrayNode a = MAPPER.createArrayNode();
    list.forEach(s -> a.add(status(s)));
    return a;
  }

  /** Percent of traffic per release id, or null. */
  private static @Nullable JsonNode split(@Nullable TrafficSplit split) {
    if (split == null) {
      return null;
    }
    ObjectNode n = MAPPER.createObjectNode();
    for (Map.Entry<String, Integer> w : split.weights().entrySet()) {
      n.put(w.getKey(), w.getValue() / 100.0);
    }
    return n;
  }

  /** A journal record, its payload as JSON (as the engine wrote it). */
  public static ObjectNode record(JournalRecord r) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("sequence", r.sequence());
    n.put("time", r.time().toString());
    n.put("rolloutId", r.rolloutId());
    n.put("service", r.service());
    n.put("type", r.type().name());
    n.put("operationId", r.operationId());
    JsonNode payload;
    try {
      payload = MAPPER.readTree(r.payload());
    } catch (JsonProcessingException e) {
      payload = MAPPER.getNodeFactory().textNode(r.payload());
    }
    n.set("payload", payload);
    ObjectNode index = MAPPER.createObjectNode();
    r.index().forEach(index::put);
    n.set("index", index);
    return n;
  }

  /** An error body: a message and the problems, one line each. */
  public static ObjectNode error(String message, List<String> problems) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("error", message);
    ArrayNode a = n.putArray("problems");
    problems.forEach(a::add);
    return n;
  }
}
