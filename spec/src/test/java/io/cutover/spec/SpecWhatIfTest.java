// SPDX-License-Identifier: Apache-2.0
package io.cutover.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.simulator.sizing.Regression;
import io.cutover.simulator.sizing.SizingTarget;
import io.cutover.simulator.sizing.Traffic;
import io.cutover.simulator.sizing.WhatIfReport;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What-if sizing of specs: their own strategies and gates, on synthetic metrics, no network. */
class SpecWhatIfTest {

  @Test
  void everyGateTypeOfASpecIsBuiltAndUnmodeledOnesAreNamed() {
    CutoverSpec spec = CutoverSpec.parse(CutoverSpecTest.resource("all-gates.yaml"));
    WhatIfReport report =
        SpecWhatIf.builder(spec)
            .traffic(new Traffic(100, 0.002, Duration.ofMillis(150)))
            .regression(Regression.parse("+5% errors"))
            .runs(100)
            .seed(5)
            .build()
            .run();
    // The real success-rate gate (>= 0.99) at 5 % of 100 req/s sees 300 requests a minute with
    // 5.2 % errors: it fails the first measurement almost always.
    assertThat(report.detectionProbability()).isGreaterThan(0.9);
    assertThat(report.byStep()).first().satisfies(s -> assertThat(s.step()).isEqualTo(3));
    assertThat(report.notes())
        .anySatisfy(n -> assertThat(n).contains("release-check (webhook)"))
        .anySatisfy(n -> assertThat(n).contains("approval gates [sign-off]"));
    // Prometheus at 127.0.0.1:9090 was never contacted: every query was answered synthetically.
    assertThat(report.falseAbortProbability()).isLessThan(0.2);
  }

  @Test
  void theDemoSpecsProbeBarelySeesAnErrorRegression() {
    CutoverSpec spec = CutoverSpec.parse(java.nio.file.Path.of("../docs/examples/shop.yaml"));
    WhatIfReport report =
        SpecWhatIf.builder(spec)
            .regression(Regression.parse("+2% errors"))
            .runs(400)
            .recommendRuns(50)
            .seed(1)
            .build()
            .run(new SizingTarget(Regression.errors(2), 0.9, Duration.ofMinutes(20)));
    // Six probe requests, each failing with 2.5 %: 1 - 0.975^6 = 14 %.
    assertThat(report.detectionProbability()).isBetween(0.06, 0.24);
    // 20 % + 3 x 10 s, 60 % + 3 x 10 s, then the 5 s scale-down delay.
    assertThat(report.nominalDuration()).isEqualTo(Duration.ofSeconds(65));
    assertThat(report.toText()).contains("an http-probe is modeled as one request");
  }

  @Test
  void aRefusedGateSettingIsLocatedInTheFile() {
    String yaml =
        """
        apiVersion: cutover.io/v1
        service: shop
        artifact:
          digest: example/shop@sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae
        replicas: 2
        metrics:
          prom: {type: prometheus, url: "http://127.0.0.1:9090"}
        strategy:
          canary:
            steps:
              - setWeight: 10
              - analysis: {gates: [sr], interval: 1m, count: 2}
        gates:
          sr: {type: threshold, source: prom, builtin: success-rate, threshold: 0.99, noData: maybe}
        providers:
          fleet: {type: fake}
          router: {type: fake}
        """;
    CutoverSpec spec = CutoverSpec.parse(yaml, "cutover.yaml");
    assertThatThrownBy(() -> SpecWhatIf.builder(spec).runs(10).build())
        .isInstanceOf(SpecException.class)
        .hasMessageContaining("cutover.yaml:")
        .hasMessageContaining("noData");
  }
}
