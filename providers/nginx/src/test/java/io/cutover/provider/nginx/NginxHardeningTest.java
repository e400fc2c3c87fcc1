// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.nginx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.Instance;
import io.cutover.api.InstanceState;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.TrafficSplit;
import io.cutover.spi.OperationId;
import io.cutover.testfixtures.NginxProcess;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 11 items 10, 14 and 15 for NGINX, against a real private NGINX: the router refuses unsafe
 * service names, release ids and endpoints itself, before writing a file or sending a request; and
 * a chatty nginx (here a wrapper that prints 1 MiB before running the real binary) no longer blocks
 * on a full pipe until the reload timeout. The upstreams need not run: {@code nginx -t} and the
 * status location do not contact them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NginxHardeningTest {
  private static final String V1 = "shop-aaaaaaaaaaaa";
  private static final String V2 = "shop-bbbbbbbbbbbb";

  final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  Path dir;
  NginxProcess nginx;
  NginxRouter router;
  int op;

  @BeforeAll
  void start() throws Exception {
    Path binary = LocalFixture.requireBinary(NginxProcess.binary(), "nginx", "nginx-light");
    dir = Files.createTempDirectory("cutover-nginx-hardening");
    nginx =
        LocalFixture.startNginx(
            dir.resolve("nginx"),
            Map.of("shop", LocalFixture.freePort()),
            LocalFixture.freePort(),
            scheduler,
            InstantSource.system());
    Path chatty = dir.resolve("chatty-nginx");
    Files.writeString(
        chatty,
        "#!/bin/sh\nhead -c 1048576 /dev/zero | tr '\\0' 'x'\nexec '" + binary + "' \"$@\"\n");
    Files.setPosixFilePermissions(chatty, PosixFilePermissions.fromString("rwx------"));
    router = LocalFixture.router(nginx).nginx(chatty).reloadTimeout(Duration.ofSeconds(5)).build();
  }

  @AfterAll
  void stop() {
    LocalFixture.closeAll(router, nginx, scheduler::shutdownNow);
  }

  private static List<Instance> instances(String release, String endpoint) {
    return List.of(
        new Instance(release + "-0", release, URI.create(endpoint), InstanceState.READY, null));
  }

  private List<String> upstreamFiles() throws Exception {
    try (Stream<Path> s = Files.list(nginx.upstreamDir())) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"../escape", "a;b", "a b", "a\nb", "x'y", ".hidden", "a/b", "a{b}", ""})
  @DisplayName("an unsafe service name is refused before any file is written or request sent")
  void unsafeServiceRefused(String service) throws Exception {
    List<String> before = upstreamFiles();
    int reloads = router.reloads();

    assertThatThrownBy(
            () ->
                router.apply(
                    new OperationId("t/bad" + (op++) + "/route"),
                    service,
                    TrafficSplit.all(V1),
                    Map.of(V1, instances(V1, "http://127.0.0.1:18080"))))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("service")
        .hasMessageContaining(NginxRouter.SAFE_NAME);
    assertThatThrownBy(() -> router.current(service)).isInstanceOf(InvalidSpecException.class);
    assertThatThrownBy(() -> NginxRouter.initialUpstream(service, 8080))
        .isInstanceOf(InvalidSpecException.class);

    assertThat(upstreamFiles()).isEqualTo(before);
    assertThat(router.reloads()).isEqualTo(reloads);
    assertThat(dir.resolve("nginx").resolve("escape.conf")).doesNotExist();
  }

  @Test
  @DisplayName("unsafe release ids and endpoints without a plain host are refused before writing")
  void unsafeReleaseAndEndpointRefused() throws Exception {
    List<String> before = upstreamFiles();
    String shopConf = Files.readString(nginx.upstreamDir().resolve("shop.conf"));

    assertThatThrownBy(
            () ->
                router.apply(
                    new OperationId("t/bad" + (op++) + "/route"),
                    "shop",
                    TrafficSplit.all("v1;\n}server{listen 1"),
                    Map.of()))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("split.weights.v1;\\u000a}");
    assertThatThrownBy(
            () ->
                router.apply(
                    new OperationId("t/bad" + (op++) + "/route"),
                    "shop",
                    TrafficSplit.all(V1),
                    Map.of(V1, instances(V1, "http://exa%20mple:8080/"))))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("backends." + V1);

    assertThat(upstreamFiles()).isEqualTo(before);
    assertThat(Files.readString(nginx.upstreamDir().resolve("shop.conf"))).isEqualTo(shopConf);
  }

  @Test
  @DisplayName("nginx printing 1 MiB does not block on its pipe: the apply completes")
  void chattyNginxDoesNotHang() {
    long t0 = System.nanoTime();
    TrafficSplit split = TrafficSplit.of(V1, V2, 2_500);

    router.apply(
        new OperationId("t/ok" + (op++) + "/route"),
        "shop",
        split,
        Map.of(
            V1, instances(V1, "http://127.0.0.1:18081"), V2, instances(V2, "http://[::1]:18082")));

    assertThat(router.current("shop")).contains(split);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
  }
}
