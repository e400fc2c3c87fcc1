// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.judge;

import io.cutover.api.CutoverException;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.Verdict;
import io.cutover.api.Verdict.Outcome;
import io.cutover.core.gate.NoDataPolicy;
import io.cutover.core.gate.internal.Gates;
import io.cutover.core.gate.internal.Templates;
import io.cutover.spi.GateContext;
import io.cutover.spi.HealthGate;
import io.cutover.spi.MetricQuery;
import io.cutover.spi.MetricSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@link CanaryJudge} as a health gate: for each {@link CanaryMetric} it asks the source for a
 * range series of the candidate ({@code {{release}}} = candidate id, {@code {{role}}} = canary) and
 * of the stable release ({@code {{release}}} = stable id, {@code {{role}}} = baseline) over the
 * window, with {@code step} resolution, judges them and maps the summary: PASS → PASS, MARGINAL →
 * INCONCLUSIVE, FAIL → FAIL, NODATA → the configured {@link NoDataPolicy}. The verdict carries the
 * score and each metric's mean ratio as measurements and one explanation per metric.
 *
 * <p>Without a stable release (a first deployment) there is nothing to compare: INCONCLUSIVE. A
 * source failure is ERROR.
 *
 * <p><b>Threading.</b> Immutable; safe for concurrent use if the source is.
 */
public final class CanaryJudgeGate implements HealthGate {
  private final String name;
  private final MetricSource source;
  private final CanaryJudge judge;
  private final List<CanaryMetric> metrics;
  private final Duration step;
  private final Duration lookback;
  private final NoDataPolicy noData;

  private CanaryJudgeGate(
      String name,
      MetricSource source,
      CanaryJudge judge,
      List<CanaryMetric> metrics,
      Duration step,
      Duration lookback,
      NoDataPolicy noData) {
    this.name = Gates.name(name, "gate.name");
    this.source = Objects.requireNonNull(source, "source");
    this.judge = Objects.requireNonNull(judge, "judge");
    this.metrics = List.copyOf(metrics);
    if (this.metrics.isEmpty()) {
      throw new InvalidSpecException(
          "gate." + name + ".metrics", "is empty", "judge at least one metric");
    }
    var names = new HashSet<String>();
    for (CanaryMetric m : this.metrics) {
      if (!names.add(m.name())) {
        throw new InvalidSpecException(
            "gate." + name + ".metrics." + m.name(),
            "is defined twice",
            "give every metric a unique name");
      }
      // Kayenta scores groups only: an ungrouped metric would be judged but never move the score.
      if (judge.mode() == CanaryJudge.Mode.KAYENTA && m.groups().isEmpty() && !m.muted()) {
        throw new InvalidSpecException(
            "gate." + name + ".metrics." + m.name() + ".groups",
            "is empty in Kayenta mode, " + "where only groups are scored",
            "put the metric in a group (Kayenta canary configs require groups), or mute it");
      }
    }
    if (step.isNegative() || step.isZero()) {
      throw new InvalidSpecException(
          "gate." + name + ".step", "is " + step, "use a positive step such as 10s");
    }
    this.step = step;
    this.lookback = lookback;
    this.noData = Objects.requireNonNull(noData, "noData");
  }

  /**
   * A judge gate.
   *
   * @param step the resolution of the sample series
   * @param lookback a fixed window ending at {@code now}, or zero for the context's window
   * @throws InvalidSpecException if a metric is defined twice, the step is not positive, or
   *     (Kayenta mode) a scored metric has no group
   */
  public static CanaryJudgeGate of(
      String name,
      MetricSource source,
      CanaryJudge judge,
      List<CanaryMetric> metrics,
      Duration step,
      Duration lookback,
      NoDataPolicy noData) {
    return new CanaryJudgeGate(name, source, judge, metrics, step, lookback, noData);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Verdict evaluate(GateContext ctx) {
    if (ctx.stable() == null) {
      return Verdict.inconclusive(
          "gate '" + name + "': no baseline release to compare with (first deployment)");
    }
    Duration window = Templates.window(ctx, lookback);
    Verdict empty = Templates.emptyWindow(name, ctx, window);
    if (empty != null) {
      return empty;
    }
    Instant start = ctx.now().minus(window);
    List<CanaryJudge.Input> inputs = new ArrayList<>();
    try {
      for (CanaryMetric m : metrics) {
        double[] canary = fetch(m, ctx, window, start, ctx.candidate().id(), "canary");
        double[] baseline = fetch(m, ctx, window, start, ctx.stable().id(), "baseline");
        inputs.add(new CanaryJudge.Input(m, canary, baseline));
      }
    } catch (CutoverException e) {
      return Verdict.error("gate '" + name + "': " + e.getMessage());
    } catch (RuntimeException e) {
      return Verdict.error("gate '" + name + "': metric source failed: " + e);
    }
    JudgeReport report = judge.judge(inputs);
    Outcome outcome =
        switch (report.classification()) {
          case PASS -> Outcome.PASS;
          case MARGINAL -> Outcome.INCONCLUSIVE;
          case FAIL -> Outcome.FAIL;
          case NODATA -> noData.outcome();
        };
    List<Verdict.Measurement> ms = new ArrayList<>();
    ms.add(
        new Verdict.Measurement(
            "canary_score",
            ctx.candidate().id(),
            report.score(),
            ">= "
                + Gates.num(judge.passThreshold())
                + " pass, >= "
                + Gates.num(judge.marginalThreshold())
                + " marginal"));
    List<String> reasons = new ArrayList<>();
    reasons.add(
        "gate '"
            + name
            + "': canary "
            + report.classification()
            + " with score "
            + Gates.num(report.score())
            + (report.reason().isEmpty() ? "" : " (" + report.reason() + ")"));
    for (MetricJudgement j : report.metrics()) {
      ms.add(
          new Verdict.Measurement(
              j.metric(),
              ctx.candidate().id(),
              j.meanRatio(),
              j.classification().name()
                  + (j.critical() ? " critical" : "")
                  + (j.muted() ? " muted" : "")
                  + ", mean ratio"));
      reasons.add(j.classification() + " " + j.reason());
    }
    return new Verdict(outcome, ms, reasons);
  }

  private double[] fetch(
      CanaryMetric m,
      GateContext ctx,
      Duration window,
      Instant start,
      String release,
      String role) {
    Map<String, String> labels =
        Templates.labels(ctx, window, Map.of("release", release, "role", role));
    return source.query(new MetricQuery(m.query(), labels, start, ctx.now(), step)).values();
  }
}
