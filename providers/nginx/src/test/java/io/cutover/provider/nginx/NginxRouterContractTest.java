// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.nginx;

import io.cutover.api.Instance;
import io.cutover.api.Release;
import io.cutover.spi.Router;
import io.cutover.testfixtures.NginxProcess;
import io.cutover.testkit.contract.EchoBackends;
import io.cutover.testkit.contract.RouterContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The NGINX router passes the testkit's router contract against a real, private NGINX, with real
 * backends and traffic through NGINX for the services of the failure tests (frontends are part of
 * NGINX's main configuration, so those service names are fixed). An apply fails the way it does
 * when NGINX cannot be signalled: the next {@code nginx -s reload} finds no pid file ({@link
 * ReloadFault}).
 */
class NginxRouterContractTest extends RouterContract {
  static final List<String> WITH_TRAFFIC = List.of("fail", "retry");
  static final ScheduledExecutorService SCHEDULER = Executors.newSingleThreadScheduledExecutor();
  static final EchoBackends BACKENDS = EchoBackends.create();
  static NginxProcess nginx;
  static ReloadFault fault;
  static NginxRouter router;

  @BeforeAll
  static void start() throws Exception {
    Path binary = LocalFixture.requireBinary(NginxProcess.binary(), "nginx", "nginx-light");
    Path dir = Files.createTempDirectory("cutover-nginx-contract");
    Map<String, Integer> frontends = new LinkedHashMap<>();
    WITH_TRAFFIC.forEach(s -> frontends.put(s, LocalFixture.freePort()));
    nginx =
        LocalFixture.startNginx(
            dir, frontends, LocalFixture.freePort(), SCHEDULER, InstantSource.system());
    fault = ReloadFault.create(dir, binary, dir.resolve("nginx.pid"));
    router = LocalFixture.router(nginx).nginx(fault.binary()).build();
  }

  @AfterAll
  static void stop() {
    LocalFixture.closeAll(router, nginx, BACKENDS, SCHEDULER::shutdownNow);
  }

  @Override
  protected Router createRouter() {
    return router;
  }

  @Override
  protected String service(String name) {
    return name;
  }

  @Override
  protected Instance backend(Release release, int index) {
    return BACKENDS.backend(release, index);
  }

  @Override
  protected boolean arrangeNextApplyFailure(Router router) {
    try {
      fault.arm();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return true;
  }

  @Override
  protected Optional<Map<String, Integer>> sendRequests(String service, int requests)
      throws Exception {
    if (!WITH_TRAFFIC.contains(service)) {
      return Optional.empty();
    }
    return Optional.of(
        EchoBackends.count(URI.create("http://127.0.0.1:" + nginx.port(service) + "/"), requests));
  }
}
