// SPDX-License-Identifier: Apache-2.0
package io.cutover.api.plan;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.Release;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A compiled rollout: which releases take part, the ordered steps that move traffic from the stable
 * release to the target, and the steps that undo it (the rollback plan: traffic back to 100 %
 * stable, then the target retired). Immutable, thread-safe, and valid by construction: every
 * release a step names is one of the plan's releases.
 */
public final class Plan {
  private final String strategy;
  private final String service;
  private final @Nullable Release stable;
  private final Release target;
  private final List<Step> steps;
  private final List<Step> rollbackSteps;

  private Plan(
      String strategy,
      @Nullable Release stable,
      Release target,
      List<Step> steps,
      List<Step> rollbackSteps) {
    this.strategy = Objects.requireNonNull(strategy, "strategy");
    this.stable = stable;
    this.target = Objects.requireNonNull(target, "target");
    this.service = target.service();
    this.steps = List.copyOf(steps);
    this.rollbackSteps = List.copyOf(rollbackSteps);
    validate();
  }

  /**
   * A plan.
   *
   * @param strategy the name of the strategy that compiled it, e.g. {@code canary}
   * @param stable the release serving now, or null for a first deployment
   * @param target the release to roll out
   * @param steps the forward steps, at least one
   * @param rollbackSteps the steps that return to {@code stable}; for a first deployment they
   *     retire the target
   * @throws InvalidSpecException if a step names an unknown release, services differ, or steps are
   *     empty
   */
  public static Plan of(
      String strategy,
      @Nullable Release stable,
      Release target,
      List<Step> steps,
      List<Step> rollbackSteps) {
    return new Plan(strategy, stable, target, steps, rollbackSteps);
  }

  private void validate() {
    List<InvalidSpecException.Violation> v = new ArrayList<>();
    if (stable != null && !stable.service().equals(target.service())) {
      v.add(
          new InvalidSpecException.Violation(
              "plan.stable.service",
              "is '" + stable.service() + "' but the target's is '" + target.service() + "'",
              "roll out releases of one service per plan"));
    }
    if (stable != null && stable.id().equals(target.id())) {
      v.add(
          new InvalidSpecException.Violation(
              "plan.target",
              "is the stable release " + target.id() + " itself",
              "nothing to roll out: change the artifact or the configuration"));
    }
    if (steps.isEmpty()) {
      v.add(
          new InvalidSpecException.Violation(
              "plan.steps", "is empty", "a plan needs at least one step"));
    }
    check(steps, "plan.steps", v);
    check(rollbackSteps, "plan.rollback", v);
    if (!v.isEmpty()) {
      throw new InvalidSpecException(v);
    }
  }

  private void check(List<Step> list, String path, List<InvalidSpecException.Violation> v) {
    for (int i = 0; i < list.size(); i++) {
      Step s = Objects.requireNonNull(list.get(i), path + "[" + i + "]");
      for (String id : releaseIdsOf(s)) {
        if (release(id) == null) {
          v.add(
              new InvalidSpecException.Violation(
                  path + "[" + i + "]",
                  s.kind()
                      + " names release '"
                      + id
                      + "', which is neither the stable nor the target release",
                  "use "
                      + (stable == null ? "" : "'" + stable.id() + "' or ")
                      + "'"
                      + target.id()
                      + "'"));
        }
      }
    }
  }

  /** The release ids a step refers to. */
  public static Collection<String> releaseIdsOf(Step s) {
    if (s instanceof Step.Launch l) {
      return List.of(l.releaseId());
    } else if (s instanceof Step.Route r) {
      return r.split().releaseIds();
    } else if (s instanceof Step.Retire r) {
      return List.of(r.releaseId());
    } else if (s instanceof Step.Scale sc) {
      return List.of(sc.releaseId());
    } else if (s instanceof Step.Drain d) {
      return List.of(d.releaseId());
    }
    return List.of();
  }

  /** The strategy that compiled the plan. */
  public String strategy() {
    return strategy;
  }

  /** The service. */
  public String service() {
    return service;
  }

  /** The release serving now; null for a first deployment. */
  public @Nullable Release stable() {
    return stable;
  }

  /** The release being rolled out. */
  public Release target() {
    return target;
  }

  /** The forward steps. */
  public List<Step> steps() {
    return steps;
  }

  /** The steps that undo the rollout. */
  public List<Step> rollbackSteps() {
    return rollbackSteps;
  }

  /** The release with this id, if it takes part in the plan. */
  public @Nullable Release release(String id) {
    if (target.id().equals(id)) {
      return target;
    }
    return stable != null && stable.id().equals(id) ? stable : null;
  }

  /** Releases by id: stable first (if any), then target. */
  public Map<String, Release> releases() {
    Map<String, Release> m = new LinkedHashMap<>();
    if (stable != null) {
      m.put(stable.id(), stable);
    }
    m.put(target.id(), target);
    return m;
  }

  /** A readable table of the plan, one row per step, forward and rollback. */
  public String toTable() {
    StringBuilder sb = new StringBuilder();
    sb.append("plan ").append(strategy).append(" for ").append(service).append('\n');
    sb.append("  stable: ")
        .append(stable == null ? "(none: first deployment)" : stable)
        .append('\n');
    sb.append("  target: ").append(target).append('\n');
    table(sb, "step", steps);
    table(sb, "rollback", rollbackSteps);
    return sb.toString();
  }

  private static void table(StringBuilder sb, String title, List<Step> list) {
    // Locale.ROOT and '\n': the table is the same bytes on every machine, like the rest of
    // toTable().
    sb.append(
        String.format(
            Locale.ROOT,
            "  %-9s %-7s %s\n",
            title.equals("step") ? "#" : "rollback#",
            "kind",
            "detail"));
    for (int i = 0; i < list.size(); i++) {
      Step s = list.get(i);
      sb.append(String.format(Locale.ROOT, "  %-9d %-7s %s\n", i, s.kind(), s.describe()));
    }
  }

  static String human(Duration d) {
    long s = d.toSeconds();
    if (d.toMillis() % 1000 != 0) {
      return d.toMillis() + "ms";
    }
    if (s % 3600 == 0 && s > 0) {
      return s / 3600 + "h";
    }
    if (s % 60 == 0 && s > 0) {
      return s / 60 + "m";
    }
    return s + "s";
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Plan p
        && strategy.equals(p.strategy)
        && Objects.equals(stable, p.stable)
        && target.equals(p.target)
        && steps.equals(p.steps)
        && rollbackSteps.equals(p.rollbackSteps);
  }

  @Override
  public int hashCode() {
    return Objects.hash(strategy, stable, target, steps, rollbackSteps);
  }

  @Override
  public String toString() {
    return toTable();
  }
}
