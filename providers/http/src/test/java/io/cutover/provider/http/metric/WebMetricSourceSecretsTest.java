// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.http.metric;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.cutover.api.InvalidSpecException;
import io.cutover.core.ProviderConfigs;
import io.cutover.core.ProviderRegistry;
import io.cutover.spi.MetricQuery;
import io.cutover.spi.MetricResult;
import io.cutover.spi.MetricSource;
import io.cutover.spi.MetricSourceProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code web} provider's configuration and credentials: the secret header comes from an
 * environment variable or a file, never a literal; it is sent on the wire (checked at WireMock, the
 * real server here) but never shows in messages, results or {@code toString()}; it never travels
 * over plain HTTP to a host nobody allowed; unknown keys and bad values are named by their path.
 */
class WebMetricSourceSecretsTest {
  private static final String CANARY = "canary-7f3a9c1e-web";
  private static final String WHERE = "$.gates.errors.source";

  @RegisterExtension
  static WireMockExtension wm =
      WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  @TempDir Path dir;

  private static MetricSource create(Map<String, ?> config, Map<String, String> env) {
    return new WebMetricSourceProvider(env::get)
        .create(ProviderConfigs.of("web", WHERE, config), ProviderRegistry.create().context());
  }

  private static Map<String, Object> config(String path, Object... more) {
    Map<String, Object> m = new HashMap<>();
    m.put("url", wm.baseUrl() + path);
    m.put("insecureHosts", List.of("localhost"));
    m.put("maxAttempts", 1);
    for (int i = 0; i < more.length; i += 2) {
      m.put((String) more[i], more[i + 1]);
    }
    return m;
  }

  private static MetricQuery q() {
    return MetricQuery.instant("$.v", Map.of("release", "app-1"), Instant.now());
  }

  @Test
  @DisplayName("ServiceLoader finds the provider as 'web'")
  void discovered() {
    assertThat(
            ProviderRegistry.create().withDiscovery().context().names(MetricSourceProvider.class))
        .contains("web");
  }

  @Test
  @DisplayName("the secret header is sent, and absent from results, errors and toString()")
  void secretHeader() {
    wm.stubFor(get("/ok").willReturn(okJson("{\"v\": 1}")));
    wm.stubFor(get("/down").willReturn(aResponse().withStatus(500)));
    wm.stubFor(get("/gone").willReturn(aResponse().withStatus(404)));
    wm.stubFor(get("/word").willReturn(okJson("{\"v\": \"" + CANARY + "\"}")));
    Map<String, String> env = Map.of("API_KEY", CANARY);
    List<String> texts = new java.util.ArrayList<>();
    for (String p : List.of("/ok", "/down", "/gone", "/word")) {
      MetricSource s =
          create(
              config(
                  p,
                  "secretHeader",
                  "X-Api-Key",
                  "secretValueEnv",
                  "API_KEY",
                  "headers",
                  Map.of("Accept", "application/json")),
              env);
      texts.add(s.toString());
      try {
        MetricResult r = s.query(q());
        texts.add(r.detail());
      } catch (RuntimeException e) {
        texts.add(e.getMessage());
        texts.add(e.toString());
      }
    }
    wm.verify(
        getRequestedFor(urlPathEqualTo("/ok"))
            .withHeader("X-Api-Key", equalTo(CANARY))
            .withHeader("Accept", equalTo("application/json")));
    assertThat(texts).hasSize(11).noneMatch(t -> t.contains(CANARY));
    assertThat(texts.get(0)).contains("X-Api-Key").contains("environment variable API_KEY");
  }

  @Test
  @DisplayName("a secret file is re-read before every request, so rotation needs no restart")
  void secretFile() throws Exception {
    wm.stubFor(get(anyUrl()).willReturn(okJson("{\"v\": 1}")));
    Path f = dir.resolve("token");
    Files.writeString(f, "Bearer one\n");
    MetricSource s = create(config("/m", "secretValueFile", f.toString()), Map.of());
    s.query(q());
    Files.writeString(f, "Bearer two\n");
    s.query(q());
    wm.verify(1, getRequestedFor(anyUrl()).withHeader("Authorization", equalTo("Bearer one")));
    wm.verify(1, getRequestedFor(anyUrl()).withHeader("Authorization", equalTo("Bearer two")));
  }

  @Test
  @DisplayName("a literal secret, or a credential among the plain headers, is refused unseen")
  void literalsRefused() {
    assertThatThrownBy(() -> create(config("/m", "secretValue", CANARY), Map.of()))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining(WHERE + ".secretValue")
        .hasMessageContaining("secretValueEnv")
        .hasMessageNotContaining(CANARY);
    for (String name : List.of("Authorization", "X-Api-Key", "Cookie", "X-Auth-Token")) {
      assertThatThrownBy(
              () -> create(config("/m", "headers", Map.of(name, "Bearer " + CANARY)), Map.of()))
          .as(name)
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining(WHERE + ".headers." + name)
          .hasMessageContaining("secretHeader")
          .hasMessageNotContaining(CANARY);
    }
  }

  @Test
  @DisplayName("the secret header over plain HTTP is refused unless the host is in insecureHosts")
  void plainHttp() {
    Map<String, Object> c = config("/m", "secretValueEnv", "API_KEY");
    c.remove("insecureHosts");
    assertThatThrownBy(() -> create(c, Map.of("API_KEY", CANARY)))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining(WHERE + ".url")
        .hasMessageContaining("insecureHosts")
        .hasMessageNotContaining(CANARY);
    c.remove("secretValueEnv");
    assertThat(create(c, Map.of())).isNotNull(); // no secret, no allowance needed
    assertThat(
            WebMetricSource.builder("https://metrics.example/m")
                .secretHeader("Authorization", () -> CANARY, "test")
                .build()
                .toString())
        .doesNotContain(CANARY);
  }

  @Test
  @DisplayName(
      "credentials in the URL: user-info is refused, credential-like parameters are masked")
  void urlCredentials() {
    assertThatThrownBy(
            () ->
                create(
                    config("/m").entrySet().stream()
                        .collect(
                            java.util.stream.Collectors.toMap(
                                Map.Entry::getKey,
                                e ->
                                    e.getKey().equals("url")
                                        ? "http://user:" + CANARY + "@localhost:1/m"
                                        : e.getValue())),
                    Map.of()))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("user-info")
        .hasMessageNotContaining(CANARY);
    wm.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(503)));
    MetricSource s = create(config("/m?api_key=" + CANARY + "&release={{release}}"), Map.of());
    Throwable e = catchThrowable(() -> s.query(q()));
    assertThat(e.getMessage())
        .contains("api_key=***")
        .contains("release=app-1")
        .doesNotContain(CANARY);
  }

  @Test
  @DisplayName(
      "unknown keys, a bad method, a body with GET and a header name without value are named")
  void configErrors() {
    assertThatThrownBy(() -> create(config("/m", "jsonPath", "$.v"), Map.of()))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("jsonPath");
    assertThatThrownBy(() -> create(config("/m", "method", "PUT"), Map.of()))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining(WHERE + ".method");
    assertThatThrownBy(() -> create(config("/m", "body", "{}"), Map.of()))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining(WHERE + ".body");
    assertThatThrownBy(() -> create(config("/m", "secretHeader", "X-Api-Key"), Map.of()))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining(WHERE + ".secretHeader");
    assertThatThrownBy(() -> create(config("/m", "secretValueEnv", "NOPE"), Map.of()))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining(WHERE + ".secretValueEnv");
  }
}
