package io.cutover.provider.haproxy;

import io.cutover.samples.HaproxyProcess;
import io.cutover.spi.Router;
import io.cutover.testkit.contract.RouterContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The HAProxy router passes the testkit's router contract against a real, private HAProxy. HAProxy
 * backends cannot be created at run time, so the kit's service names are declared in its configuration.
 */
class HaproxyRouterContractTest extends RouterContract {
  static final List<String> SERVICES = List.of("read", "steps", "one", "two", "zero", "repeat", "stale", "same", "fail",
      "retry", "par0", "par1", "par2", "par3", "par4", "par5", "par6", "par7");
  static final ScheduledExecutorService SCHEDULER = Executors.newSingleThreadScheduledExecutor();
  static HaproxyProcess haproxy;
  static HaproxyRouter router;

  @BeforeAll
  static void start() throws Exception {
    LocalFixture.requireBinary(HaproxyProcess.binary(), "haproxy", "haproxy");
    Map<String, Integer> frontends = new LinkedHashMap<>();
    SERVICES.forEach(s -> frontends.put(s, LocalFixture.freePort()));
    Path dir = Files.createTempDirectory("cutover-haproxy-contract");
    haproxy = HaproxyProcess.start(dir, frontends, SCHEDULER, InstantSource.system());
    router = HaproxyRouter.builder(haproxy.socket()).build();
  }

  @AfterAll
  static void stop() {
    LocalFixture.closeAll(router, haproxy, SCHEDULER::shutdownNow);
  }

  @Override
  protected Router createRouter() {
    return router;
  }

  @Override
  protected String service(String name) {
    return name;
  }
}
