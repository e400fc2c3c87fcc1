// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.ProviderException;
import io.cutover.core.ProviderConfigs;
import io.cutover.core.ProviderRegistry;
import io.cutover.spi.MetricQuery;
import io.cutover.spi.MetricSource;
import io.cutover.testfixtures.PrometheusServer;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 item 4: the bearer token never comes from a configuration literal, never travels over
 * plain HTTP to a host nobody allowed, and neither it nor URL credentials show in messages or
 * {@code toString()}. The token that is sent is checked on the wire to a real Prometheus (an OkHttp
 * network interceptor records the request headers).
 */
class PrometheusSecretsTest {
  private static final String CANARY = "canary-token-7f3a9c1e";
  private static PrometheusServer prometheus;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    PrometheusServer.requireBinary();
    prometheus = PrometheusServer.start(PrometheusServer.freePort(), Duration.ofSeconds(10));
  }

  @AfterAll
  static void stop() throws Exception {
    if (prometheus != null) {
      prometheus.close();
    }
  }

  private static MetricSource create(Map<String, ?> config, Map<String, String> env) {
    return new PrometheusMetricSourceProvider(env::get)
        .create(
            ProviderConfigs.of("prometheus", "$.gates.p99.source", config),
            ProviderRegistry.create().context());
  }

  @Test
  @DisplayName("a literal bearerToken is refused, naming the env/file keys and never the value")
  void literalRefused() {
    assertThatThrownBy(
            () ->
                create(
                    Map.of(
                        "url", prometheus.url, "bearerToken", CANARY, "insecureHosts", "127.0.0.1"),
                    Map.of()))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("$.gates.p99.source.bearerToken")
        .hasMessageContaining("bearerTokenEnv")
        .hasMessageContaining("bearerTokenFile")
        .hasMessageNotContaining(CANARY);
  }

  @Test
  @DisplayName("a token over plain HTTP is refused unless its host is in insecureHosts")
  void plainHttpRefused() {
    assertThatThrownBy(
            () ->
                create(
                    Map.of("url", prometheus.url, "bearerTokenEnv", "PROM_TOKEN"),
                    Map.of("PROM_TOKEN", CANARY)))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("$.gates.p99.source.url")
        .hasMessageContaining("insecureHosts")
        .hasMessageNotContaining(CANARY);
    assertThatThrownBy(
            () ->
                PrometheusMetricSource.builder("http://prometheus.example:9090")
                    .bearerToken(CANARY)
                    .insecureHosts(List.of("other.example"))
                    .build())
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("plain HTTP");
    // HTTPS needs no allowance; plain HTTP without a token neither.
    assertThat(
            PrometheusMetricSource.builder("https://prometheus.example")
                .bearerToken(CANARY)
                .build())
        .isNotNull();
    assertThat(create(Map.of("url", prometheus.url), Map.of())).isNotNull();
  }

  @Test
  @DisplayName("a missing variable or file fails at creation, naming the key")
  void missingSource() {
    assertThatThrownBy(
            () ->
                create(
                    Map.of(
                        "url",
                        prometheus.url,
                        "bearerTokenEnv",
                        "PROM_TOKEN",
                        "insecureHosts",
                        "127.0.0.1"),
                    Map.of()))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("$.gates.p99.source.bearerTokenEnv")
        .hasMessageContaining("PROM_TOKEN");
    assertThatThrownBy(
            () ->
                create(
                    Map.of(
                        "url",
                        prometheus.url,
                        "bearerTokenFile",
                        dir.resolve("absent").toString(),
                        "insecureHosts",
                        "127.0.0.1"),
                    Map.of()))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("$.gates.p99.source.bearerTokenFile");
  }

  @Test
  @DisplayName("the token from the environment is sent to an allowed host; toString hides it")
  void envTokenSent() {
    List<String> sent = new CopyOnWriteArrayList<>();
    MetricSource source =
        recordingSource(
            Map.of(
                "url",
                prometheus.url,
                "bearerTokenEnv",
                "PROM_TOKEN",
                "insecureHosts",
                "127.0.0.1"),
            Map.of("PROM_TOKEN", CANARY),
            sent);

    assertThat(source.query(MetricQuery.instant("vector(1)", Map.of(), Instant.now())).isNoData())
        .isFalse();
    assertThat(sent).containsExactly("Bearer " + CANARY);
    assertThat(source.toString()).doesNotContain(CANARY).contains("bearer token");
  }

  @Test
  @DisplayName("a token file is re-read before each query, so a rotated token is used at once")
  void fileTokenRotates() throws Exception {
    Path file = dir.resolve("token");
    Files.writeString(file, "first-token\n");
    List<String> sent = new CopyOnWriteArrayList<>();
    MetricSource source =
        recordingSource(
            Map.of(
                "url",
                prometheus.url,
                "bearerTokenFile",
                file.toString(),
                "insecureHosts",
                List.of("127.0.0.1")),
            Map.of(),
            sent);

    source.query(MetricQuery.instant("vector(1)", Map.of(), Instant.now()));
    Files.writeString(file, "second-token");
    source.query(MetricQuery.instant("vector(1)", Map.of(), Instant.now()));

    assertThat(sent).containsExactly("Bearer first-token", "Bearer second-token");
  }

  @Test
  @DisplayName("URL credentials are refused and never shown; failures name the redacted URL")
  void urlCredentials() throws Exception {
    assertThatThrownBy(
            () -> create(Map.of("url", "http://admin:" + CANARY + "@127.0.0.1:9090"), Map.of()))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("user-info")
        .hasMessageNotContaining(CANARY)
        .hasMessageNotContaining("admin");
    assertThatThrownBy(() -> PrometheusMetricSource.builder("nonsense://admin:" + CANARY + "@x"))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageNotContaining(CANARY);

    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    MetricSource unreachable =
        PrometheusMetricSource.builder("http://127.0.0.1:" + closed + "/prefix/" + CANARY)
            .retries(1, Duration.ofMillis(1))
            .build();
    assertThatThrownBy(
            () -> unreachable.query(MetricQuery.instant("vector(1)", Map.of(), Instant.now())))
        .isInstanceOf(ProviderException.class)
        .hasMessageContaining("cannot reach http://127.0.0.1:" + closed + "/...")
        .hasMessageNotContaining(CANARY);
    assertThat(unreachable.toString()).doesNotContain(CANARY);
  }

  @Test
  @DisplayName("an answer larger than maxResponseBytes fails the query instead of filling the heap")
  void responseSizeIsBounded() {
    MetricSource small =
        create(Map.of("url", prometheus.url, "maxResponseBytes", 2048, "maxAttempts", 1), Map.of());
    Instant end = Instant.now();
    MetricQuery wide =
        new MetricQuery("vector(1)", Map.of(), end.minusSeconds(1000), end, Duration.ofSeconds(1));

    assertThatThrownBy(() -> small.query(wide))
        .isInstanceOfSatisfying(ProviderException.class, e -> assertThat(e.retryable()).isFalse())
        .hasMessageContaining("larger than 2048 bytes");
    // The same range fits the default limit, and a small answer fits the small one.
    assertThat(create(Map.of("url", prometheus.url), Map.of()).query(wide).samples())
        .hasSizeGreaterThan(900);
    assertThat(small.query(MetricQuery.instant("vector(1)", Map.of(), end)).isNoData()).isFalse();
  }

  private static MetricSource recordingSource(
      Map<String, ?> config, Map<String, String> env, List<String> sent) {
    PrometheusMetricSource built = (PrometheusMetricSource) create(config, env);
    assertThat(built).isNotNull();
    // Rebuild with a client whose network interceptor records what goes on the wire; the
    // factory's own checks ran above on the same configuration.
    OkHttpClient client =
        new OkHttpClient.Builder()
            .addNetworkInterceptor(
                chain -> {
                  String auth = chain.request().header("Authorization");
                  sent.add(auth == null ? "(none)" : auth);
                  return chain.proceed(chain.request());
                })
            .build();
    return new PrometheusMetricSourceProvider(env::get)
        .create(
            ProviderConfigs.of("prometheus", "$.gates.p99.source", config),
            ProviderRegistry.create().context(),
            client);
  }
}
