// SPDX-License-Identifier: Apache-2.0
package io.cutover.simulator.sizing;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The answer of a {@link WhatIf}: over {@code runs} seeded runs with the regression and as many
 * without, how often and where the rollout caught it, how fast, what it cost, and how often a
 * healthy release is aborted. Times count from the start of the rollout (the bad release is bad
 * from its first request).
 *
 * @param strategy the plan's strategy
 * @param runs runs per batch
 * @param seed the seed of the first batch
 * @param traffic the synthetic traffic
 * @param regression the injected regression
 * @param detectionProbability share of runs a gate aborted
 * @param pausedProbability share of runs paused for a human (inconclusive past the limit)
 * @param byStep where the aborts happened
 * @param detectMedian median time to the deciding measurement, null without aborts
 * @param detectP95 95th percentile of it
 * @param rollbackMedian median time until traffic was back on the stable release
 * @param rollbackP95 95th percentile of it
 * @param blastRequestsMean expected requests served by the bad release (until it was rolled back,
 *     paused, or, undetected, until the end of the rollout)
 * @param blastRequestsP95 95th percentile of them
 * @param blastErrorsMean expected errors among them
 * @param blastErrorsP95 95th percentile of them
 * @param falseAbortProbability share of runs without regression that were aborted
 * @param falsePauseProbability share of runs without regression that paused
 * @param nominalDuration the rollout's duration when every gate passes
 * @param notes what the simulation assumed or could not model (e.g. gates treated as passing)
 * @param recommendation the sizing for a target, if one was asked for
 */
public record WhatIfReport(
    String strategy,
    int runs,
    long seed,
    Traffic traffic,
    Regression regression,
    double detectionProbability,
    double pausedProbability,
    List<StepDetection> byStep,
    @Nullable Duration detectMedian,
    @Nullable Duration detectP95,
    @Nullable Duration rollbackMedian,
    @Nullable Duration rollbackP95,
    double blastRequestsMean,
    double blastRequestsP95,
    double blastErrorsMean,
    double blastErrorsP95,
    double falseAbortProbability,
    double falsePauseProbability,
    Duration nominalDuration,
    List<String> notes,
    @Nullable Recommendation recommendation) {

  /**
   * The share of runs aborted at one step.
   *
   * @param step the step's 1-based number in the plan
   * @param description the step, as the plan table shows it
   * @param probability share of all runs aborted there
   */
  public record StepDetection(int step, String description, double probability) {}

  /** Copies the lists. */
  public WhatIfReport {
    Objects.requireNonNull(strategy, "strategy");
    byStep = List.copyOf(byStep);
    notes = List.copyOf(notes);
  }

  /** The report as lines for a terminal. */
  public String toText() {
    StringBuilder sb = new StringBuilder();
    line(sb, "what-if: %s, %d runs (seed %d), regression %s", strategy, runs, seed, regression);
    line(
        sb,
        "traffic: %s req/s, %s errors, p95 %s",
        num(traffic.requestsPerSecond()),
        pct(traffic.errorRate()),
        human(traffic.latencyP95()));
    line(sb, "rollout when healthy: %s", human(nominalDuration));
    line(sb, "detected (aborted): %s", pct(detectionProbability));
    for (StepDetection s : byStep) {
      line(sb, "  at step %d (%s): %s", s.step(), s.description(), pct(s.probability()));
    }
    if (pausedProbability > 0) {
      line(sb, "paused for a human (inconclusive): %s", pct(pausedProbability));
    }
    line(
        sb,
        "undetected (promoted): %s",
        pct(Math.max(0, 1 - detectionProbability - pausedProbability)));
    if (detectMedian != null) {
      line(sb, "time to detect: median %s, p95 %s", human(detectMedian), human(detectP95));
      line(sb, "time to roll back: median %s, p95 %s", human(rollbackMedian), human(rollbackP95));
    }
    line(
        sb,
        "blast radius: %s requests on the bad release (p95 %s), %s errors among them (p95 %s)",
        num(blastRequestsMean),
        num(blastRequestsP95),
        num(blastErrorsMean),
        num(blastErrorsP95));
    line(
        sb,
        "false abort with no regression: %s%s",
        pct(falseAbortProbability),
        falsePauseProbability > 0 ? " (false pause " + pct(falsePauseProbability) + ")" : "");
    Recommendation r = recommendation;
    if (r != null) {
      line(
          sb,
          "recommendation for %s of %s within %s:",
          pct(r.target().probability()),
          r.target().regression(),
          human(r.target().timeBudget()));
      if (r.found()) {
        line(
            sb,
            "  first weight %s%%, analysis x%d every %s: detects %s, rollout %s, blast radius %s"
                + " requests (p95 %s), %s errors",
            num(r.firstWeightPercent()),
            r.count(),
            human(r.interval()),
            pct(r.detectionProbability()),
            human(r.nominalDuration()),
            num(r.blastRequestsMean()),
            num(r.blastRequestsP95()),
            num(r.blastErrorsMean()));
      }
      line(sb, "  %s", r.explanation());
    }
    for (String n : notes) {
      line(sb, "note: %s", n);
    }
    return sb.toString();
  }

  private static void line(StringBuilder sb, String format, Object... args) {
    sb.append(String.format(Locale.ROOT, format, args)).append('\n');
  }

  static String pct(double p) {
    return String.format(Locale.ROOT, "%.1f%%", p * 100);
  }

  static String num(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return String.format(Locale.ROOT, v >= 100 ? "%.0f" : "%.2f", v);
  }

  /** 90s as 1m30s, 3600s as 1h. */
  static String human(@Nullable Duration d) {
    if (d == null) {
      return "-";
    }
    long s = d.toSeconds();
    if (s == 0) {
      return d.toMillis() + "ms";
    }
    StringBuilder sb = new StringBuilder();
    if (s >= 3600) {
      sb.append(s / 3600).append('h');
      s %= 3600;
    }
    if (s >= 60) {
      sb.append(s / 60).append('m');
      s %= 60;
    }
    if (s > 0) {
      sb.append(s).append('s');
    }
    return sb.toString();
  }
}
