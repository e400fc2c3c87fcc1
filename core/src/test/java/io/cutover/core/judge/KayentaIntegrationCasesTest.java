// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.judge;

import static org.assertj.core.api.Assertions.assertThat;

import io.cutover.core.judge.MetricJudgement.Classification;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Kayenta's end-to-end canary cases, judged from Kayenta's own canary configs: the three tests of
 * {@code kayenta-integration-tests/src/test/java/com/netflix/kayenta/tests/standalone/
 * PrometheusStandaloneCanaryAnalysisTest.java} with the cases of {@code
 * kayenta-integration-tests/src/test/resources/application-cases.yml} (spinnaker/kayenta@a69573be).
 * The configs {@code canary-configs/prometheus/integration-test-cpu.json} and {@code
 * muted-metric.json} are copied verbatim into {@code kayenta-integration-tests/}; the score
 * thresholds are the ones Kayenta's test sends (pass 75, marginal 50, the same as the configs').
 *
 * <p>Kayenta's cases draw each gauge value uniformly from the integers [lower, upper) with an
 * unseeded {@code Random}, scraped every second for one minute and queried with a 1 s step; here 60
 * values per side are drawn the same way from several fixed seeds, and every seed must give
 * Kayenta's expected outcome.
 */
class KayentaIntegrationCasesTest {
  private static final int SAMPLES = 60;

  private static KayentaCanaryConfig config(String file, Map<String, String> queries) {
    try (InputStream in =
        Objects.requireNonNull(
            KayentaIntegrationCasesTest.class.getResourceAsStream(
                "kayenta-integration-tests/" + file),
            file)) {
      return KayentaCanaryConfig.parse(
          new String(in.readAllBytes(), StandardCharsets.UTF_8), file, queries);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Kayenta's {@code RandomProvider}: integers in [lower, upper), or lower when they are equal. */
  private static double[] gauge(Random random, int lower, int upper) {
    double[] v = new double[SAMPLES];
    for (int i = 0; i < v.length; i++) {
      v[i] = lower == upper ? lower : lower + random.nextInt(upper - lower);
    }
    return v;
  }

  private static JudgeReport judge(KayentaCanaryConfig config, List<double[][]> samples) {
    List<CanaryJudge.Input> inputs = new ArrayList<>();
    for (int i = 0; i < config.metrics().size(); i++) {
      inputs.add(
          new CanaryJudge.Input(config.metrics().get(i), samples.get(i)[0], samples.get(i)[1]));
    }
    return config.judge().thresholds(75, 50).build().judge(inputs);
  }

  private static final Map<String, String> CPU =
      Map.of("CPU usage for service", "integration_test_cpu{release=\"{{release}}\"}");

  // PrometheusStandaloneCanaryAnalysisTest.canaryAnalysisIsSuccessful,
  // case cpu-successful-analysis-case: control 40..45, experiment 39..46
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
  void canaryAnalysisIsSuccessful(long seed) {
    Random random = new Random(seed);
    double[] control = gauge(random, 40, 45);
    double[] experiment = gauge(random, 39, 46);
    JudgeReport r =
        judge(
            config("integration-test-cpu.json", CPU),
            List.<double[][]>of(new double[][] {experiment, control}));
    assertThat(r.score()).isEqualTo(100.0);
    assertThat(r.classification()).isEqualTo(JudgeReport.Classification.PASS);
    assertThat(r.metrics().get(0).classification()).isEqualTo(Classification.PASS);
  }

  // PrometheusStandaloneCanaryAnalysisTest.canaryAnalysisIsFailed,
  // case cpu-marginal-analysis-case: control 10..20, experiment 20..23 (a critical metric)
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
  void canaryAnalysisIsFailed(long seed) {
    Random random = new Random(seed);
    double[] control = gauge(random, 10, 20);
    double[] experiment = gauge(random, 20, 23);
    JudgeReport r =
        judge(
            config("integration-test-cpu.json", CPU),
            List.<double[][]>of(new double[][] {experiment, control}));
    assertThat(r.score()).isEqualTo(0.0);
    assertThat(r.classification()).isEqualTo(JudgeReport.Classification.FAIL);
    assertThat(r.metrics().get(0).classification()).isEqualTo(Classification.HIGH);
    assertThat(r.metrics().get(0).critical()).isTrue();
  }

  // PrometheusStandaloneCanaryAnalysisTest.mutedMetricsAreNotTakenIntoFinalScore,
  // case muted-metric-analysis-case: a critical but muted metric at 1000 against 40..45 is HIGH
  // and does not fail the canary
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
  void mutedMetricsAreNotTakenIntoFinalScore(long seed) {
    Random random = new Random(seed);
    double[] failingControl = gauge(random, 40, 45);
    double[] successfulControl = gauge(random, 40, 45);
    double[] failingExperiment = gauge(random, 1000, 1000);
    double[] successfulExperiment = gauge(random, 40, 45);
    KayentaCanaryConfig config =
        config(
            "muted-metric.json",
            Map.of(
                "Failing metric", "integration_failing_metric{release=\"{{release}}\"}",
                "Successful metric", "integration_successful_metric{release=\"{{release}}\"}"));
    JudgeReport r =
        judge(
            config,
            List.of(
                new double[][] {failingExperiment, failingControl},
                new double[][] {successfulExperiment, successfulControl}));
    assertThat(r.classification()).isEqualTo(JudgeReport.Classification.PASS);
    assertThat(r.metrics().get(0).metric()).isEqualTo("Failing metric");
    assertThat(r.metrics().get(0).classification()).isEqualTo(Classification.HIGH);
    assertThat(r.metrics().get(0).muted()).isTrue();
    assertThat(r.metrics().get(1).classification()).isEqualTo(Classification.PASS);
  }
}
