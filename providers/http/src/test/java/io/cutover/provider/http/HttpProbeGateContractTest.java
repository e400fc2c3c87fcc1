// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.http;

import com.sun.net.httpserver.HttpServer;
import io.cutover.api.Instance;
import io.cutover.api.InstanceState;
import io.cutover.spi.HealthGate;
import io.cutover.testkit.contract.HealthGateContract;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;

/**
 * {@link HttpProbeGate} passes the kit against two candidate instances whose readiness endpoints
 * ({@code /a/ready}, {@code /b/ready}) a small HTTP server on 127.0.0.1 answers as the test
 * arranges; "no data" is a candidate without instances to probe.
 */
@DisplayName("HttpProbeGate")
class HttpProbeGateContractTest extends HealthGateContract {
  private static final Map<String, Integer> STATUS = new ConcurrentHashMap<>();
  private static HttpServer server;
  private static ExecutorService threads;

  private boolean hasInstances = true;

  @BeforeAll
  static void startInstances() throws IOException {
    // Headers and body go out in two writes: without TCP_NODELAY, Nagle and delayed ACKs add ~40 ms
    // a request.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    for (String instance : List.of("a", "b")) {
      server.createContext(
          "/" + instance + "/ready",
          ex -> {
            int status = STATUS.getOrDefault(instance, 503);
            byte[] body =
                (status == 200 ? "{\"status\": \"ready\"}" : "{\"status\": \"starting\"}")
                    .getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, body.length);
            try (OutputStream out = ex.getResponseBody()) {
              out.write(body);
            }
          });
    }
    threads = Executors.newFixedThreadPool(8);
    server.setExecutor(threads);
    server.start();
  }

  @AfterAll
  static void stopInstances() {
    server.stop(0);
    threads.shutdownNow();
  }

  @Override
  protected HealthGate createGate() {
    return HttpProbeGate.of(
        "readiness", "/ready", 200, "\"status\":\\s*\"ready\"", Duration.ofSeconds(2));
  }

  @Override
  protected List<Instance> candidateInstances() {
    if (!hasInstances) {
      return List.of();
    }
    String release = candidate().id();
    String base = "http://127.0.0.1:" + server.getAddress().getPort();
    return List.of(
        new Instance(release + "-a", release, URI.create(base + "/a"), InstanceState.READY, null),
        new Instance(release + "-b", release, URI.create(base + "/b"), InstanceState.READY, null));
  }

  @Override
  protected void arrangeHealthy() {
    hasInstances = true;
    STATUS.put("a", 200);
    STATUS.put("b", 200);
  }

  @Override
  protected void arrangeUnhealthy() {
    hasInstances = true;
    STATUS.put("a", 200);
    // One instance still warming up is enough to keep traffic away from the release.
    STATUS.put("b", 503);
  }

  @Override
  protected void arrangeNoData() {
    hasInstances = false;
  }
}
