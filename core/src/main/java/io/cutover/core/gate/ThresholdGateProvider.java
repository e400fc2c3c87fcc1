// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.gate;

import io.cutover.api.InvalidSpecException;
import io.cutover.core.gate.internal.MetricSources;
import io.cutover.spi.HealthGate;
import io.cutover.spi.HealthGateProvider;
import io.cutover.spi.MetricSource;
import io.cutover.spi.ProviderConfig;
import io.cutover.spi.ProviderContext;
import java.time.Duration;
import java.util.Set;

/**
 * Creates {@link ThresholdGate}s from configuration; provider name {@code threshold}.
 *
 * <pre>
 * name: success-rate                # the gate's name (required)
 * source: {type: prometheus, url: http://127.0.0.1:9090}   # any MetricSourceProvider (required)
 * query: 'sum(rate(...{release="{{release}}"}[{{window}}]))'  # or builtin:
 * builtin: success-rate | duration-p99
 * dialect: prometheus | in-process  # for builtin (default prometheus)
 * metric: http_requests_total       # for builtin (default per builtin)
 * releaseLabel: release             # for builtin
 * statusLabel: code                 # for builtin success-rate
 * comparison: '>='                  # default: >= for success-rate, &lt;= for duration-p99; required for query
 * threshold: 0.99                   # required
 * noData: inconclusive | fail       # default inconclusive
 * lookback: 5m                      # default: the verify step's window
 * step: 15s                         # range query resolution (default: instant query)
 * aggregation: last | mean | min | max
 * measurement: cutover.error_rate_delta  # the verdict's measurement name (default: the gate's name);
 *                                   # cutover.error_rate_delta / cutover.latency_p95_delta feed SLIs M3 / M7
 * </pre>
 *
 * <p>Thread-safe and stateless; {@link #create} throws {@link InvalidSpecException} naming the key.
 */
public final class ThresholdGateProvider implements HealthGateProvider {
  private static final Set<String> KEYS =
      Set.of(
          "name",
          "source",
          "query",
          "builtin",
          "dialect",
          "metric",
          "releaseLabel",
          "statusLabel",
          "comparison",
          "threshold",
          "noData",
          "lookback",
          "step",
          "aggregation",
          "measurement");

  /** Creates the factory; no I/O. */
  public ThresholdGateProvider() {}

  @Override
  public String name() {
    return "threshold";
  }

  @Override
  public HealthGate create(ProviderConfig config, ProviderContext context) {
    config.requireOnly(KEYS);
    String name = config.requireString("name");
    String builtin = config.getString("builtin");
    String query = config.getString("query");
    if ((builtin == null) == (query == null)) {
      throw new InvalidSpecException(
          config.pathOf("query"),
          builtin == null ? "is missing" : "is set together with 'builtin'",
          "set exactly one of 'query' (your own template) or 'builtin' (success-rate or duration-p99)");
    }
    if (!config.has("threshold")) {
      throw new InvalidSpecException(
          config.pathOf("threshold"), "is missing", "set the threshold the value is compared with");
    }
    double threshold = config.getDouble("threshold", Double.NaN);
    QueryDialect dialect =
        QueryDialect.parse(config.getString("dialect", "prometheus"), config.pathOf("dialect"));
    String releaseLabel = config.getString("releaseLabel", "release");
    Comparison defaultComparison = null;
    if (builtin != null) {
      switch (builtin) {
        case "success-rate" -> {
          query =
              dialect.successRate(
                  config.getString("metric", "http_requests_total"),
                  releaseLabel,
                  config.getString("statusLabel", "code"));
          defaultComparison = Comparison.AT_LEAST;
        }
        case "duration-p99" -> {
          query =
              dialect.durationP99(
                  config.getString("metric", "http_request_duration_seconds"), releaseLabel);
          defaultComparison = Comparison.AT_MOST;
        }
        default ->
            throw new InvalidSpecException(
                config.pathOf("builtin"),
                "is '" + builtin + "'",
                "use 'success-rate' or 'duration-p99', or write your own 'query'");
      }
    }
    String cmp = config.getString("comparison");
    Comparison comparison =
        cmp != null ? Comparison.parse(cmp, config.pathOf("comparison")) : defaultComparison;
    if (comparison == null) {
      throw new InvalidSpecException(
          config.pathOf("comparison"), "is missing", "say what passes: <, <=, > or >=");
    }
    NoDataPolicy noData =
        NoDataPolicy.parse(config.getString("noData", "inconclusive"), config.pathOf("noData"));
    Duration lookback = config.getDuration("lookback", Duration.ZERO);
    String measurement = config.getString("measurement");
    if (measurement != null && measurement.isBlank()) {
      throw new InvalidSpecException(
          config.pathOf("measurement"),
          "is blank",
          "name the measurement, e.g. cutover.error_rate_delta, or remove the key");
    }
    MetricSource source = MetricSources.fromConfig(config, "source", context);
    ThresholdGate.Builder b =
        ThresholdGate.builder(name, source)
            .query(query)
            .passWhen(comparison, threshold)
            .onNoData(noData)
            .lookback(lookback);
    if (config.has("step")) {
      b.step(
          config.getDuration("step", Duration.ZERO),
          Aggregation.parse(config.getString("aggregation", "mean"), config.pathOf("aggregation")));
    } else if (config.has("aggregation")) {
      throw new InvalidSpecException(
          config.pathOf("aggregation"),
          "is set without 'step'",
          "set 'step' to ask a range query, or remove 'aggregation'");
    }
    if (measurement != null) {
      b.measuredAs(measurement);
    }
    return b.build();
  }
}
