package io.cutover.provider.nginx;

import io.cutover.provider.local.testing.LocalFixture;
import io.cutover.spi.Router;
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
  static ScheduledExecutorService scheduler;
  static NginxProcess nginx;
  static NginxRouter router;

  @BeforeAll
  static void start() throws Exception {
    LocalFixture.requireBinary(NginxProcess.binary(), "nginx", "nginx-light");
    scheduler = Executors.newSingleThreadScheduledExecutor();
    Path dir = Files.createTempDirectory("cutover-nginx-contract");
    nginx = NginxProcess.start(dir, Map.of("front", LocalFixture.freePort()), LocalFixture.freePort(), scheduler,
        InstantSource.system());
    router = nginx.router().build();
  }

  @AfterAll
  static void stop() {
    if (router != null) {
      router.close();
    }
    if (nginx != null) {
      nginx.close();
    }
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
  }

  @Override
  protected Router createRouter() {
    return router;
  }
}
