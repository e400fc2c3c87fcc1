// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.drift;

import io.cutover.api.ArtifactRef;
import io.cutover.api.ConfigRef;
import io.cutover.api.Digest;
import io.cutover.api.Instance;
import io.cutover.api.InstanceState;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.spi.Fleet;
import io.cutover.spi.JournalRecord;
import io.cutover.spi.OperationId;
import io.cutover.spi.Router;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * One drift repair, write-ahead like a rollout: for each effect an INTENT record, the provider call
 * with a deterministic operation id, then DONE or FAILED. The effects, in order: launch as many
 * fresh instances of the desired release as there are drifted ones (a scale-up); re-apply the
 * router's current split with backends that leave out every drifted instance (the fresh ones take
 * their traffic, the drifted ones are quarantined from this moment); retire each drifted instance
 * alone. A resumed repair skips the effects with a DONE or FAILED record and re-issues the others
 * with the same ids, so the fleet and router see each effect once.
 *
 * <p>The launch is a scale-up of the release ({@link #scaleUp}).
 *
 * <p>Runs on the detector's executor, holding the service's lease; never on the scheduler thread.
 */
final class RepairRun {
  private final RepairJournal journal;
  private final Fleet fleet;
  private final Router router;
  private final String repairId;
  private final Release desired;
  private final List<String> drifted;
  private final Set<String> alsoExcluded;

  /** Effects already journaled as finished: op id to its DONE payload, or FAILED with "error". */
  private final Map<String, Map<String, Object>> finished;

  RepairRun(
      RepairJournal journal,
      Fleet fleet,
      Router router,
      String repairId,
      Release desired,
      List<String> drifted,
      Set<String> alsoExcluded,
      Map<String, Map<String, Object>> finished) {
    this.journal = journal;
    this.fleet = fleet;
    this.router = router;
    this.repairId = repairId;
    this.desired = desired;
    this.drifted = List.copyOf(drifted);
    this.alsoExcluded = Set.copyOf(alsoExcluded);
    this.finished = new HashMap<>(finished);
  }

  /** The STATE record that opens a repair: everything a restarted detector needs to continue. */
  static Map<String, Object> started(Release desired, List<DriftFinding> findings) {
    Map<String, Object> release = new LinkedHashMap<>();
    release.put("service", desired.service());
    release.put("id", desired.id());
    release.put("artifact", desired.artifact().toString());
    release.put("config", desired.config().digest().toString());
    release.put("label", desired.label());
    List<Map<String, Object>> instances = new ArrayList<>();
    for (DriftFinding f : findings) {
      Map<String, Object> i = new LinkedHashMap<>();
      i.put("id", f.instance().id());
      i.put("kind", f.kind().name().toLowerCase(Locale.ROOT));
      i.put("expected", f.expected());
      i.put("actual", f.actual());
      instances.add(i);
    }
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("phase", "started");
    p.put("release", release);
    p.put("instances", instances);
    return p;
  }

  /** The desired release named by a STATE record written by {@link #started}. */
  @SuppressWarnings("unchecked")
  static Release releaseOf(Map<String, Object> started) {
    Map<String, Object> r = field(started, "release", Map.class);
    Release rel =
        Release.of(
            field(r, "service", String.class),
            ArtifactRef.parse(field(r, "artifact", String.class), "driftRepair.release.artifact"),
            new ConfigRef(
                Digest.parse(field(r, "config", String.class), "driftRepair.release.config")));
    Object label = r.get("label");
    return label instanceof String s ? rel.withLabel(s) : rel;
  }

  /** The drifted instance ids named by a STATE record written by {@link #started}. */
  @SuppressWarnings("unchecked")
  static List<String> instancesOf(Map<String, Object> started) {
    List<String> out = new ArrayList<>();
    for (Object i : field(started, "instances", List.class)) {
      out.add(field((Map<String, Object>) i, "id", String.class));
    }
    return out;
  }

  /**
   * A required field of a journaled payload.
   *
   * @throws IllegalArgumentException if it is missing or of another type
   */
  static <T> T field(Map<String, Object> m, String key, Class<T> type) {
    Object v = m.get(key);
    if (!type.isInstance(v)) {
      throw new IllegalArgumentException(
          "drift repair record: '" + key + "' is " + (v == null ? "missing" : v.getClass()));
    }
    return type.cast(v);
  }

  /** Runs (or continues) the effects and journals the end. */
  @SuppressWarnings("unchecked")
  DriftRepair run() {
    String service = desired.service();
    List<String> launched = new ArrayList<>();
    List<String> replaced = new ArrayList<>();
    List<String> quarantined = new ArrayList<>();
    List<String> reasons = new ArrayList<>();

    String launchOp = repairId + "-scale";
    Map<String, Object> launch = effect(launchOp, "scale", () -> scaleUp(launchOp));
    boolean launchedOk = !launch.containsKey("error");
    if (launchedOk) {
      for (Object o : field(launch, "launched", List.class)) {
        launched.add(String.valueOf(o));
      }
    } else {
      reasons.add("launching replacements failed: " + launch.get("error"));
    }

    String routeOp = repairId + "-route";
    Map<String, Object> route = effect(routeOp, "route", () -> reroute(routeOp));
    if (route.containsKey("error")) {
      // The drifted instances may still take traffic: undo the launch, report, try next round.
      reasons.add("re-routing without the drifted instances failed: " + route.get("error"));
      for (int k = 0; k < launched.size(); k++) {
        String id = launched.get(k);
        String undoOp = repairId + "-undo-" + k;
        effect(
            undoOp,
            "retire",
            () -> {
              fleet.retireInstance(new OperationId(undoOp), service, id);
              return Map.of("instance", id);
            });
      }
      return end(DriftRepair.Outcome.FAILED, List.of(), List.of(), List.of(), reasons);
    }

    for (int k = 0; k < drifted.size(); k++) {
      String id = drifted.get(k);
      if (!launchedOk) {
        quarantined.add(id);
        continue;
      }
      String retireOp = repairId + "-retire-" + k;
      Map<String, Object> retired =
          effect(
              retireOp,
              "retire",
              () -> {
                fleet.retireInstance(new OperationId(retireOp), service, id);
                return Map.of("instance", id);
              });
      if (retired.containsKey("error")) {
        quarantined.add(id);
        reasons.add("retiring " + id + " failed: " + retired.get("error"));
      } else {
        replaced.add(id);
      }
    }
    return end(
        quarantined.isEmpty() ? DriftRepair.Outcome.REPAIRED : DriftRepair.Outcome.QUARANTINED,
        launched,
        replaced,
        quarantined,
        reasons);
  }

  /**
   * Scales the desired release up by one instance per drifted one. {@link Fleet#scale} sets an
   * absolute count, the same for every fleet (a Kubernetes launch would set the ReplicaSet to the
   * number asked, not add to it): the live instances of the release, drifted ones included, plus
   * the drifted ones.
   */
  private Map<String, Object> scaleUp(String op) {
    List<String> before = new ArrayList<>();
    int live = 0;
    for (Instance i : fleet.instances(desired.service())) {
      if (i.releaseId().equals(desired.id())) {
        before.add(i.id());
        if (!i.state().isTerminal()) {
          live++;
        }
      }
    }
    List<String> launched = new ArrayList<>();
    for (Instance i : fleet.scale(new OperationId(op), desired, live + drifted.size())) {
      if (!before.contains(i.id())) {
        launched.add(i.id());
      }
    }
    return Map.of("launched", launched);
  }

  /** Re-applies the split in effect with backends that leave the drifted instances out. */
  private Map<String, Object> reroute(String op) {
    Optional<TrafficSplit> current = router.current(desired.service());
    if (current.isEmpty()) {
      return Map.of("routed", false);
    }
    TrafficSplit split = current.get();
    Map<String, List<Instance>> backends = new LinkedHashMap<>();
    for (String rid : split.releaseIds()) {
      backends.put(rid, new ArrayList<>());
    }
    for (Instance i : fleet.instances(desired.service())) {
      List<Instance> list = backends.get(i.releaseId());
      if (list != null
          && i.state() == InstanceState.READY
          && !drifted.contains(i.id())
          && !alsoExcluded.contains(i.id())) {
        list.add(i);
      }
    }
    backends.replaceAll((k, v) -> List.copyOf(v));
    router.apply(new OperationId(op), desired.service(), split, backends);
    return Map.of("routed", true);
  }

  /** Journals and runs one effect, unless the journal says it already finished. */
  private Map<String, Object> effect(String op, String kind, Supplier<Map<String, Object>> call) {
    Map<String, Object> before = finished.get(op);
    if (before != null) {
      return before;
    }
    journal.append(JournalRecord.Type.INTENT, op, Map.of("effect", kind));
    Map<String, Object> result;
    try {
      result = new LinkedHashMap<>(call.get());
      result.put("effect", kind);
      journal.append(JournalRecord.Type.DONE, op, result);
    } catch (RuntimeException e) {
      result = new LinkedHashMap<>();
      result.put("effect", kind);
      result.put("error", String.valueOf(e.getMessage()));
      journal.append(JournalRecord.Type.FAILED, op, result);
    }
    finished.put(op, result);
    return result;
  }

  private DriftRepair end(
      DriftRepair.Outcome outcome,
      List<String> launched,
      List<String> replaced,
      List<String> quarantined,
      List<String> reasons) {
    String reason = String.join("; ", reasons);
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("outcome", outcome.name().toLowerCase(Locale.ROOT));
    p.put("launched", launched);
    p.put("replaced", replaced);
    p.put("quarantined", quarantined);
    p.put("reason", reason);
    Map<String, String> index = new LinkedHashMap<>();
    index.put("outcome", "drift-" + outcome.name().toLowerCase(Locale.ROOT));
    index.put("target", desired.id());
    if (!reason.isEmpty()) {
      index.put("reason", reason);
    }
    journal.append(JournalRecord.Type.ENDED, null, p, index);
    return new DriftRepair(
        repairId,
        desired.service(),
        desired.id(),
        outcome,
        launched,
        replaced,
        quarantined,
        reason);
  }

  /** A repair that ended before its first effect (another rollout holds the lease). */
  static DriftRepair deferred(
      RepairJournal journal, String repairId, Release desired, String holder) {
    String reason = holder + " holds the lease of " + desired.service();
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("outcome", "deferred");
    p.put("reason", reason);
    journal.append(
        JournalRecord.Type.ENDED,
        null,
        p,
        Map.of("outcome", "drift-deferred", "target", desired.id(), "reason", reason));
    return new DriftRepair(
        repairId,
        desired.service(),
        desired.id(),
        DriftRepair.Outcome.DEFERRED,
        List.of(),
        List.of(),
        List.of(),
        reason);
  }
}
