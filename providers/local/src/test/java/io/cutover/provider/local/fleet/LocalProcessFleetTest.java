// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.ArtifactRef;
import io.cutover.api.ConfigRef;
import io.cutover.api.DigestMismatchException;
import io.cutover.api.Instance;
import io.cutover.api.InstanceState;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.ProviderException;
import io.cutover.api.Release;
import io.cutover.provider.local.store.FilesystemArtifactStore;
import io.cutover.provider.local.testing.LocalFixture;
import io.cutover.samples.SampleArtifacts;
import io.cutover.spi.OperationId;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real processes of the sample service, started and stopped by the fleet. */
class LocalProcessFleetTest {
  @TempDir static Path shared;
  @TempDir Path work;

  static FilesystemArtifactStore store;
  static ArtifactRef v1;
  static ArtifactRef v2;

  final ConfigSource.Registry configs = ConfigSource.registry();
  final HttpClient http = HttpClient.newHttpClient();
  LocalProcessFleet fleet;

  @BeforeAll
  static void artifacts() {
    store = FilesystemArtifactStore.open(shared.resolve("store"));
    v1 = LocalFixture.put(store, "v1", 0);
    v2 = LocalFixture.put(store, "v2", 0);
  }

  @BeforeEach
  void setUp() {
    fleet = newFleet(CrashPolicy.REPORT);
  }

  @AfterEach
  void tearDown() {
    fleet.stopAll();
    fleet.close();
  }

  LocalProcessFleet newFleet(CrashPolicy policy) {
    return LocalProcessFleet.builder(work, store)
        .configs(configs)
        .secrets(SecretResolver.of(Map.of("checkout-token", "s3cr3t")))
        .gracePeriod(Duration.ofMillis(1500))
        .readyTimeout(Duration.ofSeconds(20))
        .crashPolicy(policy, 2)
        .build();
  }

