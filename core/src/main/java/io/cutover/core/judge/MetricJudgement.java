// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.judge;

import java.util.List;

/**
 * The judge's finding on one metric, with the numbers behind it.
 *
 * @param metric the metric's name
 * @param classification the classification
 * @param critical whether this finding fails the canary on its own
 * @param muted whether the metric is left out of the score
 * @param groups the groups it scores in
 * @param reason one line for humans explaining the classification
 * @param canaryCount values of the canary after NaN and outlier handling
 * @param baselineCount values of the baseline after NaN and outlier handling
 * @param canaryMean mean of the canary values (NaN if none)
 * @param baselineMean mean of the baseline values (NaN if none)
 * @param pValue the Mann-Whitney p-value (NaN where no test ran, and in Kayenta mode)
 * @param shift Hodges-Lehmann estimate of canary − baseline (NaN where no test ran)
 * @param shiftLower lower end of the shift's confidence interval
 * @param shiftUpper upper end of the shift's confidence interval
 * @param meanRatio mean(canary) / mean(baseline); 1 when both samples are identical or hold one and
 *     the same value (even 0); otherwise NaN when a mean is 0
 * @param cles P(canary > baseline) + P(equal)/2
 */
public record MetricJudgement(
    String metric,
    Classification classification,
    boolean critical,
    boolean muted,
    List<String> groups,
    String reason,
    int canaryCount,
    int baselineCount,
    double canaryMean,
    double baselineMean,
    double pValue,
    double shift,
    double shiftLower,
    double shiftUpper,
    double meanRatio,
    double cles) {

  /** Kayenta's metric classifications. */
  public enum Classification {
    /** No harmful change detected. */
    PASS,
    /** The canary is significantly higher. */
    HIGH,
    /** The canary is significantly lower. */
    LOW,
    /** One side had no data; not scored. */
    NODATA,
    /** No data on a metric that must have data; scored as a failure. */
    NODATA_FAIL,
    /** The comparison could not be computed. */
    ERROR
  }

  /** Copies the groups. */
  public MetricJudgement {
    groups = List.copyOf(groups);
  }
}
