// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.judge;

import static io.cutover.core.judge.KayentaSuiteData.CLASSIFIER_SUITE;
import static org.assertj.core.api.Assertions.assertThat;

import io.cutover.core.judge.CanaryMetric.Direction;
import io.cutover.core.judge.CanaryMetric.EffectMeasure;
import io.cutover.core.judge.CanaryMetric.NanStrategy;
import io.cutover.core.judge.MetricJudgement.Classification;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Kayenta mode classifies every NetflixACAJudge case of Kayenta's classifier tests as Kayenta does:
 * each test below ports one {@code test("...")} of {@code
 * kayenta-judge/src/test/scala/com/netflix/kayenta/judge/ClassifierSuite.scala}
 * (spinnaker/kayenta@a69573be) with its inputs (from {@code kayenta-suite-data.tsv}), its
 * classifier settings and its assertions (the suite asserts labels and flags, no tolerance).
 *
 * <p>Kayenta's {@code MannWhitneyClassifier(tolerance, confLevel, effectSizeThresholds = (decrease,
 * increase), criticalThresholds = (decrease, increase), effectSizeMeasure)} maps to {@link
 * CanaryJudge.Builder#tolerance}, {@link CanaryJudge.Builder#confidenceLevel} and {@link
 * CanaryMetric.Builder#effectSize}/{@link CanaryMetric.Builder#criticalEffect}; its {@code
 * classify(control, experiment, ...)} is {@code judge(Input(metric, canary = experiment, baseline =
 * control))}; its {@code deviation} is {@link MetricJudgement#meanRatio}. The suite's three {@code
 * MeanInequalityClassifier} tests are not ported: NetflixACAJudge never uses that classifier.
 *
 * <p>Every case is also judged in native mode (same confidence level), which must classify it the
 * same way, except for the one deliberate difference documented in docs/gates.md.
 */
class KayentaClassifierSuiteTest {

  /** One classifier configuration of the suite. */
  private record Classifier(
      double tolerance,
      double confLevel,
      EffectMeasure measure,
      double allowedDecrease,
      double allowedIncrease,
      double criticalDecrease,
      double criticalIncrease) {
    /** {@code new MannWhitneyClassifier(tolerance, confLevel)}: Kayenta's defaults (1.0, 1.0). */
    static Classifier of(double tolerance, double confLevel) {
      return new Classifier(tolerance, confLevel, EffectMeasure.MEAN_RATIO, 1.0, 1.0, 1.0, 1.0);
    }

    Classifier effectSize(double decrease, double increase) {
      return new Classifier(
          tolerance, confLevel, measure, decrease, increase, criticalDecrease, criticalIncrease);
    }

    Classifier critical(double decrease, double increase) {
      return new Classifier(
          tolerance, confLevel, measure, allowedDecrease, allowedIncrease, decrease, increase);
    }

    Classifier cles(double decrease, double increase) {
      return new Classifier(
          tolerance,
          confLevel,
          EffectMeasure.CLES,
          decrease,
          increase,
          criticalDecrease,
          criticalIncrease);
    }

    MetricJudgement classify(
        String test, Direction direction, NanStrategy nan, boolean isCriticalMetric) {
      return classify(
          KayentaSuiteData.array(CLASSIFIER_SUITE, test, "experimentData"),
          KayentaSuiteData.array(CLASSIFIER_SUITE, test, "controlData"),
          direction,
          nan,
          isCriticalMetric);
    }

    MetricJudgement classify(String test, Direction direction) {
      return classify(test, direction, NanStrategy.REMOVE, false);
    }

    MetricJudgement classify(
        double[] experiment,
        double[] control,
        Direction direction,
        NanStrategy nan,
        boolean isCriticalMetric) {
      CanaryMetric metric =
          CanaryMetric.builder("m", "q")
              .direction(direction)
              .nanStrategy(nan)
              .critical(isCriticalMetric)
              .effectSize(measure, allowedIncrease, allowedDecrease)
              .criticalEffect(criticalIncrease, criticalDecrease)
              .groups("g")
              .build();
      MetricJudgement kayenta = judge(CanaryJudge.Mode.KAYENTA, metric, experiment, control);
      // Native mode classifies every case of the suite the same way, except missing data with NaN
      // strategy replace, a deliberate difference (docs/gates.md, KayentaModeDifferencesTest).
      boolean documentedDifference =
          nan == NanStrategy.REPLACE && (experiment.length == 0 || control.length == 0);
      if (!documentedDifference) {
        assertThat(judge(CanaryJudge.Mode.NATIVE, metric, experiment, control).classification())
            .as("native mode agrees with Kayenta mode")
            .isEqualTo(kayenta.classification());
      }
      return kayenta;
    }

    private MetricJudgement judge(
        CanaryJudge.Mode mode, CanaryMetric metric, double[] experiment, double[] control) {
      CanaryJudge.Builder b = CanaryJudge.builder().mode(mode).confidenceLevel(confLevel);
      if (mode == CanaryJudge.Mode.KAYENTA) {
        b.tolerance(tolerance);
      }
      return b.build()
          .judge(List.of(new CanaryJudge.Input(metric, experiment, control)))
          .metrics()
          .get(0);
    }
  }

