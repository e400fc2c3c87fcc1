// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.drift;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What one detection round found and did.
 *
 * @param at when the round began (the detector's clock)
 * @param findings every drifted instance seen, new or already known
 * @param repairs the repairs run in this round (empty when repair is off)
 * @param skipped services not checked, with why (a rollout holds the lease, the fleet failed)
 */
public record DriftReport(
    Instant at, List<DriftFinding> findings, List<DriftRepair> repairs, List<String> skipped) {
  /** Copies the lists. */
  public DriftReport {
    Objects.requireNonNull(at, "at");
    findings = List.copyOf(findings);
    repairs = List.copyOf(repairs);
    skipped = List.copyOf(skipped);
  }
}
