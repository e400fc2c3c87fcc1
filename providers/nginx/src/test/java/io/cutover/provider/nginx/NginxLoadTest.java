// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.nginx;

import static org.assertj.core.api.Assertions.assertThat;

import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.api.rollout.RolloutState;
import io.cutover.api.rollout.RolloutStatus;
import io.cutover.core.Cutover;
import io.cutover.core.strategy.BlueGreenStrategy;
import io.cutover.core.strategy.CanaryStrategy;
import io.cutover.provider.local.fleet.CrashPolicy;
import io.cutover.samples.TrafficGenerator;
import io.cutover.spi.RolloutStrategy;
import io.cutover.testfixtures.LoadWindow;
import io.cutover.testfixtures.NginxProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * 60 s of load through a private NGINX while the engine runs blue/green switches and 10-step
 * canaries: half the load without any client retry (its failures are measured and reported: reloads
 * close idle keep-alive connections), half with retries of idempotent requests (users see none).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NginxLoadTest {
  static final String SHOP = LocalFixture.SERVICE;

  LocalFixture fx;
  NginxProcess nginx;
  NginxRouter router;
  Cutover cutover;

  @BeforeAll
  void start() throws Exception {
    LocalFixture.requireBinary(NginxProcess.binary(), "nginx", "nginx-light");
    Path dir = Files.createTempDirectory("cutover-nginx-load");
    fx = LocalFixture.create(dir, CrashPolicy.REPORT);
    nginx =
        LocalFixture.startNginx(
            dir.resolve("nginx"),
            Map.of(SHOP, LocalFixture.freePort()),
            LocalFixture.freePort(),
            fx.scheduler,
            InstantSource.system());
    router = LocalFixture.router(nginx).build();
    cutover = Cutover.builder().allowUnverifiedArtifacts().fleet(fx.fleet).router(router).build();
  }

  @AfterAll
  void stop() {
    LocalFixture.closeAll(cutover, router, nginx, fx);
  }

  TrafficGenerator load(int rate, int retries) {
    return TrafficGenerator.builder(
            "http://127.0.0.1:" + nginx.port(SHOP) + "/", fx.scheduler, InstantSource.system())
        .rate(rate)
        .newConnectionShare(0.1)
        .retries(retries)
        .build();
  }

  RolloutStatus run(RolloutStrategy strategy, Release release) throws Exception {
    return cutover
        .deploy(strategy, release, 2)
        .completion()
        .toCompletableFuture()
        .get(3, TimeUnit.MINUTES);
  }

  @Test
  @DisplayName(
      "60 s of >= 1000 req/s through reloads: failures without retries are measured, none with retries")
  void reloadsUnderLoad() throws Exception {
    RolloutStrategy blueGreen =
        BlueGreenStrategy.builder().scaleDownDelay(Duration.ofSeconds(2)).build();
    CanaryStrategy.Builder cb = CanaryStrategy.builder().scaleDownDelay(Duration.ofSeconds(2));
    for (int w = 10; w <= 90; w += 10) {
      cb.setWeight(w).pause(Duration.ofMillis(1500));
    }
    RolloutStrategy canary = cb.build();
    Release[] releases = {fx.release("v1", 0), fx.release("v2", 0), fx.release("v3", 0)};
    assertThat(run(blueGreen, releases[0]).state()).isEqualTo(RolloutState.SUCCEEDED);

    // 2 x 625 offered so that >= 1 000 are sent even when this machine stalls the generator (it
    // skips, never bursts).
    TrafficGenerator raw = load(625, 0).start();
    TrafficGenerator retrying = load(625, 4).start(); // back-off 25, 50, 100, 200 ms
    // The load stops at 60 s: a rollout starts only if it should end inside the window.
    LoadWindow window = LoadWindow.start(Duration.ofSeconds(60));
    int rollouts = 0;
    int reloadsBefore = router.reloads();
    try {
      for (int kind; (kind = window.next()) >= 0; ) {
        Release next = releases[(rollouts + 1) % releases.length];
        long started = System.nanoTime();
        RolloutStatus st = run(kind == 1 ? canary : blueGreen, next);
        window.ran(kind, System.nanoTime() - started);
        assertThat(st.state()).as(st.reason()).isEqualTo(RolloutState.SUCCEEDED);
        assertThat(router.current(SHOP)).contains(TrafficSplit.all(next.id()));
        rollouts++;
      }
      window.holdToEnd();
    } finally {
      raw.stop();
      retrying.stop();
    }
    double seconds = window.elapsedSeconds();
    for (int n = 0; n < 200 && (raw.inFlight() > 0 || retrying.inFlight() > 0); n++) {
      TimeUnit.MILLISECONDS.sleep(25);
    }
    TrafficGenerator.Stats a = raw.stats();
    TrafficGenerator.Stats b = retrying.stats();
    raw.close();
    retrying.close();
    System.out.printf(
        "nginx load: %.1f s, %d rollouts, %d reloads; without retries: %d requests, %d failed, %d 5xx; "
            + "with retries: %d requests, %d failed, %d 5xx, %d retries%n",
        seconds,
        rollouts,
        router.reloads() - reloadsBefore,
        a.sent(),
        a.failed(),
        a.serverErrors(),
        b.sent(),
        b.failed(),
        b.serverErrors(),
        b.retried());
    assertThat(seconds).isGreaterThanOrEqualTo(60);
    assertThat((a.sent() + b.sent()) / seconds).isGreaterThanOrEqualTo(1_000);
    assertThat(b.failed())
        .as("failures seen by a client that retries idempotent requests")
        .isZero();
    assertThat(b.serverErrors()).isZero();
    assertThat(a.completed() + a.failed()).isEqualTo(a.sent());
  }
}
