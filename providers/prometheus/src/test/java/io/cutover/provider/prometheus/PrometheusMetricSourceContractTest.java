package io.cutover.provider.prometheus;

import io.cutover.spi.MetricQuery;
import io.cutover.spi.MetricSource;
import io.cutover.testkit.contract.MetricSourceContract;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;

/**
 * {@link PrometheusMetricSource} passes the kit against a private Prometheus that scrapes a constant gauge
 * every 100 ms; the known series is a two-second stretch of it that Prometheus has already stored.
 */
@DisplayName("PrometheusMetricSource")
class PrometheusMetricSourceContractTest extends MetricSourceContract {
  private static final String RELEASE = "checkout-aaaaaaaaaaaa";
  private static final String GAUGE = "cutover_contract_value{release=\"{{release}}\"}";
  private static TestTarget target;
  private static PrometheusServer prometheus;
  private static PrometheusMetricSource source;
  private static KnownSeries known;

  @BeforeAll
  static void start() throws Exception {
    PrometheusServer.requireBinary();
    target = new TestTarget();
    target.gauge(RELEASE, 0.25);
    target.gauge("checkout-bbbbbbbbbbbb", 0.5);
    prometheus = PrometheusServer.start(target.port(), Duration.ofMillis(100));
    source = PrometheusMetricSource.builder(prometheus.url).timeout(Duration.ofSeconds(2)).build();
    Map<String, String> labels = Map.of("release", RELEASE);
    Instant firstSeen = null;
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (firstSeen == null && System.nanoTime() < deadline) {
      Instant at = Instant.now();
      if (!source.query(MetricQuery.instant(GAUGE, labels, at)).isNoData()) {
        firstSeen = at;
      } else {
        Thread.sleep(100);
      }
    }
    if (firstSeen == null) {
      throw new IllegalStateException("Prometheus never scraped the gauge within 30 s");
    }
    // Let two seconds of samples land before the window's end, and query only the past.
    Thread.sleep(2_300);
    known = new KnownSeries(GAUGE, labels, 0.25, firstSeen, firstSeen.plusSeconds(2));
  }

  @AfterAll
  static void stop() throws Exception {
    if (prometheus != null) {
      prometheus.close();
    }
    if (target != null) {
      target.close();
    }
  }

  @Override
  protected MetricSource createSource() {
    return source;
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
