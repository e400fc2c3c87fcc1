// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.Instance;
import io.cutover.api.ProviderException;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.provider.local.fleet.CrashPolicy;
import io.cutover.samples.HaproxyProcess;
import io.cutover.spi.OperationId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** A real, private HAProxy in front of real sample-service processes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HaproxyRouterTest {
  LocalFixture fx;
  HaproxyProcess haproxy;
  HaproxyRouter router;
  Release v1;
  Release v2;
  List<Instance> i1;
  List<Instance> i2;
  final OkHttpClient client = new OkHttpClient();
  int op;

  @BeforeAll
  void start() throws Exception {
    LocalFixture.requireBinary(HaproxyProcess.binary(), "haproxy", "haproxy");
    Path dir = Files.createTempDirectory("cutover-haproxy-test");
    fx = LocalFixture.create(dir, CrashPolicy.REPORT);
    haproxy =
        HaproxyProcess.start(
            dir.resolve("haproxy"),
            Map.of("shop", LocalFixture.freePort()),
            fx.scheduler,
            InstantSource.system());
    router = HaproxyRouter.builder(haproxy.socket()).build();
    v1 = fx.release("v1", 0);
    v2 = fx.release("v2", 0);
    i1 = fx.fleet.launch(new OperationId("t/s0/launch"), v1, 2);
    i2 = fx.fleet.launch(new OperationId("t/s1/launch"), v2, 2);
  }

  @AfterAll
  void stop() {
    LocalFixture.closeAll(router, haproxy, fx);
  }

  OperationId nextOp() {
    return new OperationId("t/r" + (op++) + "/route");
  }

  Map<String, Integer> send(int n) throws Exception {
    return LocalFixture.countReleases(client, "http://127.0.0.1:" + haproxy.port("shop") + "/", n);
  }

  @Test
  @DisplayName(
      "maps a 10/90 split exactly onto server weights, reads it back from HAProxy, and HAProxy honours it")
  void exactWeights() throws Exception {
    TrafficSplit split = TrafficSplit.of(v1.id(), v2.id(), 9_000);
    router.apply(nextOp(), "shop", split, Map.of(v1.id(), i1, v2.id(), i2));

    assertThat(router.current("shop")).contains(split);
    String state = router.api().execute("show servers state be_shop");
    // The largest exact multiple that fits 0..256: 28 + 28 against 252 + 252.
    assertThat(state.lines().filter(l -> l.contains(v1.id() + ":")).map(l -> l.split(" ")[7]))
        .containsOnly("28");
    assertThat(state.lines().filter(l -> l.contains(v2.id() + ":")).map(l -> l.split(" ")[7]))
        .containsOnly("252");
    Map<String, Integer> counts = send(400);
    assertThat(counts.get(v2.id())).isEqualTo(360);
    assertThat(counts.get(v1.id())).isEqualTo(40);
  }

  @Test
  @DisplayName(
      "applying the split in effect sends no command; a 0 % release without instances is kept by a marker server")
  void idempotentAndMarker() throws Exception {
    Release v9 = fx.release("v9", 0);
    TrafficSplit split = TrafficSplit.builder().weight(v1.id(), 10_000).weight(v9.id(), 0).build();
    router.apply(nextOp(), "shop", split, Map.of(v1.id(), i1));
    String before = router.api().execute("show servers state be_shop");
    router.apply(nextOp(), "shop", split, Map.of(v1.id(), i1));
    String after = router.api().execute("show servers state be_shop");
    // Column 9 is the time since the last change: unchanged servers only tick forward, so compare
    // the rest.
    assertThat(strip(after)).isEqualTo(strip(before));
    assertThat(router.current("shop")).contains(split);
    assertThat(send(20)).containsOnlyKeys(v1.id());
  }

  @Test
  @DisplayName(
      "servers of a release that leaves the split go to maintenance, then are deleted once idle")
  void removesServers() throws Exception {
    router.apply(
        nextOp(),
        "shop",
        TrafficSplit.of(v1.id(), v2.id(), 5_000),
        Map.of(v1.id(), i1, v2.id(), i2));
    router.apply(nextOp(), "shop", TrafficSplit.all(v2.id()), Map.of(v2.id(), i2));
    assertThat(router.current("shop")).contains(TrafficSplit.all(v2.id()));
    assertThat(send(30)).containsOnlyKeys(v2.id());
    for (int n = 0;
        n < 100 && router.api().execute("show servers state be_shop").contains(v1.id() + ":");
        n++) {
      TimeUnit.MILLISECONDS.sleep(50);
    }
    assertThat(router.api().execute("show servers state be_shop")).doesNotContain(v1.id() + ":");
    assertThat(router.pendingDeletions()).isEmpty();
  }

  @Test
  @DisplayName("refuses what it cannot do and leaves the split in effect unchanged")
  void refusals() {
    router.apply(nextOp(), "shop", TrafficSplit.all(v1.id()), Map.of(v1.id(), i1));
    TrafficSplit withRule =
        TrafficSplit.builder()
            .weight(v1.id(), 10_000)
            .weight(v2.id(), 0)
            .rule(
                new TrafficSplit.MatchRule(
                    TrafficSplit.MatchRule.Kind.HEADER, "X-Beta", "1", v2.id()))
            .build();
    assertThatThrownBy(
            () -> router.apply(nextOp(), "shop", withRule, Map.of(v1.id(), i1, v2.id(), i2)))
        .isInstanceOf(ProviderException.class)
        .hasMessageContaining("match rules")
        .satisfies(e -> assertThat(((ProviderException) e).retryable()).isFalse());
    assertThatThrownBy(
            () ->
                router.apply(
                    nextOp(), "shop", TrafficSplit.of(v1.id(), v2.id(), 100), Map.of(v1.id(), i1)))
        .isInstanceOf(ProviderException.class)
        .hasMessageContaining("no READY instance");
    assertThatThrownBy(
            () -> router.apply(nextOp(), "nosuch", TrafficSplit.all(v1.id()), Map.of(v1.id(), i1)))
        .isInstanceOf(ProviderException.class)
        .hasMessageContaining("be_nosuch");
    assertThat(router.current("shop")).contains(TrafficSplit.all(v1.id()));
  }

  static String strip(String state) {
    StringBuilder sb = new StringBuilder();
    state
        .lines()
        .filter(l -> !l.startsWith("#"))
        .forEach(
            l -> {
              String[] f = l.split(" ");
              if (f.length > 9) {
                f[9] = "-";
              }
              sb.append(String.join(" ", f)).append('\n');
            });
    return sb.toString();
  }
}
