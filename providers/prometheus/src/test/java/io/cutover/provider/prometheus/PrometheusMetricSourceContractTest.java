// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.prometheus;

import io.cutover.spi.MetricSource;
import io.cutover.testkit.contract.MetricSourceContract;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;

/**
 * {@link PrometheusMetricSource} passes the kit against a private Prometheus that scrapes a
 * constant gauge every 100 ms; the known series is a two-second stretch of it that Prometheus has
 * already stored.
 */
@DisplayName("PrometheusMetricSource")
class PrometheusMetricSourceContractTest extends MetricSourceContract {
  private static final String RELEASE = "checkout-aaaaaaaaaaaa";
  private static final String GAUGE = "cutover_contract_value{release=\"{{release}}\"}";
  private static PrometheusFixture fixture;
  private static KnownSeries known;

  @BeforeAll
  static void start() throws Exception {
    fixture =
        PrometheusFixture.start(
            Duration.ofMillis(100),
            t -> {
              t.gauge(RELEASE, 0.25);
              t.gauge("checkout-bbbbbbbbbbbb", 0.5);
            });
    Map<String, String> labels = Map.of("release", RELEASE);
    Instant firstSeen = fixture.awaitData(GAUGE, labels);
    // Let two seconds of samples land before the window's end, and query only the past.
    Thread.sleep(2_300);
    known = new KnownSeries(GAUGE, labels, 0.25, firstSeen, firstSeen.plusSeconds(2));
  }

  @AfterAll
  static void stop() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Override
  protected MetricSource createSource() {
    return fixture.source;
  }

  @Override
  protected KnownSeries knownSeries() {
    return known;
  }

  @Override
  protected String malformedQuery() {
    return "sum(rate(cutover_contract_value[1m]";
  }
}
