// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.contract;

import com.sun.net.httpserver.HttpServer;
import io.cutover.api.Instance;
import io.cutover.api.InstanceState;
import io.cutover.api.Release;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Real HTTP backends for router tests: each {@link #backend(Release, int)} is a listener on a free
 * 127.0.0.1 port that answers every request with its release id, so traffic sent through a router
 * can be counted by release ({@link #count(URI, int)}). Listeners start on first use and stop on
 * {@link #close()}.
 *
 * <p>Thread-safe. Each listener serves its requests on one thread of the JDK's built-in HTTP
 * server.
 */
public final class EchoBackends implements AutoCloseable {
  static {
    // The JDK server writes headers and body separately; with Nagle's algorithm each keep-alive
    // answer then
    // waits for the client's delayed ACK (about 40 ms). Read once, when the first server is
    // created.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private final Map<String, Listener> listeners = new ConcurrentHashMap<>();

  private record Listener(HttpServer server, Instance instance) {}

  private EchoBackends() {}

  /** No listener yet. */
  public static EchoBackends create() {
    return new EchoBackends();
  }

  /**
   * The {@code index}th backend of {@code release}: a READY instance whose endpoint answers every
   * request with {@code release.id()}; the same listener for the same release and index.
   *
   * @throws UncheckedIOException if no port can be bound
   */
  public Instance backend(Release release, int index) {
    return listeners
        .computeIfAbsent(release.id() + "#" + index, k -> start(release, index))
        .instance();
  }

  /**
   * Sends {@code requests} GET requests to {@code url}, one after the other from a new client, and
   * counts the answers by body (a release id, when they pass a router in front of these backends).
   *
   * @throws IOException if a request fails or answers other than 200
   * @throws InterruptedException if interrupted while waiting for an answer
   */
  public static Map<String, Integer> count(URI url, int requests)
      throws IOException, InterruptedException {
    // A new client per round: a router that reloads (NGINX) closes idle connections of an older
    // one.
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(5)).GET().build();
    Map<String, Integer> counts = new TreeMap<>();
    for (int i = 0; i < requests; i++) {
      HttpResponse<String> answer = client.send(request, HttpResponse.BodyHandlers.ofString());
      if (answer.statusCode() != 200) {
        throw new IOException(
            "GET " + url + " answered " + answer.statusCode() + ": " + answer.body());
      }
      counts.merge(answer.body(), 1, Integer::sum);
    }
    return counts;
  }

  /** Stops every listener. */
  @Override
  public void close() {
    listeners.values().forEach(l -> l.server().stop(0));
    listeners.clear();
  }

  private static Listener start(Release release, int index) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      byte[] body = release.id().getBytes(StandardCharsets.UTF_8);
      server.createContext(
          "/",
          exchange -> {
            try (exchange) {
              exchange.getRequestBody().readAllBytes();
              exchange.getResponseHeaders().set("Content-Type", "text/plain");
              exchange.sendResponseHeaders(200, body.length);
              exchange.getResponseBody().write(body);
            }
          });
      server.start();
      URI endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
      return new Listener(
          server,
          new Instance(
              release.id() + "-" + index,
              release.id(),
              endpoint,
              InstanceState.READY,
              release.artifact().digest()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start an echo backend for " + release.id(), e);
    }
  }
}
