// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.nginx;

import static org.assertj.core.api.Assertions.assertThat;

import io.cutover.api.Instance;
import io.cutover.api.Release;
import io.cutover.spi.Router;
import io.cutover.testfixtures.NginxProcess;
import io.cutover.testkit.contract.EchoBackends;
import io.cutover.testkit.contract.RouterContract;
import java.io.IOException;
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
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The NGINX router with dynamic weights (the Lua module loaded, no reload per weight change) passes
 * the testkit's router contract against a real, private NGINX, with real backends and traffic
 * through NGINX for the services of the failure tests. An apply fails the way it does when the
 * admin location cannot be reached: the router's next state write fails on the connection (an
 * interceptor on its HTTP client, the only stand-in here: NGINX itself cannot be made to drop one
 * request).
 */
class NginxLuaRouterContractTest extends RouterContract {
  static final List<String> WITH_TRAFFIC = List.of("fail", "retry");
  static final ScheduledExecutorService SCHEDULER = Executors.newSingleThreadScheduledExecutor();
  static final EchoBackends BACKENDS = EchoBackends.create();
  static NginxProcess nginx;
  static final AtomicBoolean FAIL_NEXT_WRITE = new AtomicBoolean();
  static NginxRouter router;

  @BeforeAll
  static void start() throws Exception {
    LocalFixture.requireBinary(NginxProcess.binary(), "nginx", "nginx-light");
    Path dir = Files.createTempDirectory("cutover-nginx-lua-contract");
    Map<String, Integer> frontends = new LinkedHashMap<>();
    WITH_TRAFFIC.forEach(s -> frontends.put(s, LocalFixture.freePort()));
    nginx =
        LocalFixture.startLuaNginx(
            dir, frontends, LocalFixture.freePort(), SCHEDULER, InstantSource.system());
    router =
        LocalFixture.router(nginx)
            .adminFault(
                chain -> {
                  if (chain.request().url().encodedPath().equals(LuaUpstream.ADMIN_PATH)
                      && FAIL_NEXT_WRITE.getAndSet(false)) {
                    throw new IOException("connection reset (injected by the test)");
                  }
                  return chain.proceed(chain.request());
                })
            .build();
    assertThat(router.dynamicWeights()).isTrue();
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
    FAIL_NEXT_WRITE.set(true);
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
