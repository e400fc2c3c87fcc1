// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.contract.core;

import io.cutover.core.gate.CompositeGate;
import io.cutover.core.gate.QueryDialect;
import io.cutover.core.gate.ThresholdGate;
import io.cutover.spi.HealthGate;
import io.cutover.testkit.contract.HealthGateContract;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;

/**
 * {@link CompositeGate} over the success-rate and p99 gates passes the kit as "all", "any" and
 * "quorum".
 */
@DisplayName("CompositeGate")
class CompositeGateContractTest {

  /** The world both children read; subclasses choose how to combine them. */
  abstract class OverGoldenSignals extends HealthGateContract {
    final Traffic traffic = new Traffic(clock(), Duration.ofHours(1));

    List<HealthGate> children() {
      return List.of(
          ThresholdGate.successRate("success-rate", traffic.source(), QueryDialect.IN_PROCESS, 0.99)
              .build(),
          ThresholdGate.durationP99("p99", traffic.source(), QueryDialect.IN_PROCESS, 0.5).build());
    }

    @Override
    protected void arrangeHealthy() {
      traffic.quietFor(window()).healthy(candidate());
    }

    @Override
    protected void arrangeUnhealthy() {
      traffic.second(candidate(), 500, 500, 2.0);
    }

    @Override
    protected void arrangeNoData() {
      // Nothing recorded: both children are inconclusive.
    }
  }

  @Nested
  @DisplayName("all")
  class All extends OverGoldenSignals {
    @Override
    protected HealthGate createGate() {
      return CompositeGate.all("golden-signals", children());
    }
  }

  @Nested
  @DisplayName("any")
  class Any extends OverGoldenSignals {
    @Override
    protected HealthGate createGate() {
      return CompositeGate.any("either-signal", children());
    }
  }

  @Nested
  @DisplayName("quorum 2 of 3")
  class Quorum extends OverGoldenSignals {
    @Override
    protected HealthGate createGate() {
      List<HealthGate> three = new java.util.ArrayList<>(children());
      three.add(
          ThresholdGate.successRate(
                  "success-rate-strict", traffic.source(), QueryDialect.IN_PROCESS, 0.995)
              .build());
      return CompositeGate.quorum("two-of-three", 2, three);
    }
  }
}