  private static final Classifier DEFAULT = Classifier.of(0.10, 0.95);

  // ClassifierSuite: test("Mann-Whitney Classifier Test: Pass Metric")
  @Test
  void passMetric() {
    var r = DEFAULT.classify("Mann-Whitney Classifier Test: Pass Metric", Direction.EITHER);
    assertThat(r.classification()).isEqualTo(Classification.PASS);
  }

  // ClassifierSuite: test("Mann-Whitney Classifier Test: High Metric")
  @Test
  void highMetric() {
    var r = DEFAULT.classify("Mann-Whitney Classifier Test: High Metric", Direction.EITHER);
    assertThat(r.classification()).isEqualTo(Classification.HIGH);
  }

  // ClassifierSuite: test("Mann-Whitney Classifier Test: Low Metric")
  @Test
  void lowMetric() {
    var r = DEFAULT.classify("Mann-Whitney Classifier Test: Low Metric", Direction.EITHER);
    assertThat(r.classification()).isEqualTo(Classification.LOW);
  }

  // ClassifierSuite: test("Mann-Whitney Classifier Directional Test: Increase")
  @Test
  void directionalIncreaseIgnoresADecrease() {
    var r =
        DEFAULT.classify("Mann-Whitney Classifier Directional Test: Increase", Direction.INCREASE);
    assertThat(r.classification()).isEqualTo(Classification.PASS);
  }

  // ClassifierSuite: test("Mann-Whitney Classifier Directional Test: Decrease")
  @Test
  void directionalDecreaseIgnoresAnIncrease() {
    var r =
        DEFAULT.classify("Mann-Whitney Classifier Directional Test: Decrease", Direction.DECREASE);
    assertThat(r.classification()).isEqualTo(Classification.PASS);
  }

  // ClassifierSuite: test("Mann-Whitney Classifier Directional Test: High Metric")
  @Test
  void directionalHigh() {
    var r =
        DEFAULT.classify(
            "Mann-Whitney Classifier Directional Test: High Metric", Direction.INCREASE);
    assertThat(r.classification()).isEqualTo(Classification.HIGH);
    assertThat(r.critical()).isFalse();
  }

  // ClassifierSuite: test("Mann-Whitney Classifier Directional Test: Low Metric")
  @Test
  void directionalLow() {
    var r =
        DEFAULT.classify(
            "Mann-Whitney Classifier Directional Test: Low Metric", Direction.DECREASE);
    assertThat(r.classification()).isEqualTo(Classification.LOW);
  }

