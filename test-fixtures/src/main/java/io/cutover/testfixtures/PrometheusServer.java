// SPDX-License-Identifier: Apache-2.0
package io.cutover.testfixtures;

import io.cutover.samples.ExternalProcess;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Stream;

/**
 * A private Prometheus on 127.0.0.1 with a free port and a temp dir, scraping one target at a given
 * interval.
 */
public final class PrometheusServer implements AutoCloseable {
  private static final ScheduledExecutorService POLLER =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "prometheus-fixture");
            t.setDaemon(true);
            return t;
          });

  private final ExternalProcess process;
  private final Path dir;

  /** Its base URL, e.g. {@code http://127.0.0.1:9090}. */
  public final String url;

  private PrometheusServer(ExternalProcess process, Path dir, String url) {
    this.process = process;
    this.dir = dir;
    this.url = url;
  }

  /** Skips (or fails under CI=true) when the binary is missing ({@link Binaries}). */
  public static Path requireBinary() {
    return Binaries.require("prometheus", "prometheus");
  }

  /**
   * Starts Prometheus on a free port. Other test JVMs on the machine pick free ports too, so a port
   * can be taken between choosing and binding it: the server that answers must report our own
   * storage path, and a lost race is retried on another port.
   */
  public static PrometheusServer start(int targetPort, Duration scrapeInterval) throws IOException {
    Path binary = requireBinary();
    Path dir = Files.createTempDirectory("cutover-prom");
    Path cfg = dir.resolve("prometheus.yml");
    long ms = scrapeInterval.toMillis();
    Files.writeString(
        cfg,
        "global:\n  scrape_interval: "
            + ms
            + "ms\n  scrape_timeout: "
            + (ms * 3 / 4)
            + "ms\n"
            + "scrape_configs:\n  - job_name: target\n    static_configs:\n      - targets: ['127.0.0.1:"
            + targetPort
            + "']\n");
    Path log = dir.resolve("prometheus.log");
    String dataDir = dir.resolve("data").toString();
    HttpClient http = HttpClient.newHttpClient();
    IllegalStateException last = null;
    for (int attempt = 1; attempt <= 3; attempt++) {
      int port = freePort();
      String url = "http://127.0.0.1:" + port;
      ExternalProcess p =
          ExternalProcess.start(
              List.of(
                  binary.toString(),
                  "--config.file=" + cfg,
                  "--storage.tsdb.path=" + dataDir,
                  "--web.listen-address=127.0.0.1:" + port,
                  "--log.level=warn"),
              log);
      try {
        p.awaitReady(
            "it is ready on " + url + " and stores in " + dataDir,
            Duration.ofSeconds(20),
            () -> isOurs(http, url, dataDir),
            POLLER,
            InstantSource.system());
        return new PrometheusServer(p, dir, url);
      } catch (IllegalStateException e) {
        last = e;
        if (!Files.readString(log).contains("address already in use")) {
          break;
        }
      }
    }
    throw new IllegalStateException(
        "prometheus did not become ready: " + Files.readString(log), last);
  }

  /** Whether the server at {@code url} is ready and is the one storing in {@code dataDir}. */
  private static boolean isOurs(HttpClient http, String url, String dataDir) throws Exception {
    var ready =
        http.send(
            HttpRequest.newBuilder(URI.create(url + "/-/ready"))
                .timeout(Duration.ofSeconds(1))
                .build(),
            HttpResponse.BodyHandlers.discarding());
    if (ready.statusCode() != 200) {
      return false;
    }
    var flags =
        http.send(
            HttpRequest.newBuilder(URI.create(url + "/api/v1/status/flags"))
                .timeout(Duration.ofSeconds(1))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    // JSON escapes '/' only optionally; Prometheus does not. If another server holds the port, ours
    // exits
    // ("address already in use"), which ends the wait, and the caller retries on another port.
    return flags.body().contains("\"" + dataDir + "\"");
  }

  /**
   * Waits until the first scrape is stored, so {@code up} has a sample: a gate that queries right
   * after {@link #start} otherwise sees no data (Prometheus starts scraping at a random offset
   * within the interval, and later still on a loaded machine).
   */
  public PrometheusServer awaitFirstScrape(Duration timeout) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest query =
        HttpRequest.newBuilder(URI.create(url + "/api/v1/query?query=up"))
            .timeout(Duration.ofSeconds(2))
            .build();
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      last = http.send(query, HttpResponse.BodyHandlers.ofString()).body();
      if (last.contains("\"result\":[{")) {
        return this;
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException(
        "prometheus stored no scrape of its target within " + timeout + "; last answer: " + last);
  }

  /** A free TCP port. */
  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() throws Exception {
    process.close();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }
}
