// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.judge;

import static org.assertj.core.api.Assertions.assertThat;

import io.cutover.core.judge.MetricJudgement.Classification;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Kayenta mode scores like Kayenta's {@code WeightedSumScorer}: each test below ports one {@code
 * test("...")} of {@code kayenta-judge/src/test/scala/com/netflix/kayenta/judge/ScorerSuite.scala}
 * (spinnaker/kayenta@a69573be), with its classifications, groups, weights and expected summary
 * score (the suite compares scores exactly, after Kayenta's rounding to two decimals).
 *
 * <p>One deliberate difference, asserted where the suite checks it: Kayenta reports a group with no
 * scored metric (only NODATA) with group score 0.0 and a separate no-data flag, while it counts it
 * as 100 in the summary; Cutover leaves such a group out of {@link JudgeReport#groupScores()} (so a
 * reported 0 always means failing metrics) and also counts it as 100. Summary scores are the same.
 * See docs/gates.md.
 */
class KayentaScorerSuiteTest {

  private static MetricJudgement metric(
      String name, Classification c, boolean critical, String group) {
    return new MetricJudgement(
        name,
        c,
        critical,
        false,
        List.of(group),
        name + " is " + c,
        1,
        1,
        Double.NaN,
        Double.NaN,
        Double.NaN,
        Double.NaN,
        Double.NaN,
        Double.NaN,
        Double.NaN,
        Double.NaN);
  }

  private static MetricJudgement metric(String name, Classification c, String group) {
    return metric(name, c, false, group);
  }

  private static JudgeReport score(Map<String, Double> weights, MetricJudgement... results) {
    CanaryJudge.Builder b = CanaryJudge.builder().mode(CanaryJudge.Mode.KAYENTA);
    weights.forEach(b::groupWeight);
    return b.build().score(List.of(results));
  }

  // ScorerSuite: test("Weighted Sum Group Scorer: Single Metric Pass")
  @Test
  void singleMetricPass() {
    var r = score(Map.of(), metric("test-metric-pass", Classification.PASS, "test-group"));
    assertThat(r.score()).isEqualTo(100.0);
  }

  // ScorerSuite: test("Weighted Sum Group Scorer: Single Metric Fail")
  @Test
  void singleMetricFail() {
    var r = score(Map.of(), metric("test-metric-high", Classification.HIGH, "test-group"));
    assertThat(r.score()).isEqualTo(0.0);
  }

  // ScorerSuite: test("Weighted Sum Group Scorer: Single group Nodata")
  @Test
  void singleGroupNodata() {
    var r =
        score(Map.of(), metric("test-metric-nodata", Classification.NODATA, "test-group-nodata"));
    assertThat(r.score()).isEqualTo(0.0);
    // Kayenta: groupScores has the group with score 0.0 (and noData = true). Deliberate
    // difference: Cutover leaves a group without scored metrics out.
    assertThat(r.groupScores()).doesNotContainKey("test-group-nodata");
  }

  // ScorerSuite: test("Weighted Sum Group Scorer: Two Groups, one Pass, one Nodata")
  @Test
  void twoGroupsOnePassOneNodata() {
    var r =
        score(
            Map.of(),
            metric("test-metric-pass1a", Classification.PASS, "test-group-pass"),
            metric("test-metric-pass1b", Classification.PASS, "test-group-pass"),
            metric("test-metric-nodata", Classification.NODATA, "test-group-nodata"));
    // Kayenta: group scores (sorted) 0.0 and 100.0; Cutover reports only the scored group.
    assertThat(r.groupScores()).isEqualTo(Map.of("test-group-pass", 100.0));
    assertThat(r.score()).isEqualTo(100.0);
  }

  // ScorerSuite: test("Weighted Sum Group Scorer: One Group, Two Metrics")
  @Test
  void oneGroupTwoMetrics() {
    var r =
        score(
            Map.of(),
            metric("test-metric-pass", Classification.PASS, "test-group"),
            metric("test-metric-high", Classification.HIGH, "test-group"));
    assertThat(r.score()).isEqualTo(50.0);
  }

  // ScorerSuite: test("Weighted Sum Group Scorer: One Group, Three Metrics")
  @Test
  void oneGroupThreeMetrics() {
    var r =
        score(
            Map.of(),
            metric("test-metric-pass", Classification.PASS, "test-group"),
            metric("test-metric-high", Classification.HIGH, "test-group"),
            metric("test-metric-low", Classification.LOW, "test-group"));
    assertThat(r.score()).isEqualTo(33.33);
  }

  // ScorerSuite: test("Weighted Sum Group Scorer: Two Groups, Three Metrics")
  @Test
  void twoGroupsThreeMetrics() {
    var r =
        score(
            Map.of("group-1", 75.0, "group-2", 25.0),
            metric("test-metric-pass-1", Classification.PASS, "group-1"),
            metric("test-metric-pass-2", Classification.PASS, "group-1"),
            metric("test-metric-fail", Classification.HIGH, "group-2"));
    assertThat(r.score()).isEqualTo(75.0);
  }

  // ScorerSuite: test("Weighted Sum Group Scorer: Two Groups, Three Metrics (Equal Weight)")
  @Test
  void twoGroupsThreeMetricsEqualWeight() {
    var r =
        score(
            Map.of("group-1", 50.0, "group-2", 50.0),
            metric("test-metric-pass", Classification.PASS, "group-1"),
            metric("test-metric-fail-1", Classification.HIGH, "group-1"),
            metric("test-metric-fail-2", Classification.HIGH, "group-2"));
    assertThat(r.score()).isEqualTo(25.0);
  }

  // ScorerSuite: test("Weighted Sum Group Scorer: Two Groups, Three Metrics (Equal Weight), one
  // NoData")
  @Test
  void twoGroupsThreeMetricsEqualWeightOneNodata() {
    var r =
        score(
            Map.of("group-1", 50.0, "group-2", 50.0),
            metric("test-metric-pass", Classification.PASS, "group-1"),
            metric("test-metric-nodata", Classification.NODATA, "group-1"),
            metric("test-metric-fail", Classification.HIGH, "group-2"));
    assertThat(r.score()).isEqualTo(50.0);
  }

  // ScorerSuite: test("Weighted Sum Group Scorer: Two Metrics, one good (normal), one fail
  // (critical)")
  @Test
  void criticalFailureScoresZero() {
    var r =
        score(
            Map.of(),
            metric("test-metric-pass", Classification.PASS, "test-group"),
            metric("test-metric-high", Classification.HIGH, true, "test-group"));
    assertThat(r.score()).isEqualTo(0.0);
    assertThat(r.classification()).isEqualTo(JudgeReport.Classification.FAIL);
  }

  // ScorerSuite: test("Weighted Sum Group Scorer: Two Metrics, one low (normal), one good
  // (critical)")
  @Test
  void aPassingCriticalMetricDoesNotFail() {
    var r =
        score(
            Map.of(),
            metric("test-metric-low", Classification.LOW, false, "test-group"),
            metric("test-metric-pass2", Classification.PASS, true, "test-group"));
    assertThat(r.score()).isEqualTo(50.0);
  }

  // ScorerSuite: test("Weighted Sum Group Scorer: Two Metrics, one good (normal), one nodata
  // (critical)")
  @Test
  void criticalNodataScoresZero() {
    var r =
        score(
            Map.of(),
            metric("test-metric-pass", Classification.PASS, "test-group"),
            metric("test-metric-nodata", Classification.NODATA, true, "test-group"));
    assertThat(r.score()).isEqualTo(0.0);
  }

  // ScorerSuite: test("Weighted Sum Group Scorer: Two Groups (Unequal Weight), Four Metrics")
  @Test
  void twoGroupsUnequalWeightFourMetrics() {
    var r =
        score(
            Map.of("group1", 15.0, "group2", 85.0),
            metric("test-metric-high", Classification.HIGH, "group1"),
            metric("test-metric-low", Classification.LOW, "group1"),
            metric("test-metric-pass", Classification.PASS, "group1"),
            metric("test-metric-pass2", Classification.HIGH, "group2"));
    assertThat(r.score()).isEqualTo(5.0);
  }
}
