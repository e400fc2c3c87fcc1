// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.judge;

import io.cutover.api.InvalidSpecException;
import java.util.List;
import java.util.Objects;

/**
 * How one metric is judged: its query, which direction hurts, how missing values and outliers are
 * handled, what effect size is tolerated, and which groups it scores in. Field names follow
 * Kayenta's {@code analysisConfigurations.canary} so configurations translate one to one.
 *
 * @param name the metric's name, unique within a judge
 * @param query the query template; {@code {{release}}} is filled with the canary's and then the
 *     baseline's id
 * @param direction which change is harmful
 * @param critical whether a harmful change (or missing data) fails the whole canary whatever the
 *     score
 * @param mustHaveData whether missing data counts as a failed metric
 * @param muted whether the metric is reported but left out of the score
 * @param nanStrategy what to do with NaN values
 * @param removeOutliers whether to drop outliers (IQR fences, widened to the 1st/99th percentiles)
 * @param outlierFactor the IQR multiple of the fences, e.g. 3.0
 * @param effectMeasure how the effect size is measured
 * @param allowedIncrease smallest effect classified HIGH (mean ratio, or CLES); 1.0 / 0.5 = any
 * @param allowedDecrease largest effect classified LOW
 * @param criticalIncrease smallest effect of a critical metric that fails the canary
 * @param criticalDecrease largest effect of a critical metric that fails the canary
 * @param groups the groups the metric scores in; empty means the {@code default} group (native
 *     mode)
 */
public record CanaryMetric(
    String name,
    String query,
    Direction direction,
    boolean critical,
    boolean mustHaveData,
    boolean muted,
    NanStrategy nanStrategy,
    boolean removeOutliers,
    double outlierFactor,
    EffectMeasure effectMeasure,
    double allowedIncrease,
    double allowedDecrease,
    double criticalIncrease,
    double criticalDecrease,
    List<String> groups) {

  /** Which change of a metric is harmful. */
  public enum Direction {
    /** Only an increase is harmful (latency, errors). */
    INCREASE,
    /** Only a decrease is harmful (throughput, success rate). */
    DECREASE,
    /** Any significant change is harmful. */
    EITHER
  }

  /** What to do with NaN values. */
  public enum NanStrategy {
    /** Drop them; a sample left empty is no data. */
    REMOVE,
    /** Count them as 0 (e.g. error counts that are absent when nothing failed). */
    REPLACE
  }

  /** How the size of a change is measured. */
  public enum EffectMeasure {
    /** mean(canary) / mean(baseline); NaN (ignored) when a mean is 0. */
    MEAN_RATIO,
    /** Common-language effect size P(canary > baseline) + P(equal)/2, in [0, 1]. */
    CLES
  }

  /** Validates and copies. */
  public CanaryMetric {
    if (name == null || name.isBlank()) {
      throw new InvalidSpecException("metrics.name", "is blank", "name every metric");
    }
    if (query == null || query.isBlank()) {
      throw new InvalidSpecException(
          "metrics." + name + ".query", "is blank", "write the metric's query template");
    }
    Objects.requireNonNull(direction, "direction");
    Objects.requireNonNull(nanStrategy, "nanStrategy");
    Objects.requireNonNull(effectMeasure, "effectMeasure");
    if (!(outlierFactor > 0)) {
      throw new InvalidSpecException(
          "metrics." + name + ".outliers.outlierFactor",
          "is " + outlierFactor,
          "use a positive IQR multiple such as 3.0");
    }
    groups = List.copyOf(groups);
  }

  /**
   * A builder with Kayenta's defaults: direction either, NaN removed, outliers kept, mean ratio 1.0
   * thresholds.
   */
  public static Builder builder(String name, String query) {
    return new Builder(name, query);
  }

  /** Builds a {@link CanaryMetric}. Not thread-safe. */
  public static final class Builder {
    private final String name;
    private final String query;
    private Direction direction = Direction.EITHER;
    private boolean critical;
    private boolean mustHaveData;
    private boolean muted;
    private NanStrategy nanStrategy = NanStrategy.REMOVE;
    private boolean removeOutliers;
    private double outlierFactor = 3.0;
    private EffectMeasure effectMeasure = EffectMeasure.MEAN_RATIO;
    private double allowedIncrease = Double.NaN;
    private double allowedDecrease = Double.NaN;
    private double criticalIncrease = Double.NaN;
    private double criticalDecrease = Double.NaN;
    private List<String> groups = List.of();

    private Builder(String name, String query) {
      this.name = name;
      this.query = query;
    }

    /** Which change is harmful (default either). */
    public Builder direction(Direction d) {
      this.direction = d;
      return this;
    }

    /** A harmful change or missing data fails the canary. */
    public Builder critical(boolean critical) {
      this.critical = critical;
      return this;
    }

    /** Missing data counts as a failed metric. */
    public Builder mustHaveData(boolean mustHaveData) {
      this.mustHaveData = mustHaveData;
      return this;
    }

    /** Reported but not scored. */
    public Builder muted(boolean muted) {
      this.muted = muted;
      return this;
    }

    /** What to do with NaN values (default remove). */
    public Builder nanStrategy(NanStrategy s) {
      this.nanStrategy = s;
      return this;
    }

    /** Drop outliers beyond {@code factor} IQRs (widened to the 1st/99th percentiles). */
    public Builder removeOutliers(double factor) {
      this.removeOutliers = true;
      this.outlierFactor = factor;
      return this;
    }

    /** The effect measure and the smallest increase / largest decrease classified as a change. */
    public Builder effectSize(
        EffectMeasure measure, double allowedIncrease, double allowedDecrease) {
      this.effectMeasure = measure;
      this.allowedIncrease = allowedIncrease;
      this.allowedDecrease = allowedDecrease;
      return this;
    }

    /** The effect beyond which a critical metric fails the canary (default: the allowed effect). */
    public Builder criticalEffect(double increase, double decrease) {
      this.criticalIncrease = increase;
      this.criticalDecrease = decrease;
      return this;
    }

    /** The groups the metric scores in. */
    public Builder groups(String... groups) {
      this.groups = List.of(groups);
      return this;
    }

    /** Builds the metric; unset effect thresholds default to "no change" (1.0 ratio, 0.5 CLES). */
    public CanaryMetric build() {
      double neutral = effectMeasure == EffectMeasure.CLES ? 0.5 : 1.0;
      double ai = Double.isNaN(allowedIncrease) ? neutral : allowedIncrease;
      double ad = Double.isNaN(allowedDecrease) ? neutral : allowedDecrease;
      return new CanaryMetric(
          name,
          query,
          direction,
          critical,
          mustHaveData,
          muted,
          nanStrategy,
          removeOutliers,
          outlierFactor,
          effectMeasure,
          ai,
          ad,
          Double.isNaN(criticalIncrease) ? neutral : criticalIncrease,
          Double.isNaN(criticalDecrease) ? neutral : criticalDecrease,
          groups);
    }
  }
}
