// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.ArtifactRef;
import io.cutover.api.ConfigRef;
import io.cutover.api.Instance;
import io.cutover.api.InstanceState;
import io.cutover.api.Release;
import io.cutover.provider.local.store.FilesystemArtifactStore;
import io.cutover.provider.local.testing.LocalFixture;
import io.cutover.spi.OperationId;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, items 8, 9 and 14 for the local-process fleet: one fleet per work directory, launches
 * of one operation id that start exactly one process per instance, private files, slot fields
 * visible to lock-free readers. Real processes of the sample service.
 */
class LocalProcessFleetSafetyTest {
  @TempDir static Path shared;
  @TempDir Path work;

  static FilesystemArtifactStore store;
  static ArtifactRef v1;

  final List<LocalProcessFleet> fleets = new ArrayList<>();

  @BeforeAll
  static void artifacts() {
    store = FilesystemArtifactStore.open(shared.resolve("store"));
    v1 = LocalFixture.put(store, "v1", 0);
  }

  @AfterEach
  void tearDown() {
    for (LocalProcessFleet f : fleets) {
      f.stopAll();
      f.close();
    }
  }

  LocalProcessFleet fleet(ConfigSource configs) {
    LocalProcessFleet f =
        LocalProcessFleet.builder(work, store)
            .configs(configs)
            .gracePeriod(Duration.ofSeconds(2))
            .readyTimeout(Duration.ofSeconds(30))
            .build();
    fleets.add(f);
    return f;
  }

  @Test
  @DisplayName(
      "a second fleet over the same work directory is refused with a typed error naming the"
          + " directory and the fix; after close the directory can be opened again")
  void secondFleetRefused() throws IOException {
    LocalProcessFleet first = fleet(ConfigSource.EMPTY);
    Path real = work.toRealPath();

    assertThatThrownBy(() -> fleet(ConfigSource.EMPTY))
        .isInstanceOfSatisfying(
            FleetDirectoryLockedException.class,
            e -> {
              assertThat(e.directory()).isEqualTo(real);
              assertThat(e.getMessage())
                  .contains(real.toString())
                  .contains("Fix: close the other engine or LocalProcessFleet");
            });

    first.close();
    fleets.remove(first);
    assertThat(fleet(ConfigSource.EMPTY).instances("checkout")).isEmpty();
  }

