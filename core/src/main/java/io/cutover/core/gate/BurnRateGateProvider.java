// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.gate;

import io.cutover.api.InvalidSpecException;
import io.cutover.core.gate.internal.Configs;
import io.cutover.core.gate.internal.MetricSources;
import io.cutover.spi.HealthGate;
import io.cutover.spi.HealthGateProvider;
import io.cutover.spi.ProviderConfig;
import io.cutover.spi.ProviderContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Creates SLO gates: provider name {@code burn-rate} for {@link BurnRateGate} and, with {@code
 * freeze: true}, the {@link ReleaseFreezePolicy#asGate gate form} of the release-freeze policy.
 *
 * <pre>
 * name: slo
 * source: {type: prometheus, url: ...}
 * query: 'sum(rate(errors{service="{{service}}"}[{{window}}])) / sum(rate(requests{service="{{service}}"}[{{window}}]))'
 * objective: 0.999
 * windows: [{long: 1h, short: 5m, factor: 14.4}, {long: 6h, short: 30m, factor: 6}]   # default
 * noData: inconclusive | fail
 * # release freeze instead of burn rate:
 * freeze: true
 * period: 30d
 * minimumRemaining: 0
 * refuseWithoutData: false
 * </pre>
 */
public final class BurnRateGateProvider implements HealthGateProvider {
  /** Creates the factory; no I/O. */
  public BurnRateGateProvider() {}

  @Override
  public String name() {
    return "burn-rate";
  }

  @Override
  public HealthGate create(ProviderConfig config, ProviderContext context) {
    config.requireOnly(
        Set.of(
            "name",
            "source",
            "query",
            "objective",
            "windows",
            "noData",
            "freeze",
            "period",
            "minimumRemaining",
            "refuseWithoutData",
            "clock"));
    String name = config.requireString("name");
    String query = config.requireString("query");
    if (!config.has("objective")) {
      throw new InvalidSpecException(
          config.pathOf("objective"), "is missing", "set the SLO objective, e.g. 0.999");
    }
    double objective = config.getDouble("objective", Double.NaN);
    if (config.getBoolean("freeze", false)) {
      for (String k : List.of("windows", "noData")) {
        if (config.has(k)) {
          throw new InvalidSpecException(
              config.pathOf(k), "does not apply to a release freeze", "remove it");
        }
      }
      return ReleaseFreezePolicy.builder(
              MetricSources.fromConfig(config, "source", context),
              query,
              objective,
              Configs.clock(config, context))
          .period(config.getDuration("period", Duration.ofDays(30)))
          .minimumRemaining(config.getDouble("minimumRemaining", 0))
          .refuseWithoutData(config.getBoolean("refuseWithoutData", false))
          .build()
          .asGate(name);
    }
    for (String k : List.of("period", "minimumRemaining", "refuseWithoutData")) {
      if (config.has(k)) {
        throw new InvalidSpecException(
            config.pathOf(k), "only applies with freeze: true", "remove it or set freeze: true");
      }
    }
    List<BurnRateWindow> windows = new ArrayList<>();
    for (ProviderConfig w : Configs.objects(config, "windows")) {
      w.requireOnly(Set.of("long", "short", "factor"));
      if (!w.has("factor")) {
        throw new InvalidSpecException(
            w.pathOf("factor"), "is missing", "set the burn-rate multiple, e.g. 14.4");
      }
      windows.add(
          new BurnRateWindow(
              w.requireDuration("long"), w.requireDuration("short"), w.getDouble("factor", 0)));
    }
    NoDataPolicy noData =
        NoDataPolicy.parse(config.getString("noData", "inconclusive"), config.pathOf("noData"));
    return BurnRateGate.of(
        name,
        MetricSources.fromConfig(config, "source", context),
        query,
        objective,
        windows.isEmpty() ? BurnRateWindow.DEFAULTS : windows,
        noData);
  }
}
