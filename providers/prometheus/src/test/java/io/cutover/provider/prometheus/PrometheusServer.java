package io.cutover.provider.prometheus;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/** A private Prometheus on 127.0.0.1 with a free port and a temp dir, scraping one target at a given interval. */
final class PrometheusServer implements AutoCloseable {
  private static final Path BINARY = Path.of("/usr/bin/prometheus");
  private final Process process;
  private final Path dir;
  final String url;

  private PrometheusServer(Process process, Path dir, String url) {
    this.process = process;
    this.dir = dir;
    this.url = url;
  }

  /** Skips (or fails under CI=true) when the binary is missing. */
  static void requireBinary() {
    if (!Files.isExecutable(BINARY)) {
      String msg = "prometheus not installed (Debian package 'prometheus'); skipping the real-Prometheus tests";
      if ("true".equals(System.getenv("CI"))) {
        Assertions.fail(msg + " - but CI=true, where .ci/install-packages must have installed it");
      }
      System.out.println("NOTICE: " + msg);
      Assumptions.abort(msg);
    }
  }

  /**
   * Starts Prometheus on a free port. Other test JVMs on the machine pick free ports too, so a port can be
   * taken between choosing and binding it: the server that answers must report our own storage path, and a
   * lost race is retried on another port.
   */
  static PrometheusServer start(int targetPort, Duration scrapeInterval) throws IOException, InterruptedException {
    requireBinary();
    Path dir = Files.createTempDirectory("cutover-prom");
    Path cfg = dir.resolve("prometheus.yml");
    long ms = scrapeInterval.toMillis();
    Files.writeString(cfg, "global:\n  scrape_interval: " + ms + "ms\n  scrape_timeout: " + (ms * 3 / 4) + "ms\n"
        + "scrape_configs:\n  - job_name: target\n    static_configs:\n      - targets: ['127.0.0.1:" + targetPort + "']\n");
    String log = "";
    for (int attempt = 1; attempt <= 3; attempt++) {
      int port = freePort();
      Process p = new ProcessBuilder(BINARY.toString(), "--config.file=" + cfg, "--storage.tsdb.path=" + dir.resolve("data"),
          "--web.listen-address=127.0.0.1:" + port, "--log.level=warn")
          .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
      String url = "http://127.0.0.1:" + port;
      if (awaitOurs(p, url, dir.resolve("data").toString())) {
        return new PrometheusServer(p, dir, url);
      }
      p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      log = Files.readString(dir.resolve("prometheus.log"));
      if (!log.contains("address already in use")) {
        break;
      }
    }
    throw new IllegalStateException("prometheus did not become ready: " + log);
  }

  /** Waits until the server at {@code url} is ready and is the one storing in {@code dataDir}. */
  private static boolean awaitOurs(Process p, String url, String dataDir) throws InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline && p.isAlive()) {
      try {
        var ready = http.send(HttpRequest.newBuilder(URI.create(url + "/-/ready")).timeout(Duration.ofSeconds(1)).build(),
            HttpResponse.BodyHandlers.discarding());
        if (ready.statusCode() == 200) {
          var flags = http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/status/flags"))
              .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString());
          // JSON escapes '/' only optionally; Prometheus does not.
          return p.isAlive() && flags.body().contains("\"" + dataDir + "\"");
        }
      } catch (IOException notYet) {
        // still starting
      }
      Thread.sleep(50);
    }
    return false;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }
}