  // ClassifierSuite: test("Mann-Whitney Classifier Test: High Metric (Large Input)")
  // (zero-inflated: 210 values, mostly 0.0)
  @Test
  void highMetricZeroInflatedLargeInput() {
    var r =
        DEFAULT.classify(
            "Mann-Whitney Classifier Test: High Metric (Large Input)", Direction.EITHER);
    assertThat(r.classification()).isEqualTo(Classification.HIGH);
    assertThat(r.critical()).isFalse();
  }

  // ClassifierSuite: test("Mann-Whitney Classifier Test - Mean Ratio Effect Size: High")
  @Test
  void meanRatioEffectSizeHigh() {
    var r =
        DEFAULT
            .effectSize(0.8, 1.2)
            .classify(
                "Mann-Whitney Classifier Test - Mean Ratio Effect Size: High", Direction.EITHER);
    assertThat(r.classification()).isEqualTo(Classification.HIGH);
  }

  // ClassifierSuite: test("Mann-Whitney Classifier Test - Mean Ratio Effect Size: Low")
  @Test
  void meanRatioEffectSizeLow() {
    var r =
        DEFAULT
            .effectSize(0.8, 1.2)
            .classify(
                "Mann-Whitney Classifier Test - Mean Ratio Effect Size: Low", Direction.DECREASE);
    assertThat(r.classification()).isEqualTo(Classification.LOW);
  }

  // ClassifierSuite: test("Mann-Whitney Classifier Test - Mean Ratio Effect Size: Pass")
  @Test
  void meanRatioEffectSizePass() {
    var r =
        DEFAULT
            .effectSize(0.5, 1.0)
            .classify(
                "Mann-Whitney Classifier Test - Mean Ratio Effect Size: Pass",
                Direction.EITHER,
                NanStrategy.REMOVE,
                false);
    assertThat(r.classification()).isEqualTo(Classification.PASS);
  }

  // ClassifierSuite: test("Mann-Whitney Classifier Test - Mean Ratio Effect Size: Pass (Large
  // Input)") (zero-inflated)
  @Test
  void meanRatioEffectSizePassZeroInflatedLargeInput() {
    var r =
        DEFAULT
            .effectSize(1.0, 5.0)
            .classify(
                "Mann-Whitney Classifier Test - Mean Ratio Effect Size: Pass (Large Input)",
                Direction.EITHER);
    assertThat(r.classification()).isEqualTo(Classification.PASS);
  }

  // ClassifierSuite: test("Mann-Whitney Classifier Test - CLES Effect Size: Pass")
  // (zero-inflated error rates)
  @Test
  void clesEffectSizePassZeroInflated() {
    var r =
        Classifier.of(0.20, 0.98)
            .cles(0.5, 0.8)
            .classify("Mann-Whitney Classifier Test - CLES Effect Size: Pass", Direction.EITHER);
    assertThat(r.classification()).isEqualTo(Classification.PASS);
  }

  // ClassifierSuite: test("Mann-Whitney Classifier Test - CLES Effect Size: High")
  @Test
  void clesEffectSizeHigh() {
    var r =
        Classifier.of(0.20, 0.98)
            .cles(0.2, 0.8)
            .classify("Mann-Whitney Classifier Test - CLES Effect Size: High", Direction.EITHER);
    assertThat(r.classification()).isEqualTo(Classification.HIGH);
  }

  // ClassifierSuite: test("Mann-Whitney Classifier Test - CLES Effect Size: Low")
  @Test
  void clesEffectSizeLow() {
    var r =
        Classifier.of(0.20, 0.98)
            .cles(0.2, 0.8)
            .classify("Mann-Whitney Classifier Test - CLES Effect Size: Low", Direction.EITHER);
    assertThat(r.classification()).isEqualTo(Classification.LOW);
  }

  // ClassifierSuite: test("Mann-Whitney Classifier Test - Critical Effect Size: Critical High")
  @Test
  void criticalEffectSizeCriticalHigh() {
    var r =
        DEFAULT
            .critical(1.0, 1.2)
            .classify(
                "Mann-Whitney Classifier Test - Critical Effect Size: Critical High",
                Direction.EITHER,
                NanStrategy.REMOVE,
                true);
    assertThat(r.classification()).isEqualTo(Classification.HIGH);
    assertThat(r.critical()).isTrue();
  }

