// SPDX-License-Identifier: Apache-2.0
package io.cutover.spec.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.plan.Step;
import io.cutover.core.strategy.LifecycleHooks;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Reads the spec's {@code hooks} section into {@link LifecycleHooks}: one list of gate names per
 * phase, the polling interval, and expand/contract migrations. Kept apart from {@link SpecReader}
 * so the hook phases can grow without that class growing; problems go to the same reader, so they
 * are reported with all the others.
 */
final class HooksReader {
  /** Spec key to engine phase, in the order the docs list them. */
  static final Map<String, String> PHASES = phases();

  private final SpecReader reader;

  HooksReader(SpecReader reader) {
    this.reader = reader;
  }

  private static Map<String, String> phases() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("confirmRollout", Step.Hook.CONFIRM_ROLLOUT);
    m.put("preRollout", Step.Hook.PRE_ROLLOUT);
    m.put("rollout", Step.Hook.ROLLOUT);
    m.put("confirmTrafficIncrease", Step.Hook.CONFIRM_TRAFFIC_INCREASE);
    m.put("confirmPromotion", Step.Hook.CONFIRM_PROMOTION);
    m.put("postRollout", Step.Hook.POST_ROLLOUT);
    m.put("rollback", Step.Hook.ROLLBACK);
    m.put("event", Step.Hook.EVENT);
    m.put("preStop", Step.Hook.PRE_STOP);
    return Map.copyOf(m);
  }

  /** The hooks; {@link LifecycleHooks#NONE} when absent, null when a problem was recorded. */
  @Nullable LifecycleHooks read(@Nullable JsonNode n) {
    if (n == null) {
      return LifecycleHooks.NONE;
    }
    String path = "$.hooks";
    Set<String> known = new HashSet<>(PHASES.keySet());
    known.add("interval");
    known.add("migrations");
    known.add("warmUp");
    int before = reader.problems().size();
    if (!reader.object(n, path, known, List.of())) {
      return null;
    }
    LifecycleHooks.Builder b = LifecycleHooks.builder();
    // Field order is the order the user wrote; phases are placed by the engine, not by order.
    for (Map.Entry<String, String> phase : PHASES.entrySet()) {
      String p = path + "." + phase.getKey();
      List<String> gates = reader.names(n.get(phase.getKey()), p);
      for (int i = 0; i < gates.size(); i++) {
        reader.gateReference(p + "[" + i + "]", gates.get(i));
        if (gates.subList(0, i).contains(gates.get(i))) {
          reader.add(
              p + "[" + i + "]",
              "names gate '" + gates.get(i) + "' a second time",
              "list each gate once per phase");
        } else {
          b.hook(phase.getValue(), gates.get(i), Map.of());
        }
      }
    }
    Duration interval = reader.optionalDuration(n, "interval", path);
    if (interval != null && (interval.isZero() || interval.isNegative())) {
      reader.add(
          path + ".interval",
          "is " + n.get("interval").asText() + ", but hooks are asked again after it",
          "use a positive duration, e.g. 30s");
    } else if (interval != null) {
      b.interval(interval);
    }
    migrations(n.get("migrations"), path + ".migrations", b);
    warmUps(n.get("warmUp"), path + ".warmUp", b);
    if (reader.problems().size() != before) {
      return null;
    }
    try {
      return b.build();
    } catch (InvalidSpecException e) {
      for (InvalidSpecException.Violation v : e.violations()) {
        reader.add(path + "." + v.path(), v.problem(), v.fix());
      }
      return null;
    }
  }

  private void warmUps(@Nullable JsonNode n, String path, LifecycleHooks.Builder b) {
    gateList(
        n,
        path,
        "list warm-up checks, e.g. - {gate: ready-check, deadline: 2m}",
        Set.of("gate", "deadline"),
        (gate, w, p) -> {
          Duration deadline = reader.optionalDuration(w, "deadline", p);
          if (deadline != null && (deadline.isZero() || deadline.isNegative())) {
            reader.add(
                p + ".deadline",
                "is " + w.get("deadline").asText() + ", so no instance could ever pass",
                "use a positive duration, e.g. 2m");
          } else if (gate != null) {
            reader.gateReference(p + ".gate", gate);
            b.warmUp(gate, deadline == null ? Step.Hook.DEFAULT_DEADLINE : deadline);
          }
        });
  }

  private void migrations(@Nullable JsonNode n, String path, LifecycleHooks.Builder b) {
    gateList(
        n,
        path,
        "list migrations, e.g. - {gate: schema-migrate, params: {version: \"42\"}}",
        Set.of("gate", "params"),
        (gate, m, p) -> {
          Map<String, String> params = reader.stringMap(m.get("params"), p + ".params");
          if (gate != null) {
            reader.gateReference(p + ".gate", gate);
            b.migration(gate, params);
          }
        });
  }

  /** One item of a list of gate references: its gate (null if invalid), its node and path. */
  @FunctionalInterface
  private interface GateItem {
    void read(@Nullable String gate, JsonNode item, String path);
  }

  /**
   * Reads a list of objects that each name a gate ({@code fields} allowed, {@code gate} required),
   * reporting a non-list with {@code example} as the fix; hands each well-formed item on.
   */
  private void gateList(
      @Nullable JsonNode n, String path, String example, Set<String> fields, GateItem item) {
    if (n == null) {
      return;
    }
    if (!n.isArray()) {
      reader.add(path, "is " + SpecReader.kind(n) + ", not a list", example);
      return;
    }
    for (int i = 0; i < n.size(); i++) {
      String p = path + "[" + i + "]";
      JsonNode node = n.get(i);
      if (reader.object(node, p, fields, List.of("gate"))) {
        item.read(
            reader.string(node.get("gate"), p + ".gate", "name a gate defined under gates"),
            node,
            p);
      }
    }
  }
}
