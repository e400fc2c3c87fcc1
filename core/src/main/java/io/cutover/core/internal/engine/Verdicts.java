// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.engine;

import io.cutover.api.Verdict;
import io.cutover.api.plan.Plan;
import io.cutover.core.internal.schema.JournalPayload;
import io.cutover.spi.GateContext;
import java.time.Instant;
import java.util.Map;

/**
 * What gates of one rollout see ({@link #context}) and what becomes of their verdicts ({@link
 * #record}).
 */
final class Verdicts {
  private final String rolloutId;
  private final Plan plan;
  private final FleetView view;
  private final RunJournal journal;
  private final RolloutTelemetry telemetry;

  Verdicts(
      String rolloutId, Plan plan, FleetView view, RunJournal journal, RolloutTelemetry telemetry) {
    this.rolloutId = rolloutId;
    this.plan = plan;
    this.view = view;
    this.journal = journal;
    this.telemetry = telemetry;
  }

  /**
   * The context of one evaluation over {@code from}..{@code now} for forward step {@code step} (-1
   * for none), judging the target's READY instances.
   */
  GateContext context(
      int step,
      Instant from,
      Instant now,
      int measurement,
      String phase,
      Map<String, String> params) {
    return GateContext.builder()
        .rolloutId(rolloutId)
        .service(plan.service())
        .stable(plan.stable())
        .candidate(plan.target())
        .windowStart(from)
        .now(now)
        .measurement(measurement)
        .step(step)
        .candidateInstances(view.candidates())
        .phase(phase)
        .params(params)
        .build();
  }

  /** A measurement's context for the analysis of forward step {@code step}. */
  GateContext context(int step, Instant from, Instant now, int measurement) {
    return context(step, from, now, measurement, GateContext.ANALYSIS, Map.of());
  }

  /** Journals a verdict, then reports it (metric and event). */
  void record(String gate, Verdict v, boolean dryRun, int step, int measurement) {
    journal.appendSafely(
        new JournalPayload.GateVerdict(gate, v.outcome(), dryRun, step, measurement, v.reasons()));
    telemetry.verdict(gate, v, dryRun);
  }
}
