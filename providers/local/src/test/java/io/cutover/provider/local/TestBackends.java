// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local;

import com.sun.net.httpserver.HttpServer;
import io.cutover.api.Instance;
import io.cutover.api.InstanceState;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/** Real HTTP servers in the test JVM that answer with the release and instance they stand for. */
public final class TestBackends implements AutoCloseable {
  static {
    // Without TCP_NODELAY the JDK server's small responses wait for delayed ACKs (~40 ms each).
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  private final List<HttpServer> servers = new ArrayList<>();
  private final ExecutorService pool = Executors.newFixedThreadPool(4);

  /** A backend of {@code releaseId}; counts its requests in {@code hits}. */
  public Instance start(String releaseId, String instanceId, AtomicLong hits) throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
    s.setExecutor(pool);
    s.createContext(
        "/",
        ex -> {
          hits.incrementAndGet();
          ex.getRequestBody().readAllBytes();
          byte[] body = (releaseId + " " + ex.getRequestURI()).getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().set("X-Release", releaseId);
          ex.getResponseHeaders().set("X-Instance", instanceId);
          ex.sendResponseHeaders(200, body.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
          }
        });
    s.start();
    servers.add(s);
    return new Instance(
        instanceId,
        releaseId,
        URI.create("http://127.0.0.1:" + s.getAddress().getPort()),
        InstanceState.READY,
        null);
  }

  @Override
  public void close() {
    servers.forEach(s -> s.stop(0));
    pool.shutdownNow();
  }
}
