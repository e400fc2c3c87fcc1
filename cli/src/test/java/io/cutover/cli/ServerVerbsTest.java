// SPDX-License-Identifier: Apache-2.0
package io.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator verbs in-process through picocli against an in-process {@code cutover serve} (its
 * real HTTP server, token check and file journal) on recording providers: exit codes, human and
 * JSON output, and the one-line refusals (bad input 2; unreachable server or refused token 1).
 */
class ServerVerbsTest {
  static final String TOKEN = "test-token-0123456789abcdef";

  @TempDir Path dir;

  private final FakeFleet fleet = FakeFleet.create();
  private final FakeRouter router = FakeRouter.create(InstantSource.system()).watch(fleet);
  private final InMemoryArtifactStore store = InMemoryArtifactStore.create();
  private final Map<String, String> env = new HashMap<>();
  private Server server;

  record Result(int code, String out, String err) {}

  @BeforeEach
  void start() throws IOException {
    env.put("CUTOVER_TOKEN", TOKEN);
    server =
        Server.start(
            new ServerConfig(
                new InetSocketAddress("127.0.0.1", 0),
                new ServerConfig.Secret("env CUTOVER_TOKEN", TOKEN),
                null,
                "file",
                Map.of("directory", dir.resolve("journal").toString(), "durability", "os_buffered"),
                64 * 1024,
                null),
            this::registry);
    env.put("CUTOVER_SERVER", server.url());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  Result run(String... args) {
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

  Result ok(String... args) {
    Result r = run(args);
    assertThat(r.code()).as(String.join(" ", args) + "\n" + r.out() + r.err()).isZero();
    return r;
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

  private JsonNode json(Result r) throws IOException {
    return new ObjectMapper().readTree(r.out());
  }

  private String state(String id) throws IOException {
    return json(ok("status", id, "-o", "json")).path("state").asText();
  }

  private static void await(String what, BooleanSupplier condition) {
    Instant deadline = Instant.now().plusSeconds(30);
    while (!condition.getAsBoolean()) {
      assertThat(Instant.now()).as("waiting for " + what).isBefore(deadline);
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  private void awaitState(String id, String state) {
    await(
        id + " " + state,
        () -> {
          try {
            return state(id).equals(state);
          } catch (IOException e) {
            throw new AssertionError(e);
          }
        });
  }

  /** Applies a spec through the server; returns the started rollout's id. */
  private String apply(String tag) throws IOException {
    return json(ok("apply", spec(tag).toString(), "--server", server.url(), "-o", "json"))
        .path("rollout")
        .path("rolloutId")
        .asText();
  }

  /** The first release (no stable one yet) goes out at once; the next ones run the canary. */
  private void deployFirst() throws IOException {
    Result applied = ok("apply", spec("1.0").toString(), "--server", server.url());
    assertThat(applied.out()).contains("started: checkout-");
    String id = applied.out().replaceAll("(?s).*started: (\\S+) .*", "$1");
    awaitState(id, "SUCCEEDED");
  }

  @Test
  void applyListStatusApproveHistoryAbortRetryPromoteRollback() throws IOException {
    deployFirst();
    String first = apply("2.0");
    awaitState(first, "PAUSED");
    Result list = ok("list");
    assertThat(list.out().lines().toList().get(0)).startsWith("ROLLOUT").contains("TRAFFIC");
    assertThat(list.out()).contains(first).contains("PAUSED").contains("25.00%");
    Result status = ok("status", first);
    assertThat(status.out()).contains("state    PAUSED").contains("traffic  checkout-");
    assertThat(ok("approve", first).out()).startsWith("approve: " + first);
    awaitState(first, "SUCCEEDED");
    assertThat(ok("history", "checkout").out()).contains(first).contains("SUCCEEDED");

    // The next release: abort it from another client, retry it, promote the retry to the end.
    String second = apply("3.0");
    awaitState(second, "PAUSED");
    assertThat(ok("abort", second, "--reason", "bad release").out()).startsWith("abort: " + second);
    awaitState(second, "ABORTED");
    assertThat(ok("abort", "--all").out()).isEqualTo("abort --all: no active rollouts\n");
    String retry = json(ok("retry", second, "-o", "json")).path("rolloutId").asText();
    assertThat(retry).isNotEqualTo(second).startsWith("checkout-");
    awaitState(retry, "PAUSED");
    ok("promote", retry, "--full");
    awaitState(retry, "SUCCEEDED");

    // Roll back to 2.0, as a new rollout.
    String back = json(ok("rollback", "checkout", "-o", "json")).path("rolloutId").asText();
    awaitState(back, "SUCCEEDED");
    assertThat(json(ok("history", "checkout", "-o", "json")).path("history").size()).isEqualTo(5);

    // abort --all aborts what is active.
    String third = apply("4.0");
    assertThat(ok("abort", "--all").out()).isEqualTo("abort --all: aborting " + third + "\n");
    awaitState(third, "ABORTED");
  }

  @Test
  void pauseAndResume() throws IOException {
    deployFirst();
    String id = apply("2.0");
    awaitState(id, "PAUSED");
    ok("resume", id);
    awaitState(id, "SUCCEEDED");
    String next = apply("2.1");
    ok("pause", next);
    awaitState(next, "PAUSED");
    assertThat(ok("status", next, "-o", "json").out()).contains("\"state\" : \"PAUSED\"");
  }

  @Test
  void badInputIsOneLineAndExitCode2() throws IOException {
    List<String[]> bad = new ArrayList<>();
    bad.add(new String[] {"status", "checkout-nope-1"});
    bad.add(new String[] {"history", "nope"});
    bad.add(new String[] {"abort"});
    bad.add(new String[] {"abort", "x", "--all"});
    bad.add(new String[] {"list", "--output", "yaml"});
    bad.add(new String[] {"list", "--server", "ftp://x"});
    bad.add(new String[] {"list", "--token-file", dir.resolve("missing").toString()});
    bad.add(new String[] {"approve", "checkout-nope-1"});
    bad.add(new String[] {"rollback", "nope"});
    for (String[] args : bad) {
      Result r = run(args);
      String shown = String.join(" ", args);
      assertThat(r.code()).as(shown + "\n" + r.err()).isEqualTo(2);
      assertThat(r.err().lines().toList()).as(shown).hasSize(1);
      assertThat(r.err()).as(shown).startsWith("cutover ").contains("fix").doesNotContain("\tat ");
      assertThat(r.out()).as(shown).isEmpty();
    }
    assertThat(run("status", "checkout-nope-1").err())
        .contains("no rollout 'checkout-nope-1' on this server");
    // --verbose adds the trace
    assertThat(run("abort", "--verbose").err()).contains("\tat ");
    env.remove("CUTOVER_TOKEN");
    Result noToken = run("list");
    assertThat(noToken.code()).isEqualTo(2);
    assertThat(noToken.err()).contains("no token").contains("CUTOVER_TOKEN");
  }

  @Test
  void aWrongTokenOrAnUnreachableServerIsExitCode1() throws IOException {
    Path wrong = dir.resolve("wrong-token");
    Files.writeString(wrong, "not-the-token-0123456789\n");
    Result refused = run("list", "--token-file", wrong.toString());
    assertThat(refused.code()).isEqualTo(1);
    assertThat(refused.err().strip())
        .startsWith("cutover list: the server at " + server.url() + " refused the token (401)")
        .doesNotContain("not-the-token");
    Path right = dir.resolve("token");
    Files.writeString(right, TOKEN + "\n");
    env.remove("CUTOVER_TOKEN");
    ok("list", "--token-file", right.toString());
    String url = server.url();
    server.close();
    Result down = run("list", "--token-file", right.toString(), "--server", url);
    assertThat(down.code()).isEqualTo(1);
    assertThat(down.err().lines().toList()).hasSize(1);
    assertThat(down.err()).contains("cannot reach the server at " + url);
    server = Server.start(configWithLimit(), this::registry);
  }

  private ServerConfig configWithLimit() {
    return new ServerConfig(
        new InetSocketAddress("127.0.0.1", 0),
        new ServerConfig.Secret("env CUTOVER_TOKEN", TOKEN),
        null,
        "file",
        Map.of("directory", dir.resolve("journal2").toString(), "durability", "os_buffered"),
        4096,
        null);
  }

  @Test
  void theApiRefusesRequestsWithoutTheTokenOrTooLargeAndServesMetrics() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    URI base = URI.create(server.url());
    HttpResponse<String> anonymous =
        http.send(
            HttpRequest.newBuilder(base.resolve("/api/v1/rollouts")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.headers().firstValue("WWW-Authenticate"))
        .hasValue("Bearer realm=\"cutover\"");
    HttpResponse<String> wrong =
        http.send(
            HttpRequest.newBuilder(base.resolve("/metrics"))
                .header("Authorization", "Bearer " + TOKEN + "x")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(
            http.send(
                    HttpRequest.newBuilder(base.resolve("/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString())
                .body())
        .isEqualTo("ok\n");
    byte[] big = new byte[64 * 1024 + 1];
    HttpResponse<String> tooLarge =
        http.send(
            HttpRequest.newBuilder(base.resolve("/api/v1/specs"))
                .header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofByteArray(big))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(tooLarge.statusCode()).isEqualTo(413);
    assertThat(tooLarge.body()).contains("larger than 65536 bytes");

    // A rollout, then its instruments in the Prometheus text format.
    deployFirst();
    HttpResponse<String> metrics =
        http.send(
            HttpRequest.newBuilder(base.resolve("/metrics"))
                .header("Authorization", "Bearer " + TOKEN)
                .timeout(Duration.ofSeconds(30))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    assertThat(metrics.body()).contains("# TYPE cutover_").contains("service=\"checkout\"");
  }

  @Test
  void serveRefusesABadConfigWithEveryProblemAndExitCode2() throws IOException {
    Path cfg = dir.resolve("server.yaml");
    Files.writeString(
        cfg,
        """
        listen: 127.0.0.1:notaport
        token: {env: NOT_SET_ANYWHERE}
        journal: {directory: /tmp/x}
        tsl: {}
        """);
    Result r = run("serve", "--config", cfg.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().lines().toList())
        .hasSize(4)
        .allSatisfy(
            l -> assertThat(l).startsWith("cutover serve: " + cfg + ": $.").contains("(fix: "));
    assertThat(r.err())
        .contains("$.tsl: is not a server setting")
        .contains("$.listen: '127.0.0.1:notaport' is not host:port")
        .contains("$.token.env: the environment variable NOT_SET_ANYWHERE is not set")
        .contains("$.journal.type: is missing");
    Files.writeString(cfg, "token: {env: SHORT}\njournal: {type: file, directory: j}\n");
    env.put("SHORT", "abc");
    Result shortToken = run("serve", "--config", cfg.toString());
    assertThat(shortToken.code()).isEqualTo(2);
    assertThat(shortToken.err()).contains("shorter than 16 characters").doesNotContain("abc");
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
