// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.contract.core;

import io.cutover.core.gate.BurnRateGate;
import io.cutover.core.gate.BurnRateWindow;
import io.cutover.core.gate.NoDataPolicy;
import io.cutover.core.gate.ReleaseFreezePolicy;
import io.cutover.spi.HealthGate;
import io.cutover.testkit.contract.HealthGateContract;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;

/**
 * The SLO gates pass the kit: the multi-window burn-rate gate and the release-freeze policy's gate
 * form.
 */
@DisplayName("SLO gates")
class SloGatesContractTest {

  @Nested
  @DisplayName("BurnRateGate (the candidate's error budget, 1h/5m and 6h/30m)")
  class BurnRate extends HealthGateContract {
    final Traffic traffic = new Traffic(clock(), Duration.ofHours(7));

    @Override
    protected HealthGate createGate() {
      String errorRatio =
          "ratio(http_requests_total{release=\"{{release}}\",code=~\"5..\"}[{{window}}]"
              + " / http_requests_total{release=\"{{release}}\"}[{{window}}])";
      return BurnRateGate.of(
          "burn-rate",
          traffic.source(),
          errorRatio,
          0.99,
          BurnRateWindow.DEFAULTS,
          NoDataPolicy.INCONCLUSIVE);
    }

    @Override
    protected void arrangeHealthy() {
      // Past the longest window (6 h), so earlier errors no longer burn the budget.
      traffic.quietFor(Duration.ofHours(6)).healthy(candidate());
    }

    @Override
    protected void arrangeUnhealthy() {
      traffic.failing(candidate());
    }

    @Override
    protected void arrangeNoData() {
      // No request of the candidate.
    }
  }

  /**
   * The freeze judges the service's 30-day budget, whatever release is deployed, so it declares
   * {@link #judgesTheCandidate()} false. Configured to refuse without data: a gate must never pass
   * on no data (the policy's default lets a service without history deploy; see its Javadoc).
   */
  @Nested
  @DisplayName("ReleaseFreezePolicy.asGate (the service's 30-day budget)")
  class Freeze extends HealthGateContract {
    final Traffic traffic = new Traffic(clock(), Duration.ofDays(31));

    @Override
    protected HealthGate createGate() {
      String errorRatio =
          "ratio(http_requests_total{service=\"{{service}}\",code=~\"5..\"}[{{window}}]"
              + " / http_requests_total{service=\"{{service}}\"}[{{window}}])";
      return ReleaseFreezePolicy.builder(traffic.source(), errorRatio, 0.99, clock())
          .refuseWithoutData(true)
          .build()
          .asGate("freeze");
    }

    @Override
    protected boolean judgesTheCandidate() {
      return false;
    }

    @Override
    protected void arrangeHealthy() {
      traffic.quietFor(Duration.ofDays(30)).healthy(candidate());
    }

    @Override
    protected void arrangeUnhealthy() {
      traffic.failing(candidate());
    }

    @Override
    protected void arrangeNoData() {
      // The service has no recorded request at all.
    }
  }
}
