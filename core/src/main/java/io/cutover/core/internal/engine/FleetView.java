// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.engine;

import io.cutover.api.Instance;
import io.cutover.api.InstanceState;
import io.cutover.api.TrafficSplit;
import io.cutover.api.plan.Plan;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What one rollout knows about the world: the instances of its releases and the traffic split it
 * last applied. Lives on the rollout's mailbox (no locks).
 */
final class FleetView {
  private final Plan plan;
  private final Map<String, List<Instance>> instances = new HashMap<>();
  private @Nullable TrafficSplit split;

  /**
   * Instances that passed their warm-up, or ran before this rollout started: a launch or scale
   * warms up the instances it returns that are not in here.
   */
  private final Set<String> warmed = new HashSet<>();

  /** Instances warming up: not READY for routers nor gates until they pass. */
  private final Set<String> warming = new HashSet<>();

  /** The target's READY instances, computed once per change: every gate evaluation needs them. */
  private @Nullable List<Instance> readyCandidates;

  FleetView(Plan plan) {
    this.plan = plan;
  }

  /** The split last applied (or read from the router on recovery); null before the first route. */
  @Nullable TrafficSplit split() {
    return split;
  }

  void split(@Nullable TrafficSplit s) {
    this.split = s;
  }

  /** Adds what the fleet listed: live instances of this plan's releases. */
  void adopt(List<Instance> listed) {
    for (Instance i : listed) {
      if (plan.release(i.releaseId()) != null && !i.state().isTerminal()) {
        instances.computeIfAbsent(i.releaseId(), k -> new ArrayList<>()).add(i);
      }
    }
    readyCandidates = null;
  }

  /** Instances that were running before the rollout started need no warm-up. */
  void alreadyWarm(List<Instance> list) {
    list.forEach(i -> warmed.add(i.id()));
  }

  /**
   * Of the instances a launch or scale returned, those to warm up: live and not known warm. A
   * rollout resumed after a restart knows none warm, so it warms up again what the interrupted step
   * started (a warm-up is a check, safe to repeat).
   */
  List<Instance> toWarmUp(List<Instance> list) {
    List<Instance> out = new ArrayList<>();
    for (Instance i : list) {
      if (!i.state().isTerminal() && !warmed.contains(i.id())) {
        out.add(i);
      }
    }
    return out;
  }

  /** The instances start warming up: not READY for routers nor gates until {@link #warm}. */
  void warming(List<Instance> list) {
    list.forEach(i -> warming.add(i.id()));
    readyCandidates = null;
  }

  /** The instances passed their warm-up. */
  void warm(List<Instance> list) {
    for (Instance i : list) {
      warming.remove(i.id());
      warmed.add(i.id());
    }
    readyCandidates = null;
  }

  List<Instance> of(String releaseId) {
    return instances.getOrDefault(releaseId, List.of());
  }

  void put(String releaseId, List<Instance> list) {
    instances.put(releaseId, new ArrayList<>(list));
    readyCandidates = null;
  }

  /**
   * Keeps the first {@code n} instances: those a fleet keeps when it scales down (Fleet contract).
   */
  void keepFirst(String releaseId, int n) {
    instances.put(releaseId, new ArrayList<>(of(releaseId).subList(0, n)));
    readyCandidates = null;
  }

  void remove(String releaseId) {
    instances.remove(releaseId);
    readyCandidates = null;
  }

  void markDraining(String releaseId) {
    List<Instance> list = instances.get(releaseId);
    if (list != null) {
      list.replaceAll(i -> i.withState(InstanceState.DRAINING));
      readyCandidates = null;
    }
  }

  /** The target release's READY instances (warmed up, if the plan warms up): what gates judge. */
  List<Instance> candidates() {
    List<Instance> c = readyCandidates;
    if (c == null) {
      c = ready(of(plan.target().id()));
      readyCandidates = c;
    }
    return c;
  }

  /** The READY instances of every release a split names: what a router needs to apply it. */
  Map<String, List<Instance>> backendsFor(TrafficSplit s) {
    Map<String, List<Instance>> out = new LinkedHashMap<>();
    for (String rid : s.releaseIds()) {
      out.put(rid, ready(of(rid)));
    }
    return out;
  }

  private List<Instance> ready(List<Instance> list) {
    List<Instance> out = new ArrayList<>(list.size());
    for (Instance i : list) {
      if (i.state() == InstanceState.READY && !warming.contains(i.id())) {
        out.add(i);
      }
    }
    return List.copyOf(out);
  }
}
