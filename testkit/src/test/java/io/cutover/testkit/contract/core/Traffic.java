// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.contract.core;

import io.cutover.api.Release;
import io.cutover.core.metrics.InProcessMetricSource;
import io.cutover.core.metrics.InProcessMetrics;
import io.cutover.simulator.VirtualClock;
import java.time.Duration;
import java.util.Random;

/**
 * Simulated request traffic recorded into an {@link InProcessMetrics} registry on the kit's virtual
 * clock: {@code http_requests_total{service,release,code}} and the histogram {@code
 * http_request_duration_seconds{service,release}}, the names the built-in gates read.
 */
final class Traffic {
  private final VirtualClock clock;
  private final InProcessMetrics metrics;
  private final Random random = new Random(7);

  Traffic(VirtualClock clock, Duration retention) {
    this.clock = clock;
    this.metrics = InProcessMetrics.create(clock, retention);
  }

  InProcessMetricSource source() {
    return InProcessMetricSource.of(metrics);
  }

  /**
   * Lets {@code d} pass without traffic, so windows that end later no longer see what came before.
   */
  Traffic quietFor(Duration d) {
    clock.advance(d);
    return this;
  }

  /** One second of healthy traffic of {@code release}: 99.9 % success, about 50 ms per request. */
  Traffic healthy(Release release) {
    return second(release, 1000, 1, 0.05);
  }

  /** One second of failing traffic of {@code release}: 80 % success, still fast. */
  Traffic failing(Release release) {
    return second(release, 800, 200, 0.05);
  }

  /**
   * One second of traffic of {@code release}: {@code ok} and {@code errors} requests whose
   * durations are uniform in [0.8, 1.2] × {@code latencySeconds} (one duration recorded per 10
   * requests, to keep quantiles cheap under the kit's concurrency test).
   */
  Traffic second(Release release, int ok, int errors, double latencySeconds) {
    clock.advance(Duration.ofSeconds(1));
    String service = release.service();
    metrics
        .counter("http_requests_total")
        .add(ok, "service", service, "release", release.id(), "code", "200");
    if (errors > 0) {
      metrics
          .counter("http_requests_total")
          .add(errors, "service", service, "release", release.id(), "code", "503");
    }
    for (int i = 0; i < (ok + errors) / 10; i++) {
      metrics
          .histogram("http_request_duration_seconds")
          .record(
              latencySeconds * (0.8 + 0.4 * random.nextDouble()),
              "service",
              service,
              "release",
              release.id());
    }
    return this;
  }
}
