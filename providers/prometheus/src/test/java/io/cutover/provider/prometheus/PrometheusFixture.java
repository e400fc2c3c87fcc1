// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.prometheus;

import io.cutover.spi.MetricQuery;
import io.cutover.testfixtures.PrometheusServer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What every real-Prometheus test class starts once: a {@link TestTarget}, a private {@link
 * PrometheusServer} scraping it, and a {@link PrometheusMetricSource} reading that server.
 */
final class PrometheusFixture implements AutoCloseable {
  final TestTarget target;
  final PrometheusServer prometheus;
  final PrometheusMetricSource source;

  private PrometheusFixture(TestTarget target, PrometheusServer prometheus) {
    this.target = target;
    this.prometheus = prometheus;
    this.source =
        PrometheusMetricSource.builder(prometheus.url).timeout(Duration.ofSeconds(2)).build();
  }

  /**
   * Starts the target (set up by {@code versions} before the first scrape) and Prometheus; skips,
   * or fails under {@code CI=true}, when the binary is missing.
   */
  static PrometheusFixture start(Duration scrapeInterval, Consumer<TestTarget> versions)
      throws Exception {
    PrometheusServer.requireBinary();
    TestTarget target = new TestTarget();
    try {
      versions.accept(target);
      return new PrometheusFixture(target, PrometheusServer.start(target.port(), scrapeInterval));
    } catch (Exception | Error e) {
      target.close();
      throw e;
    }
  }

  /**
   * Polls an instant query at the current time until it has data (Prometheus stores its first
   * samples a few seconds after it is ready) and returns the time of the first answer with data.
   *
   * @throws IllegalStateException after 30 s without data
   */
  Instant awaitData(String query, Map<String, String> labels) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      Instant at = Instant.now();
      if (!source.query(MetricQuery.instant(query, labels, at)).isNoData()) {
        return at;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(
        "Prometheus stored no sample for " + query + " " + labels + " within 30 s");
  }

  @Override
  public void close() throws Exception {
    try {
      prometheus.close();
    } finally {
      target.close();
    }
  }
}
