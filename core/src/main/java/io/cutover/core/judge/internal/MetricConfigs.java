// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.judge.internal;

import io.cutover.api.InvalidSpecException;
import io.cutover.core.judge.CanaryMetric;
import io.cutover.spi.ProviderConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Reads a canary metric's analysis settings, named as in Kayenta's {@code
 * analysisConfigurations.canary} ({@code direction}, {@code nanStrategy}, {@code critical}, {@code
 * mustHaveData}, {@code effectSize}, {@code outliers}, plus Cutover's {@code muted}), from a
 * configuration view, so the {@code canary-judge} provider and the Kayenta canary-config reader
 * accept the same words and report the same errors, each at its JSON path.
 */
public final class MetricConfigs {
  /** The analysis keys of one metric. */
  public static final Set<String> ANALYSIS_KEYS =
      Set.of(
          "direction",
          "nanStrategy",
          "critical",
          "mustHaveData",
          "muted",
          "effectSize",
          "outliers");

  private static final Set<String> EFFECT_KEYS =
      Set.of(
          "measure", "allowedIncrease", "allowedDecrease", "criticalIncrease", "criticalDecrease");
  private static final Set<String> OUTLIER_KEYS = Set.of("strategy", "outlierFactor");

  private MetricConfigs() {}

  /**
   * Applies the analysis settings of {@code c} to {@code b}.
   *
   * @param strict whether unknown keys inside {@code effectSize} and {@code outliers} are refused
   *     (Cutover's own configuration) or ignored (Kayenta configs, which Kayenta reads leniently)
   * @throws InvalidSpecException naming the path of the first wrong value
   */
  public static void applyAnalysis(ProviderConfig c, CanaryMetric.Builder b, boolean strict) {
    b.direction(
        choice(
            c,
            "direction",
            CanaryMetric.Direction.EITHER,
            Map.of(
                "increase",
                CanaryMetric.Direction.INCREASE,
                "decrease",
                CanaryMetric.Direction.DECREASE,
                "either",
                CanaryMetric.Direction.EITHER)));
    b.nanStrategy(
        choice(
            c,
            "nanStrategy",
            CanaryMetric.NanStrategy.REMOVE,
            Map.of(
                "remove",
                CanaryMetric.NanStrategy.REMOVE,
                "replace",
                CanaryMetric.NanStrategy.REPLACE)));
    b.critical(c.getBoolean("critical", false))
        .mustHaveData(c.getBoolean("mustHaveData", false))
        .muted(c.getBoolean("muted", false));

    ProviderConfig effect = c.getConfig("effectSize");
    if (strict) {
      effect.requireOnly(EFFECT_KEYS);
    }
    CanaryMetric.EffectMeasure measure =
        choice(
            effect,
            "measure",
            CanaryMetric.EffectMeasure.MEAN_RATIO,
            Map.of(
                "meanRatio",
                CanaryMetric.EffectMeasure.MEAN_RATIO,
                "cles",
                CanaryMetric.EffectMeasure.CLES));
    b.effectSize(
        measure,
        effectValue(effect, "allowedIncrease", measure),
        effectValue(effect, "allowedDecrease", measure));
    b.criticalEffect(
        effectValue(effect, "criticalIncrease", measure),
        effectValue(effect, "criticalDecrease", measure));

    ProviderConfig outliers = c.getConfig("outliers");
    if (strict) {
      outliers.requireOnly(OUTLIER_KEYS);
    }
    boolean remove =
        choice(
            outliers,
            "strategy",
            Boolean.FALSE,
            Map.of("keep", Boolean.FALSE, "remove", Boolean.TRUE));
    if (remove) {
      double factor = outliers.getDouble("outlierFactor", 3.0);
      if (!(factor > 0) || Double.isInfinite(factor)) {
        throw new InvalidSpecException(
            outliers.pathOf("outlierFactor"),
            "is " + factor,
            "use a positive multiple of the interquartile range, e.g. 3.0");
      }
      b.removeOutliers(factor);
    } else if (strict && outliers.has("outlierFactor")) {
      throw new InvalidSpecException(
          outliers.pathOf("outlierFactor"),
          "is set while outliers are kept",
          "set 'strategy: remove', or drop 'outlierFactor'");
    }
  }

  /**
   * A metric of Cutover's own {@code canary-judge} configuration: {@code name}, {@code query},
   * {@code groups} and the analysis keys, flat on one object.
   */
  public static CanaryMetric metric(ProviderConfig m) {
    Set<String> keys = new TreeSet<>(ANALYSIS_KEYS);
    keys.addAll(List.of("name", "query", "groups"));
    m.requireOnly(keys);
    CanaryMetric.Builder b =
        CanaryMetric.builder(m.requireString("name"), m.requireString("query"))
            .groups(m.getStringList("groups").toArray(String[]::new));
    applyAnalysis(m, b, true);
    return at(m.path(), b::build);
  }

  /** Fails when {@code name} was seen before; {@code path} is where this occurrence sits. */
  public static void requireUnique(Set<String> seen, String name, String path) {
    if (!seen.add(name)) {
      throw new InvalidSpecException(
          path, "'" + name + "' names a second metric", "give every metric a unique name");
    }
  }

  /** Group weights in percent, each a finite number of 0 or more, summing to at most 100. */
  public static Map<String, Double> groupWeights(ProviderConfig weights) {
    Map<String, Double> out = new LinkedHashMap<>();
    double sum = 0;
    for (String g : weights.keys()) {
      double w = weights.getDouble(g, Double.NaN);
      if (!(w >= 0) || Double.isInfinite(w)) {
        throw new InvalidSpecException(
            weights.pathOf(g), "is " + w, "give the group's weight in percent, 0 to 100");
      }
      out.put(g, w);
      sum += w;
    }
    if (sum > 100 + 1e-9) {
      throw new InvalidSpecException(
          weights.path(), "sums to " + sum + " %", "make the group weights add up to 100");
    }
    return out;
  }

  /**
   * Runs {@code s}, re-rooting any {@link InvalidSpecException} at {@code path}: builders name
   * their own fields, configuration users need the place in their file.
   */
  public static <T> T at(String path, Supplier<T> s) {
    try {
      return s.get();
    } catch (InvalidSpecException e) {
      List<InvalidSpecException.Violation> moved = new ArrayList<>();
      for (InvalidSpecException.Violation v : e.violations()) {
        moved.add(
            new InvalidSpecException.Violation(path, v.problem() + " (" + v.path() + ")", v.fix()));
      }
      throw new InvalidSpecException(moved);
    }
  }

  private static double effectValue(
      ProviderConfig effect, String key, CanaryMetric.EffectMeasure measure) {
    if (!effect.has(key)) {
      return Double.NaN;
    }
    double v = effect.getDouble(key, Double.NaN);
    boolean cles = measure == CanaryMetric.EffectMeasure.CLES;
    if (cles ? !(v >= 0 && v <= 1) : !(v > 0) || Double.isInfinite(v)) {
      throw new InvalidSpecException(
          effect.pathOf(key),
          "is " + v,
          cles
              ? "a CLES effect is a probability: use a value between 0 and 1 (0.5 = no change)"
              : "a mean-ratio effect is a positive factor, e.g. 1.1 for +10 % or 0.9 for -10 %");
    }
    return v;
  }

  /**
   * A case-insensitive choice among {@code options}; '-' and '_' are ignored ("mean-ratio" =
   * "meanRatio").
   */
  private static <E> E choice(
      ProviderConfig c, String key, E defaultValue, Map<String, E> options) {
    String raw = c.getString(key);
    if (raw == null) {
      return defaultValue;
    }
    for (Map.Entry<String, E> o : options.entrySet()) {
      if (normalized(o.getKey()).equals(normalized(raw))) {
        return o.getValue();
      }
    }
    throw new InvalidSpecException(
        c.pathOf(key), "is '" + raw + "'", "use one of " + new TreeSet<>(options.keySet()));
  }

  private static String normalized(String s) {
    return s.trim().toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
  }
}
