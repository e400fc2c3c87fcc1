// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.haproxy;

import io.cutover.api.Instance;
import io.cutover.api.Release;
import io.cutover.samples.HaproxyProcess;
import io.cutover.spi.Router;
import io.cutover.testkit.contract.EchoBackends;
import io.cutover.testkit.contract.RouterContract;
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
 * The HAProxy router passes the testkit's router contract against a real, private HAProxy, with
 * real backends and traffic sent through HAProxy's frontends. HAProxy backends cannot be created at
 * run time, so the kit's service names are declared in its configuration. The router talks to
 * HAProxy through a {@link RuntimeApiProxy}, which makes an apply fail the way it does when
 * HAProxy's admin socket goes away.
 */
class HaproxyRouterContractTest extends RouterContract {
  static final List<String> SERVICES =
      List.of(
          "read", "drop", "preview", "clear", "whole", "steps", "one", "two", "zero", "repeat",
          "stale", "same", "fail", "retry", "rules", "mirror", "par0", "par1", "par2", "par3",
          "par4", "par5", "par6", "par7");
  static final ScheduledExecutorService SCHEDULER = Executors.newSingleThreadScheduledExecutor();
  static final EchoBackends BACKENDS = EchoBackends.create();
  static HaproxyProcess haproxy;
  static RuntimeApiProxy proxy;
  static HaproxyRouter router;

  @BeforeAll
  static void start() throws Exception {
    LocalFixture.requireBinary(HaproxyProcess.binary(), "haproxy", "haproxy");
    Map<String, Integer> frontends = new LinkedHashMap<>();
    SERVICES.forEach(s -> frontends.put(s, LocalFixture.freePort()));
    Path dir = Files.createTempDirectory("cutover-haproxy-contract");
    haproxy = HaproxyProcess.start(dir, frontends, SCHEDULER, InstantSource.system());
    proxy = RuntimeApiProxy.start(dir.resolve("proxy.sock"), haproxy.socket());
    router = HaproxyRouter.builder(proxy.socket()).build();
  }

  @AfterAll
  static void stop() {
    LocalFixture.closeAll(router, proxy, haproxy, BACKENDS, SCHEDULER::shutdownNow);
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
    proxy.dropNextChange();
    return true;
  }

  @Override
  protected Optional<Map<String, Integer>> sendRequests(String service, int requests)
      throws Exception {
    return Optional.of(
        EchoBackends.count(
            URI.create("http://127.0.0.1:" + haproxy.port(service) + "/"), requests));
  }
}
