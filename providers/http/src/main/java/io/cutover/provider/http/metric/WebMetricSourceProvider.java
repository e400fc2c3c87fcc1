// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.http.metric;

import io.cutover.api.InvalidSpecException;
import io.cutover.provider.support.SecretSource;
import io.cutover.spi.MetricSource;
import io.cutover.spi.MetricSourceProvider;
import io.cutover.spi.ProviderConfig;
import io.cutover.spi.ProviderContext;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

/**
 * Creates {@link WebMetricSource}s; provider name {@code web}. Keys: {@code url} (required, a
 * template), {@code method} ({@code GET} or {@code POST}), {@code body} (a template, for POST),
 * {@code contentType} (application/json), {@code headers} (plain headers; credential-like names
 * refused), {@code secretHeader} (the name of a header carrying a credential, default {@code
 * Authorization}) with {@code secretValueEnv} (an environment variable holding its whole value,
 * e.g. {@code Bearer abc}) or {@code secretValueFile} (a file, re-read before every request),
 * {@code insecureHosts}, {@code timeout} (10s), {@code maxAttempts} (3), {@code retryWait} (200ms),
 * {@code breakerFailureRate} (50), {@code breakerMinimumCalls} (5), {@code breakerOpenFor} (30s). A
 * literal {@code secretValue} is refused without showing it. The gate's {@code query} is the
 * JSONPath. Stateless and thread-safe; {@link #create} reads the secret once to check it is there,
 * and does no network I/O. The breaker's clock is {@link ProviderContext#clock()}.
 */
public final class WebMetricSourceProvider implements MetricSourceProvider {
  private static final Set<String> KEYS =
      Set.of(
          "url",
          "method",
          "body",
          "contentType",
          "headers",
          "secretHeader",
          "secretValue",
          "secretValueEnv",
          "secretValueFile",
          "insecureHosts",
          "timeout",
          "maxAttempts",
          "retryWait",
          "breakerFailureRate",
          "breakerMinimumCalls",
          "breakerOpenFor");

  private final Function<String, @Nullable String> environment;

  /** For {@link java.util.ServiceLoader}: reads {@code secretValueEnv} from the process. */
  public WebMetricSourceProvider() {
    this(System::getenv);
  }

  /** With an explicit environment (for tests and for hosts with their own secret lookup). */
  public WebMetricSourceProvider(Function<String, @Nullable String> environment) {
    this.environment = environment;
  }

  @Override
  public String name() {
    return "web";
  }

  @Override
  public MetricSource create(ProviderConfig config, ProviderContext context) {
    return create(config, context, null);
  }

  /** As {@link #create(ProviderConfig, ProviderContext)}, with a given OkHttp client (tests). */
  MetricSource create(
      ProviderConfig config, ProviderContext context, @Nullable OkHttpClient client) {
    config.requireOnly(KEYS);
    SecretSource secret = SecretSource.fromConfig(config, "secretValue", environment);
    if (secret == null && config.has("secretHeader")) {
      throw new InvalidSpecException(
          config.pathOf("secretHeader"),
          "names a header but no value",
          "set secretValueEnv (an environment variable) or secretValueFile (a file)");
    }
    try {
      return build(config, context, client, secret);
    } catch (InvalidSpecException e) {
      // The builder names its settings "web.<key>": name them where they sit in the user's file.
      throw new InvalidSpecException(
          e.violations().stream()
              .map(
                  v ->
                      v.path().startsWith("web.")
                          ? new InvalidSpecException.Violation(
                              config.pathOf(v.path().substring(4)), v.problem(), v.fix())
                          : v)
              .toList());
    }
  }

  private static MetricSource build(
      ProviderConfig config,
      ProviderContext context,
      @Nullable OkHttpClient client,
      @Nullable SecretSource secret) {
    WebMetricSource.Builder b =
        WebMetricSource.builder(config.requireString("url"))
            .urlPath(config.pathOf("url"))
            .method(config.getString("method", "GET"))
            .timeout(config.getDuration("timeout", Duration.ofSeconds(10)))
            .retries(
                config.getInt("maxAttempts", 3),
                config.getDuration("retryWait", Duration.ofMillis(200)))
            .circuitBreaker(
                (float) config.getDouble("breakerFailureRate", 50),
                config.getInt("breakerMinimumCalls", 5),
                config.getDuration("breakerOpenFor", Duration.ofSeconds(30)))
            .insecureHosts(config.getStringList("insecureHosts"))
            .clock(context.clock());
    String body = config.getString("body");
    if (body != null) {
      b.body(body, config.getString("contentType", "application/json"));
    }
    ProviderConfig headers = config.getConfig("headers");
    for (Map.Entry<String, Object> h : headers.asMap().entrySet()) {
      if (h.getValue() instanceof Map || h.getValue() instanceof Iterable) {
        throw new InvalidSpecException(
            headers.pathOf(h.getKey()), "is not a single value", "give the header's value as text");
      }
      b.header(h.getKey(), String.valueOf(h.getValue()));
    }
    if (client != null) {
      b.client(client);
    }
    if (secret != null) {
      secret.reveal(); // fail at creation, naming the key, if the variable or file is missing
      b.secretHeader(
          config.getString("secretHeader", "Authorization"), secret::reveal, secret.toString());
    }
    return b.build();
  }
}
