// SPDX-License-Identifier: Apache-2.0
package io.cutover.samples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The small HTTP service that Cutover's demo and integration tests deploy as real OS processes. It
 * depends on the JDK alone, so {@link SampleArtifacts} can package its single class file as an
 * executable jar.
 *
 * <p><b>What is baked into the artifact</b> ({@code sample-service.properties} inside the jar, so
 * each version is a distinct, immutable artifact): {@code version} and {@code errorEvery} (answer
 * 500 to every n-th request; 0 never, 20 gives exactly 5 %).
 *
 * <p><b>What comes from the environment</b> (externalized configuration, set by the fleet): {@code
 * PORT} (required), {@code CUTOVER_RELEASE} and {@code CUTOVER_INSTANCE} (echoed in the {@code
 * X-Release} and {@code X-Instance} response headers), {@code GREETING} (response text), {@code
 * API_TOKEN} (a secret: only its presence is reported), {@code IGNORE_SIGTERM=true} (keep serving
 * after SIGTERM, to exercise a fleet's forced stop), {@code DELAY_MS} (added latency per request).
 *
 * <p><b>Endpoints.</b> {@code GET /healthz} 200 once serving; anything else answers the greeting
 * (or 500 per {@code errorEvery}). On SIGTERM it waits up to two seconds for the requests in flight
 * to finish, then closes its listener and exits.
 */
public final class SampleService {
  private static final AtomicBoolean DRAINING = new AtomicBoolean();
  private static final CompletableFuture<Void> IDLE = new CompletableFuture<>();

  private SampleService() {}

  /**
   * Starts the service on {@code PORT} and serves until the process is terminated.
   *
   * @param args ignored
   * @throws IOException if the port cannot be bound
   */
  public static void main(String[] args) throws IOException {
    // Without TCP_NODELAY the JDK server's small responses wait for delayed ACKs (~40 ms each).
    System.setProperty("sun.net.httpserver.nodelay", "true");
    Properties baked = new Properties();
    try (InputStream in = SampleService.class.getResourceAsStream("/sample-service.properties")) {
      if (in != null) {
        baked.load(in);
      }
    }
    String version = baked.getProperty("version", "dev");
    int errorEvery = Integer.parseInt(baked.getProperty("errorEvery", "0"));
    int port = Integer.parseInt(env("PORT", "8080"));
    String release = env("CUTOVER_RELEASE", version);
    String instance = env("CUTOVER_INSTANCE", "local");
    String greeting = env("GREETING", "hello") + " from " + version + "\n";
    boolean hasToken = !env("API_TOKEN", "").isEmpty();
    long delayMs = Long.parseLong(env("DELAY_MS", "0"));
    AtomicLong counter = new AtomicLong();
    AtomicLong inFlight = new AtomicLong();

    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 512);
    ExecutorService workers = Executors.newFixedThreadPool(8);
    server.setExecutor(workers);
    server.createContext(
        "/healthz",
        ex ->
            respond(
                ex,
                200,
                release,
                instance,
                "ok " + version + " token=" + (hasToken ? "present" : "absent") + "\n"));
    ScheduledExecutorService delays = Executors.newSingleThreadScheduledExecutor();
    server.createContext(
        "/",
        ex -> {
          inFlight.incrementAndGet();
          long n = counter.incrementAndGet();
          boolean fail = errorEvery > 0 && n % errorEvery == 0;
          String body = fail ? "injected failure in " + version + "\n" : greeting;
          if (delayMs <= 0) {
            finish(ex, fail ? 500 : 200, release, instance, body, inFlight);
            return;
          }
          delays.schedule(
              () -> {
                finish(ex, fail ? 500 : 200, release, instance, body, inFlight);
                return null;
              },
              delayMs,
              TimeUnit.MILLISECONDS);
        });
    server.start();
    System.out.println(
        "sample-service " + version + " release " + release + " listening on 127.0.0.1:" + port);
    if (!"true".equals(System.getenv("IGNORE_SIGTERM"))) {
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    System.out.println(
                        "sample-service "
                            + version
                            + " stopping after "
                            + counter.get()
                            + " requests");
                    DRAINING.set(true);
                    if (inFlight.get() == 0) {
                      IDLE.complete(null);
                    }
                    IDLE.completeOnTimeout(null, 2, TimeUnit.SECONDS).join();
                    // JDK 17's stop(n) always waits n seconds; in-flight work was awaited above.
                    server.stop(0);
                    workers.shutdown();
                    delays.shutdown();
                  }));
    } else {
      // Blocks the shutdown sequence for good, so only SIGKILL ends the process.
      CountDownLatch never = new CountDownLatch(1);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      never.await();
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  }));
    }
  }

  private static void respond(
      HttpExchange ex, int status, String release, String instance, String body)
      throws IOException {
    try (InputStream in = ex.getRequestBody()) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    ex.getResponseHeaders().set("X-Release", release);
    ex.getResponseHeaders().set("X-Instance", instance);
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static void finish(
      HttpExchange ex,
      int status,
      String release,
      String instance,
      String body,
      AtomicLong inFlight)
      throws IOException {
    try {
      respond(ex, status, release, instance, body);
    } finally {
      if (inFlight.decrementAndGet() == 0 && DRAINING.get()) {
        IDLE.complete(null);
      }
    }
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }
}
