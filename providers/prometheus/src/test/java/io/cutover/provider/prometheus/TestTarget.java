// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.prometheus;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A scrape target that simulates request traffic for several versions: 50 requests every 100 ms per
 * version, with an error rate and a latency the test sets per version, exported as {@code
 * http_requests_total{release,code}} and the histogram {@code http_request_duration_seconds}, plus
 * constant gauges ({@link #gauge}) for the metric-source contract.
 */
final class TestTarget implements AutoCloseable {
  private static final double[] BUCKETS = {0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

  private static final class Version {
    volatile double errorRate;
    volatile double latency;
    long ok;
    long errors;
    final long[] buckets = new long[BUCKETS.length];
    long count;
    double sum;
  }

  private final Map<String, Version> versions = new ConcurrentHashMap<>();
  private final Map<String, Double> gauges = new ConcurrentHashMap<>();
  private final HttpServer server;
  private final ScheduledExecutorService traffic = Executors.newSingleThreadScheduledExecutor();
  private final Random random = new Random(5);

  TestTarget() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/metrics",
        ex -> {
          byte[] body = render().getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
          ex.sendResponseHeaders(200, body.length);
          try (OutputStream o = ex.getResponseBody()) {
            o.write(body);
          }
        });
    server.start();
    traffic.scheduleAtFixedRate(this::tick, 0, 100, TimeUnit.MILLISECONDS);
  }

  int port() {
    return server.getAddress().getPort();
  }

  /** Sets a version's behaviour; traffic for it starts on the next tick. */
  void set(String release, double errorRate, double latencySeconds) {
    Version v = versions.computeIfAbsent(release, k -> new Version());
    v.errorRate = errorRate;
    v.latency = latencySeconds;
  }

  /** Exports the gauge {@code cutover_contract_value{release}} with a constant value. */
  void gauge(String release, double value) {
    gauges.put(release, value);
  }

  private synchronized void tick() {
    versions.forEach(
        (release, v) -> {
          for (int i = 0; i < 50; i++) {
            if (random.nextDouble() < v.errorRate) {
              v.errors++;
            } else {
              v.ok++;
            }
            double d = v.latency * (0.8 + 0.4 * random.nextDouble());
            for (int b = 0; b < BUCKETS.length; b++) {
              if (d <= BUCKETS[b]) {
                v.buckets[b]++;
              }
            }
            v.count++;
            v.sum += d;
          }
        });
  }

  private synchronized String render() {
    StringBuilder sb = new StringBuilder("# TYPE http_requests_total counter\n");
    versions.forEach(
        (r, v) -> {
          sb.append("http_requests_total{release=\"")
              .append(r)
              .append("\",code=\"200\"} ")
              .append(v.ok)
              .append('\n');
          sb.append("http_requests_total{release=\"")
              .append(r)
              .append("\",code=\"503\"} ")
              .append(v.errors)
              .append('\n');
        });
    sb.append("# TYPE http_request_duration_seconds histogram\n");
    versions.forEach(
        (r, v) -> {
          for (int b = 0; b < BUCKETS.length; b++) {
            sb.append("http_request_duration_seconds_bucket{release=\"")
                .append(r)
                .append("\",le=\"")
                .append(BUCKETS[b])
                .append("\"} ")
                .append(v.buckets[b])
                .append('\n');
          }
          sb.append("http_request_duration_seconds_bucket{release=\"")
              .append(r)
              .append("\",le=\"+Inf\"} ")
              .append(v.count)
              .append('\n');
          sb.append("http_request_duration_seconds_count{release=\"")
              .append(r)
              .append("\"} ")
              .append(v.count)
              .append('\n');
          sb.append("http_request_duration_seconds_sum{release=\"")
              .append(r)
              .append("\"} ")
              .append(v.sum)
              .append('\n');
        });
    sb.append("# TYPE cutover_contract_value gauge\n");
    gauges.forEach(
        (r, v) ->
            sb.append("cutover_contract_value{release=\"")
                .append(r)
                .append("\"} ")
                .append(v)
                .append('\n'));
    return sb.toString();
  }

  @Override
  public void close() {
    traffic.shutdownNow();
    server.stop(0);
  }
}
