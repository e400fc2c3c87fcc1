// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.judge;

import java.util.List;
import java.util.Map;

/**
 * The judge's overall result: every metric's finding, the group scores and the summary score with
 * its classification.
 *
 * @param metrics the findings in configuration order
 * @param groupScores score 0..100 per group (groups without data are absent)
 * @param score the summary score 0..100, rounded to two decimals
 * @param classification pass, marginal, fail or no-data
 * @param reason why the canary failed regardless of the score (critical metric, too much missing
 *     data), or empty
 */
public record JudgeReport(
    List<MetricJudgement> metrics,
    Map<String, Double> groupScores,
    double score,
    Classification classification,
    String reason) {

  /** The summary classification. */
  public enum Classification {
    /** Score at or above the pass threshold. */
    PASS,
    /** Score between the marginal and the pass threshold. */
    MARGINAL,
    /** Score below the marginal threshold, or a critical failure. */
    FAIL,
    /** Native mode: half or more of the metrics had no data; not evidence either way. */
    NODATA
  }

  /** Copies the collections. */
  public JudgeReport {
    metrics = List.copyOf(metrics);
    groupScores = Map.copyOf(groupScores);
  }
}