  // ClassifierSuite: test("Mann-Whitney Classifier Test - Critical Effect Size: Critical Low")
  @Test
  void criticalEffectSizeCriticalLow() {
    var r =
        DEFAULT
            .critical(1.2, 1.0)
            .classify(
                "Mann-Whitney Classifier Test - Critical Effect Size: Critical Low",
                Direction.EITHER,
                NanStrategy.REMOVE,
                true);
    assertThat(r.classification()).isEqualTo(Classification.LOW);
    assertThat(r.critical()).isTrue();
  }

  // ClassifierSuite: test("Mann-Whitney Classifier Test - Critical Effect Size: High")
  @Test
  void criticalEffectSizeHighButNotCritical() {
    var r =
        DEFAULT
            .effectSize(1.0, 5.0)
            .critical(1.0, 13.0)
            .classify(
                "Mann-Whitney Classifier Test - Critical Effect Size: High",
                Direction.EITHER,
                NanStrategy.REMOVE,
                true);
    assertThat(r.classification()).isEqualTo(Classification.HIGH);
    assertThat(r.critical()).isFalse();
  }

  // ClassifierSuite: test("Mann-Whitney Classifier Test - Critical Effect Size: Pass")
  @Test
  void criticalEffectSizePass() {
    var r =
        DEFAULT
            .effectSize(1.0, 13.0)
            .critical(1.0, 15.0)
            .classify(
                "Mann-Whitney Classifier Test - Critical Effect Size: Pass",
                Direction.EITHER,
                NanStrategy.REMOVE,
                true);
    assertThat(r.classification()).isEqualTo(Classification.PASS);
    assertThat(r.critical()).isFalse();
  }

  // ClassifierSuite: test("Mann-Whitney Classifier Test - Critical Effect Size: Critical High
  // (Default Thresholds)")
  @Test
  void criticalEffectSizeCriticalHighDefaultThresholds() {
    var r =
        DEFAULT.classify(
            "Mann-Whitney Classifier Test - Critical Effect Size: Critical High (Default"
                + " Thresholds)",
            Direction.EITHER,
            NanStrategy.REMOVE,
            true);
    assertThat(r.classification()).isEqualTo(Classification.HIGH);
    assertThat(r.critical()).isTrue();
  }

  // ClassifierSuite: test("Mann-Whitney Tied Observations")
  @Test
  void tiedObservations() {
    var r = DEFAULT.classify("Mann-Whitney Tied Observations", Direction.DECREASE);
    assertThat(r.classification()).isEqualTo(Classification.PASS);
  }

  // ClassifierSuite: test("Mann-Whitney Identical Populations")
  @Test
  void identicalPopulations() {
    var r = DEFAULT.classify("Mann-Whitney Identical Populations", Direction.DECREASE);
    assertThat(r.classification()).isEqualTo(Classification.PASS);
  }

  // ClassifierSuite: test("Mann-Whitney Leading Zero Identical Population")
  @Test
  void leadingZeroIdenticalPopulation() {
    var r = DEFAULT.classify("Mann-Whitney Leading Zero Identical Population", Direction.DECREASE);
    assertThat(r.classification()).isEqualTo(Classification.PASS);
  }

  // ClassifierSuite: test("Mann-Whitney Missing Experiment Data")
  @Test
  void missingExperimentData() {
    var r = DEFAULT.classify("Mann-Whitney Missing Experiment Data", Direction.DECREASE);
    assertThat(r.classification()).isEqualTo(Classification.NODATA);
  }

  // ClassifierSuite: test("Mann-Whitney Missing Experiment Data: Critical Metric")
  @Test
  void missingExperimentDataOfACriticalMetric() {
    var r =
        DEFAULT.classify(
            "Mann-Whitney Missing Experiment Data: Critical Metric",
            Direction.DECREASE,
            NanStrategy.REMOVE,
            true);
    assertThat(r.classification()).isEqualTo(Classification.NODATA);
    assertThat(r.critical()).isTrue();
  }

