// SPDX-License-Identifier: Apache-2.0
package io.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.api.TrafficSplit;
import io.cutover.cli.internal.server.Server;
import io.cutover.cli.internal.server.ServerConfig;
import io.cutover.core.ProviderRegistry;
import io.cutover.simulator.FakeFleet;
import io.cutover.simulator.FakeRouter;
import io.cutover.simulator.InMemoryArtifactStore;
import io.cutover.spi.ArtifactStore;
import io.cutover.spi.ArtifactStoreProvider;
import io.cutover.spi.Fleet;
import io.cutover.spi.FleetProvider;
import io.cutover.spi.ProviderConfig;
import io.cutover.spi.ProviderContext;
import io.cutover.spi.Router;
import io.cutover.spi.RouterProvider;
import io.cutover.testfixtures.PostgresServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seed scenario #3, incident response: two {@code cutover serve} replicas (in-process, each with
 * its real admin API) share one real PostgreSQL journal and one world (the same recording fleet,
 * router and store, as two replicas of a deployment service steer the same cluster). A rollout
 * started and driven by replica A is aborted by {@code cutover abort --all} and {@code cutover
 * abort <id>} sent to replica B, and {@code cutover rollback <service>} sent to B rolls back the
 * release A deployed.
 */
class ReplicaServersTest {
  static final String TOKEN = "test-token-0123456789abcdef";

  static PostgresServer postgres;

  @TempDir Path dir;

  private final FakeFleet fleet = FakeFleet.create();
  private final FakeRouter router = FakeRouter.create(InstantSource.system()).watch(fleet);
  private final InMemoryArtifactStore store = InMemoryArtifactStore.create();

  record Result(int code, String out, String err) {}

  @BeforeAll
  static void database() throws IOException {
    postgres = PostgresServer.start();
  }

  @AfterAll
  static void stopDatabase() {
    postgres.close();
  }

  @Test
  @DisplayName(
      "abort --all, abort <id> and rollback <service> sent to replica B act on what replica A runs")
  void incidentResponseFromAnyReplica() throws IOException {
    Path specs = Files.createDirectories(dir.resolve("specs-b"));
    Files.copy(spec("1.0"), specs.resolve("checkout.yaml"));
    try (Server a = start("a", null);
        Server b = start("b", specs)) {
      // Replica A deploys 1.0 (at once: no stable release yet) and 2.0 (canary, approved).
      String first = apply(a, "1.0");
      awaitState(a, first, "SUCCEEDED");
      String second = apply(a, "2.0");
      awaitState(a, second, "PAUSED");
      ok(a, "approve", second);
      awaitState(a, second, "SUCCEEDED");

      // 3.0 waits for approval on A; B aborts everything, and B's abort names A as the driver.
      String third = apply(a, "3.0");
      awaitState(a, third, "PAUSED");
      assertThat(ok(b, "abort", "--all").out()).isEqualTo("abort --all: aborting " + third + "\n");
      awaitState(a, third, "ABORTED");
      assertThat(router.current("checkout")).contains(TrafficSplit.all(release(a, second)));

      // 4.0 on A, aborted by id from B.
      String fourth = apply(a, "4.0");
      awaitState(a, fourth, "PAUSED");
      assertThat(ok(b, "abort", fourth, "--reason", "pager").out())
          .isEqualTo("abort: " + fourth + " abort applied by replica a\n");
      awaitState(a, fourth, "ABORTED");

      // B rolls back the release A deployed last (2.0) to the one before it (1.0).
      JsonNode back = json(ok(b, "rollback", "checkout", "-o", "json"));
      String backId = back.path("rolloutId").asText();
      assertThat(back.path("target").asText()).isEqualTo(release(a, first));
      assertThat(back.path("stable").asText()).isEqualTo(release(a, second));
      awaitState(b, backId, "SUCCEEDED");
      assertThat(router.current("checkout")).contains(TrafficSplit.all(release(a, first)));
    }
  }

  /** The target release of a rollout, as the server that ran it reports. */
  private String release(Server s, String rolloutId) throws IOException {
    return json(ok(s, "status", rolloutId, "-o", "json")).path("target").asText();
  }

  private Server start(String replica, Path specs) throws IOException {
    Map<String, Object> journal = new HashMap<>();
    journal.put("url", postgres.jdbcUrl());
    journal.put("user", postgres.user());
    journal.put("schema", "seed3");
    journal.put("leaseTtl", "3s");
    journal.put("heartbeat", "500ms");
    journal.put("replica", replica);
    return Server.start(
        new ServerConfig(
            new InetSocketAddress("127.0.0.1", 0),
            new ServerConfig.Secret("env CUTOVER_TOKEN", TOKEN),
            specs,
            "postgres",
            journal,
            64 * 1024,
            null),
        this::registry);
  }

  private Result run(Server s, String... args) {
    Map<String, String> env = Map.of("CUTOVER_TOKEN", TOKEN, "CUTOVER_SERVER", s.url());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Cli cli =
        new Cli(
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            this::registry,
            env::get);
    int code = Main.run(cli, args);
    return new Result(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private Result ok(Server s, String... args) {
    Result r = run(s, args);
    assertThat(r.code()).as(String.join(" ", args) + "\n" + r.out() + r.err()).isZero();
    return r;
  }

  private static JsonNode json(Result r) throws IOException {
    return new ObjectMapper().readTree(r.out());
  }

  private String apply(Server s, String tag) throws IOException {
    return json(ok(s, "apply", spec(tag).toString(), "--server", s.url(), "-o", "json"))
        .path("rollout")
        .path("rolloutId")
        .asText();
  }

  private void awaitState(Server s, String id, String state) {
    await(
        id + " " + state,
        () -> {
          try {
            return json(ok(s, "status", id, "-o", "json")).path("state").asText().equals(state);
          } catch (IOException e) {
            throw new AssertionError(e);
          }
        });
  }

  private static void await(String what, BooleanSupplier condition) {
    Instant deadline = Instant.now().plusSeconds(60);
    while (!condition.getAsBoolean()) {
      assertThat(Instant.now()).as("waiting for " + what).isBefore(deadline);
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  private Path spec(String tag) throws IOException {
    store.push("registry.example.com/shop/checkout", tag, tag.getBytes(StandardCharsets.UTF_8));
    Path file = dir.resolve("checkout-" + tag + ".yaml");
    Files.writeString(
        file,
        """
        apiVersion: cutover.io/v1
        service: checkout
        artifact:
          tag: registry.example.com/shop/checkout:%s
        replicas: 2
        strategy:
          canary:
            steps:
              - setWeight: 25
              - pause: untilApproved
              - setWeight: 100
            scaleDownDelay: 0s
        providers:
          fleet: {type: fake}
          router: {type: fake}
          store: {type: memory}
        """
            .formatted(tag));
    return file;
  }

  private ProviderRegistry registry() {
    return ProviderRegistry.create()
        .withDiscovery()
        .register(
            new FleetProvider() {
              @Override
              public String name() {
                return "fake";
              }

              @Override
              public Fleet create(ProviderConfig config, ProviderContext context) {
                return fleet;
              }
            })
        .register(
            new RouterProvider() {
              @Override
              public String name() {
                return "fake";
              }

              @Override
              public Router create(ProviderConfig config, ProviderContext context) {
                return router;
              }
            })
        .register(
            new ArtifactStoreProvider() {
              @Override
              public String name() {
                return "memory";
              }

              @Override
              public ArtifactStore create(ProviderConfig config, ProviderContext context) {
                return store;
              }
            });
  }
}
