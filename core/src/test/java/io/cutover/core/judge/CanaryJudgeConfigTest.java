// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.Verdict;
import io.cutover.api.Verdict.Outcome;
import io.cutover.core.ProviderConfigs;
import io.cutover.core.ProviderRegistry;
import io.cutover.core.gate.NoDataPolicy;
import io.cutover.core.judge.CanaryMetric.Direction;
import io.cutover.core.judge.CanaryMetric.EffectMeasure;
import io.cutover.core.judge.CanaryMetric.NanStrategy;
import io.cutover.core.judge.internal.MetricConfigs;
import io.cutover.core.metrics.InProcessMetricSource;
import io.cutover.core.metrics.InProcessMetrics;
import io.cutover.core.testing.TestContexts;
import io.cutover.spi.HealthGate;
import io.cutover.spi.HealthGateProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Judge configuration")
class CanaryJudgeConfigTest {
  private static final String HEAP_QUERY =
      "avg(jvm_memory_used_bytes{release=\"{{release}}\",area=\"heap\"})";
  private static final Map<String, String> HEAP = Map.of("jvm heap used", HEAP_QUERY);
  private final Random random = new Random(3);

  private static String kayentaJson() {
    try (var in =
        CanaryJudgeConfigTest.class.getResourceAsStream("kayenta-checkout-canary-config.json")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path kayentaFile() {
    try {
      return Path.of(
          CanaryJudgeConfigTest.class.getResource("kayenta-checkout-canary-config.json").toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static HealthGateProvider provider() {
    return ServiceLoader.load(HealthGateProvider.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(p -> p.name().equals("canary-judge"))
        .findFirst()
        .orElseThrow();
  }

  private double[] normal(int n, double mean, double sd) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = mean + sd * random.nextGaussian();
    }
    return v;
  }

  @Nested
  @DisplayName("a Kayenta canary config")
  class Kayenta {
    private final KayentaCanaryConfig config = KayentaCanaryConfig.read(kayentaFile(), HEAP);

    private CanaryMetric metric(String name) {
      return config.metrics().stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    @DisplayName(
        "reads every metric's analysis configuration, the group weights and the thresholds")
    void readsTheConfig() {
      assertThat(config.name()).isEqualTo("checkout-golden-signals");
      assertThat(config.metrics())
          .extracting(CanaryMetric::name)
          .containsExactly(
              "http 5xx ratio",
              "request latency p99",
              "request latency mean",
              "requests per second",
              "jvm heap used");
      CanaryMetric errors = metric("http 5xx ratio");
      assertThat(errors.direction()).isEqualTo(Direction.INCREASE);
      assertThat(errors.nanStrategy()).isEqualTo(NanStrategy.REPLACE);
      assertThat(errors.critical()).isTrue();
      assertThat(errors.mustHaveData()).isTrue();
      assertThat(errors.allowedIncrease()).isEqualTo(1.1);
      assertThat(errors.criticalIncrease()).isEqualTo(3.0);
      assertThat(errors.allowedDecrease()).as("unset: Kayenta's default 1").isEqualTo(1.0);
      assertThat(errors.groups()).containsExactly("Errors");
      assertThat(errors.query())
          .isEqualTo(
              "sum(rate(http_requests_total{release=\"{{release}}\",code=~\"5..\"}[1m]))"
                  + " / sum(rate(http_requests_total{release=\"{{release}}\"}[1m]))");
      CanaryMetric p99 = metric("request latency p99");
      assertThat(p99.removeOutliers()).isTrue();
      assertThat(p99.outlierFactor()).isEqualTo(3.0);
      assertThat(p99.allowedIncrease()).isEqualTo(1.2);
      assertThat(metric("request latency mean").effectMeasure()).isEqualTo(EffectMeasure.CLES);
      assertThat(metric("request latency mean").allowedIncrease()).isEqualTo(0.7);
      assertThat(metric("request latency mean").critical()).isFalse();
      assertThat(metric("requests per second").direction()).isEqualTo(Direction.DECREASE);
      assertThat(metric("requests per second").allowedDecrease()).isEqualTo(0.8);
      assertThat(metric("jvm heap used").direction()).isEqualTo(Direction.EITHER);
      assertThat(metric("jvm heap used").query())
          .as("replaced from 'queries'")
          .isEqualTo(HEAP_QUERY);
      assertThat(config.groupWeights())
          .containsExactly(
              Map.entry("Errors", 50.0), Map.entry("Latency", 30.0), Map.entry("Saturation", 20.0));
      assertThat(config.thresholds()).isEqualTo(new KayentaCanaryConfig.Thresholds(90, 70));
      CanaryJudge judge = config.judge().build();
      assertThat(judge.mode()).isEqualTo(CanaryJudge.Mode.KAYENTA);
      assertThat(judge.passThreshold()).isEqualTo(90);
      assertThat(judge.marginalThreshold()).isEqualTo(70);
    }

    /**
     * Samples per metric name: the baseline's, and the canary's scaled by {@code factor} for the
     * named metric.
     */
    private JudgeReport judge(String slowerMetric, double factor) {
      List<CanaryJudge.Input> inputs = new ArrayList<>();
      Map<String, Double> means =
          Map.of(
              "http 5xx ratio",
              0.01,
              "request latency p99",
              0.25,
              "request latency mean",
              0.05,
              "requests per second",
              500.0,
              "jvm heap used",
              2e8);
      for (CanaryMetric m : config.metrics()) {
        double mean = means.get(m.name());
        double[] baseline = normal(60, mean, mean * 0.05);
        double[] canary =
            normal(60, mean * (m.name().equals(slowerMetric) ? factor : 1), mean * 0.05);
        inputs.add(new CanaryJudge.Input(m, canary, baseline));
      }
      return config.judge().seed(5).build().judge(inputs);
    }

    @Test
    @DisplayName(
        "group weights decide the score: one of two latency metrics HIGH leaves 50 + 15 + 20 = 85, marginal")
    void weightsDecideTheScore() {
      JudgeReport healthy = judge("", 1);
      assertThat(healthy.score()).isEqualTo(100);
      assertThat(healthy.classification()).isEqualTo(JudgeReport.Classification.PASS);

      JudgeReport slow = judge("request latency p99", 1.5);
      assertThat(slow.metrics())
          .filteredOn(j -> j.metric().equals("request latency p99"))
          .singleElement()
          .extracting(MetricJudgement::classification)
          .isEqualTo(MetricJudgement.Classification.HIGH);
      assertThat(slow.groupScores()).containsEntry("Latency", 50.0).containsEntry("Errors", 100.0);
      assertThat(slow.score()).isEqualTo(85);
      assertThat(slow.classification()).isEqualTo(JudgeReport.Classification.MARGINAL);
    }

    @Test
    @DisplayName(
        "the critical error ratio fails the canary beyond its critical increase, whatever the score")
    void criticalMetricOverridesTheScore() {
      JudgeReport doubled = judge("http 5xx ratio", 2);
      assertThat(doubled.score())
          .as("HIGH, below criticalIncrease 3: the group scores 0")
          .isEqualTo(50);
      assertThat(doubled.classification()).isEqualTo(JudgeReport.Classification.FAIL);
      assertThat(doubled.reason()).isEmpty();

      JudgeReport fivefold = judge("http 5xx ratio", 5);
      assertThat(fivefold.score()).isZero();
      assertThat(fivefold.reason())
          .contains("critical metric failed")
          .contains("http 5xx ratio is HIGH (critical)");
    }

    @Test
    @DisplayName("a decrease of an increase-only metric and more throughput both pass")
    void directionsAreRespected() {
      assertThat(judge("request latency p99", 0.5).score()).isEqualTo(100);
      assertThat(judge("requests per second", 1.5).score()).isEqualTo(100);
      JudgeReport lessThroughput = judge("requests per second", 0.5);
      assertThat(lessThroughput.groupScores()).containsEntry("Saturation", 50.0);
      assertThat(lessThroughput.score()).isEqualTo(90);
    }

    @Test
    @DisplayName("every problem names the file and the JSON path inside it")
    void errorsNameTheJsonPath() {
      String json = kayentaJson();
      assertThatThrownBy(
              () ->
                  KayentaCanaryConfig.parse(
                      json.replace("\"direction\": \"decrease\"", "\"direction\": \"down\""),
                      "checkout.json",
                      HEAP))
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining(
              "checkout.json:$.metrics[3].analysisConfigurations.canary.direction")
          .hasMessageContaining("'down'")
          .hasMessageContaining("[decrease, either, increase]");
      assertThatThrownBy(() -> KayentaCanaryConfig.parse(json, "checkout.json", Map.of()))
          .hasMessageContaining("checkout.json:$.metrics[4].query.customInlineTemplate")
          .hasMessageContaining("give a query template for metric 'jvm heap used' in 'queries'");
      assertThatThrownBy(
              () ->
                  KayentaCanaryConfig.parse(
                      json.replace("\"groups\": [\"Errors\"]", "\"groups\": []"),
                      "checkout.json",
                      HEAP))
          .hasMessageContaining("checkout.json:$.metrics[0].groups");
      assertThatThrownBy(
              () ->
                  KayentaCanaryConfig.parse(
                      json.replace("\"allowedIncrease\": 1.2", "\"allowedIncrease\": \"a lot\""),
                      "checkout.json",
                      HEAP))
          .hasMessageContaining(
              "checkout.json:$.metrics[1].analysisConfigurations.canary.effectSize.allowedIncrease");
      assertThatThrownBy(
              () ->
                  KayentaCanaryConfig.parse(
                      json.replace("\"allowedIncrease\": 0.7", "\"allowedIncrease\": 1.7"),
                      "checkout.json",
                      HEAP))
          .hasMessageContaining("effectSize.allowedIncrease")
          .hasMessageContaining("between 0 and 1");
      assertThatThrownBy(
              () ->
                  KayentaCanaryConfig.parse(
                      json.replace(
                          "\"type\": \"prometheus\",\n        \"serviceType\": \"prometheus\",\n"
                              + "        \"metricName\": \"http_requests_total\",\n        \"customInlineTemplate\": \"PromQL:sum(rate(http_requests_total{release=\\\"${scope}\\\"}[1m]))\"",
                          "\"type\": \"datadog\", \"metricName\": \"trace.servlet.request.hits\""),
                      "checkout.json",
                      HEAP))
          .hasMessageContaining("checkout.json:$.metrics[3].query.type")
          .hasMessageContaining("'datadog'");
      assertThatThrownBy(
              () ->
                  KayentaCanaryConfig.parse(
                      json.replace(
                          "release=\\\"${scope}\\\"}[1m])))",
                          "release=\\\"${scope}\\\",region=\\\"${location}\\\"}[1m])))"),
                      "checkout.json",
                      HEAP))
          .hasMessageContaining("checkout.json:$.metrics[1].query.customInlineTemplate")
          .hasMessageContaining("${location}");
      assertThatThrownBy(
              () ->
                  KayentaCanaryConfig.parse(
                      json.replace("NetflixACAJudge-v1.0", "dredd-v1.0"), "checkout.json", HEAP))
          .hasMessageContaining("checkout.json:$.judge.name")
          .hasMessageContaining("dredd-v1.0");
      assertThatThrownBy(
              () ->
                  KayentaCanaryConfig.parse(
                      json.replace("\"Saturation\": 20", "\"Saturation\": 20, \"Throughput\": 0"),
                      "checkout.json",
                      HEAP))
          .hasMessageContaining("checkout.json:$.classifier.groupWeights.Throughput");
      assertThatThrownBy(
              () ->
                  KayentaCanaryConfig.parse(
                      json.replace("\"Saturation\": 20", "\"Saturation\": 40"),
                      "checkout.json",
                      HEAP))
          .hasMessageContaining("checkout.json:$.classifier.groupWeights")
          .hasMessageContaining("120");
      assertThatThrownBy(
              () ->
                  KayentaCanaryConfig.parse(
                      json.replace(
                          "\"name\": \"request latency mean\"",
                          "\"name\": \"request latency p99\""),
                      "checkout.json",
                      HEAP))
          .hasMessageContaining("checkout.json:$.metrics[2].name")
          .hasMessageContaining("second metric");
      assertThatThrownBy(
              () ->
                  KayentaCanaryConfig.parse(json, "checkout.json", Map.of("jvm heap", HEAP_QUERY)))
          .hasMessageContaining("queries.jvm heap")
          .hasMessageContaining("names no metric");
      assertThatThrownBy(
              () -> KayentaCanaryConfig.parse(json.substring(0, 400), "checkout.json", HEAP))
          .hasMessageContaining("checkout.json")
          .hasMessageContaining("is not valid JSON at line");
      assertThatThrownBy(() -> KayentaCanaryConfig.read(Path.of("/nonexistent/canary.json"), HEAP))
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("/nonexistent/canary.json")
          .hasMessageContaining("cannot be read");
    }
  }

  @Nested
  @DisplayName("the canary-judge provider")
  class Provider {
    private final String registry = "judge-" + UUID.randomUUID();
    private final InProcessMetrics metrics = InProcessMetrics.shared(registry);

    private Map<String, Object> source() {
      return Map.of("type", "in-process", "registry", registry);
    }

    private Map<String, Object> latencyMetric(Object allowedIncrease) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", "latency");
      m.put("query", "samples(latency{release=\"{{release}}\"})");
      m.put("groups", List.of("latency"));
      m.put("direction", "increase");
      m.put("effectSize", Map.of("measure", "meanRatio", "allowedIncrease", allowedIncrease));
      return m;
    }

    private HealthGate create(Map<String, Object> settings) {
      return provider()
          .create(
              ProviderConfigs.of("canary-judge", settings),
              ProviderRegistry.create().withDiscovery().context());
    }

    /**
     * Records 60 latencies of the stable release and of the candidate, {@code factor} times slower.
     */
    private Verdict judgeCandidateSlowerBy(HealthGate gate, double factor) {
      return judgeCandidateSlowerBy(gate, factor, 60);
    }

    /**
     * Records {@code n} latencies of the stable release and of the candidate, {@code factor} times
     * slower.
     */
    private Verdict judgeCandidateSlowerBy(HealthGate gate, double factor, int n) {
      for (int i = 0; i < n; i++) {
        metrics
            .histogram("latency")
            .record(0.1 + 0.01 * random.nextGaussian(), "release", TestContexts.STABLE.id());
        metrics
            .histogram("latency")
            .record(
                factor * (0.1 + 0.01 * random.nextGaussian()),
                "release",
                TestContexts.CANDIDATE.id());
      }
      return gate.evaluate(TestContexts.at(Instant.now().plusMillis(1)));
    }

    @Test
    @DisplayName("is registered with ServiceLoader and builds a working judge from its metrics")
    void nativeConfiguration() {
      Map<String, Object> settings =
          new LinkedHashMap<>(
              Map.of(
                  "name",
                  "judge",
                  "source",
                  source(),
                  "metrics",
                  List.of(latencyMetric(1.5)),
                  "step",
                  "1s",
                  "scoreThresholds",
                  Map.of("pass", 90, "marginal", 50)));
      HealthGate gate = create(settings);
      assertThat(gate).isInstanceOf(CanaryJudgeGate.class);
      assertThat(gate.name()).isEqualTo("judge");
      Verdict slightlySlower = judgeCandidateSlowerBy(gate, 1.3);
      assertThat(slightlySlower.outcome())
          .as("a 1.3x increase is below allowedIncrease 1.5: %s", slightlySlower)
          .isEqualTo(Outcome.PASS);
      assertThat(slightlySlower.reasons())
          .anyMatch(r -> r.contains("change below the allowed mean ratio 1.5"));
      Verdict twiceAsSlow = judgeCandidateSlowerBy(gate, 3);
      assertThat(twiceAsSlow.outcome()).isEqualTo(Outcome.FAIL);
      assertThat(twiceAsSlow.reasons()).anyMatch(r -> r.startsWith("HIGH latency is HIGH"));
    }

    @Test
    @DisplayName(
        "takes an inline Kayenta config whose queries are replaced for the in-process source")
    void inlineKayentaConfig() {
      Map<String, Object> canary =
          Map.of("direction", "increase", "effectSize", Map.of("allowedIncrease", 1.2));
      Map<String, Object> kayenta =
          Map.of(
              "name",
              "inline",
              "judge",
              Map.of("name", "NetflixACAJudge-v1.0"),
              "metrics",
              List.of(
                  Map.of(
                      "name",
                      "latency",
                      "groups",
                      List.of("Latency"),
                      "query",
                      Map.of("type", "prometheus", "metricName", "x"),
                      "analysisConfigurations",
                      Map.of("canary", canary))),
              "classifier",
              Map.of("groupWeights", Map.of("Latency", 100)));
      HealthGate gate =
          create(
              Map.of(
                  "name",
                  "kayenta-judge",
                  "source",
                  source(),
                  "kayentaConfig",
                  kayenta,
                  "queries",
                  Map.of("latency", "samples(latency{release=\"{{release}}\"})"),
                  "step",
                  "1s"));
      assertThat(judgeCandidateSlowerBy(gate, 1).outcome()).isEqualTo(Outcome.PASS);
      // Most of the canary's latencies 3x slower (180 of 240). With exactly half of them slower,
      // Kayenta's shift estimate lands anywhere on the flat stretch of the rank statistic between
      // the two clusters and the canary may pass, as in Kayenta (see KayentaModeDifferencesTest).
      Verdict slow = judgeCandidateSlowerBy(gate, 3, 180);
      assertThat(slow.outcome()).isEqualTo(Outcome.FAIL);
      assertThat(slow.reasons().get(0)).contains("canary FAIL with score 0");
    }

    @Test
    @DisplayName(
        "reads a Kayenta config file in Kayenta mode; thresholds given here override the config's")
    void kayentaConfigFile() {
      HealthGate gate =
          create(
              Map.of(
                  "name",
                  "judge",
                  "source",
                  Map.of("type", "in-process"),
                  "kayentaConfig",
                  kayentaFile().toString(),
                  "queries",
                  HEAP,
                  "scoreThresholds",
                  Map.of("pass", 80, "marginal", 60)));
      assertThat(gate).isInstanceOf(CanaryJudgeGate.class);
      assertThatThrownBy(
              () ->
                  create(
                      Map.of(
                          "name",
                          "judge",
                          "source",
                          Map.of("type", "in-process"),
                          "kayentaConfig",
                          kayentaFile().toString())))
          .hasMessageContaining(":$.metrics[4].query.customInlineTemplate");
      assertThatThrownBy(
              () ->
                  create(
                      Map.of(
                          "name",
                          "judge",
                          "source",
                          Map.of("type", "in-process"),
                          "kayentaConfig",
                          kayentaFile().toString(),
                          "queries",
                          Map.of("nope", "x"))))
          .hasMessageContaining("$.providers.canary-judge.queries.nope");
    }

    @Test
    @DisplayName("reads every analysis key of a native metric")
    void readsNativeMetricKeys() {
      Map<String, Object> m = new LinkedHashMap<>(latencyMetric(1.25));
      m.put("critical", true);
      m.put("mustHaveData", true);
      m.put("muted", true);
      m.put("nanStrategy", "replace");
      m.put("outliers", Map.of("strategy", "remove", "outlierFactor", 2.5));
      m.put(
          "effectSize",
          Map.of(
              "measure",
              "CLES",
              "allowedIncrease",
              0.7,
              "allowedDecrease",
              0.3,
              "criticalIncrease",
              0.9,
              "criticalDecrease",
              0.1));
      CanaryMetric metric =
          MetricConfigs.metric(ProviderConfigs.of("canary-judge", "$.metrics[0]", m));
      assertThat(metric)
          .isEqualTo(
              new CanaryMetric(
                  "latency",
                  "samples(latency{release=\"{{release}}\"})",
                  Direction.INCREASE,
                  true,
                  true,
                  true,
                  NanStrategy.REPLACE,
                  true,
                  2.5,
                  EffectMeasure.CLES,
                  0.7,
                  0.3,
                  0.9,
                  0.1,
                  List.of("latency")));
    }

    @Test
    @DisplayName("refuses wrong configurations, naming the JSON path and the fix")
    void errorsNameThePath() {
      Map<String, Object> base = Map.of("name", "judge", "source", source());
      assertThatThrownBy(() -> create(base))
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("$.providers.canary-judge.metrics")
          .hasMessageContaining("is missing");
      assertThatThrownBy(
              () ->
                  create(
                      with(
                          base, "metrics", List.of(latencyMetric(1.5)), "kayentaConfig", "x.json")))
          .hasMessageContaining("$.providers.canary-judge.metrics")
          .hasMessageContaining("together with 'kayentaConfig'");
      Map<String, Object> typo = new LinkedHashMap<>(latencyMetric(1.5));
      typo.put("directon", "increase");
      assertThatThrownBy(() -> create(with(base, "metrics", List.of(typo))))
          .hasMessageContaining("$.providers.canary-judge.metrics[0].directon");
      Map<String, Object> sideways = new LinkedHashMap<>(latencyMetric(1.5));
      sideways.put("name", "other");
      sideways.put("direction", "sideways");
      assertThatThrownBy(() -> create(with(base, "metrics", List.of(latencyMetric(1.5), sideways))))
          .hasMessageContaining("$.providers.canary-judge.metrics[1].direction")
          .hasMessageContaining("'sideways'");
      assertThatThrownBy(() -> create(with(base, "metrics", List.of(latencyMetric(-2)))))
          .hasMessageContaining("$.providers.canary-judge.metrics[0].effectSize.allowedIncrease")
          .hasMessageContaining("positive factor");
      assertThatThrownBy(
              () -> create(with(base, "metrics", List.of(latencyMetric(1.5), latencyMetric(2)))))
          .hasMessageContaining("$.providers.canary-judge.metrics[1].name");
      assertThatThrownBy(
              () ->
                  create(
                      with(
                          base,
                          "metrics",
                          List.of(latencyMetric(1.5)),
                          "groupWeights",
                          Map.of("latency", 70, "errors", 50))))
          .hasMessageContaining("$.providers.canary-judge.groupWeights")
          .hasMessageContaining("sums to 120");
      assertThatThrownBy(
              () -> create(with(base, "metrics", List.of(latencyMetric(1.5)), "tolerance", 0.3)))
          .hasMessageContaining("$.providers.canary-judge.tolerance")
          .hasMessageContaining("mode kayenta");
      assertThatThrownBy(
              () ->
                  create(
                      with(base, "metrics", List.of(latencyMetric(1.5)), "confidenceLevel", 1.5)))
          .hasMessageContaining("$.providers.canary-judge.confidenceLevel")
          .hasMessageContaining("between 0 and 1");
      assertThatThrownBy(
              () ->
                  create(
                      with(
                          base,
                          "metrics",
                          List.of(latencyMetric(1.5)),
                          "queries",
                          Map.of("a", "b"))))
          .hasMessageContaining("$.providers.canary-judge.queries")
          .hasMessageContaining("only applies with 'kayentaConfig'");
      assertThatThrownBy(
              () -> create(with(base, "metrics", List.of(latencyMetric(1.5)), "noData", "pass")))
          .hasMessageContaining("$.providers.canary-judge.noData")
          .hasMessageContaining("never a pass");
      Map<String, Object> ungrouped = new LinkedHashMap<>(latencyMetric(1.5));
      ungrouped.remove("groups");
      assertThatThrownBy(() -> create(with(base, "metrics", List.of(ungrouped), "mode", "kayenta")))
          .hasMessageContaining("$.providers.canary-judge.metrics")
          .hasMessageContaining("only groups are scored");
      assertThatThrownBy(
              () -> create(with(base, "metrics", List.of(latencyMetric(1.5)), "mode", "bayesian")))
          .hasMessageContaining("$.providers.canary-judge.mode");
      assertThatThrownBy(
              () ->
                  create(
                      Map.of(
                          "name",
                          "judge",
                          "source",
                          Map.of("type", "graphite"),
                          "metrics",
                          List.of(latencyMetric(1.5)))))
          .hasMessageContaining("$.providers.canary-judge.source.type");
    }

    private Map<String, Object> with(Map<String, Object> base, Object... keyValues) {
      Map<String, Object> m = new LinkedHashMap<>(base);
      for (int i = 0; i < keyValues.length; i += 2) {
        m.put((String) keyValues[i], keyValues[i + 1]);
      }
      return m;
    }
  }

  @Test
  @DisplayName(
      "a Kayenta-mode judge gate refuses a scored metric without a group, which could never move the score")
  void kayentaModeNeedsGroups() {
    CanaryMetric ungrouped = CanaryMetric.builder("latency", "q").build();
    var source =
        InProcessMetricSource.of(
            InProcessMetrics.create(java.time.InstantSource.system(), Duration.ofMinutes(5)));
    CanaryJudge kayenta = CanaryJudge.builder().mode(CanaryJudge.Mode.KAYENTA).build();
    assertThatThrownBy(
            () ->
                CanaryJudgeGate.of(
                    "judge",
                    source,
                    kayenta,
                    List.of(ungrouped),
                    Duration.ofSeconds(10),
                    Duration.ZERO,
                    NoDataPolicy.INCONCLUSIVE))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("gate.judge.metrics.latency.groups");
    CanaryMetric muted = CanaryMetric.builder("latency", "q").muted(true).build();
    assertThat(
            CanaryJudgeGate.of(
                    "judge",
                    source,
                    kayenta,
                    List.of(muted),
                    Duration.ofSeconds(10),
                    Duration.ZERO,
                    NoDataPolicy.INCONCLUSIVE)
                .name())
        .isEqualTo("judge");
    assertThat(
            CanaryJudgeGate.of(
                    "judge",
                    source,
                    CanaryJudge.builder().build(),
                    List.of(ungrouped),
                    Duration.ofSeconds(10),
                    Duration.ZERO,
                    NoDataPolicy.INCONCLUSIVE)
                .name())
        .as("native mode scores ungrouped metrics in 'default'")
        .isEqualTo("judge");
  }
}
