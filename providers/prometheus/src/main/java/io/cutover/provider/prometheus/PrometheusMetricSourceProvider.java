// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.prometheus;

import io.cutover.spi.MetricSource;
import io.cutover.spi.MetricSourceProvider;
import io.cutover.spi.ProviderConfig;
import io.cutover.spi.ProviderContext;
import java.time.Duration;
import java.util.Set;

/**
 * Creates {@link PrometheusMetricSource}s; provider name {@code prometheus}. Keys: {@code url}
 * (required), {@code timeout} (10s), {@code maxAttempts} (3), {@code retryWait} (200ms), {@code
 * breakerFailureRate} (50), {@code breakerMinimumCalls} (5), {@code breakerOpenFor} (30s), {@code
 * bearerToken}. Stateless and thread-safe; no I/O until a query.
 */
public final class PrometheusMetricSourceProvider implements MetricSourceProvider {
  /** Creates the factory. */
  public PrometheusMetricSourceProvider() {}

  @Override
  public String name() {
    return "prometheus";
  }

  @Override
  public MetricSource create(ProviderConfig config, ProviderContext context) {
    config.requireOnly(
        Set.of(
            "url",
            "timeout",
            "maxAttempts",
            "retryWait",
            "breakerFailureRate",
            "breakerMinimumCalls",
            "breakerOpenFor",
            "bearerToken"));
    PrometheusMetricSource.Builder b =
        PrometheusMetricSource.builder(config.requireString("url"))
            .timeout(config.getDuration("timeout", Duration.ofSeconds(10)))
            .retries(
                config.getInt("maxAttempts", 3),
                config.getDuration("retryWait", Duration.ofMillis(200)))
            .circuitBreaker(
                (float) config.getDouble("breakerFailureRate", 50),
                config.getInt("breakerMinimumCalls", 5),
                config.getDuration("breakerOpenFor", Duration.ofSeconds(30)));
    String token = config.getString("bearerToken");
    if (token != null) {
      b.bearerToken(token);
    }
    return b.build();
  }
}
