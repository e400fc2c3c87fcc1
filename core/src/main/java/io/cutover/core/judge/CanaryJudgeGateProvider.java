// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.judge;

import io.cutover.api.InvalidSpecException;
import io.cutover.core.gate.NoDataPolicy;
import io.cutover.core.gate.internal.Configs;
import io.cutover.core.gate.internal.Gates;
import io.cutover.core.gate.internal.MetricSources;
import io.cutover.core.judge.internal.MetricConfigs;
import io.cutover.spi.HealthGate;
import io.cutover.spi.HealthGateProvider;
import io.cutover.spi.MetricSource;
import io.cutover.spi.ProviderConfig;
import io.cutover.spi.ProviderContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Creates {@link CanaryJudgeGate}s from configuration; provider name {@code canary-judge}. The
 * metrics are listed in the configuration, or come from a Spinnaker Kayenta canary config ({@link
 * KayentaCanaryConfig}):
 *
 * <pre>
 * name: judge                                   # the gate's name (required)
 * source: {type: prometheus, url: http://127.0.0.1:9090}   # any MetricSourceProvider (required)
 * mode: native | kayenta                        # default native; kayenta with kayentaConfig
 * confidenceLevel: 0.95                         # default 0.95 (native), 0.98 (kayenta)
 * tolerance: 0.25                               # kayenta mode only
 * scoreThresholds: {pass: 95, marginal: 75}     # default 95 / 75
 * groupWeights: {errors: 60, latency: 40}       # percent; unweighted groups share the rest
 * seed: 0                                       # of Kayenta's tie-breaking noise
 * step: 10s                                     # resolution of the sample series (default 10s)
 * lookback: 5m                                  # default: the verify step's window
 * noData: inconclusive | fail                   # what NODATA means (default inconclusive)
 * metrics:                                      # either this list ...
 *   - name: error-ratio
 *     query: 'sum(rate(http_requests_total{release="{{release}}",code=~"5.."}[1m])) / sum(rate(http_requests_total{release="{{release}}"}[1m]))'
 *     groups: [errors]
 *     direction: increase | decrease | either   # default either
 *     critical: false
 *     mustHaveData: false
 *     muted: false
 *     nanStrategy: remove | replace             # default remove
 *     outliers: {strategy: keep | remove, outlierFactor: 3.0}
 *     effectSize: {measure: meanRatio | cles, allowedIncrease: 1.1, allowedDecrease: 0.9,
 *                  criticalIncrease: 2.0, criticalDecrease: 0.5}
 * kayentaConfig: canary-config.json             # ... or a Kayenta canary config: a file path, or the JSON object inline
 * queries: {"http errors": '...{{release}}...'} # kayentaConfig only: query templates by metric name
 * </pre>
 *
 * <p>With {@code kayentaConfig}, group weights and (when present) score thresholds come from the
 * config's {@code classifier}; {@code scoreThresholds} here overrides them, as a Kayenta execution
 * request does, while {@code groupWeights} and {@code metrics} are refused.
 *
 * <p>Stateless and thread-safe; {@link #create} reads the Kayenta file, if one is named, and throws
 * {@link InvalidSpecException} naming the JSON path of the first problem.
 */
public final class CanaryJudgeGateProvider implements HealthGateProvider {
  private static final Set<String> KEYS =
      Set.of(
          "name",
          "source",
          "mode",
          "confidenceLevel",
          "tolerance",
          "scoreThresholds",
          "groupWeights",
          "seed",
          "step",
          "lookback",
          "noData",
          "metrics",
          "kayentaConfig",
          "queries");

  /** Creates the factory; no I/O. */
  public CanaryJudgeGateProvider() {}

  @Override
  public String name() {
    return "canary-judge";
  }

  @Override
  public HealthGate create(ProviderConfig config, ProviderContext context) {
    config.requireOnly(KEYS);
    String name = Gates.name(config.requireString("name"), config.pathOf("name"));
    Object kayenta = config.asMap().get("kayentaConfig");
    if ((kayenta == null) == !config.has("metrics")) {
      throw new InvalidSpecException(
          config.pathOf("metrics"),
          kayenta == null ? "is missing" : "is set together with 'kayentaConfig'",
          "list the metrics here, or point 'kayentaConfig' at a Kayenta canary config, not both");
    }
    String misplaced = kayenta == null ? "queries" : "groupWeights";
    if (config.has(misplaced)) {
      throw new InvalidSpecException(
          config.pathOf(misplaced),
          kayenta == null
              ? "only applies with 'kayentaConfig'"
              : "comes from the Kayenta config's classifier.groupWeights",
          "remove it");
    }
    CanaryJudge.Mode mode =
        mode(config, kayenta == null ? CanaryJudge.Mode.NATIVE : CanaryJudge.Mode.KAYENTA);
    CanaryJudge.Builder judge = CanaryJudge.builder().mode(mode);
    List<CanaryMetric> metrics = new ArrayList<>();
    if (kayenta != null) {
      KayentaCanaryConfig k = kayentaConfig(config, kayenta);
      k.applyTo(judge);
      metrics.addAll(k.metrics());
    } else {
      Set<String> seen = new HashSet<>();
      for (ProviderConfig m : Configs.objects(config, "metrics")) {
        CanaryMetric metric = MetricConfigs.metric(m);
        MetricConfigs.requireUnique(seen, metric.name(), m.pathOf("name"));
        metrics.add(metric);
      }
      if (metrics.isEmpty()) {
        throw new InvalidSpecException(
            config.pathOf("metrics"), "is empty", "list at least one metric to compare");
      }
      MetricConfigs.groupWeights(config.getConfig("groupWeights")).forEach(judge::groupWeight);
    }
    if (config.has("confidenceLevel")) {
      double level = config.getDouble("confidenceLevel", Double.NaN);
      MetricConfigs.at(config.pathOf("confidenceLevel"), () -> judge.confidenceLevel(level));
    }
    if (config.has("tolerance")) {
      if (mode != CanaryJudge.Mode.KAYENTA) {
        throw new InvalidSpecException(
            config.pathOf("tolerance"),
            "only applies to mode kayenta",
            "remove it or set mode: kayenta");
      }
      double tolerance = config.getDouble("tolerance", Double.NaN);
      MetricConfigs.at(config.pathOf("tolerance"), () -> judge.tolerance(tolerance));
    }
    ProviderConfig thresholds = config.getConfig("scoreThresholds");
    if (!thresholds.keys().isEmpty()) {
      thresholds.requireOnly(Set.of("pass", "marginal"));
      double pass = thresholds.getDouble("pass", Double.NaN);
      double marginal = thresholds.getDouble("marginal", Double.NaN);
      MetricConfigs.at(thresholds.path(), () -> judge.thresholds(pass, marginal));
    }
    judge.seed(config.getLong("seed", 0));
    Duration step = config.getDuration("step", Duration.ofSeconds(10));
    Duration lookback = config.getDuration("lookback", Duration.ZERO);
    if (lookback.isNegative()) {
      throw new InvalidSpecException(
          config.pathOf("lookback"),
          "is negative",
          "use a positive window, or 0 for the verify step's");
    }
    NoDataPolicy noData =
        NoDataPolicy.parse(config.getString("noData", "inconclusive"), config.pathOf("noData"));
    CanaryJudge built = judge.build();
    MetricSource source = MetricSources.fromConfig(config, "source", context);
    return MetricConfigs.at(
        config.pathOf(kayenta == null ? "metrics" : "kayentaConfig"),
        () -> CanaryJudgeGate.of(name, source, built, metrics, step, lookback, noData));
  }

  private static CanaryJudge.Mode mode(ProviderConfig config, CanaryJudge.Mode defaultMode) {
    String m = config.getString("mode");
    if (m == null) {
      return defaultMode;
    }
    return switch (m.trim().toLowerCase(Locale.ROOT)) {
      case "native" -> CanaryJudge.Mode.NATIVE;
      case "kayenta" -> CanaryJudge.Mode.KAYENTA;
      default ->
          throw new InvalidSpecException(
              config.pathOf("mode"), "is '" + m + "'", "use native or kayenta");
    };
  }

  private static KayentaCanaryConfig kayentaConfig(ProviderConfig config, Object value) {
    ProviderConfig q = config.getConfig("queries");
    Map<String, String> queries = new LinkedHashMap<>();
    for (String metric : q.keys()) {
      queries.put(metric, q.requireString(metric));
    }
    if (value instanceof Map) {
      return KayentaCanaryConfig.from(config.getConfig("kayentaConfig"), queries, q.path());
    }
    if (value instanceof String file && !file.isBlank()) {
      return KayentaCanaryConfig.read(Path.of(file), queries, q.path());
    }
    throw new InvalidSpecException(
        config.pathOf("kayentaConfig"),
        "is neither a file path nor an object",
        "give the path of a Kayenta canary-config JSON file, or the config itself as an object");
  }
}
