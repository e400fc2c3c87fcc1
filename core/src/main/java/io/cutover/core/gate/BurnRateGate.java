// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.gate;

import io.cutover.api.CutoverException;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.Verdict;
import io.cutover.api.Verdict.Outcome;
import io.cutover.core.gate.internal.Gates;
import io.cutover.core.gate.internal.Templates;
import io.cutover.spi.GateContext;
import io.cutover.spi.HealthGate;
import io.cutover.spi.MetricQuery;
import io.cutover.spi.MetricResult;
import io.cutover.spi.MetricSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Multi-window, multi-burn-rate check of an error-budget SLO (the SRE workbook's alerting recipe),
 * as a gate: FAIL when any {@link BurnRateWindow} fires, i.e. the burn rate exceeds its factor over
 * both its long and its short window.
 *
 * <p><b>Burn rate</b> = error ratio over a window / (1 − objective): 1 spends the budget exactly
 * over the SLO period; 14.4 spends 2 % of a 30-day budget in one hour. The error ratio comes from a
 * query template evaluated at {@code now} with {@code {{window}}} set to each window in turn (plus
 * the usual {@code {{service}}}, {@code {{release}}} placeholders), e.g. PromQL {@code
 * sum(rate(http_requests_total{service="{{service}}",code=~"5.."}[{{window}}])) /
 * sum(rate(http_requests_total{service="{{service}}"}[{{window}}]))}.
 *
 * <p><b>Outcomes.</b> FAIL if any condition fires; otherwise, if a window had no data, the
 * configured {@link NoDataPolicy}; otherwise PASS. Source failures are ERROR. Every burn rate is
 * reported as a measurement ({@code burn_rate_1h}, ...).
 *
 * <p><b>Threading.</b> Immutable; safe for concurrent use if the source is.
 */
public final class BurnRateGate implements HealthGate {
  private final String name;
  private final MetricSource source;
  private final String errorRatioQuery;
  private final double objective;
  private final List<BurnRateWindow> windows;
  private final NoDataPolicy noData;

  private BurnRateGate(
      String name,
      MetricSource source,
      String errorRatioQuery,
      double objective,
      List<BurnRateWindow> windows,
      NoDataPolicy noData) {
    this.name = Gates.name(name, "gate.name");
    this.source = Objects.requireNonNull(source, "source");
    if (errorRatioQuery == null || !errorRatioQuery.contains("{{window}}")) {
      throw new InvalidSpecException(
          "gate." + name + ".query",
          "does not contain {{window}}",
          "write the error-ratio query with a {{window}} placeholder for the range, e.g. [{{window}}]");
    }
    this.errorRatioQuery = errorRatioQuery;
    this.objective = checkObjective(objective, "gate." + name + ".objective");
    this.windows = List.copyOf(windows);
    if (this.windows.isEmpty()) {
      throw new InvalidSpecException(
          "gate." + name + ".windows",
          "is empty",
          "use BurnRateWindow.DEFAULTS or name at least one");
    }
    this.noData = Objects.requireNonNull(noData, "noData");
  }

  /**
   * A burn-rate gate.
   *
   * @param errorRatioQuery a template giving the error ratio (0..1) over {@code {{window}}}
   * @param objective the SLO objective, e.g. 0.999
   * @param windows the alerting conditions, e.g. {@link BurnRateWindow#DEFAULTS}
   */
  public static BurnRateGate of(
      String name,
      MetricSource source,
      String errorRatioQuery,
      double objective,
      List<BurnRateWindow> windows,
      NoDataPolicy noData) {
    return new BurnRateGate(name, source, errorRatioQuery, objective, windows, noData);
  }

  static double checkObjective(double objective, String path) {
    if (!(objective > 0 && objective < 1)) {
      throw new InvalidSpecException(
          path,
          "is " + objective,
          "use the SLO objective as a fraction strictly between 0 and 1, e.g. 0.999");
    }
    return objective;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Verdict evaluate(GateContext ctx) {
    List<Verdict.Measurement> ms = new ArrayList<>();
    List<String> firing = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    double budgetRate = 1 - objective;
    for (BurnRateWindow w : windows) {
      double longBurn;
      double shortBurn;
      try {
        longBurn = ratio(ctx, w.longWindow()) / budgetRate;
        shortBurn = ratio(ctx, w.shortWindow()) / budgetRate;
      } catch (CutoverException e) {
        return Verdict.error("gate '" + name + "': " + e.getMessage());
      } catch (RuntimeException e) {
        return Verdict.error("gate '" + name + "': metric source failed: " + e);
      }
      String detail = "> " + Gates.num(w.factor()) + "x";
      ms.add(
          new Verdict.Measurement(
              "burn_rate_" + Templates.promDuration(w.longWindow()), null, longBurn, detail));
      ms.add(
          new Verdict.Measurement(
              "burn_rate_" + Templates.promDuration(w.shortWindow()), null, shortBurn, detail));
      if (Double.isNaN(longBurn) || Double.isNaN(shortBurn)) {
        missing.add(
            Templates.promDuration(Double.isNaN(longBurn) ? w.longWindow() : w.shortWindow()));
      } else if (longBurn > w.factor() && shortBurn > w.factor()) {
        firing.add(
            "burn rate "
                + Gates.num(longBurn)
                + "x over "
                + Templates.promDuration(w.longWindow())
                + " and "
                + Gates.num(shortBurn)
                + "x over "
                + Templates.promDuration(w.shortWindow())
                + " exceed "
                + Gates.num(w.factor())
                + "x");
      }
    }
    if (!firing.isEmpty()) {
      List<String> reasons = new ArrayList<>();
      for (String f : firing) {
        reasons.add(
            "gate '"
                + name
                + "': error budget of the "
                + Gates.num(objective * 100)
                + "% SLO burning: "
                + f);
      }
      return new Verdict(Outcome.FAIL, ms, reasons);
    }
    if (!missing.isEmpty()) {
      return new Verdict(
          noData.outcome(),
          ms,
          List.of("gate '" + name + "': no error-ratio data for window(s) " + missing));
    }
    return new Verdict(
        Outcome.PASS, ms, List.of("gate '" + name + "': every burn rate is under its threshold"));
  }

  private double ratio(GateContext ctx, Duration window) {
    MetricResult r =
        source.query(
            MetricQuery.instant(
                errorRatioQuery, Templates.labels(ctx, window, Map.of()), ctx.now()));
    return r.isNoData() ? Double.NaN : r.last();
  }
}
