// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.nginx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.Instance;
import io.cutover.api.InstanceState;
import io.cutover.api.ProviderException;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.provider.local.fleet.CrashPolicy;
import io.cutover.spi.OperationId;
import io.cutover.testfixtures.NginxProcess;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** A real, private NGINX in front of real sample-service processes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NginxRouterTest {
  LocalFixture fx;
  NginxProcess nginx;
  NginxRouter router;
  Release v1;
  Release v2;
  List<Instance> i1;
  List<Instance> i2;
  final OkHttpClient client = new OkHttpClient();
  int op;

  @BeforeAll
  void start() throws Exception {
    LocalFixture.requireBinary(NginxProcess.binary(), "nginx", "nginx-light");
    Path dir = Files.createTempDirectory("cutover-nginx-test");
    fx = LocalFixture.create(dir, CrashPolicy.REPORT);
    nginx =
        LocalFixture.startNginx(
            dir.resolve("nginx"),
            Map.of("shop", LocalFixture.freePort()),
            LocalFixture.freePort(),
            fx.scheduler,
            InstantSource.system());
    router = LocalFixture.router(nginx).build();
    v1 = fx.release("v1", 0);
    v2 = fx.release("v2", 0);
    i1 = fx.fleet.launch(new OperationId("t/s0/launch"), v1, 2);
    i2 = fx.fleet.launch(new OperationId("t/s1/launch"), v2, 1);
  }

  @AfterAll
  void stop() {
    LocalFixture.closeAll(router, nginx, fx);
  }

  OperationId nextOp() {
    return new OperationId("t/r" + (op++) + "/route");
  }

  Map<String, Integer> send(int n) throws Exception {
    return LocalFixture.countReleases(client, "http://127.0.0.1:" + nginx.port("shop") + "/", n);
  }

  @Test
  @DisplayName(
      "writes exact weights (down for 0), reloads, and the split read back from NGINX is the one applied")
  void appliesAndReadsBack() throws Exception {
    TrafficSplit split = TrafficSplit.of(v1.id(), v2.id(), 2_000);
    router.apply(nextOp(), "shop", split, Map.of(v1.id(), i1, v2.id(), i2));
    assertThat(router.current("shop")).contains(split);
    String file = Files.readString(nginx.upstreamDir().resolve("shop.conf"));
    // 80 % over two v1 servers and 20 % on one v2 server: 2 + 2 against 1.
    assertThat(file)
        .contains("weight=2 max_fails=0;  # " + v1.id())
        .contains("weight=1 max_fails=0;  # " + v2.id());
    Map<String, Integer> counts = send(200);
    assertThat(counts.get(v2.id())).isEqualTo(40);

    TrafficSplit zero = TrafficSplit.of(v1.id(), v2.id(), 0);
    router.apply(nextOp(), "shop", zero, Map.of(v1.id(), i1, v2.id(), i2));
    assertThat(Files.readString(nginx.upstreamDir().resolve("shop.conf")))
        .contains(" down;  # " + v2.id());
    assertThat(router.current("shop")).contains(zero);
    assertThat(send(20)).containsOnlyKeys(v1.id());
    int reloads = router.reloads();
    router.apply(nextOp(), "shop", zero, Map.of(v1.id(), i1, v2.id(), i2));
    assertThat(router.reloads()).as("the split in effect is not applied again").isEqualTo(reloads);
  }

  @Test
  @DisplayName("a configuration nginx -t rejects is never reloaded: the last good file is restored")
  void restoresLastGood() throws Exception {
    router.apply(nextOp(), "shop", TrafficSplit.all(v1.id()), Map.of(v1.id(), i1));
    String good = Files.readString(nginx.upstreamDir().resolve("shop.conf"));
    Instance unresolvable =
        new Instance(
            "bad-0",
            v2.id(),
            URI.create("http://no-such-host.invalid:8080"),
            InstanceState.READY,
            null);
    int reloads = router.reloads();
    assertThatThrownBy(
            () ->
                router.apply(
                    nextOp(),
                    "shop",
                    TrafficSplit.of(v1.id(), v2.id(), 5_000),
                    Map.of(v1.id(), i1, v2.id(), List.of(unresolvable))))
        .isInstanceOf(ProviderException.class)
        .hasMessageContaining("nginx -t")
        .hasMessageContaining("restored")
        .satisfies(e -> assertThat(((ProviderException) e).retryable()).isFalse());
    assertThat(Files.readString(nginx.upstreamDir().resolve("shop.conf"))).isEqualTo(good);
    assertThat(router.reloads()).isEqualTo(reloads);
    assertThat(router.current("shop")).contains(TrafficSplit.all(v1.id()));
    assertThat(send(10)).containsOnlyKeys(v1.id());
  }

  @Test
  @DisplayName(
      "a failed reload puts the last good file back: a later reload of another service does not bring it in")
  void failedReloadRestoresLastGood() throws Exception {
    Path dir = Files.createTempDirectory("cutover-nginx-reload-fault");
    ReloadFault fault =
        ReloadFault.create(
            dir, NginxProcess.binary().orElseThrow(), nginx.prefix().resolve("nginx.pid"));
    TrafficSplit good = TrafficSplit.all(v1.id());
    router.apply(nextOp(), "shop", good, Map.of(v1.id(), i1));
    String goodFile = Files.readString(nginx.upstreamDir().resolve("shop.conf"));
    try (NginxRouter faulty = LocalFixture.router(nginx).nginx(fault.binary()).build()) {
      fault.arm();
      assertThatThrownBy(
              () ->
                  faulty.apply(
                      nextOp(),
                      "shop",
                      TrafficSplit.of(v1.id(), v2.id(), 5_000),
                      Map.of(v1.id(), i1, v2.id(), i2)))
          .isInstanceOf(ProviderException.class)
          .hasMessageContaining("nginx -s reload failed")
          .hasMessageContaining("nginx.pid")
          .satisfies(e -> assertThat(((ProviderException) e).retryable()).isTrue());
      assertThat(fault.armed()).isFalse();
    }
    assertThat(Files.readString(nginx.upstreamDir().resolve("shop.conf"))).isEqualTo(goodFile);

    router.apply(nextOp(), "other", TrafficSplit.all(v2.id()), Map.of(v2.id(), i2));

    assertThat(router.current("shop")).contains(good);
    assertThat(send(10)).containsOnlyKeys(v1.id());
  }

  @Test
  @DisplayName("refuses rules, mirrors and releases with traffic but no instance")
  void refusals() {
    TrafficSplit withMirror =
        TrafficSplit.builder()
            .weight(v1.id(), 10_000)
            .weight(v2.id(), 0)
            .mirror(new TrafficSplit.Mirror(v2.id(), 100))
            .build();
    assertThatThrownBy(
            () -> router.apply(nextOp(), "shop", withMirror, Map.of(v1.id(), i1, v2.id(), i2)))
        .isInstanceOf(ProviderException.class)
        .hasMessageContaining("mirrors");
    assertThatThrownBy(() -> router.apply(nextOp(), "shop", TrafficSplit.all(v2.id()), Map.of()))
        .isInstanceOf(ProviderException.class)
        .hasMessageContaining("no READY instance");
  }
}
