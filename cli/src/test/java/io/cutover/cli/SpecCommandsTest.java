// SPDX-License-Identifier: Apache-2.0
package io.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.api.ArtifactRef;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.Verdict;
import io.cutover.core.ProviderRegistry;
import io.cutover.simulator.FakeFleet;
import io.cutover.simulator.FakeRouter;
import io.cutover.simulator.InMemoryArtifactStore;
import io.cutover.spi.ArtifactStore;
import io.cutover.spi.ArtifactStoreProvider;
import io.cutover.spi.Fleet;
import io.cutover.spi.FleetProvider;
import io.cutover.spi.GateContext;
import io.cutover.spi.HealthGate;
import io.cutover.spi.HealthGateProvider;
import io.cutover.spi.ProviderConfig;
import io.cutover.spi.ProviderContext;
import io.cutover.spi.Router;
import io.cutover.spi.RouterProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cutover validate | plan | apply} in-process through picocli, on recording providers (the
 * simulator's fake fleet and router, an in-memory store) registered by name; and the one-line,
 * exit-code-2 refusal of bad input by every command.
 */
class SpecCommandsTest {
  @TempDir Path dir;

  private final FakeFleet fleet = FakeFleet.create();
  private final FakeRouter router = FakeRouter.create(InstantSource.system()).watch(fleet);
  private final InMemoryArtifactStore store = InMemoryArtifactStore.create();

  record Result(int code, String out, String err) {}

  Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Cli cli =
        new Cli(
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            this::registry);
    int code = Main.run(cli, args);
    return new Result(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private Path spec(String gateVerdict) throws IOException {
    Path file = dir.resolve("cutover.yaml");
    Files.writeString(
        file,
        """
        apiVersion: cutover.io/v1
        service: checkout
        artifact:
          tag: registry.example.com/shop/checkout:1.4.2
        replicas: 2
        strategy:
          canary:
            steps:
              - setWeight: 50
              - analysis: {gates: [ok]}
            scaleDownDelay: 0s
        gates:
          ok: {type: fixed, verdict: %s}
        providers:
          fleet: {type: fake}
          router: {type: fake}
          store: {type: memory}
          journal: {type: file, directory: "%s"}
        """
            .formatted(gateVerdict, dir.resolve("journal").toString().replace("\\", "/")));
    return file;
  }

  private ArtifactRef push() {
    return store.push(
        "registry.example.com/shop/checkout", "1.4.2", "v2".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void validateAcceptsAGoodSpecWithoutTouchingAnything() throws IOException {
    Result r = run("validate", spec("pass").toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("valid: ").contains("service checkout, canary, 2 replicas");
    assertThat(fleet.calls()).isEmpty();
    assertThat(router.applyCalls()).isZero();
  }

  @Test
  void validateReportsEveryProblemOnItsOwnLineWithExitCode2() throws IOException {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(
        file,
        """
        apiVersion: cutover.io/v1
        service: checkout
        artifact: {digest: "registry.example.com/a@sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"}
        replicas: 0
        strategy: {canary: {steps: [{setWeight: 10}], scaleDownDelay: 5x}}
        providers: {fleet: {type: fake}, router: {type: fak}}
        """);
    Result r = run("validate", file.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().lines().toList())
        .hasSize(2)
        .anySatisfy(l -> assertThat(l).startsWith(file + ":4:1: $.replicas: is 0 (fix: "))
        .anySatisfy(
            l ->
                assertThat(l).contains("$.strategy.canary.scaleDownDelay: '5x' is not a duration"));
    // provider names are checked once the file parses
    Files.writeString(
        file, Files.readString(file).replace("replicas: 0", "replicas: 1").replace("5x", "5s"));
    Result names = run("validate", file.toString());
    assertThat(names.code()).isEqualTo(2);
    assertThat(names.err().strip())
        .startsWith(file + ":6:")
        .contains("$.providers.router.type: names 'fak'")
        .contains("did you mean 'fake'?");
    assertThat(names.err()).doesNotContain("\tat ");
  }

  @Test
  void planIsADryRunWithAStepTableAndADiff() throws IOException {
    ArtifactRef v2 = push();
    Result r = run("plan", spec("pass").toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("plan for checkout")
        .contains("target: checkout-")
        .contains(v2.toString())
        .contains("release:  (none) -> checkout-")
        .contains("verify ok x1")
        .contains("(dry run: nothing was launched, routed, pinned or journaled)");
    assertThat(fleet.calls()).isEmpty();
    assertThat(router.applyCalls()).isZero();
    assertThat(store.pins(v2)).isEmpty();
  }

  @Test
  void planPrintsJson() throws IOException {
    ArtifactRef v2 = push();
    Result r = run("plan", spec("pass").toString(), "--output", "json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertThat(json.get("service").asText()).isEqualTo("checkout");
    assertThat(json.get("target").get("artifact").asText()).isEqualTo(v2.toString());
    assertThat(json.get("stable").isNull()).isTrue();
    assertThat(json.get("plan").get("steps").size()).isPositive();
    assertThat(fleet.calls()).isEmpty();
  }

  @Test
  void applyRunsTheRolloutAndExits0ThenPlanSeesItStable() throws IOException {
    push();
    Path file = spec("pass");
    Result r = run("apply", file.toString());
    assertThat(r.code()).as(r.out() + r.err()).isZero();
    assertThat(r.out())
        .contains("rollout_started")
        .contains("traffic_shifted")
        .contains("gate ok: PASS")
        .containsPattern("rollout \\S+ SUCCEEDED; stable release of checkout: checkout-");
    assertThat(fleet.calls()).isNotEmpty();
    // the file journal keeps the stable release for the next command
    Result again = run("plan", file.toString());
    assertThat(again.code()).as(again.err()).isZero();
    assertThat(again.out()).contains("(unchanged)").contains("apply would change nothing");
    Result noop = run("apply", file.toString());
    assertThat(noop.code()).isZero();
    assertThat(noop.out()).startsWith("nothing to do:");
  }

  @Test
  void applyExits3WhenTheGateAbortsTheRollout() throws IOException {
    push();
    Result r = run("apply", spec("fail").toString());
    assertThat(r.code()).as(r.out() + r.err()).isEqualTo(3);
    assertThat(r.out()).contains("gate ok: FAIL").containsPattern("rollout \\S+ ABORTED");
  }

  @Test
  void applyExits1OnAnErrorWhileWorkingInOneLine() throws IOException {
    // the tag is not in the store
    Result r = run("apply", spec("pass").toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().lines().count()).isEqualTo(1);
    assertThat(r.err()).startsWith("cutover apply: error: ").contains("--verbose");
    Result verbose = run("apply", spec("pass").toString(), "--verbose");
    assertThat(verbose.err()).contains("\tat ");
  }

  @Test
  void badInputToAnyCommandIsOneLineAndExitCode2BeforeAnyWork() {
    for (String[] args :
        new String[][] {
          {"demo", "--rate", "-5"},
          {"demo", "--replicas", "0"},
          {"demo", "--rate", "abc"},
          {"demo", "--router", "envoy"},
          {"simulate", "--replicas", "0"},
          {"simulate", "--bad-error-rate", "2"},
          {"plan", "cutover.yaml", "--output", "xml"},
          {"validate"},
          {"apply", dir.resolve("missing.yaml").toString()},
          {"nosuchcommand"},
        }) {
      Result r = run(args);
      assertThat(r.code()).as(String.join(" ", args) + "\n" + r.err()).isEqualTo(2);
      assertThat(r.err().lines().toList()).as(String.join(" ", args)).hasSize(1);
      assertThat(r.err()).doesNotContain("\tat ").doesNotContain("Exception");
      assertThat(r.out()).as(String.join(" ", args)).isEmpty();
    }
    assertThat(run("demo", "--rate", "-5").err())
        .isEqualTo(
            "cutover demo: --rate is -5 (fix: give 1 or more requests per second, e.g. --rate 300)"
                + " (fix: see 'cutover demo --help')\n");
  }

  @Test
  void helpListsEveryCommand() {
    assertThat(run("--help").out()).contains("validate").contains("serve").contains("report");
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
            })
        .register(
            new HealthGateProvider() {
              @Override
              public String name() {
                return "fixed";
              }

              @Override
              public HealthGate create(ProviderConfig config, ProviderContext context) {
                config.requireOnly(Set.of("name", "verdict"));
                String name = config.requireString("name");
                String verdict = config.getString("verdict", "pass");
                if (!verdict.equals("pass") && !verdict.equals("fail")) {
                  throw new InvalidSpecException(
                      config.pathOf("verdict"), "is '" + verdict + "'", "use pass or fail");
                }
                return new HealthGate() {
                  @Override
                  public String name() {
                    return name;
                  }

                  @Override
                  public Verdict evaluate(GateContext ctx) {
                    return verdict.equals("pass") ? Verdict.pass("fixed") : Verdict.fail("fixed");
                  }
                };
              }
            });
  }
}
