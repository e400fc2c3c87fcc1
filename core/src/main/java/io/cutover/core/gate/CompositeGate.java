// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.gate;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.Verdict;
import io.cutover.api.Verdict.Outcome;
import io.cutover.core.gate.internal.Gates;
import io.cutover.spi.GateContext;
import io.cutover.spi.HealthGate;
import java.util.ArrayList;
import java.util.List;

/**
 * Combines gates: {@link #all all} must pass, {@link #any any} one must pass, or a {@link #quorum
 * quorum} of {@code k} out of {@code n} must pass.
 *
 * <p><b>Outcome.</b> With {@code p} passes, {@code f} failures and {@code u} undecided children
 * (inconclusive or error): PASS when {@code p >= k}; FAIL when even all undecided children passing
 * could not reach the quorum ({@code p + u < k}); otherwise INCONCLUSIVE if any child was
 * inconclusive, else ERROR. So {@code all} fails on the first failure and {@code any} fails only
 * when every child failed. The verdict carries every child's measurements and reasons, prefixed
 * with the child's name.
 *
 * <p><b>Threading.</b> Children are evaluated one after the other on the caller's thread, in order;
 * immutable and safe for concurrent use if the children are. A child that throws counts as ERROR.
 */
public final class CompositeGate implements HealthGate {
  private final String name;
  private final List<HealthGate> gates;
  private final int quorum;

  private CompositeGate(String name, List<HealthGate> gates, int quorum) {
    this.name = Gates.name(name, "gate.name");
    this.gates = List.copyOf(gates);
    if (this.gates.isEmpty()) {
      throw new InvalidSpecException(
          "gate." + name + ".gates", "is empty", "combine at least one gate");
    }
    if (quorum < 1 || quorum > this.gates.size()) {
      throw new InvalidSpecException(
          "gate." + name + ".quorum",
          "is " + quorum + " for " + this.gates.size() + " gates",
          "use 1.." + this.gates.size());
    }
    this.quorum = quorum;
  }

  /** Passes when every gate passes. */
  public static CompositeGate all(String name, List<HealthGate> gates) {
    return new CompositeGate(name, gates, gates.size());
  }

  /** Passes when at least one gate passes. */
  public static CompositeGate any(String name, List<HealthGate> gates) {
    return new CompositeGate(name, gates, 1);
  }

  /** Passes when at least {@code k} gates pass. */
  public static CompositeGate quorum(String name, int k, List<HealthGate> gates) {
    return new CompositeGate(name, gates, k);
  }

  @Override
  public String name() {
    return name;
  }

  /** How many children must pass. */
  public int quorum() {
    return quorum;
  }

  @Override
  public Verdict evaluate(GateContext ctx) {
    int pass = 0;
    int fail = 0;
    int inconclusive = 0;
    List<Verdict.Measurement> measurements = new ArrayList<>();
    List<String> reasons = new ArrayList<>();
    for (HealthGate g : gates) {
      Verdict v = Gates.safely(g, ctx);
      switch (v.outcome()) {
        case PASS -> pass++;
        case FAIL -> fail++;
        case INCONCLUSIVE -> inconclusive++;
        default -> {}
      }
      measurements.addAll(v.measurements());
      for (String r : v.reasons()) {
        reasons.add(g.name() + " " + v.outcome() + ": " + r);
      }
      if (v.reasons().isEmpty()) {
        reasons.add(g.name() + " " + v.outcome());
      }
    }
    int undecided = gates.size() - pass - fail;
    Outcome outcome;
    if (pass >= quorum) {
      outcome = Outcome.PASS;
    } else if (pass + undecided < quorum) {
      outcome = Outcome.FAIL;
    } else {
      outcome = inconclusive > 0 ? Outcome.INCONCLUSIVE : Outcome.ERROR;
    }
    reasons.add(
        0,
        "gate '"
            + name
            + "': "
            + pass
            + " of "
            + gates.size()
            + " passed, "
            + quorum
            + " required");
    return new Verdict(outcome, measurements, reasons);
  }
}
