// SPDX-License-Identifier: Apache-2.0
package io.cutover.cli;

import io.cutover.api.ArtifactRef;
import io.cutover.api.ConfigRef;
import io.cutover.api.Instance;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.api.plan.Step;
import io.cutover.core.Cutover;
import io.cutover.core.Rollout;
import io.cutover.core.RolloutOptions;
import io.cutover.core.gate.ThresholdGate;
import io.cutover.core.journal.DurabilityMode;
import io.cutover.core.journal.FileJournal;
import io.cutover.core.strategy.Strategies;
import io.cutover.simulator.FakeFleet;
import io.cutover.simulator.FakeRouter;
import io.cutover.simulator.InMemoryArtifactStore;
import io.cutover.simulator.ScriptedMetrics;
import io.cutover.simulator.VirtualScheduler;
import io.cutover.spi.OperationId;
import io.cutover.spi.Router;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Real rollouts recorded in a real {@link FileJournal}: the engine on a fake fleet and router and
 * scripted metrics under virtual time (so a rollout of minutes runs in milliseconds), the journal
 * on disk exactly as {@code cutover serve} or {@code apply} would write it.
 */
final class RolloutJournals implements AutoCloseable {
  static final String SERVICE = "checkout";

  final VirtualScheduler scheduler = VirtualScheduler.create();
  final FakeFleet fleet = FakeFleet.create();
  final FakeRouter router = FakeRouter.create(scheduler.clock()).watch(fleet);
  final InMemoryArtifactStore store = InMemoryArtifactStore.create();
  final ScriptedMetrics metrics = ScriptedMetrics.create(scheduler.clock());
  final FileJournal journal;
  final Cutover cutover;

  RolloutJournals(Path directory) {
    journal = FileJournal.builder(directory).durability(DurabilityMode.OS_BUFFERED).open();
    cutover =
        Cutover.builder()
            .clock(scheduler.clock())
            .scheduler(scheduler)
            .providerExecutor(Runnable::run)
            .journal(journal)
            .fleet(fleet)
            .router(new SlowRollbackRouter())
            .artifactStore(store)
            .gate(
                ThresholdGate.builder("error-rate", metrics)
                    .query("error_rate")
                    .passWhen(io.cutover.core.gate.Comparison.AT_MOST, 0.01)
                    .build())
            .build();
  }

  /** How long the router takes to apply a rollback's split (a reload under virtual time). */
  static final Duration ROLLBACK_ROUTE_TIME = Duration.ofMillis(1500);

  /**
   * The fake router, except that applying a rollback's split ({@code <rollout>/r<n>/route}) takes
   * {@link #ROLLBACK_ROUTE_TIME} of virtual time, so the time to rollback is not zero.
   */
  private final class SlowRollbackRouter implements Router {
    @Override
    public void apply(
        OperationId op, String service, TrafficSplit split, Map<String, List<Instance>> backends) {
      if (op.value().matches(".*/r\\d+/route")) {
        scheduler.clock().advance(ROLLBACK_ROUTE_TIME);
      }
      router.apply(op, service, split, backends);
    }

    @Override
    public Optional<TrafficSplit> current(String service) {
      return router.current(service);
    }
  }

  Release release(String label) {
    ArtifactRef ref =
        store.push(
            "registry.example.com/shop/" + SERVICE,
            label,
            (SERVICE + ":" + label).getBytes(StandardCharsets.UTF_8));
    return Release.of(SERVICE, ref, ConfigRef.of(Map.of("LOG_LEVEL", "info"))).withLabel(label);
  }

  /** v1 adopted with 4 instances taking all traffic. */
  Release adopt() {
    Release v1 = release("v1");
    fleet.launch(new OperationId("test/v1"), v1, 4);
    cutover.adopt(v1, 4);
    metrics.series("error_rate").release(v1.id()).constant(0.001);
    return v1;
  }

  /** {@link #start} and run to its end. */
  Rollout canary(Release target, double errorRate, Map<String, String> annotations) {
    return finish(start(target, errorRate, annotations));
  }

  /** Runs a rollout to its end in virtual time. */
  Rollout finish(Rollout r) {
    scheduler.runUntil(() -> r.status().state().isTerminal(), Duration.ofHours(2));
    return r;
  }

  /**
   * Starts a canary 10 % → 25 % → 50 % → 100 % with an analysis of 3 measurements 30 s apart after
   * each shift; the target's error rate is {@code errorRate} (the gate passes at most 1 %).
   */
  Rollout start(Release target, double errorRate, Map<String, String> annotations) {
    metrics.series("error_rate").release(target.id()).constant(errorRate);
    Step.Verify verify =
        Step.Verify.gates("error-rate").count(3).interval(Duration.ofSeconds(30)).build();
    Rollout r =
        cutover.deploy(
            Strategies.canary()
                .setWeight(10)
                .analysis(verify)
                .setWeight(25)
                .analysis(verify)
                .setWeight(50)
                .analysis(verify)
                .build(),
            target,
            4,
            new RolloutOptions(Duration.ofMinutes(10), false, "alice", annotations));
    return r;
  }

  @Override
  public void close() {
    cutover.close();
    journal.close();
  }
}
