// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.cutover.api.Instance;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.api.plan.Step;
import io.cutover.api.rollout.RolloutEvent;
import io.cutover.api.rollout.RolloutState;
import io.cutover.api.rollout.RolloutStatus;
import io.cutover.core.Cutover;
import io.cutover.core.strategy.BlueGreenStrategy;
import io.cutover.core.strategy.CanaryStrategy;
import io.cutover.provider.local.router.InProcessRouter;
import io.cutover.provider.local.testing.LocalFixture;
import io.cutover.spi.RolloutStrategy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Process faults under the real engine: crashes per crash policy, and artifacts modified on disk.
 */
class ProcessFaultsTest {
  static final String SHOP = LocalFixture.SERVICE;

  @TempDir Path dir;
  LocalFixture fx;
  Cutover cutover;
  final List<RolloutEvent> events = new CopyOnWriteArrayList<>();

  void start(CrashPolicy policy) {
    fx = LocalFixture.create(dir, policy);
    cutover =
        Cutover.builder()
            .allowUnverifiedArtifacts()
            .fleet(fx.fleet)
            .router(InProcessRouter.create())
            .gate(new FleetHealthGate("instances", fx.fleet))
            .listener(events::add)
            .build();
  }

  @AfterEach
  void stop() {
    if (cutover != null) {
      cutover.close();
    }
    if (fx != null) {
      fx.close();
    }
  }

  RolloutStatus await(io.cutover.core.Rollout r) throws Exception {
    return r.completion().toCompletableFuture().get(2, TimeUnit.MINUTES);
  }

  static RolloutStrategy firstDeploy() {
    return BlueGreenStrategy.builder().scaleDownDelay(Duration.ZERO).build();
  }

  /**
   * Canary at 50 % with the fleet gate measured 4 times, 500 ms apart; a restart in progress is
   * inconclusive. As many inconclusive results as measurements are tolerated: on a loaded machine a
   * JVM restart takes longer than the whole analysis, and the rollout must then still complete
   * rather than pause for a human (which the CI run saw as a 2-minute timeout).
   */
  static RolloutStrategy watchedCanary() {
    return CanaryStrategy.builder()
        .scaleDownDelay(Duration.ZERO)
        .setWeight(50)
        .analysis(
            Step.Verify.gates("instances")
                .initialDelay(Duration.ofMillis(500))
                .interval(Duration.ofMillis(500))
                .count(4)
                .inconclusiveLimit(4)
                .build())
        .build();
  }

  void crashWhenCanaryRuns(Release canary) throws Exception {
    for (int n = 0; n < 400; n++) {
      List<Instance> up =
          fx.fleet.instances(SHOP).stream().filter(i -> i.releaseId().equals(canary.id())).toList();
      if (!up.isEmpty()
          && fx.fleet.process(up.get(0).id()).isPresent()
          && events.stream()
              .anyMatch(
                  e ->
                      e.type() == RolloutEvent.Type.TRAFFIC_SHIFTED
                          && e.split().weight(canary.id()) > 0)) {
        ProcessHandle h = fx.fleet.process(up.get(0).id()).orElseThrow();
        h.destroyForcibly();
        h.onExit().get(10, TimeUnit.SECONDS);
        return;
      }
      TimeUnit.MILLISECONDS.sleep(25);
    }
    throw new AssertionError("the canary never ran");
  }

  /** Deploys v1, canaries v2 under the fleet gate, and kills v2's process once it takes traffic. */
  RolloutStatus canaryWithCrash(CrashPolicy policy) throws Exception {
    start(policy);
    Release v1 = fx.release("v1", 0);
    Release v2 = fx.release("v2", 0);
    assertThat(await(cutover.deploy(firstDeploy(), v1, 1)).state())
        .isEqualTo(RolloutState.SUCCEEDED);
    var rollout = cutover.deploy(watchedCanary(), v2, 1);
    crashWhenCanaryRuns(v2);
    return await(rollout);
  }

