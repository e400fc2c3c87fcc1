// SPDX-License-Identifier: Apache-2.0
package io.cutover.simulator.sizing;

import io.cutover.api.InvalidSpecException;
import java.time.Duration;

/**
 * The synthetic traffic of a what-if run: the service's total request rate (split between the
 * releases by the plan's weights), the healthy error rate and the healthy 95th percentile latency.
 * Latencies are log-normal with shape {@link #LATENCY_SIGMA}; a release's latency quantiles are
 * derived from {@code latencyP95}.
 *
 * @param requestsPerSecond requests per second to the whole service, more than 0
 * @param errorRate share of requests that fail on a healthy release, in [0, 1)
 * @param latencyP95 95th percentile latency of a healthy release, more than 0
 */
public record Traffic(double requestsPerSecond, double errorRate, Duration latencyP95) {

  /** The shape (sigma of the logarithm) of the log-normal latency distribution. */
  public static final double LATENCY_SIGMA = 0.5;

  /** 50 requests per second, 0.5 % errors, p95 200 ms. */
  public static Traffic defaults() {
    return new Traffic(50, 0.005, Duration.ofMillis(200));
  }

  /** Validates every part. */
  public Traffic {
    if (!(requestsPerSecond > 0) || Double.isInfinite(requestsPerSecond)) {
      throw new InvalidSpecException(
          "traffic.requestsPerSecond", "is " + requestsPerSecond, "use a rate above 0, e.g. 50");
    }
    if (!(errorRate >= 0 && errorRate < 1)) {
      throw new InvalidSpecException(
          "traffic.errorRate", "is " + errorRate, "use a share in [0, 1), e.g. 0.005 for 0.5 %");
    }
    if (latencyP95 == null || latencyP95.isNegative() || latencyP95.isZero()) {
      throw new InvalidSpecException(
          "traffic.latencyP95", "is " + latencyP95, "use a positive duration, e.g. 200ms");
    }
  }

  /** The healthy p95 latency in seconds. */
  double p95Seconds() {
    return latencyP95.toNanos() / 1e9;
  }
}
