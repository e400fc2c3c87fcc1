// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.prometheus;

import io.cutover.provider.support.SecretSource;
import io.cutover.spi.MetricSource;
import io.cutover.spi.MetricSourceProvider;
import io.cutover.spi.ProviderConfig;
import io.cutover.spi.ProviderContext;
import java.time.Duration;
import java.util.Set;
import java.util.function.Function;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

/**
 * Creates {@link PrometheusMetricSource}s; provider name {@code prometheus}. Keys: {@code url}
 * (required), {@code timeout} (10s), {@code maxAttempts} (3), {@code retryWait} (200ms), {@code
 * breakerFailureRate} (50), {@code breakerMinimumCalls} (5), {@code breakerOpenFor} (30s), {@code
 * bearerTokenEnv} (the name of an environment variable holding a bearer token) or {@code
 * bearerTokenFile} (a file holding it, re-read before every query so rotation needs no restart),
 * {@code insecureHosts} (hosts a token may reach over plain HTTP), {@code maxResponseBytes} (16
 * MiB). A literal {@code bearerToken} is refused, without showing it. Stateless and thread-safe;
 * {@link #create} reads the token once to check it is there, and does no network I/O.
 */
public final class PrometheusMetricSourceProvider implements MetricSourceProvider {
  private final Function<String, @Nullable String> environment;

  /** For {@link java.util.ServiceLoader}: reads {@code bearerTokenEnv} from the process. */
  public PrometheusMetricSourceProvider() {
    this(System::getenv);
  }

  /** With an explicit environment (for tests and for hosts with their own secret lookup). */
  public PrometheusMetricSourceProvider(Function<String, @Nullable String> environment) {
    this.environment = environment;
  }

  @Override
  public String name() {
    return "prometheus";
  }

  @Override
  public MetricSource create(ProviderConfig config, ProviderContext context) {
    return create(config, context, null);
  }

  /** As {@link #create(ProviderConfig, ProviderContext)}, with a given OkHttp client (tests). */
  MetricSource create(
      ProviderConfig config, ProviderContext context, @Nullable OkHttpClient client) {
    config.requireOnly(
        Set.of(
            "url",
            "timeout",
            "maxAttempts",
            "retryWait",
            "breakerFailureRate",
            "breakerMinimumCalls",
            "breakerOpenFor",
            "bearerToken",
            "bearerTokenEnv",
            "bearerTokenFile",
            "insecureHosts",
            "maxResponseBytes"));
    SecretSource token = SecretSource.fromConfig(config, "bearerToken", environment);
    PrometheusMetricSource.Builder b =
        PrometheusMetricSource.builder(config.requireString("url"))
            .timeout(config.getDuration("timeout", Duration.ofSeconds(10)))
            .retries(
                config.getInt("maxAttempts", 3),
                config.getDuration("retryWait", Duration.ofMillis(200)))
            .circuitBreaker(
                (float) config.getDouble("breakerFailureRate", 50),
                config.getInt("breakerMinimumCalls", 5),
                config.getDuration("breakerOpenFor", Duration.ofSeconds(30)))
            .insecureHosts(config.getStringList("insecureHosts"))
            .maxResponseBytes(
                config.getInt(
                    "maxResponseBytes", PrometheusMetricSource.DEFAULT_MAX_RESPONSE_BYTES))
            .urlPath(config.pathOf("url"));
    if (client != null) {
      b.client(client);
    }
    if (token != null) {
      token.reveal(); // fail at creation, naming the key, if the variable or file is missing
      b.bearerToken(token::reveal);
    }
    return b.build();
  }
}
