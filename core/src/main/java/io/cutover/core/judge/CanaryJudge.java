// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.judge;

import io.cutover.api.InvalidSpecException;
import io.cutover.core.judge.MetricJudgement.Classification;
import io.cutover.core.judge.internal.KayentaInterval;
import io.cutover.core.judge.internal.Samples;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Compares canary samples with baseline samples per metric, classifies each metric, scores groups
 * of metrics with weights and decides the canary: a pure function of its inputs (no I/O, no clock).
 *
 * <p><b>Per metric.</b> NaN values are removed or replaced by 0, outliers optionally removed; a
 * side without values is NODATA (NODATA_FAIL with {@code mustHaveData}); identical or all-equal
 * samples PASS. Otherwise:
 *
 * <ul>
 *   <li>{@link Mode#NATIVE}: a Mann-Whitney test in the harmful direction (one-sided for increase
 *       or decrease, two-sided for either; exact distribution for small tie-free samples). The
 *       metric is HIGH (LOW) when the p-value is below 1 − confidence level, the canary ranks above
 *       (below) the baseline, and the effect size reaches the allowed increase (decrease). The
 *       Hodges-Lehmann shift and its interval are reported.
 *   <li>{@link Mode#KAYENTA}: Kayenta's NetflixACAJudge rule: HIGH when the lower end of the
 *       asymptotic interval of the shift exceeds {@code tolerance} × |shift| (LOW: the upper end is
 *       below its negative), and the effect size reaches the allowed change; both samples constant
 *       get seeded noise.
 * </ul>
 *
 * A critical metric whose effect also reaches its critical threshold, or that has no data, is a
 * critical failure.
 *
 * <p><b>Scoring</b> (both modes, Kayenta's weighted sum): muted metrics are left out; a group's
 * score is the share of PASS among its PASS, HIGH, LOW and NODATA_FAIL metrics (×100); groups
 * without such metrics count as 100; group weights are given in percent, unweighted groups share
 * the rest equally; the sum is rounded half-up to two decimals. A critical failure, or NODATA on
 * half or more of the metrics, makes the score 0 — in native mode the latter is classified {@link
 * JudgeReport.Classification#NODATA} rather than FAIL, so a gate can apply its no-data policy.
 * Score ≥ pass threshold is PASS, ≥ marginal MARGINAL, else FAIL. In native mode, metrics without a
 * group score in the group {@code default}; in Kayenta mode they score in no group, as in Kayenta.
 *
 * <p><b>Threading.</b> Immutable and thread-safe; deterministic (noise comes from a {@link Random}
 * seeded per call with the configured seed).
 */
public final class CanaryJudge {
  /** Which rules classify metrics. */
  public enum Mode {
    /** Cutover's rules: p-values with exact small-sample distributions. */
    NATIVE,
    /** Spinnaker Kayenta's NetflixACAJudge rules, for existing canary configurations. */
    KAYENTA
  }

  /**
   * One metric's configuration and samples.
   *
   * @param metric the configuration
   * @param canary the canary's values (may hold NaN)
   * @param baseline the baseline's values (may hold NaN)
   */
  public record Input(CanaryMetric metric, double[] canary, double[] baseline) {}

  private final Mode mode;
  private final double confidenceLevel;
  private final double tolerance;
  private final double passThreshold;
  private final double marginalThreshold;
  private final Map<String, Double> groupWeights;
  private final long seed;

  private CanaryJudge(Builder b) {
    this.mode = b.mode;
    this.confidenceLevel = b.confidenceLevel;
    this.tolerance = b.tolerance;
    this.passThreshold = b.passThreshold;
    this.marginalThreshold = b.marginalThreshold;
    this.groupWeights = Map.copyOf(b.groupWeights);
    this.seed = b.seed;
  }

  /** A builder: native mode, confidence 0.95, pass 95, marginal 75, no group weights, seed 0. */
  public static Builder builder() {
    return new Builder();
  }

  /** The mode. */
  public Mode mode() {
    return mode;
  }

  /** The pass threshold of the score. */
  public double passThreshold() {
    return passThreshold;
  }

  /** The marginal threshold of the score. */
  public double marginalThreshold() {
    return marginalThreshold;
  }

  /** Judges every metric and scores the canary. */
  public JudgeReport judge(List<Input> inputs) {
    Random random = new Random(seed);
    List<MetricJudgement> results = new ArrayList<>();
    for (Input in : inputs) {
      results.add(classify(in.metric(), in.canary(), in.baseline(), random));
    }
    return score(results);
  }

  MetricJudgement classify(
      CanaryMetric m, double[] canaryRaw, double[] baselineRaw, Random random) {
    boolean replace = m.nanStrategy() == CanaryMetric.NanStrategy.REPLACE;
    double[] c = Samples.handleNaN(canaryRaw, replace);
    double[] b = Samples.handleNaN(baselineRaw, replace);
    if (m.removeOutliers()) {
      c = Samples.removeOutliers(c, m.outlierFactor());
      b = Samples.removeOutliers(b, m.outlierFactor());
    }
    Arrays.sort(c);
    Arrays.sort(b);
    Finding f = new Finding(m, c, b);
    if (c.length == 0 || b.length == 0) {
      String reason =
          "no data for " + (c.length == 0 ? "the canary" : "the baseline") + " (" + m.name() + ")";
      if (mode == Mode.KAYENTA && replace) {
        return f.done(
            Classification.PASS, false, "no data, but NaN strategy 'replace' (Kayenta passes it)");
      }
      if (m.mustHaveData() && !m.critical()) {
        return f.done(Classification.NODATA_FAIL, false, reason + "; the metric must have data");
      }
      return f.done(
          Classification.NODATA, m.critical(), reason + (m.critical() ? "; critical metric" : ""));
    }
    // Samples that cannot differ report a mean ratio of 1 (no change), as Kayenta does, also
    // when both are all zeros and the ratio itself would be 0/0.
    if (Arrays.equals(c, b)) {
      f.meanRatio = 1.0;
      return f.done(Classification.PASS, false, "canary and baseline data are identical");
    }
    if (c[0] == c[c.length - 1] && b[0] == b[b.length - 1] && c[0] == b[0]) {
      f.meanRatio = 1.0;
      return f.done(Classification.PASS, false, "every value is " + c[0]);
    }
    try {
      return mode == Mode.NATIVE ? nativeRule(f) : kayentaRule(f, random);
    } catch (RuntimeException e) {
      return f.done(Classification.ERROR, false, "classification failed: " + e.getMessage());
    }
  }

  private MetricJudgement nativeRule(Finding f) {
    CanaryMetric m = f.metric;
    MannWhitney.Alternative alt =
        switch (m.direction()) {
          case INCREASE -> MannWhitney.Alternative.GREATER;
          case DECREASE -> MannWhitney.Alternative.LESS;
          case EITHER -> MannWhitney.Alternative.TWO_SIDED;
        };
    MannWhitney.Result r =
        MannWhitney.testSorted(f.canary, f.baseline, alt, MannWhitney.Method.AUTO, true);
    HodgesLehmann.Shift s = HodgesLehmann.shiftSorted(f.canary, f.baseline, confidenceLevel);
    f.pValue = r.pValue();
    f.shift = s.estimate();
    f.lower = s.lower();
    f.upper = s.upper();
    f.cles = r.u() / ((double) f.canary.length * f.baseline.length);
    boolean significant = r.pValue() < 1 - confidenceLevel;
    double half = f.canary.length * (double) f.baseline.length / 2;
    boolean up = significant && r.u() > half && m.direction() != CanaryMetric.Direction.DECREASE;
    boolean down = significant && r.u() < half && m.direction() != CanaryMetric.Direction.INCREASE;
    return decide(
        f,
        up,
        down,
        String.format(
            Locale.ROOT,
            "p=%.4g (%s, %s)",
            r.pValue(),
            r.method().name().toLowerCase(Locale.ROOT),
            alt.name().toLowerCase(Locale.ROOT).replace('_', '-')));
  }

  private MetricJudgement kayentaRule(Finding f, Random random) {
    double[] x = f.canary;
    double[] y = f.baseline;
    if (Samples.distinct(x) == 1 && Samples.distinct(y) == 1) {
      x = Samples.jitter(x, random);
      y = Samples.jitter(y, random);
      Arrays.sort(x);
      Arrays.sort(y);
    }
    double[] ci = KayentaInterval.estimate(x, y, confidenceLevel);
    f.lower = ci[0];
    f.upper = ci[1];
    f.shift = ci[2];
    f.cles =
        MannWhitney.testSorted(
                    x, y, MannWhitney.Alternative.TWO_SIDED, MannWhitney.Method.ASYMPTOTIC, true)
                .u()
            / ((double) x.length * y.length);
    double bound = tolerance * Math.abs(f.shift);
    boolean up = f.metric.direction() != CanaryMetric.Direction.DECREASE && f.lower > bound;
    boolean down = f.metric.direction() != CanaryMetric.Direction.INCREASE && f.upper < -bound;
    return decide(
        f,
        up,
        down,
        String.format(Locale.ROOT, "tolerance %.3g of |shift| = %.4g", tolerance, bound));
  }

  private MetricJudgement decide(Finding f, boolean up, boolean down, String evidence) {
    CanaryMetric m = f.metric;
    double effect = m.effectMeasure() == CanaryMetric.EffectMeasure.CLES ? f.cles : f.meanRatio;
    boolean high = up && (Double.isNaN(effect) || effect >= m.allowedIncrease());
    boolean low = !high && down && (Double.isNaN(effect) || effect <= m.allowedDecrease());
    String level = Math.round(confidenceLevel * 100) + "%";
    String stats =
        String.format(
            Locale.ROOT,
            "shift %+.4g (%s CI %.4g..%.4g), %s, mean ratio %.4g, CLES %.3f; canary n=%d mean=%.4g, baseline n=%d mean=%.4g",
            f.shift,
            level,
            f.lower,
            f.upper,
            evidence,
            f.meanRatio,
            f.cles,
            f.canary.length,
            Samples.mean(f.canary),
            f.baseline.length,
            Samples.mean(f.baseline));
    String measure = m.effectMeasure() == CanaryMetric.EffectMeasure.CLES ? "CLES" : "mean ratio";
    if (high) {
      boolean critical = m.critical() && (Double.isNaN(effect) || effect >= m.criticalIncrease());
      return f.done(
          Classification.HIGH,
          critical,
          m.name() + " is HIGH" + (critical ? " (critical)" : "") + ": " + stats);
    }
    if (low) {
      boolean critical = m.critical() && (Double.isNaN(effect) || effect <= m.criticalDecrease());
      return f.done(
          Classification.LOW,
          critical,
          m.name() + " is LOW" + (critical ? " (critical)" : "") + ": " + stats);
    }
    String why =
        up || down
            ? " (change below the allowed "
                + measure
                + " "
                + (up ? m.allowedIncrease() : m.allowedDecrease())
                + ")"
            : "";
    return f.done(Classification.PASS, false, m.name() + " passes" + why + ": " + stats);
  }

  JudgeReport score(List<MetricJudgement> all) {
    List<MetricJudgement> scored = all.stream().filter(r -> !r.muted()).toList();
    Map<String, int[]> groups = new LinkedHashMap<>(); // pass, total
    for (MetricJudgement r : scored) {
      List<String> gs =
          r.groups().isEmpty() && mode == Mode.NATIVE ? List.of("default") : r.groups();
      for (String g : gs) {
        int[] c = groups.computeIfAbsent(g, k -> new int[2]);
        switch (r.classification()) {
          case PASS -> {
            c[0]++;
            c[1]++;
          }
          case HIGH, LOW, NODATA_FAIL -> c[1]++;
          default -> {}
        }
      }
    }
    Map<String, Double> groupScores = new LinkedHashMap<>();
    groups.forEach(
        (g, c) -> {
          if (c[1] > 0) {
            groupScores.put(g, 100.0 * c[0] / c[1]);
          }
        });
    for (MetricJudgement r : scored) {
      if (r.critical() && r.classification() != Classification.PASS) {
        return new JudgeReport(
            all,
            groupScores,
            0,
            JudgeReport.Classification.FAIL,
            "critical metric failed: " + r.reason());
      }
    }
    long nodata = scored.stream().filter(r -> r.classification() == Classification.NODATA).count();
    if (!scored.isEmpty() && nodata * 2 >= scored.size()) {
      return new JudgeReport(
          all,
          groupScores,
          0,
          mode == Mode.KAYENTA
              ? JudgeReport.Classification.FAIL
              : JudgeReport.Classification.NODATA,
          nodata + " of " + scored.size() + " metrics returned NODATA (50% or more)");
    }
    double weightSum = 0;
    for (double w : groupWeights.values()) {
      weightSum += w;
    }
    Set<String> unweighted = new LinkedHashSet<>(groups.keySet());
    unweighted.removeAll(groupWeights.keySet());
    double calculated = unweighted.isEmpty() ? 0 : (100 - weightSum) / unweighted.size();
    double sum = 0;
    for (String g : groups.keySet()) {
      double effective = groupScores.getOrDefault(g, 100.0);
      sum += effective * groupWeights.getOrDefault(g, calculated) / 100;
    }
    double score = BigDecimal.valueOf(sum).setScale(2, RoundingMode.HALF_UP).doubleValue();
    JudgeReport.Classification cls =
        score >= passThreshold
            ? JudgeReport.Classification.PASS
            : score >= marginalThreshold
                ? JudgeReport.Classification.MARGINAL
                : JudgeReport.Classification.FAIL;
    return new JudgeReport(all, groupScores, score, cls, "");
  }

  /** Mutable working state of one metric's classification. */
  private static final class Finding {
    final CanaryMetric metric;
    final double[] canary;
    final double[] baseline;
    double meanRatio;
    double pValue = Double.NaN;
    double shift = Double.NaN;
    double lower = Double.NaN;
    double upper = Double.NaN;
    double cles = Double.NaN;

    Finding(CanaryMetric metric, double[] canary, double[] baseline) {
      this.metric = metric;
      this.canary = canary;
      this.baseline = baseline;
      double mc = Samples.mean(canary);
      double mb = Samples.mean(baseline);
      this.meanRatio = mc == 0 || mb == 0 ? Double.NaN : mc / mb;
    }

    MetricJudgement done(Classification c, boolean critical, String reason) {
      return new MetricJudgement(
          metric.name(),
          c,
          critical,
          metric.muted(),
          metric.groups(),
          reason,
          canary.length,
          baseline.length,
          Samples.mean(canary),
          Samples.mean(baseline),
          pValue,
          shift,
          lower,
          upper,
          meanRatio,
          cles);
    }
  }

  /** Builds a {@link CanaryJudge}. Not thread-safe. */
  public static final class Builder {
    private Mode mode = Mode.NATIVE;
    private double confidenceLevel = 0.95;
    private double tolerance = 0.25;
    private double passThreshold = 95;
    private double marginalThreshold = 75;
    private final Map<String, Double> groupWeights = new LinkedHashMap<>();
    private long seed;

    private Builder() {}

    /**
     * The mode; {@link Mode#KAYENTA} also sets Kayenta's confidence level 0.98 (change it after, if
     * needed).
     */
    public Builder mode(Mode mode) {
      this.mode = mode;
      if (mode == Mode.KAYENTA) {
        this.confidenceLevel = 0.98;
      }
      return this;
    }

    /** Confidence level of tests and intervals, in (0, 1). */
    public Builder confidenceLevel(double level) {
      if (!(level > 0 && level < 1)) {
        throw new InvalidSpecException(
            "judge.confidenceLevel",
            "is " + level,
            "use a level strictly between 0 and 1, e.g. 0.95");
      }
      this.confidenceLevel = level;
      return this;
    }

    /** Kayenta mode: the share of |shift| the interval must clear (default 0.25). */
    public Builder tolerance(double tolerance) {
      if (!(tolerance >= 0)) {
        throw new InvalidSpecException(
            "judge.tolerance", "is " + tolerance, "use 0 or more, e.g. 0.25");
      }
      this.tolerance = tolerance;
      return this;
    }

    /**
     * Score thresholds (0..100): at least {@code pass} passes, at least {@code marginal} is
     * marginal.
     */
    public Builder thresholds(double pass, double marginal) {
      if (!(marginal >= 0 && marginal <= pass && pass <= 100)) {
        throw new InvalidSpecException(
            "judge.scoreThresholds",
            "pass " + pass + ", marginal " + marginal,
            "use 0 <= marginal <= pass <= 100, e.g. pass 95, marginal 75");
      }
      this.passThreshold = pass;
      this.marginalThreshold = marginal;
      return this;
    }

    /** A group's weight in percent; weights must not exceed 100 in total. */
    public Builder groupWeight(String group, double weight) {
      if (!(weight >= 0)) {
        throw new InvalidSpecException(
            "judge.groupWeights." + group, "is " + weight, "use a non-negative weight in percent");
      }
      groupWeights.put(group, weight);
      double sum = groupWeights.values().stream().mapToDouble(Double::doubleValue).sum();
      if (sum > 100 + 1e-9) {
        throw new InvalidSpecException(
            "judge.groupWeights", "sum to " + sum, "make the group weights add up to at most 100");
      }
      return this;
    }

    /** The seed of the only randomness (Kayenta's tie-breaking noise). */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Builds the judge. */
    public CanaryJudge build() {
      return new CanaryJudge(this);
    }
  }
}
