// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.cutover.api.Digest;
import io.cutover.api.Instance;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.api.rollout.RolloutEvent;
import io.cutover.api.rollout.RolloutState;
import io.cutover.core.Cutover;
import io.cutover.core.drift.DriftDetector;
import io.cutover.core.drift.DriftRepair;
import io.cutover.core.drift.DriftReport;
import io.cutover.core.strategy.BlueGreenStrategy;
import io.cutover.provider.local.router.InProcessRouter;
import io.cutover.provider.local.store.LaunchManifest;
import io.cutover.provider.local.testing.LocalFixture;
import io.cutover.spi.Fleet;
import io.cutover.spi.OperationId;
import io.cutover.spi.Router;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drift repair on real processes (issue 12): the {@link DriftDetector} over a {@link
 * LocalProcessFleet} and the in-process router. Rounds are triggered with {@code checkNow()} (the
 * interval is an hour), so the test waits only on real launches and stops.
 */
class LocalDriftRepairTest {
  static final String SHOP = LocalFixture.SERVICE;

  @TempDir Path dir;
  LocalFixture fx;
  Cutover cutover;
  RecordingRouter router;
  final List<RolloutEvent> events = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    fx = LocalFixture.create(dir, CrashPolicy.REPORT);
    router = new RecordingRouter(InProcessRouter.create());
    cutover = Cutover.builder().allowUnverifiedArtifacts().fleet(fx.fleet).router(router).build();
  }

  @AfterEach
  void stop() {
    cutover.close();
    fx.close();
  }

  Release deployV1() throws Exception {
    Release v1 = fx.release("v1", 0);
    var rollout =
        cutover.deploy(BlueGreenStrategy.builder().scaleDownDelay(Duration.ZERO).build(), v1, 2);
    assertThat(rollout.completion().toCompletableFuture().get(2, TimeUnit.MINUTES).state())
        .isEqualTo(RolloutState.SUCCEEDED);
    return v1;
  }

  DriftDetector detector(Fleet fleet) {
    return DriftDetector.builder(cutover)
        .fleet(fleet)
        .router(router)
        .interval(Duration.ofHours(1))
        .repair(true)
        .listener(events::add)
        .build();
  }

  @Test
  @DisplayName(
      "an artifact copy modified on disk is drift on every instance; no fresh instance can start"
          + " from it, and the router refuses to leave the release without backends: the repair"
          + " fails, reported, and the instances keep serving")
  void modifiedCopyCannotBeRepaired() throws Exception {
    Release v1 = deployV1();
    Path jar = copyOf(v1);
    Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
    Files.write(jar, new byte[] {0}, StandardOpenOption.APPEND);
    Map<String, List<Instance>> routed = router.lastBackends;

    try (DriftDetector d = detector(fx.fleet)) {
      DriftReport report = d.checkNow().get(2, TimeUnit.MINUTES);

      assertThat(report.findings())
          .hasSize(2)
          .allSatisfy(f -> assertThat(f.actual()).isNotEqualTo(v1.artifact().digest().toString()));
      assertThat(report.repairs())
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.outcome()).isEqualTo(DriftRepair.Outcome.FAILED);
                assertThat(r.reason())
                    .contains("launching replacements failed")
                    .contains("drift")
                    .contains("re-routing without the drifted instances failed");
                assertThat(r.launched()).isEmpty();
              });
      List<Instance> running = fx.fleet.instances(SHOP);
      assertThat(running).hasSize(2).allMatch(i -> fx.fleet.process(i.id()).isPresent());
      assertThat(router.lastBackends).isEqualTo(routed);
      assertThat(d.quarantined(SHOP)).isEmpty();
      assertThat(events.stream().filter(e -> e.type() == RolloutEvent.Type.DRIFT_DETECTED))
          .hasSize(2);
    }
  }

  @Test
  @DisplayName(
      "a process reported with another digest is replaced: a fresh process of the release starts,"
          + " takes its traffic, and only the drifted process is stopped")
  void driftedProcessIsReplaced() throws Exception {
    Release v1 = deployV1();
    List<Instance> before = fx.fleet.instances(SHOP);
    String drifted = before.get(0).id();
    ProcessHandle driftedProcess = fx.fleet.process(drifted).orElseThrow();
    // The local fleet hashes one shared copy per artifact, so one process cannot drift alone on
    // disk: the fleet's report for that one process is altered, as a fleet that hashes each
    // process's own files would report a process replaced by another build.
    Fleet reporting = new DriftReporting(fx.fleet, drifted, Digest.sha256("another build"));

    try (DriftDetector d = detector(reporting)) {
      DriftReport report = d.checkNow().get(2, TimeUnit.MINUTES);

      assertThat(report.repairs())
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.outcome()).as(r.reason()).isEqualTo(DriftRepair.Outcome.REPAIRED);
                assertThat(r.replaced()).containsExactly(drifted);
                assertThat(r.launched()).hasSize(1);
              });
      driftedProcess.onExit().get(1, TimeUnit.MINUTES);
      List<Instance> after = fx.fleet.instances(SHOP);
      assertThat(after).hasSize(2).extracting(Instance::id).doesNotContain(drifted);
      assertThat(after)
          .allMatch(i -> fx.fleet.process(i.id()).isPresent())
          .allMatch(i -> v1.artifact().digest().equals(i.runningDigest()))
          .allMatch(i -> v1.config().digest().equals(i.runningConfig()));
      assertThat(router.lastBackends.get(v1.id()))
          .extracting(Instance::id)
          .containsExactlyInAnyOrderElementsOf(after.stream().map(Instance::id).toList());
      assertThat(cutover.journal().leaseHolder(SHOP)).isEmpty();
      assertThat(d.quarantined(SHOP)).isEmpty();
    }
  }

  /** The fleet's copy of a release's content: what the artifact's launch manifest names. */
  private Path copyOf(Release r) throws java.io.IOException {
    try (InputStream in = fx.store.fetch(r.artifact())) {
      String content =
          LaunchManifest.parse(in.readAllBytes(), r.artifact().toString()).content().digest().hex();
      return dir.resolve("fleet").resolve("artifacts").resolve(content + ".jar");
    }
  }

  /** Remembers the backends of the last split applied. */
  static final class RecordingRouter implements Router {
    final Router delegate;
    volatile Map<String, List<Instance>> lastBackends = Map.of();

    RecordingRouter(Router delegate) {
      this.delegate = delegate;
    }

    @Override
    public void apply(
        OperationId op, String service, TrafficSplit split, Map<String, List<Instance>> backends) {
      delegate.apply(op, service, split, backends);
      lastBackends = Map.copyOf(backends);
    }

    @Override
    public Optional<TrafficSplit> current(String service) {
      return delegate.current(service);
    }
  }

  /** The local fleet, except that one instance reports another running digest. */
  static final class DriftReporting implements Fleet {
    final LocalProcessFleet fleet;
    final String instanceId;
    final Digest digest;

    DriftReporting(LocalProcessFleet fleet, String instanceId, Digest digest) {
      this.fleet = fleet;
      this.instanceId = instanceId;
      this.digest = digest;
    }

    @Override
    public List<Instance> launch(OperationId op, Release release, int replicas) {
      return fleet.launch(op, release, replicas);
    }

    @Override
    public List<Instance> scale(OperationId op, Release release, int replicas) {
      return fleet.scale(op, release, replicas);
    }

    @Override
    public void drain(OperationId op, Release release) {
      fleet.drain(op, release);
    }

    @Override
    public void retire(OperationId op, Release release) {
      fleet.retire(op, release);
    }

    @Override
    public void retireInstance(OperationId op, String service, String id) {
      fleet.retireInstance(op, service, id);
    }

    @Override
    public List<Instance> instances(String service) {
      return fleet.instances(service).stream()
          .map(i -> i.id().equals(instanceId) ? i.withRunningDigest(digest) : i)
          .toList();
    }
  }
}