  // ClassifierSuite: test("Mann-Whitney Missing Experiment Data with NaN Replacement")
  @Test
  void missingExperimentDataWithNanReplacement() {
    var r =
        DEFAULT.classify(
            "Mann-Whitney Missing Experiment Data with NaN Replacement",
            Direction.DECREASE,
            NanStrategy.REPLACE,
            false);
    assertThat(r.classification()).isEqualTo(Classification.PASS);
  }

  // ClassifierSuite: test("Mann-Whitney Missing Data: Reason String")
  @Test
  void missingDataHasAReason() {
    var r =
        DEFAULT.classify(
            "Mann-Whitney Missing Data: Reason String",
            Direction.DECREASE,
            NanStrategy.REMOVE,
            true);
    assertThat(r.reason()).isNotBlank();
  }

  // ClassifierSuite: test("Mann-Whitney Majority Tied Observations")
  @Test
  void majorityTiedObservations() {
    var r = DEFAULT.classify("Mann-Whitney Majority Tied Observations", Direction.EITHER);
    assertThat(r.classification()).isEqualTo(Classification.PASS);
  }

  // ClassifierSuite: test("Mann-Whitney Tied Ranks") (both samples constant: noise is added)
  @Test
  void tiedRanks() {
    var r = DEFAULT.classify("Mann-Whitney Tied Ranks", Direction.EITHER);
    assertThat(r.classification()).isEqualTo(Classification.HIGH);
  }

  // ClassifierSuite: test("Mann-Whitney Tied Ranks With Zeros") (the zeros get no noise)
  @Test
  void tiedRanksWithZeros() {
    var r = DEFAULT.classify("Mann-Whitney Tied Ranks With Zeros", Direction.EITHER);
    assertThat(r.classification()).isEqualTo(Classification.HIGH);
  }

  // ClassifierSuite: test("Mann-Whitney Zero Mean: High Metric with Effect Size")
  @Test
  void zeroMeanHighIgnoresTheUndefinedEffectSize() {
    var r =
        DEFAULT
            .effectSize(0.8, 1.2)
            .classify("Mann-Whitney Zero Mean: High Metric with Effect Size", Direction.EITHER);
    assertThat(r.classification()).isEqualTo(Classification.HIGH);
    assertThat(r.meanRatio()).isNaN();
  }

  // ClassifierSuite: test("Mann-Whitney Zero Mean: Low Metric with Effect Size")
  @Test
  void zeroMeanLowIgnoresTheUndefinedEffectSize() {
    var r =
        DEFAULT
            .effectSize(0.8, 1.2)
            .classify("Mann-Whitney Zero Mean: Low Metric with Effect Size", Direction.EITHER);
    assertThat(r.classification()).isEqualTo(Classification.LOW);
    assertThat(r.meanRatio()).isNaN();
  }

  // ClassifierSuite: test("Mann-Whitney Zero Mean: Critical Metric") (an all-zero baseline)
  @Test
  void zeroMeanCriticalMetric() {
    var r =
        DEFAULT
            .critical(0.8, 1.2)
            .classify(
                "Mann-Whitney Zero Mean: Critical Metric",
                Direction.EITHER,
                NanStrategy.REPLACE,
                true);
    assertThat(r.classification()).isEqualTo(Classification.HIGH);
    assertThat(r.critical()).isTrue();
  }

  // ClassifierSuite: test("Mann-Whitney Zero Mean: Pass Metric") (both all zeros)
  @Test
  void zeroMeanPassMetricHasRatioOne() {
    var r =
        DEFAULT
            .effectSize(0.8, 1.2)
            .classify("Mann-Whitney Zero Mean: Pass Metric", Direction.EITHER);
    assertThat(r.classification()).isEqualTo(Classification.PASS);
    assertThat(r.meanRatio()).isEqualTo(1.0);
  }
}
