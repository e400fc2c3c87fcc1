// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.crash;

import io.cutover.api.InstanceState;
import io.cutover.api.TrafficSplit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The state of the outside world folded from {@link Effect}s in log order: which instances run,
 * drain or stopped, and which split each service's traffic follows. Folding also checks what a
 * crash must never cause, and records every breach as a violation:
 *
 * <ul>
 *   <li>an operation id applied twice (a <em>duplicated effect</em>: idempotency failed);
 *   <li>an instance stopped while the split in effect still sent it traffic;
 *   <li>a split that sends traffic to an instance that is stopped, draining or unknown, or gives
 *       weight to a release without backends.
 * </ul>
 *
 * <p>Both sides use it: the {@link RecordingWorld} providers rebuild their state from the log with
 * it when a process starts, and the campaign's checker replays the whole log through it afterwards.
 *
 * <p><b>Threading.</b> Not thread-safe; {@link RecordingWorld} guards its instance.
 */
public final class RecordedWorld {

  /**
   * One instance as the world knows it.
   *
   * @param id the instance id
   * @param service its service
   * @param releaseId its release
   * @param state READY, DRAINING or TERMINATED
   * @param startedBy index of the effect that started it
   */
  public record Unit(
      String id, String service, String releaseId, InstanceState state, long startedBy) {}

  private final Map<String, Unit> units = new LinkedHashMap<>();
  private final Map<String, Effect> byOp = new HashMap<>();
  private final Map<String, Effect> routes = new HashMap<>();
  private final List<String> violations = new ArrayList<>();
  private int duplicates;
  private int reissues;
  private long applied;

  /** An empty world. */
  public RecordedWorld() {}

  /** The world after {@code effects}, in order. */
  public static RecordedWorld of(List<Effect> effects) {
    RecordedWorld w = new RecordedWorld();
    effects.forEach(w::apply);
    return w;
  }

  /** Applies one effect, checking it against the state before it. */
  public void apply(Effect e) {
    applied++;
    if (!e.changes()) {
      reissues++;
      return;
    }
    Effect first = byOp.putIfAbsent(e.op(), e);
    if (first != null) {
      duplicates++;
      violations.add(
          "effect #"
              + e.index()
              + ": operation "
              + e.op()
              + " applied again (first applied by effect #"
              + first.index()
              + ")");
    }
    for (String id : e.started()) {
      units.put(
          id,
          new Unit(id, e.service(), String.valueOf(e.releaseId()), InstanceState.READY, e.index()));
    }
    for (String id : e.drained()) {
      units.computeIfPresent(
          id,
          (k, u) -> new Unit(k, u.service(), u.releaseId(), InstanceState.DRAINING, u.startedBy()));
    }
    for (String id : e.stopped()) {
      Unit u = units.get(id);
      if (u == null) {
        violations.add("effect #" + e.index() + " (" + e.op() + ") stopped unknown instance " + id);
        continue;
      }
      Effect route = routes.get(u.service());
      if (route != null
          && route.weights().getOrDefault(u.releaseId(), 0) > 0
          && route.backends().getOrDefault(u.releaseId(), List.of()).contains(id)) {
        violations.add(
            "effect #"
                + e.index()
                + " ("
                + e.op()
                + ") stopped instance "
                + id
                + " while the split of "
                + route.op()
                + " (effect #"
                + route.index()
                + ") sent it traffic");
      }
      units.put(
          id, new Unit(id, u.service(), u.releaseId(), InstanceState.TERMINATED, u.startedBy()));
    }
    if (e.kind() == Effect.Kind.ROUTE) {
      checkRoute(e);
      routes.put(e.service(), e);
    }
  }

  private void checkRoute(Effect e) {
    e.weights()
        .forEach(
            (release, weight) -> {
              if (weight <= 0) {
                return;
              }
              List<String> backends = e.backends().getOrDefault(release, List.of());
              if (backends.isEmpty()) {
                violations.add(
                    "effect #"
                        + e.index()
                        + " ("
                        + e.op()
                        + ") gave "
                        + weight
                        + " bp to "
                        + release
                        + " with no backends");
              }
              for (String id : backends) {
                Unit u = units.get(id);
                if (u == null) {
                  violations.add(
                      "effect #"
                          + e.index()
                          + " ("
                          + e.op()
                          + ") routed to unknown instance "
                          + id);
                } else if (u.state() != InstanceState.READY) {
                  violations.add(
                      "effect #"
                          + e.index()
                          + " ("
                          + e.op()
                          + ") routed traffic to "
                          + u.state()
                          + " instance "
                          + id);
                }
              }
            });
  }

  /** The first effect of an operation, if it was applied. */
  public Optional<Effect> effect(String op) {
    return Optional.ofNullable(byOp.get(op));
  }

  /** A unit by id. */
  public Optional<Unit> unit(String id) {
    return Optional.ofNullable(units.get(id));
  }

  /** The instances of a service that have not stopped, in launch order. */
  public List<Unit> live(String service) {
    List<Unit> out = new ArrayList<>();
    for (Unit u : units.values()) {
      if (u.service().equals(service) && u.state() != InstanceState.TERMINATED) {
        out.add(u);
      }
    }
    return out;
  }

  /** The instances of a release that have not stopped, in launch order. */
  public List<Unit> liveOf(String service, String releaseId) {
    return live(service).stream().filter(u -> u.releaseId().equals(releaseId)).toList();
  }

  /** The split in effect for a service, if one was ever applied. */
  public Optional<TrafficSplit> split(String service) {
    Effect r = routes.get(service);
    return r == null ? Optional.empty() : Optional.of(TrafficSplit.of(r.weights()));
  }

  /** The route effect whose split is in effect for a service. */
  public @Nullable Effect route(String service) {
    return routes.get(service);
  }

  /** Every breach found so far, in order. */
  public List<String> violations() {
    return List.copyOf(violations);
  }

  /** How many effects repeated an operation id already applied. */
  public int duplicates() {
    return duplicates;
  }

  /** How many calls were recognised as repeats and answered without acting. */
  public int reissues() {
    return reissues;
  }

  /** How many effects were folded. */
  public long size() {
    return applied;
  }
}