  HttpResponse<String> get(Instance i, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(i.endpoint().resolve(path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @DisplayName(
      "launches READY processes on their own ports with configuration and resolved secrets in the environment")
  void launchesReadyProcesses() throws Exception {
    ConfigRef cfg =
        configs.register(Map.of("GREETING", "bonjour", "api.token", "${secret:checkout-token}"));
    Release r = Release.of("checkout", v1, cfg);
    List<Instance> list = fleet.launch(new OperationId("r1/s0/launch"), r, 2);

    assertThat(list)
        .hasSize(2)
        .allSatisfy(
            i -> {
              assertThat(i.state()).isEqualTo(InstanceState.READY);
              assertThat(i.releaseId()).isEqualTo(r.id());
              assertThat(i.runningDigest()).isEqualTo(v1.digest());
            });
    assertThat(list.get(0).endpoint()).isNotEqualTo(list.get(1).endpoint());
    HttpResponse<String> resp = get(list.get(0), "/");
    assertThat(resp.body()).isEqualTo("bonjour from v1\n");
    assertThat(resp.headers().firstValue("X-Release")).contains(r.id());
    assertThat(get(list.get(0), "/healthz").body()).contains("token=present");
    // The secret reached the process but no file of the fleet holds it.
    try (var files = Files.walk(work)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        if (!f.toString().endsWith(".jar")) {
          assertThat(Files.readString(f)).doesNotContain("s3cr3t");
        }
      }
    }
    assertThat(Files.readString(fleet.instanceDirectory(list.get(0).id()).resolve("stdout.log")))
        .contains("sample-service v1 release " + r.id() + " listening");
  }

  @Test
  @DisplayName(
      "a repeated operation id returns the same instances; a new fleet over the same directory adopts them")
  void idempotentAndAdopted() throws Exception {
    Release r = Release.of("checkout", v1);
    OperationId op = new OperationId("r2/s0/launch");
    List<Instance> first = fleet.launch(op, r, 2);
    List<Instance> again = fleet.launch(op, r, 2);
    assertThat(again)
        .extracting(Instance::id)
        .containsExactlyElementsOf(first.stream().map(Instance::id).toList());
    assertThat(fleet.instances("checkout")).hasSize(2);

    fleet.close();
    LocalProcessFleet restarted = newFleet(CrashPolicy.REPORT);
    fleet = restarted;
    assertThat(restarted.instances("checkout"))
        .extracting(Instance::id, Instance::state)
        .containsExactlyInAnyOrder(
            first.stream()
                .map(i -> org.assertj.core.groups.Tuple.tuple(i.id(), InstanceState.READY))
                .toArray(org.assertj.core.groups.Tuple[]::new));
    assertThat(restarted.launch(op, r, 2))
        .extracting(Instance::endpoint)
        .containsExactlyInAnyOrderElementsOf(first.stream().map(Instance::endpoint).toList());
    assertThat(get(first.get(0), "/").statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName(
      "retire stops the processes gracefully; one that ignores SIGTERM is killed after the grace period")
  void retireStopsProcesses() throws Exception {
    ConfigRef stubborn = configs.register(Map.of("IGNORE_SIGTERM", "true"));
    Release polite = Release.of("checkout", v1);
    Release rude = Release.of("checkout", v2, stubborn);
    Instance a = fleet.launch(new OperationId("r3/s0/launch"), polite, 1).get(0);
    Instance b = fleet.launch(new OperationId("r3/s1/launch"), rude, 1).get(0);
    ProcessHandle pa = fleet.process(a.id()).orElseThrow();
    ProcessHandle pb = fleet.process(b.id()).orElseThrow();

    long t0 = System.nanoTime();
    fleet.retire(new OperationId("r3/s2/retire"), polite);
    assertThat(pa.isAlive()).isFalse();
    assertThat(Files.readString(fleet.instanceDirectory(a.id()).resolve("stdout.log")))
        .contains("stopping after");
    fleet.retire(new OperationId("r3/s3/retire"), rude);
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertThat(pb.isAlive()).isFalse();
    assertThat(ms).isGreaterThanOrEqualTo(1400);
    assertThat(fleet.instances("checkout")).isEmpty();
    fleet.retire(new OperationId("r3/s4/retire"), rude); // nothing left: still succeeds
  }

  @Test
  @DisplayName("scale launches or stops the difference, newest first")
  void scales() {
    Release r = Release.of("checkout", v1);
    List<Instance> one = fleet.launch(new OperationId("r4/s0/launch"), r, 1);
    List<Instance> three = fleet.scale(new OperationId("r4/s1/scale"), r, 3);
    assertThat(three)
        .hasSize(3)
        .allSatisfy(i -> assertThat(i.state()).isEqualTo(InstanceState.READY));
    List<Instance> back = fleet.scale(new OperationId("r4/s2/scale"), r, 1);
    assertThat(back).extracting(Instance::id).containsExactly(one.get(0).id());
  }

  @Test
  @DisplayName("a crashed instance is reported FAILED under REPORT and fails the fleet gate")
  void crashReported() throws Exception {
    List<Instance> events = new CopyOnWriteArrayList<>();
    fleet.addListener((i, what) -> events.add(i));
    Release r = Release.of("checkout", v1);
    Instance i = fleet.launch(new OperationId("r5/s0/launch"), r, 1).get(0);
    kill(i);
    awaitState(i.id(), InstanceState.FAILED);
    for (int n = 0; n < 200 && events.isEmpty(); n++) {
      TimeUnit.MILLISECONDS.sleep(10);
    }
    assertThat(events).extracting(Instance::state).contains(InstanceState.FAILED);
    var verdict =
        new FleetHealthGate("fleet", fleet)
            .evaluate(io.cutover.provider.local.TestGateContexts.of(r));
    assertThat(verdict.outcome()).isEqualTo(io.cutover.api.Verdict.Outcome.FAIL);
  }

  @Test
  @DisplayName("a crashed instance is restarted in the same slot (same id and port) under REPLACE")
  void crashReplaced() throws Exception {
    fleet.close();
    fleet = newFleet(CrashPolicy.REPLACE);
    Release r = Release.of("checkout", v1);
    Instance i = fleet.launch(new OperationId("r6/s0/launch"), r, 1).get(0);
    long pid = fleet.process(i.id()).orElseThrow().pid();
    kill(i);
    for (int n = 0;
        n < 400
            && (fleet.restarts(i.id()) == 0
                || fleet.instances("checkout").get(0).state() != InstanceState.READY);
        n++) {
      TimeUnit.MILLISECONDS.sleep(25);
    }
    Instance now = fleet.instances("checkout").get(0);
    assertThat(now.id()).isEqualTo(i.id());
    assertThat(now.state()).isEqualTo(InstanceState.READY);
    assertThat(now.endpoint()).isEqualTo(i.endpoint());
    assertThat(fleet.process(i.id()).orElseThrow().pid()).isNotEqualTo(pid);
    assertThat(fleet.restarts(i.id())).isEqualTo(1);
    assertThat(get(now, "/").statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("an artifact modified on disk is reported as drift and refused at the next launch")
  void driftRefused() throws Exception {
    Release r = Release.of("checkout", v2);
    Instance i = fleet.launch(new OperationId("r7/s0/launch"), r, 1).get(0);
    // The content under the launch manifest v2 names: the only jar materialized so far.
    Path jar;
    try (var jars = Files.list(work.resolve("artifacts"))) {
      jar = jars.filter(f -> f.toString().endsWith(".jar")).findFirst().orElseThrow();
    }
    assertThat(Files.getPosixFilePermissions(jar))
        .allSatisfy(p -> assertThat(p.name()).doesNotContain("WRITE"));
    Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
    Files.write(jar, new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);

    Instance reported = fleet.instances("checkout").get(0);
    assertThat(reported.id()).isEqualTo(i.id());
    assertThat(reported.runningDigest()).isNotNull().isNotEqualTo(v2.digest());
    assertThatThrownBy(() -> fleet.scale(new OperationId("r7/s1/scale"), r, 2))
        .isInstanceOf(ProviderException.class)
        .hasMessageContaining("drift")
        .hasCauseInstanceOf(DigestMismatchException.class)
        .satisfies(e -> assertThat(((ProviderException) e).retryable()).isFalse());
    assertThat(fleet.instances("checkout")).hasSize(1);
  }

  @Test
  @DisplayName(
      "a directory artifact runs its start command from the read-only, digest-checked extraction")
  void directoryArtifact() throws Exception {
    Path tree = shared.resolve("tree-" + System.nanoTime());
    Files.createDirectories(tree.resolve("bin"));
    Files.write(tree.resolve("app.jar"), SampleArtifacts.jar("dir", 0));
    Path start = tree.resolve("bin").resolve("start");
    Files.writeString(
        start,
        "#!/bin/sh\nexec java -XX:TieredStopAtLevel=1 -jar \"$(dirname \"$0\")/../app.jar\"\n");
    Files.setPosixFilePermissions(start, PosixFilePermissions.fromString("rwxr-xr-x"));
    ArtifactRef ref =
        store.importDirectory(
            "team/dir-app",
            tree,
            io.cutover.provider.local.store.ArtifactMetadata.of(
                    io.cutover.provider.local.store.ArtifactMetadata.TAR)
                .withLabel(LaunchSpec.LABEL_COMMAND, "bin/start"));
    Release r = Release.of("checkout", ref);

    Instance i = fleet.launch(new OperationId("r9/s0/launch"), r, 1).get(0);

    assertThat(i.state()).isEqualTo(InstanceState.READY);
    assertThat(i.runningDigest()).isEqualTo(ref.digest());
    assertThat(get(i, "/").body()).isEqualTo("hello from dir\n");
    Path extracted;
    try (var dirs = Files.list(work.resolve("artifacts"))) {
      extracted = dirs.filter(f -> f.toString().endsWith(".d")).findFirst().orElseThrow();
    }
    assertThat(Files.getPosixFilePermissions(extracted.resolve("bin").resolve("start")))
        .extracting(Enum::name)
        .noneMatch(n -> n.contains("WRITE"));
  }

  @Test
  @DisplayName("an archive reaching outside its directory is refused before anything runs")
  void unsafeArchiveRefused() throws Exception {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(bytes)) {
      var link =
          new org.apache.commons.compress.archivers.tar.TarArchiveEntry(
              "bin", org.apache.commons.compress.archivers.tar.TarConstants.LF_SYMLINK);
      link.setLinkName("/usr/bin");
      tar.putArchiveEntry(link);
      tar.closeArchiveEntry();
    }
    ArtifactRef ref =
        store.put(
            "team/evil",
            bytes.toByteArray(),
            io.cutover.provider.local.store.ArtifactMetadata.of(
                    io.cutover.provider.local.store.ArtifactMetadata.TAR)
                .withLabel(LaunchSpec.LABEL_COMMAND, "bin/sh"));

    assertThatThrownBy(
            () -> fleet.launch(new OperationId("r10/s0/launch"), Release.of("checkout", ref), 1))
        .isInstanceOf(ProviderException.class)
        .hasMessageContaining("absolute path")
        .hasCauseInstanceOf(UnsafeArtifactException.class)
        .satisfies(e -> assertThat(((ProviderException) e).retryable()).isFalse());
    assertThat(fleet.instances("checkout")).isEmpty();
  }

  @Test
  @DisplayName("bad input is refused before any process starts")
  void badInputRefused() throws IOException {
    Release unknownConfig = Release.of("checkout", v1, ConfigRef.of(Map.of("a", "b")));
    assertThatThrownBy(() -> fleet.launch(new OperationId("r8/s0/launch"), unknownConfig, 1))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("release.config");
    ConfigRef missingSecret = configs.register(Map.of("db.password", "${secret:nope}"));
    assertThatThrownBy(
            () ->
                fleet.launch(
                    new OperationId("r8/s1/launch"), Release.of("checkout", v1, missingSecret), 1))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("config.db.password")
        .hasMessageContaining("nope");
    assertThatThrownBy(
            () -> fleet.launch(new OperationId("r8/s2/launch"), Release.of("checkout", v1), 0))
        .isInstanceOf(InvalidSpecException.class);
    assertThat(fleet.instances("checkout")).isEmpty();
    try (var dirs = Files.list(work.resolve("instances"))) {
      assertThat(dirs).isEmpty();
    }
  }

  void kill(Instance i) throws Exception {
    ProcessHandle h = fleet.process(i.id()).orElseThrow();
    h.destroyForcibly();
    h.onExit().get(10, TimeUnit.SECONDS);
  }

  void awaitState(String id, InstanceState state) throws InterruptedException {
    for (int n = 0; n < 400; n++) {
      if (fleet.instances("checkout").stream()
          .anyMatch(i -> i.id().equals(id) && i.state() == state)) {
        return;
      }
      TimeUnit.MILLISECONDS.sleep(25);
    }
    throw new AssertionError(id + " never became " + state + ": " + fleet.instances("checkout"));
  }
}
