package io.cutover.provider.nginx;

import io.cutover.spi.Router;
import io.cutover.testfixtures.NginxProcess;
import io.cutover.testkit.contract.RouterContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The NGINX router passes the testkit's router contract against a real, private NGINX. */
class NginxRouterContractTest extends RouterContract {
  static final ScheduledExecutorService SCHEDULER = Executors.newSingleThreadScheduledExecutor();
  static NginxProcess nginx;
  static NginxRouter router;

  @BeforeAll
  static void start() throws Exception {
    LocalFixture.requireBinary(NginxProcess.binary(), "nginx", "nginx-light");
    Path dir = Files.createTempDirectory("cutover-nginx-contract");
    nginx = LocalFixture.startNginx(dir, Map.of("front", LocalFixture.freePort()), LocalFixture.freePort(), SCHEDULER,
        InstantSource.system());
    router = LocalFixture.router(nginx).build();
  }

  @AfterAll
  static void stop() {
    LocalFixture.closeAll(router, nginx, SCHEDULER::shutdownNow);
  }

  @Override
  protected Router createRouter() {
    return router;
  }
}
