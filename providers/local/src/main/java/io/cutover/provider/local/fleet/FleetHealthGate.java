// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.fleet;

import io.cutover.api.Instance;
import io.cutover.api.InstanceState;
import io.cutover.api.Verdict;
import io.cutover.spi.Fleet;
import io.cutover.spi.GateContext;
import io.cutover.spi.HealthGate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A gate over what a {@link Fleet} reports for the candidate release: FAIL when an instance of it
 * has FAILED (crashed, failed readiness) or runs another digest than the release's (drift);
 * INCONCLUSIVE when the candidate has no instance; PASS when every instance is READY (or DRAINING)
 * and runs the release's digest. Put it next to the metric gates of a {@code Verify} step so that a
 * crash aborts the rollout under {@link CrashPolicy#REPORT}.
 *
 * <p>Immutable; safe for concurrent use if the fleet is. Errors of the fleet become {@link
 * Verdict#error(Throwable)}.
 */
public final class FleetHealthGate implements HealthGate {
  private final String name;
  private final Fleet fleet;

  /** A gate called {@code name} asking {@code fleet}. */
  public FleetHealthGate(String name, Fleet fleet) {
    this.name = Objects.requireNonNull(name, "name");
    this.fleet = Objects.requireNonNull(fleet, "fleet");
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Verdict evaluate(GateContext context) {
    List<Instance> all;
    try {
      all = fleet.instances(context.service());
    } catch (RuntimeException e) {
      return Verdict.error(e);
    }
    String candidate = context.candidate().id();
    List<String> problems = new ArrayList<>();
    int healthy = 0;
    int total = 0;
    for (Instance i : all) {
      if (!i.releaseId().equals(candidate)) {
        continue;
      }
      total++;
      if (i.state() == InstanceState.FAILED) {
        problems.add(
            "instance " + i.id() + " FAILED" + (i.reason() == null ? "" : ": " + i.reason()));
      } else if (i.runningDigest() != null
          && !i.runningDigest().equals(context.candidate().artifact().digest())) {
        problems.add(
            "instance "
                + i.id()
                + " runs "
                + i.runningDigest()
                + ", not "
                + context.candidate().artifact().digest());
      } else if (i.state() == InstanceState.READY || i.state() == InstanceState.DRAINING) {
        healthy++;
      }
    }
    Verdict v;
    if (!problems.isEmpty()) {
      v = Verdict.fail(problems.toArray(new String[0]));
    } else if (total == 0) {
      v = Verdict.inconclusive("no instance of " + candidate + " is known to the fleet");
    } else if (healthy < total) {
      v =
          Verdict.inconclusive(
              (total - healthy)
                  + " of "
                  + total
                  + " instances of "
                  + candidate
                  + " are not ready yet");
    } else {
      v =
          Verdict.pass(
              total
                  + " instance(s) of "
                  + candidate
                  + " ready, running "
                  + context.candidate().artifact().digest().shortHex());
    }
    return v.with(new Verdict.Measurement("healthy_instances", candidate, healthy, "== " + total));
  }
}
