// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.contract.core;

import io.cutover.core.gate.QueryDialect;
import io.cutover.core.gate.ThresholdGate;
import io.cutover.spi.HealthGate;
import io.cutover.testkit.contract.HealthGateContract;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;

/**
 * {@link ThresholdGate}'s built-in success rate over the in-process source passes the kit; so does
 * its built-in p99 duration (nested).
 */
@DisplayName("ThresholdGate (success rate, in-process)")
class ThresholdGateContractTest extends HealthGateContract {
  final Traffic traffic = new Traffic(clock(), Duration.ofHours(1));

  @Override
  protected HealthGate createGate() {
    return ThresholdGate.successRate(
            "success-rate", traffic.source(), QueryDialect.IN_PROCESS, 0.99)
        .build();
  }

  @Override
  protected void arrangeHealthy() {
    // The gate judges the last window: a healthy window is one without the earlier errors in it.
    traffic.quietFor(window()).healthy(candidate());
  }

  @Override
  protected void arrangeUnhealthy() {
    traffic.failing(candidate());
  }

  @Override
  protected void arrangeNoData() {
    // No request of the candidate was ever recorded.
  }

  @Nested
  @DisplayName("ThresholdGate (p99 duration, in-process)")
  class DurationP99 extends HealthGateContract {
    final Traffic traffic = new Traffic(clock(), Duration.ofHours(1));

    @Override
    protected HealthGate createGate() {
      return ThresholdGate.durationP99("p99", traffic.source(), QueryDialect.IN_PROCESS, 0.5)
          .build();
    }

    @Override
    protected void arrangeHealthy() {
      traffic.quietFor(window()).second(candidate(), 200, 0, 0.05);
    }

    @Override
    protected void arrangeUnhealthy() {
      traffic.second(candidate(), 200, 0, 2.0);
    }

    @Override
    protected void arrangeNoData() {
      // Requests of another release only.
      traffic.second(stable(), 200, 0, 0.05);
    }
  }
}
