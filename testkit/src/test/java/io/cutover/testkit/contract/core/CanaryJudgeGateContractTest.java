// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.contract.core;

import io.cutover.core.gate.NoDataPolicy;
import io.cutover.core.judge.CanaryJudge;
import io.cutover.core.judge.CanaryJudgeGate;
import io.cutover.core.judge.CanaryMetric;
import io.cutover.spi.HealthGate;
import io.cutover.testkit.contract.HealthGateContract;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;

/**
 * {@link CanaryJudgeGate} passes the kit in both modes, comparing the request durations of the
 * candidate and the stable release recorded in the in-process registry.
 */
@DisplayName("CanaryJudgeGate")
class CanaryJudgeGateContractTest {

  /** Canary and baseline traffic; "unhealthy" is a canary three times slower than its baseline. */
  abstract class OverLatency extends HealthGateContract {
    final Traffic traffic = new Traffic(clock(), Duration.ofHours(1));

    abstract CanaryJudge judge();

    @Override
    protected HealthGate createGate() {
      CanaryMetric latency =
          CanaryMetric.builder("latency", "http_request_duration_seconds{release=\"{{release}}\"}")
              .direction(CanaryMetric.Direction.INCREASE)
              .groups("latency")
              .effectSize(CanaryMetric.EffectMeasure.MEAN_RATIO, 1.2, 1.0)
              .build();
      return CanaryJudgeGate.of(
          "judge",
          traffic.source(),
          judge(),
          List.of(latency),
          Duration.ofSeconds(10),
          Duration.ZERO,
          NoDataPolicy.INCONCLUSIVE);
    }

    private void seconds(int n, double canaryLatency) {
      for (int i = 0; i < n; i++) {
        traffic.second(stable(), 100, 0, 0.05).second(candidate(), 100, 0, canaryLatency);
      }
    }

    @Override
    protected void arrangeHealthy() {
      traffic.quietFor(window());
      seconds(20, 0.05);
    }

    @Override
    protected void arrangeUnhealthy() {
      seconds(20, 0.15);
    }

    @Override
    protected void arrangeNoData() {
      // Neither release has served a request.
    }
  }

  @Nested
  @DisplayName("native mode (Mann-Whitney p-value and mean ratio)")
  class Native extends OverLatency {
    @Override
    CanaryJudge judge() {
      return CanaryJudge.builder().build();
    }
  }

  @Nested
  @DisplayName("Kayenta mode (NetflixACAJudge rules)")
  class Kayenta extends OverLatency {
    @Override
    CanaryJudge judge() {
      return CanaryJudge.builder().mode(CanaryJudge.Mode.KAYENTA).seed(11).build();
    }
  }
}
