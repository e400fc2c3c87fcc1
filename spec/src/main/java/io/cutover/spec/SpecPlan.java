// SPDX-License-Identifier: Apache-2.0
package io.cutover.spec;

import io.cutover.api.Release;
import io.cutover.api.plan.Plan;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What {@link SpecEngine#plan()} found, before anything happened: the target release (tag resolved
 * to its digest), the verification evidence, the current stable release and the compiled plan.
 *
 * @param target the release the rollout would deploy
 * @param stable the service's current stable release, null for a first deployment
 * @param plan the compiled plan (steps and rollback steps); null when the target already is the
 *     stable release (there is nothing to do)
 * @param evidence one line per verification check performed (empty without a policy)
 */
public record SpecPlan(
    Release target, @Nullable Release stable, @Nullable Plan plan, List<String> evidence) {

  /** Copies the evidence. */
  public SpecPlan {
    Objects.requireNonNull(target, "target");
    evidence = List.copyOf(evidence);
  }

  /** Whether the target is already the stable release (applying would change nothing). */
  public boolean unchanged() {
    return plan == null;
  }

  /**
   * The compiled plan.
   *
   * @throws IllegalStateException if the target already is the stable release
   */
  public Plan requirePlan() {
    Plan p = plan;
    if (p == null) {
      throw new IllegalStateException(
          target.id()
              + " already is the stable release of "
              + target.service()
              + ": nothing to do");
    }
    return p;
  }

  /**
   * The difference between the stable release and the target, one line per part: release, artifact
   * and configuration (by digest: configuration values are never shown).
   */
  public List<String> diff() {
    List<String> out = new ArrayList<>();
    Release s = stable;
    if (s == null) {
      out.add("release:  (none) -> " + target.id() + " (first deployment)");
      out.add("artifact: (none) -> " + target.artifact());
      out.add("config:   (none) -> " + target.config().digest());
      return out;
    }
    out.add(line("release: ", s.id(), target.id()));
    out.add(line("artifact:", s.artifact().toString(), target.artifact().toString()));
    out.add(line("config:  ", s.config().digest().toString(), target.config().digest().toString()));
    return out;
  }

  private static String line(String label, String from, String to) {
    return from.equals(to) ? label + " " + to + " (unchanged)" : label + " " + from + " -> " + to;
  }
}
