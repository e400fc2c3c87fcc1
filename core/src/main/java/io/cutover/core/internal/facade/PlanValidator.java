// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.facade;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.api.plan.Plan;
import io.cutover.api.plan.Step;
import io.cutover.spi.HealthGate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Checks a plan against the engine before anything happens: every gate it names is registered, and
 * its rollback routes to the stable release before it drains or retires anything. Thread-safe
 * (immutable).
 */
public final class PlanValidator {
  private final Map<String, HealthGate> gates;

  /** Validates against these registered gates. */
  public PlanValidator(Map<String, HealthGate> gates) {
    this.gates = Map.copyOf(gates);
  }

  /**
   * Throws if the plan cannot run on this engine.
   *
   * @throws InvalidSpecException listing every violation, each with its JSON path and a fix
   */
  public void validate(Plan plan) {
    List<InvalidSpecException.Violation> v = new ArrayList<>();
    checkGates(plan.steps(), "$.steps", v);
    checkGates(plan.rollbackSteps(), "$.rollback", v);
    checkMigrations(plan, v);
    Release stable = plan.stable();
    if (stable != null) {
      // Before traffic is back on stable, a rollback may only bring stable's capacity back
      // (recreate and
      // rolling reduce it); its first route must send 100 % to stable, before anything is drained
      // or retired.
      boolean routed = false;
      for (int i = 0; i < plan.rollbackSteps().size() && !routed; i++) {
        Step s = plan.rollbackSteps().get(i);
        if (s instanceof Step.Route r) {
          if (r.split().weight(stable.id()) != TrafficSplit.TOTAL) {
            v.add(
                new InvalidSpecException.Violation(
                    "$.rollback[" + i + "]",
                    "is the rollback's first route but sends "
                        + r.split()
                        + " instead of 100 % to the stable release "
                        + stable.id(),
                    "route TrafficSplit.all(stableId) before any other traffic change"));
          }
          routed = true;
        } else if (!(s instanceof Step.Launch l && l.releaseId().equals(stable.id()))
            && !(s instanceof Step.Scale sc && sc.releaseId().equals(stable.id()))
            && !(s instanceof Step.Hook)) {
          v.add(
              new InvalidSpecException.Violation(
                  "$.rollback[" + i + "]",
                  s.describe()
                      + " comes before traffic is routed back to the stable release "
                      + stable.id(),
                  "start the rollback with Route(TrafficSplit.all(stableId)); only launching or scaling stable may precede it"));
          routed = true;
        }
      }
      if (!routed) {
        v.add(
            new InvalidSpecException.Violation(
                "$.rollback",
                "never routes traffic back to the stable release " + stable.id(),
                "add Route(TrafficSplit.all(stableId)) as the rollback's first traffic change"));
      }
    }
    if (!v.isEmpty()) {
      throw new InvalidSpecException(v);
    }
  }

  /**
   * Expand before the target takes traffic, contract after the stable release is retired, and no
   * migration in the rollback (a contract must never run for an aborted rollout).
   */
  private static void checkMigrations(Plan plan, List<InvalidSpecException.Violation> v) {
    String target = plan.target().id();
    Release stable = plan.stable();
    boolean exposed = false;
    boolean stableRetired = false;
    for (int i = 0; i < plan.steps().size(); i++) {
      Step s = plan.steps().get(i);
      if (s instanceof Step.Route r) {
        TrafficSplit.Mirror mirror = r.split().mirror();
        exposed |=
            r.split().weight(target) > 0
                || r.split().rules().stream().anyMatch(m -> m.releaseId().equals(target))
                || (mirror != null && mirror.releaseId().equals(target));
      } else if (s instanceof Step.Retire rt
          && stable != null
          && rt.releaseId().equals(stable.id())) {
        stableRetired = true;
      } else if (s instanceof Step.Migration m) {
        String at = "$.steps[" + i + "]";
        if (m.phase().equals(Step.Migration.EXPAND) && exposed) {
          v.add(
              new InvalidSpecException.Violation(
                  at,
                  "expands after the target " + target + " already takes traffic",
                  "move the expand migration before the first route to the target"));
        } else if (m.phase().equals(Step.Migration.CONTRACT) && !stableRetired) {
          v.add(
              new InvalidSpecException.Violation(
                  at,
                  stable == null
                      ? "contracts in a first deployment, where no old release needs cleaning up"
                      : "contracts before the old release " + stable.id() + " is retired",
                  stable == null
                      ? "remove the contract migration"
                      : "move the contract migration after Retire(" + stable.id() + ")"));
        }
      }
    }
    for (int i = 0; i < plan.rollbackSteps().size(); i++) {
      if (plan.rollbackSteps().get(i) instanceof Step.Migration) {
        v.add(
            new InvalidSpecException.Violation(
                "$.rollback[" + i + "]",
                "is a migration: a rollback never migrates (a contract must not run on abort)",
                "remove it; undo an expand with a new rollout if needed"));
      }
    }
  }

  private void checkGates(List<Step> steps, String path, List<InvalidSpecException.Violation> v) {
    for (int i = 0; i < steps.size(); i++) {
      Step s = steps.get(i);
      if (s instanceof Step.Verify verify) {
        List<String> all = new ArrayList<>(verify.gates());
        all.addAll(verify.dryRunGates());
        for (String g : all) {
          if (!gates.containsKey(g)) {
            v.add(
                new InvalidSpecException.Violation(
                    path + "[" + i + "].gates",
                    "names gate '"
                        + g
                        + "', which is not registered (registered: "
                        + new TreeSet<>(gates.keySet())
                        + ")",
                    "register it with Cutover.builder().gate(...) or fix the name"));
          }
        }
      } else if (s instanceof Step.Migration m && !gates.containsKey(m.gate())) {
        v.add(
            new InvalidSpecException.Violation(
                path + "[" + i + "].gate",
                "names gate '" + m.gate() + "', which is not registered",
                "register it with Cutover.builder().gate(...) or fix the name"));
      } else if (s instanceof Step.Hook h && !gates.containsKey(h.gate())) {
        v.add(
            new InvalidSpecException.Violation(
                path + "[" + i + "].gate",
                "names gate '" + h.gate() + "', which is not registered",
                "register it with Cutover.builder().gate(...) or fix the name"));
      }
    }
  }
}
