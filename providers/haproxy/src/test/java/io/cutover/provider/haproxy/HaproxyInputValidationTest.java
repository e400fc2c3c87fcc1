// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.Instance;
import io.cutover.api.InstanceState;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.TrafficSplit;
import io.cutover.samples.HaproxyProcess;
import io.cutover.spi.OperationId;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 11 item 10 for HAProxy, against a real private HAProxy: names that would split a
 * runtime-API command ({@code ;}, spaces, newlines) are refused with {@link InvalidSpecException}
 * before anything is sent. "Before anything is sent" is shown twice: a router whose socket does not
 * exist fails with the validation error rather than a connection error, and the real backend's
 * server state is byte-for-byte unchanged after a refused call.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HaproxyInputValidationTest {
  private static final String V1 = "shop-aaaaaaaaaaaa";

  final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  HaproxyProcess haproxy;
  HaproxyRouter router;
  HaproxyRouter unreachable;
  int op;

  @BeforeAll
  void start() throws Exception {
    LocalFixture.requireBinary(HaproxyProcess.binary(), "haproxy", "haproxy");
    Path dir = Files.createTempDirectory("cutover-haproxy-inputs");
    haproxy =
        HaproxyProcess.start(
            dir.resolve("haproxy"),
            Map.of("shop", LocalFixture.freePort()),
            scheduler,
            InstantSource.system());
    router = HaproxyRouter.builder(haproxy.socket()).build();
    unreachable = HaproxyRouter.builder(dir.resolve("no-such.sock")).build();
  }

  @AfterAll
  void stop() {
    LocalFixture.closeAll(router, unreachable, haproxy, scheduler::shutdownNow);
  }

  private static Map<String, List<Instance>> backends(String release, String endpoint) {
    return Map.of(
        release,
        List.of(
            new Instance(
                release + "-0", release, URI.create(endpoint), InstanceState.READY, null)));
  }

  private String state() {
    return new RuntimeApi(haproxy.socket()).execute("show servers state be_shop");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "shop;shutdown frontend fe_shop",
        "shop disable",
        "shop\nset server be_shop/x weight 0",
        "shop\r"
      })
  @DisplayName("a service whose backend name would split a command is refused before sending")
  void unsafeService(String service) {
    String before = state();
    for (HaproxyRouter r : List.of(router, unreachable)) {
      assertThatThrownBy(
              () ->
                  r.apply(
                      new OperationId("t/s" + (op++) + "/route"),
                      service,
                      TrafficSplit.all(V1),
                      backends(V1, "http://127.0.0.1:18080")))
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("service")
          .hasMessageNotContaining("\n");
      assertThatThrownBy(() -> r.current(service)).isInstanceOf(InvalidSpecException.class);
    }
    assertThat(state()).isEqualTo(before);
  }

  @ParameterizedTest
  @ValueSource(strings = {"v1;shutdown frontend fe_shop", "v1 x", "v1\nv2", "v1:x", "v1\t"})
  @DisplayName("a release id that would split a command or a server name is refused before sending")
  void unsafeRelease(String release) {
    String before = state();
    for (HaproxyRouter r : List.of(router, unreachable)) {
      assertThatThrownBy(
              () ->
                  r.apply(
                      new OperationId("t/r" + (op++) + "/route"),
                      "shop",
                      TrafficSplit.all(release),
                      backends(release, "http://127.0.0.1:18080")))
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("split.weights.v1");
    }
    assertThat(state()).isEqualTo(before);
  }

  @Test
  @DisplayName("an endpoint without a plain host is refused before sending")
  void unsafeHost() {
    String before = state();
    assertThatThrownBy(
            () ->
                unreachable.apply(
                    new OperationId("t/h" + (op++) + "/route"),
                    "shop",
                    TrafficSplit.all(V1),
                    backends(V1, "http://exa%20mple:8080/")))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("backends." + V1);
    assertThat(state()).isEqualTo(before);
  }

  @Test
  @DisplayName("RuntimeApi refuses separators inside a command, typed, before connecting")
  void runtimeApiRefusesSeparators() {
    RuntimeApi api = new RuntimeApi(haproxy.socket());
    assertThatThrownBy(() -> api.execute(List.of("show info", "show stat;shutdown frontend fe")))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("haproxy.command");
    assertThatThrownBy(() -> api.execute("show info\nshutdown frontend fe_shop"))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("\\u000a");
    // A legitimate batch still works, and the frontend is still up.
    assertThat(api.execute(List.of("show info", "show servers state be_shop")))
        .contains("Name: HAProxy")
        .contains("be_id");
    assertThat(api.execute("show stat")).contains("fe_shop");
  }
}
