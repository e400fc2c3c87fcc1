// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.contract.core;

import io.cutover.core.metrics.InProcessMetricSource;
import io.cutover.core.metrics.InProcessMetrics;
import io.cutover.simulator.VirtualClock;
import io.cutover.spi.MetricSource;
import io.cutover.testkit.contract.MetricSourceContract;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;

/**
 * {@link InProcessMetricSource} passes the kit: a gauge-like histogram recorded every second for
 * five minutes on a virtual clock, read back as a bare selector (the raw recordings).
 */
@DisplayName("InProcessMetricSource")
class InProcessMetricSourceContractTest extends MetricSourceContract {
  private static final String RELEASE = "checkout-aaaaaaaaaaaa";
  private @Nullable KnownSeries known;

  @Override
  protected MetricSource createSource() {
    VirtualClock clock = VirtualClock.create();
    InProcessMetrics metrics = InProcessMetrics.create(clock, Duration.ofHours(1));
    Instant from = clock.instant();
    for (int s = 0; s <= 300; s++) {
      metrics
          .histogram("queue_depth_ratio")
          .record(0.25, "release", RELEASE, "service", "checkout");
      metrics
          .histogram("queue_depth_ratio")
          .record(0.5, "release", "checkout-bbbbbbbbbbbb", "service", "checkout");
      if (s < 300) {
        clock.advance(Duration.ofSeconds(1));
      }
    }
    known =
        new KnownSeries(
            "queue_depth_ratio{release=\"{{release}}\"}",
            Map.of("release", RELEASE, "service", "checkout"),
            0.25,
            from,
            clock.instant());
    return InProcessMetricSource.of(metrics);
  }

  @Override
  protected KnownSeries knownSeries() {
    if (known == null) {
      throw new IllegalStateException("createSource() has not run");
    }
    return known;
  }

  @Override
  protected String malformedQuery() {
    return "sum(queue_depth_ratio{release=}";
  }
}
