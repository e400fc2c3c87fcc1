// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.http.metric;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.cutover.spi.MetricSource;
import io.cutover.testkit.contract.MetricSourceContract;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link WebMetricSource} passes the kit against WireMock. WireMock is the real server here, not a
 * stand-in: a web metric endpoint is any HTTP service answering JSON, and this one answers like a
 * small metrics API would. It knows the series of release {@code app-1a2b} (a point every 30 s,
 * values sent as numbers and as strings) and answers {@code {"metrics": {}}} for any other release,
 * so an unknown release or metric is a path that is not in the answer: no data.
 */
@DisplayName("WebMetricSource")
class WebMetricSourceContractTest extends MetricSourceContract {
  private static final Instant FROM = Instant.parse("2026-01-01T00:00:00Z");
  private static final Instant TO = FROM.plus(Duration.ofMinutes(10));
  private static final String RELEASE = "app-1a2b";

  @RegisterExtension
  static WireMockExtension wm =
      WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  @Override
  protected MetricSource createSource() {
    StringBuilder points = new StringBuilder();
    for (Instant t = FROM; !t.isAfter(TO); t = t.plusSeconds(30)) {
      points.append(points.length() == 0 ? "" : ",");
      // Alternate the two shapes endpoints use for values: a number and a string.
      boolean asText = (t.getEpochSecond() / 30) % 2 == 0;
      points
          .append("[")
          .append(t.getEpochSecond())
          .append(",")
          .append(asText ? "\"0.995\"" : "0.995")
          .append("]");
    }
    wm.stubFor(
        get(urlPathEqualTo("/api/metrics"))
            .atPriority(1)
            .withQueryParam("release", equalTo(RELEASE))
            .willReturn(okJson("{\"metrics\":{\"success_rate\":[" + points + "]}}")));
    wm.stubFor(
        get(urlPathEqualTo("/api/metrics")).atPriority(10).willReturn(okJson("{\"metrics\":{}}")));
    return WebMetricSource.builder(
            wm.baseUrl() + "/api/metrics?release={{release}}&from={{start}}&to={{end}}")
        .retries(2, Duration.ofMillis(10))
        .timeout(Duration.ofSeconds(5))
        .insecureHosts(List.of("localhost"))
        .build();
  }

  @Override
  protected KnownSeries knownSeries() {
    return new KnownSeries("$.metrics.success_rate", Map.of("release", RELEASE), 0.995, FROM, TO);
  }

  @Override
  protected @Nullable String malformedQuery() {
    return "$.metrics[?(@.x ==";
  }
}