  @Test
  @DisplayName("a fleet over a work directory another process holds is refused, naming its pid")
  void lockedByAnotherProcess() throws Exception {
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                FleetLockHolderMain.class.getName(),
                work.toString(),
                store.root().toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    try {
      String line =
          new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))
              .readLine();
      assertThat(line).isEqualTo("locked");
      assertThatThrownBy(() -> fleet(ConfigSource.EMPTY))
          .isInstanceOfSatisfying(
              FleetDirectoryLockedException.class,
              e -> assertThat(e.holder()).isEqualTo("pid " + child.pid()));
    } finally {
      child.getOutputStream().close();
      assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(fleet(ConfigSource.EMPTY).instances("checkout")).isEmpty();
  }

  /**
   * Before the fix, both calls saw no slot for the instance id, both started a process, and the
   * second overwrote the first's slot: one process ran on, orphaned. The two calls are released
   * together from the configuration lookup, right before they claim instance ids.
   */
  @Test
  @DisplayName(
      "concurrent launches with the same operation id start exactly one process per instance")
  void concurrentLaunchesOfOneOperation() throws Exception {
    CyclicBarrier together = new CyclicBarrier(2);
    ConfigSource configs =
        ref -> {
          try {
            together.await(30, TimeUnit.SECONDS);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
          return ConfigSource.EMPTY.find(ref);
        };
    LocalProcessFleet fleet = fleet(configs);
    Release r = Release.of("checkout", v1, ConfigRef.EMPTY);
    ExecutorService callers = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 3; round++) {
        OperationId op = new OperationId("r" + round + "/s0/launch");
        Future<List<Instance>> a = callers.submit(() -> fleet.launch(op, r, 2));
        Future<List<Instance>> b = callers.submit(() -> fleet.launch(op, r, 2));
        List<Instance> fromA = a.get(60, TimeUnit.SECONDS);
        List<Instance> fromB = b.get(60, TimeUnit.SECONDS);

        assertThat(fromA).extracting(Instance::id).containsExactlyElementsOf(ids(fromB));
        assertThat(fromA)
            .extracting(Instance::endpoint)
            .containsExactlyElementsOf(endpoints(fromB));
        assertThat(fromA).allSatisfy(i -> assertThat(i.state()).isEqualTo(InstanceState.READY));
      }
      List<ProcessHandle> running = childrenRunningFrom(work);
      assertThat(running)
          .as("processes started from %s", work)
          .hasSize(6)
          .extracting(ProcessHandle::pid)
          .containsExactlyInAnyOrderElementsOf(
              fleet.instances("checkout").stream()
                  .map(i -> fleet.process(i.id()).orElseThrow().pid())
                  .toList());
    } finally {
      callers.shutdownNow();
    }
  }

  @Test
  @DisplayName(
      "the work directory, instance directories, records and logs are private (0700/0600 at"
          + " creation)")
  void privateFiles() throws IOException {
    Path nested = work.resolve("engine").resolve("fleet");
    LocalProcessFleet f =
        LocalProcessFleet.builder(nested, store).readyTimeout(Duration.ofSeconds(30)).build();
    fleets.add(f);
    Instance i = f.launch(new OperationId("p/s0/launch"), Release.of("checkout", v1), 1).get(0);
    Path dir = f.instanceDirectory(i.id());

    assertThat(mode(work.resolve("engine"))).isEqualTo("rwx------");
    assertThat(mode(nested)).isEqualTo("rwx------");
    assertThat(mode(nested.resolve("instances"))).isEqualTo("rwx------");
    assertThat(mode(dir)).isEqualTo("rwx------");
    for (String file : List.of("instance.json", "stdout.log", "stderr.log")) {
      assertThat(mode(dir.resolve(file))).as(file).isEqualTo("rw-------");
    }
    assertThat(mode(nested.resolve("fleet.lock"))).isEqualTo("rw-------");
    try (var left = Files.list(dir)) {
      assertThat(left).noneMatch(p -> p.getFileName().toString().endsWith(".tmp"));
    }
  }

  /**
   * The slot's fields are written under its monitor and read without it (queries, readiness
   * polling, the crash watcher): without {@code volatile} a reader may never see a write. A data
   * race cannot be provoked reliably in a test, so this checks the declaration itself.
   */
  @Test
  @DisplayName("every mutable field of an instance slot is volatile")
  void slotFieldsVolatile() throws ClassNotFoundException {
    Class<?> slot = Class.forName(LocalProcessFleet.class.getName() + "$Slot");
    List<Field> mutable =
        Arrays.stream(slot.getDeclaredFields())
            .filter(f -> !f.isSynthetic() && !Modifier.isFinal(f.getModifiers()))
            .toList();
    assertThat(mutable)
        .extracting(Field::getName)
        .contains("rec", "handle", "state", "stopping", "generation");
    assertThat(mutable)
        .allSatisfy(
            f -> assertThat(Modifier.isVolatile(f.getModifiers())).as(f.getName()).isTrue());
  }

  private static List<ProcessHandle> childrenRunningFrom(Path dir) throws IOException {
    String real = dir.toRealPath().toString();
    return ProcessHandle.current()
        .children()
        .filter(ProcessHandle::isAlive)
        .filter(
            p ->
                p.info()
                    .arguments()
                    .map(args -> Arrays.stream(args).anyMatch(a -> a.startsWith(real)))
                    .orElse(false))
        .toList();
  }

  private static List<String> ids(List<Instance> list) {
    return list.stream().map(Instance::id).toList();
  }

  private static List<java.net.URI> endpoints(List<Instance> list) {
    return list.stream().map(Instance::endpoint).toList();
  }

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }
}