  @Test
  @DisplayName(
      "under REPORT, a canary process that crashes is FAILED, fails the fleet gate, and the rollout aborts to stable")
  void crashAborts() throws Exception {
    RolloutStatus st = canaryWithCrash(CrashPolicy.REPORT);
    Release v1 = fx.release("v1", 0);
    assertThat(st.state()).isEqualTo(RolloutState.ABORTED);
    assertThat(st.reason()).contains("instances").contains("FAILED");
    assertThat(st.split()).isEqualTo(TrafficSplit.all(v1.id()));
    assertThat(fx.fleet.instances(SHOP)).extracting(Instance::releaseId).containsOnly(v1.id());
  }

  @Test
  @DisplayName(
      "under REPLACE, a canary process that crashes is restarted in its slot and the rollout completes")
  void crashReplaced() throws Exception {
    RolloutStatus st = canaryWithCrash(CrashPolicy.REPLACE);
    Release v2 = fx.release("v2", 0);
    assertThat(st.state()).as(st.reason()).isEqualTo(RolloutState.SUCCEEDED);
    List<Instance> now = fx.fleet.instances(SHOP);
    assertThat(now).extracting(Instance::releaseId).containsOnly(v2.id());
    assertThat(now.stream().mapToInt(i -> fx.fleet.restarts(i.id())).sum()).isEqualTo(1);
  }

  @Test
  @DisplayName("an artifact modified on disk is reported as drift and a launch from it is refused")
  void driftRefusedAndReported() throws Exception {
    start(CrashPolicy.REPORT);
    Release v1 = fx.release("v1", 0);
    Release v2 = fx.release("v2", 0);
    assertThat(await(cutover.deploy(firstDeploy(), v1, 1)).state())
        .isEqualTo(RolloutState.SUCCEEDED);
    assertThat(await(cutover.deploy(firstDeploy(), v2, 1)).state())
        .isEqualTo(RolloutState.SUCCEEDED);
    // v1's copy is still in the fleet's artifact directory; someone edits it.
    Path jar = copyOf(v1);
    Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
    Files.write(jar, new byte[] {0}, StandardOpenOption.APPEND);
    events.clear();

    RolloutStatus st = await(cutover.rollback(SHOP));
    assertThat(st.state()).isEqualTo(RolloutState.ABORTED);
    assertThat(st.reason()).contains("drift").contains("does not match");
    assertThat(cutover.stable(SHOP)).contains(v2);
    assertThat(fx.fleet.instances(SHOP)).extracting(Instance::releaseId).containsOnly(v2.id());

    // A v1 instance started before the edit would now report the edited digest: the engine calls it
    // drift.
    events.clear();
    Release v3 = fx.release("v3", 0);
    fx.fleet.launch(new io.cutover.spi.OperationId("manual/v3"), v3, 1);
    Path jar3 = copyOf(v3);
    Files.setPosixFilePermissions(jar3, PosixFilePermissions.fromString("rw-r--r--"));
    Files.write(jar3, new byte[] {0}, StandardOpenOption.APPEND);
    RolloutStatus again = await(cutover.deploy(watchedCanary(), v3, 1));
    assertThat(events)
        .anySatisfy(
            e -> {
              assertThat(e.type()).isEqualTo(RolloutEvent.Type.DRIFT_DETECTED);
              assertThat(e.message()).contains(v3.id());
            });
    assertThat(again.state()).isEqualTo(RolloutState.ABORTED);
  }

  /** The fleet's copy of a release's content: what the artifact's launch manifest names. */
  private Path copyOf(Release r) throws java.io.IOException {
    try (java.io.InputStream in = fx.store.fetch(r.artifact())) {
      String content =
          io.cutover.provider.local.store.LaunchManifest.parse(
                  in.readAllBytes(), r.artifact().toString())
              .content()
              .digest()
              .hex();
      return dir.resolve("fleet").resolve("artifacts").resolve(content + ".jar");
    }
  }
}
