// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.nginx;

import static org.assertj.core.api.Assertions.assertThat;

import io.cutover.api.Instance;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.samples.TrafficGenerator;
import io.cutover.spi.OperationId;
import io.cutover.testfixtures.NginxProcess;
import io.cutover.testkit.contract.EchoBackends;
import io.cutover.testkit.crash.CrashScenario;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Load through a private NGINX with the Lua module while the router changes weights and backend
 * sets 60 times: a client without any retry sees no failed request, because no weight change
 * reloads NGINX (only the first apply installs the Lua upstream). The reload path's behaviour under
 * load is {@link NginxLoadTest}'s.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NginxLuaLoadTest {
  static final String SHOP = "shop";

  final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
  final EchoBackends backends = EchoBackends.create();
  NginxProcess nginx;
  NginxRouter router;

  @BeforeAll
  void start() throws Exception {
    LocalFixture.requireBinary(NginxProcess.binary(), "nginx", "nginx-light");
    Path dir = Files.createTempDirectory("cutover-nginx-lua-load");
    nginx =
        LocalFixture.startLuaNginx(
            dir,
            Map.of(SHOP, LocalFixture.freePort()),
            LocalFixture.freePort(),
            scheduler,
            InstantSource.system());
    router = LocalFixture.router(nginx).build();
  }

  @AfterAll
  void stop() {
    LocalFixture.closeAll(router, nginx, backends, scheduler::shutdownNow);
  }

  @Test
  @DisplayName("60 weight and backend changes under load: 0 failed requests without client retries")
  void noFailuresWithoutRetries() throws Exception {
    Release stable = CrashScenario.release(SHOP, "stable");
    Release canary = CrashScenario.release(SHOP, "canary");
    List<Instance> stableBackends =
        List.of(backends.backend(stable, 0), backends.backend(stable, 1));
    List<Instance> canaryBackends =
        List.of(backends.backend(canary, 0), backends.backend(canary, 1));
    router.apply(
        new OperationId("load/s0/route"),
        SHOP,
        TrafficSplit.all(stable.id()),
        Map.of(stable.id(), stableBackends));
    int reloadsAfterInstall = router.reloads();

    TrafficGenerator load =
        TrafficGenerator.builder(
                "http://127.0.0.1:" + nginx.port(SHOP) + "/", scheduler, InstantSource.system())
            .rate(300)
            .newConnectionShare(0.1)
            .retries(0)
            .build()
            .start();
    try {
      for (int i = 1; i <= 60; i++) {
        int percent = 10 + (i * 10) % 90;
        // Every third change also moves the canary between one and two instances.
        List<Instance> canaryNow = i % 3 == 0 ? canaryBackends.subList(0, 1) : canaryBackends;
        router.apply(
            new OperationId("load/s" + i + "/route"),
            SHOP,
            TrafficSplit.of(stable.id(), canary.id(), percent * 100),
            Map.of(stable.id(), stableBackends, canary.id(), canaryNow));
        assertThat(router.current(SHOP))
            .contains(TrafficSplit.of(stable.id(), canary.id(), percent * 100));
        TimeUnit.MILLISECONDS.sleep(100);
      }
      router.apply(
          new OperationId("load/s61/route"),
          SHOP,
          TrafficSplit.all(stable.id()),
          Map.of(stable.id(), stableBackends));
    } finally {
      load.stop();
    }
    for (int n = 0; n < 1_200 && load.inFlight() > 0; n++) {
      TimeUnit.MILLISECONDS.sleep(25);
    }
    TrafficGenerator.Stats stats = load.stats();
    load.close();
    System.out.printf(
        "nginx (Lua) load: %d requests, %d failed, %d 5xx, %d reloads after the install%n",
        stats.sent(), stats.failed(), stats.serverErrors(), router.reloads() - reloadsAfterInstall);
    assertThat(router.reloads())
        .as("reloads after the Lua upstream was installed")
        .isEqualTo(reloadsAfterInstall);
    assertThat(stats.sent()).isGreaterThan(100);
    assertThat(stats.failed()).as("failed requests without client retries").isZero();
    assertThat(stats.serverErrors()).isZero();
    assertThat(stats.completed()).isEqualTo(stats.sent());
  }
}
