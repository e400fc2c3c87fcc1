// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.http.metric;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.ProviderException;
import io.cutover.spi.MetricQuery;
import io.cutover.spi.MetricResult;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link WebMetricSource} against WireMock, the real HTTP server of these tests (a web metric
 * endpoint is any HTTP service): templating, JSONPath extraction, no data, malformed answers,
 * retries and the circuit breaker.
 */
class WebMetricSourceTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @RegisterExtension
  static WireMockExtension wm =
      WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  private static WebMetricSource.Builder source(String pathAndQuery) {
    return WebMetricSource.builder(wm.baseUrl() + pathAndQuery)
        .retries(3, Duration.ofMillis(1))
        .timeout(Duration.ofSeconds(5));
  }

  private static MetricQuery instant(String path, Map<String, String> labels) {
    return MetricQuery.instant(path, labels, T0.plusSeconds(120));
  }

  private static MetricQuery range(String path) {
    return new MetricQuery(path, Map.of(), T0, T0.plusSeconds(120), Duration.ofSeconds(30));
  }

  private static int requests() {
    return wm.getAllServeEvents().size();
  }

  @Nested
  @DisplayName("templates")
  class Templates {
    @Test
    @DisplayName(
        "labels and the window fill the URL, percent-encoded, so they cannot add parameters")
    void url() {
      wm.stubFor(get(anyUrl()).willReturn(okJson("{\"v\": 1}")));
      WebMetricSource s = source("/r/{{release}}/m?w={{window}}&from={{start}}&to={{end}}").build();

      MetricResult r = s.query(instant("$.v", Map.of("release", "a b/ç&x=1", "window", "5m")));

      assertThat(r.last()).isEqualTo(1.0);
      String sent = wm.getAllServeEvents().get(0).getRequest().getUrl();
      assertThat(sent)
          .isEqualTo("/r/a%20b%2F%C3%A7%26x%3D1/m?w=5m&from=1767225720.000&to=1767225720.000");
      assertThat(r.detail())
          .contains("GET ")
          .contains("/r/a%20b%2F%C3%A7%26x%3D1/m")
          .endsWith("$.v");
    }

    @Test
    @DisplayName("a label in a query parameter stays that parameter's value")
    void noInjection() {
      wm.stubFor(get(anyUrl()).willReturn(okJson("{\"v\": 1}")));
      source("/m?release={{release}}")
          .build()
          .query(instant("$.v", Map.of("release", "x&admin=1")));
      wm.verify(
          getRequestedFor(urlPathEqualTo("/m"))
              .withQueryParam("release", equalTo("x&admin=1"))
              .withoutQueryParam("admin"));
    }

    @Test
    @DisplayName("a range query fills {{step}} in seconds; the path is a template too")
    void stepAndPath() {
      wm.stubFor(
          get(anyUrl()).willReturn(okJson("{\"byRelease\": {\"app-1\": 0.5, \"app-2\": 0.7}}")));
      MetricResult r =
          source("/m?step={{step}}")
              .build()
              .query(
                  new MetricQuery(
                      "$.byRelease['{{release}}']",
                      Map.of("release", "app-2"),
                      T0,
                      T0.plusSeconds(60),
                      Duration.ofSeconds(15)));
      assertThat(r.values()).containsExactly(0.7);
      wm.verify(getRequestedFor(urlPathEqualTo("/m")).withQueryParam("step", equalTo("15.000")));
    }

    @Test
    @DisplayName("a placeholder nothing fills is refused before any request, naming it")
    void unfilled() {
      WebMetricSource s = source("/m/{{tenant}}").build();
      InvalidSpecException e =
          catchThrowableOfType(
              InvalidSpecException.class,
              () -> s.query(instant("$.v", Map.of("release", "app-1"))));
      assertThat(e.path()).isEqualTo("url");
      assertThat(e.getMessage()).contains("{{tenant}}").contains("release");
      assertThat(requests()).isZero();
    }

    @Test
    @DisplayName("POST sends the body template with JSON-escaped values")
    void postBody() {
      wm.stubFor(post("/q").willReturn(okJson("{\"data\": {\"value\": \"0.25\"}}")));
      WebMetricSource s =
          source("/q")
              .method("POST")
              .body(
                  "{\"release\": \"{{release}}\", \"from\": {{start}}, \"to\": {{end}}}",
                  "application/json")
              .build();

      MetricResult r = s.query(instant("$.data.value", Map.of("release", "a\"b\\c")));

      assertThat(r.last()).isEqualTo(0.25);
      wm.verify(
          postRequestedFor(urlPathEqualTo("/q"))
              .withHeader("Content-Type", containing("application/json"))
              .withRequestBody(
                  equalToJson(
                      "{\"release\": \"a\\\"b\\\\c\", \"from\": 1767225720.000,"
                          + " \"to\": 1767225720.000}")));
    }

    @Test
    @DisplayName("a body with GET, a method other than GET/POST and a templated host are refused")
    void refusedShapes() {
      assertThatThrownBy(() -> source("/q").body("{}", "application/json").build())
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("web.body");
      assertThatThrownBy(() -> source("/q").method("DELETE"))
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("GET or POST");
      assertThatThrownBy(() -> WebMetricSource.builder("http://{{host}}.example/m"))
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("placeholder");
    }
  }

  @Nested
  @DisplayName("JSONPath")
  class Extraction {
    private static final String DOC =
        """
        {"a": {"num": 1.5, "text": "0.25", "nan": "NaN", "inf": "+Inf", "nul": null,
               "word": "secret-looking-text", "flag": true, "obj": {"x": 1}, "empty": []},
         "items": [{"r": "x", "v": 2}, {"r": "y", "v": 3}],
         "pts": [[1767225660, "1"], [1767225600, 2], [1767226200, 5], [1767225630, null],
                 ["2026-01-01T00:01:30Z", 4]],
         "nanPts": [[1767225600, "NaN"]],
         "badPair": [[1767225600]],
         "badTime": [[true, 1]],
         "badValue": [[1767225600, "abc"]]}
        """;

    private WebMetricSource s() {
      wm.stubFor(get("/doc").willReturn(okJson(DOC)));
      return source("/doc").build();
    }

    @Test
    @DisplayName("a number, a numeric string and a filter selecting one value read as a value")
    void values() {
      WebMetricSource s = s();
      assertThat(s.query(instant("$.a.num", Map.of())).samples())
          .containsExactly(new MetricResult.Sample(T0.plusSeconds(120), 1.5));
      assertThat(s.query(instant("a.text", Map.of())).last()).isEqualTo(0.25);
      assertThat(s.query(instant("$.a.inf", Map.of())).last()).isEqualTo(Double.POSITIVE_INFINITY);
      assertThat(
              s.query(instant("$.items[?(@.r == '{{release}}')].v", Map.of("release", "y"))).last())
          .isEqualTo(3.0);
      assertThat(s.query(instant("$.items[?(@.r in ['x'])].v", Map.of())).last()).isEqualTo(2.0);
    }

    @Test
    @DisplayName("a missing path, null, an empty list, NaN and no point in the window are no data")
    void noData() {
      WebMetricSource s = s();
      for (String p :
          List.of("$.absent", "$.a.absent", "$.a.nul", "$.a.empty", "$.a.nan", "$.nanPts")) {
        assertThat(s.query(instant(p, Map.of())).isNoData()).as(p).isTrue();
      }
      assertThat(s.query(instant("$.items[?(@.r == 'z')].v", Map.of())).isNoData()).isTrue();
      MetricQuery before =
          new MetricQuery("$.pts", Map.of(), T0.minusSeconds(600), T0.minusSeconds(1), null);
      assertThat(s.query(before).isNoData()).isTrue();
    }

    @Test
    @DisplayName("a range query gets the points inside the window, sorted; gaps are skipped")
    void series() {
      MetricResult r = s().query(range("$.pts"));
      assertThat(r.samples())
          .containsExactly(
              new MetricResult.Sample(T0, 2),
              new MetricResult.Sample(T0.plusSeconds(60), 1),
              new MetricResult.Sample(T0.plusSeconds(90), 4));
    }

    @Test
    @DisplayName("an instant query over points reads the newest at or before its time")
    void instantOverSeries() {
      assertThat(s().query(instant("$.pts", Map.of())).samples())
          .containsExactly(new MetricResult.Sample(T0.plusSeconds(90), 4));
    }

    @Test
    @DisplayName("a range query over a single number gets it once, at the end of the window")
    void rangeOverNumber() {
      assertThat(s().query(range("$.a.num")).samples())
          .containsExactly(new MetricResult.Sample(T0.plusSeconds(120), 1.5));
    }

    @Test
    @DisplayName("several values for one query are refused: comparing any one would be a bug")
    void several() {
      assertThatThrownBy(() -> s().query(instant("$.items[*].v", Map.of())))
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("$.items[*].v")
          .hasMessageContaining("selects 2 values");
    }

    @Test
    @DisplayName("a non-number is a permanent error naming the path, never showing the text")
    void nonNumbers() {
      WebMetricSource s = s();
      Map<String, String> expected =
          Map.of(
              "$.a.word", "is a string that is not a number",
              "$.a.flag", "is a boolean, not a number",
              "$.a.obj", "is an object, not a number",
              "$.badPair", "[0] is not a [time, value] pair",
              "$.badTime", "[0][0] is a boolean, not a time",
              "$.badValue", "[0][1] is a string that is not a number");
      expected.forEach(
          (p, what) -> {
            ProviderException e =
                catchThrowableOfType(ProviderException.class, () -> s.query(range(p)));
            assertThat(e).as(p).isNotNull();
            assertThat(e.retryable()).as(p).isFalse();
            assertThat(e.getMessage())
                .as(p)
                .contains("'" + p + "'" + (what.startsWith("[") ? "" : " ") + what)
                .doesNotContain("secret-looking-text")
                .doesNotContain("abc");
          });
      assertThat(requests()).isEqualTo(expected.size()); // permanent: not retried
    }

    @Test
    @DisplayName("a path that is not a JSONPath is InvalidSpecException before any request")
    void malformedPath() {
      assertThatThrownBy(() -> s().query(instant("$.a[?(@.x ==", Map.of())))
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("$.a[?(@.x ==")
          .hasMessageContaining("not a JSONPath");
      assertThat(requests()).isZero();
    }
  }

  @Nested
  @DisplayName("answers and failures")
  class Failures {
    @Test
    @DisplayName("a 2xx that is not JSON is retried, then a retryable error")
    void notJson() {
      wm.stubFor(get("/m").willReturn(aResponse().withStatus(200).withBody("<html>proxy</html>")));
      ProviderException e =
          catchThrowableOfType(
              ProviderException.class, () -> source("/m").build().query(instant("$.v", Map.of())));
      assertThat(e.retryable()).isTrue();
      assertThat(e.getMessage()).contains("is not JSON").doesNotContain("proxy");
      assertThat(requests()).isEqualTo(3);
    }

    @Test
    @DisplayName("a 404 is permanent and not retried")
    void notFound() {
      ProviderException e =
          catchThrowableOfType(
              ProviderException.class, () -> source("/m").build().query(instant("$.v", Map.of())));
      assertThat(e.retryable()).isFalse();
      assertThat(e.getMessage()).contains("HTTP 404");
      assertThat(requests()).isEqualTo(1);
    }

    @Test
    @DisplayName("503s are retried and the third answer counts")
    void retried() {
      wm.stubFor(
          get("/m")
              .inScenario("flaky")
              .whenScenarioStateIs(STARTED)
              .willReturn(aResponse().withStatus(503))
              .willSetStateTo("second"));
      wm.stubFor(
          get("/m")
              .inScenario("flaky")
              .whenScenarioStateIs("second")
              .willReturn(aResponse().withStatus(429))
              .willSetStateTo("up"));
      wm.stubFor(
          get("/m").inScenario("flaky").whenScenarioStateIs("up").willReturn(okJson("{\"v\":7}")));
      assertThat(source("/m").build().query(instant("$.v", Map.of())).last()).isEqualTo(7.0);
      assertThat(requests()).isEqualTo(3);
    }

    @Test
    @DisplayName("an answer over the cap is refused, not truncated")
    void tooLarge() {
      String big = "{\"v\": 1, \"pad\": \"" + "x".repeat(WebMetricSource.MAX_BODY_BYTES) + "\"}";
      wm.stubFor(get("/m").willReturn(okJson(big)));
      ProviderException e =
          catchThrowableOfType(
              ProviderException.class, () -> source("/m").build().query(instant("$.v", Map.of())));
      assertThat(e.retryable()).isFalse();
      assertThat(e.getMessage()).contains("larger than " + WebMetricSource.MAX_BODY_BYTES);
      assertThat(requests()).isEqualTo(1);
    }

    @Test
    @DisplayName("a redirect is not followed (it could carry the secret header elsewhere)")
    void redirect() {
      wm.stubFor(
          get("/m").willReturn(aResponse().withStatus(302).withHeader("Location", "/other")));
      wm.stubFor(get("/other").willReturn(okJson("{\"v\": 1}")));
      assertThatThrownBy(() -> source("/m").build().query(instant("$.v", Map.of())))
          .isInstanceOf(ProviderException.class)
          .hasMessageContaining("HTTP 302 redirect");
      wm.verify(0, getRequestedFor(urlPathEqualTo("/other")));
    }

    @Test
    @DisplayName("an unreachable endpoint is retryable")
    void unreachable() throws Exception {
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      ProviderException e =
          catchThrowableOfType(
              ProviderException.class,
              () ->
                  WebMetricSource.builder("http://127.0.0.1:" + port + "/m")
                      .retries(2, Duration.ofMillis(1))
                      .build()
                      .query(instant("$.v", Map.of())));
      assertThat(e.retryable()).isTrue();
      assertThat(e.getMessage()).contains("cannot reach http://127.0.0.1:" + port);
    }

    @Test
    @DisplayName("a slow answer times out as a retryable error")
    void timeout() {
      wm.stubFor(get("/m").willReturn(okJson("{\"v\": 1}").withFixedDelay(2_000)));
      ProviderException e =
          catchThrowableOfType(
              ProviderException.class,
              () ->
                  source("/m")
                      .retries(1, Duration.ofMillis(1))
                      .timeout(Duration.ofMillis(200))
                      .build()
                      .query(instant("$.v", Map.of())));
      assertThat(e.retryable()).isTrue();
    }

    @Test
    @DisplayName(
        "the breaker opens after failures, refuses without a request, half-opens by the clock")
    void breaker() {
      AtomicReference<Instant> now = new AtomicReference<>(T0);
      wm.stubFor(get("/m").willReturn(aResponse().withStatus(503)));
      WebMetricSource s =
          source("/m")
              .retries(1, Duration.ofMillis(1))
              .circuitBreaker(50, 2, Duration.ofMinutes(1))
              .clock(now::get)
              .build();
      for (int i = 0; i < 2; i++) {
        assertThatThrownBy(() -> s.query(instant("$.v", Map.of())))
            .isInstanceOf(ProviderException.class)
            .hasMessageContaining("HTTP 503");
      }
      assertThat(s.circuitBreakerState()).isEqualTo("OPEN");

      ProviderException open =
          catchThrowableOfType(ProviderException.class, () -> s.query(instant("$.v", Map.of())));
      assertThat(open.retryable()).isTrue();
      assertThat(open.getMessage()).contains("circuit breaker open");
      assertThat(requests()).isEqualTo(2);

      wm.stubFor(get("/m").willReturn(okJson("{\"v\": 9}")));
      now.set(T0.plus(Duration.ofSeconds(61)));
      assertThat(s.query(instant("$.v", Map.of())).last()).isEqualTo(9.0);
      assertThat(s.circuitBreakerState()).isEqualTo("HALF_OPEN");
      wm.verify(3, anyRequestedFor(anyUrl()));
    }
  }
}
