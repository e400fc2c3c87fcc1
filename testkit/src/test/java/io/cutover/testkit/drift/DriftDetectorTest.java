// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.Digest;
import io.cutover.api.Instance;
import io.cutover.api.InstanceState;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.Release;
import io.cutover.api.RolloutConflictException;
import io.cutover.api.rollout.RolloutEvent;
import io.cutover.core.Rollout;
import io.cutover.core.drift.DriftDetector;
import io.cutover.core.drift.DriftRepair;
import io.cutover.core.drift.DriftReport;
import io.cutover.core.strategy.Strategies;
import io.cutover.simulator.FakeFleet;
import io.cutover.simulator.FakeRouter;
import io.cutover.simulator.RolloutHarness;
import io.cutover.spi.Fleet;
import io.cutover.spi.JournalRecord;
import io.cutover.spi.OperationId;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.MetricDataType;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Drift detected continuously and repaired by replacement (issue 12), under virtual time with the
 * fake fleet and router.
 */
@DisplayName("DriftDetector (fake fleet, virtual time)")
class DriftDetectorTest {
  static final String SVC = "checkout";
  static final Duration EVERY = Duration.ofSeconds(30);

  final InMemoryMetricReader metrics = InMemoryMetricReader.create();
  final OpenTelemetrySdk otel =
      OpenTelemetrySdk.builder()
          .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
          .build();
  final List<RolloutEvent> events = new CopyOnWriteArrayList<>();
  final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  RolloutHarness harness() {
    RolloutHarness h = RolloutHarness.create();
    closing.add(h);
    return h;
  }

  DriftDetector detector(RolloutHarness h, Fleet fleet, boolean repair) {
    DriftDetector d =
        DriftDetector.builder(h.cutover())
            .fleet(fleet)
            .router(h.router())
            .clock(h.clock())
            .scheduler(h.scheduler())
            .executor(h.scheduler())
            .interval(EVERY)
            .repair(repair)
            .openTelemetry(otel)
            .listener(events::add)
            .build();
    closing.add(d);
    d.start();
    return d;
  }

  List<RolloutEvent> events(RolloutEvent.Type type) {
    return events.stream().filter(e -> e.type() == type).toList();
  }

  Map<String, Long> sums(String name) {
    Map<String, Long> out = new HashMap<>();
    for (MetricData m : metrics.collectAllMetrics()) {
      if (m.getName().equals(name) && m.getType() == MetricDataType.LONG_SUM) {
        m.getLongSumData()
            .getPoints()
            .forEach(p -> out.merge(p.getAttributes().asMap().toString(), p.getValue(), Long::sum));
      }
    }
    return out;
  }

  static long total(Map<String, Long> sums) {
    return sums.values().stream().mapToLong(Long::longValue).sum();
  }

  @Test
  @DisplayName(
      "an instance patched in place is reported once per digest (event + metric), not repaired"
          + " when repair is off")
  void detectsAndReports() {
    RolloutHarness h = harness();
    Release v1 = h.release(SVC, "v1");
    List<Instance> running = h.adopt(v1, 3);
    detector(h, h.fleet(), false);

    h.scheduler().advance(EVERY);
    assertThat(events).isEmpty();

    h.fleet().drift(running.get(1).id(), Digest.sha256("patched"));
    h.scheduler().advance(EVERY);
    h.scheduler().advance(EVERY.multipliedBy(3));

    assertThat(events(RolloutEvent.Type.DRIFT_DETECTED))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.service()).isEqualTo(SVC);
              assertThat(e.message())
                  .contains(running.get(1).id())
                  .contains(Digest.sha256("patched").toString())
                  .contains(v1.artifact().digest().toString());
            });
    assertThat(total(sums("cutover.drift.incidents"))).isEqualTo(1);
    assertThat(sums("cutover.drift.incidents").keySet())
        .singleElement()
        .asString()
        .contains("cutover.service=checkout")
        .contains("cutover.drift.kind=artifact");
    // Report only: nothing launched or retired, nothing journaled.
    assertThat(h.fleet().instancesOf(v1.id())).hasSize(3);
    assertThat(h.fleet().calls()).hasSize(1);
    List<JournalRecord> repairs = new ArrayList<>();
    h.journal().replay(0, r -> repairs.add(r));
    assertThat(repairs).noneMatch(r -> r.service().endsWith(DriftDetector.JOURNAL_SERVICE_SUFFIX));

    // A second digest on the same instance is a new incident.
    h.fleet().drift(running.get(1).id(), Digest.sha256("patched again"));
    h.scheduler().advance(EVERY);
    assertThat(events(RolloutEvent.Type.DRIFT_DETECTED)).hasSize(2);
    h.scheduler().assertNoTaskFailures();
  }

  @Test
  @DisplayName(
      "repair replaces drifted instances (artifact and config) with fresh ones: launch, route"
          + " without them, retire them — journaled under the lease, which is released after")
  void repairsByReplacement() {
    RolloutHarness h = harness();
    Release v1 = h.release(SVC, "v1", Map.of("pool", "8"));
    List<Instance> running = h.adopt(v1, 3);
    detector(h, h.fleet(), true);
    String patched = running.get(0).id();
    String reconfigured = running.get(2).id();
    h.fleet().drift(patched, Digest.sha256("patched"));
    h.fleet().driftConfig(reconfigured, Digest.sha256("pool=64"));

    h.scheduler().advance(EVERY);

    List<Instance> now = h.fleet().instancesOf(v1.id());
    assertThat(now).hasSize(3).allMatch(i -> i.state() == InstanceState.READY);
    assertThat(now).extracting(Instance::id).doesNotContain(patched, reconfigured);
    assertThat(now)
        .allMatch(i -> v1.artifact().digest().equals(i.runningDigest()))
        .allMatch(i -> v1.config().digest().equals(i.runningConfig()));
    assertThat(h.fleet().instance(patched).orElseThrow().state())
        .isEqualTo(InstanceState.TERMINATED);
    assertThat(h.fleet().instance(reconfigured).orElseThrow().state())
        .isEqualTo(InstanceState.TERMINATED);

    // The router took the fresh instances before the drifted ones were retired.
    FakeRouter.Entry last = h.router().timeline(SVC).get(h.router().timeline(SVC).size() - 1);
    assertThat(last.backends().get(v1.id()))
        .extracting(Instance::id)
        .containsExactlyInAnyOrderElementsOf(now.stream().map(Instance::id).toList());
    assertThat(h.router().violations()).isEmpty();
    List<FakeFleet.CallKind> kinds = h.fleet().calls().stream().map(FakeFleet.Call::kind).toList();
    assertThat(kinds)
        .containsExactly(
            FakeFleet.CallKind.LAUNCH,
            FakeFleet.CallKind.SCALE,
            FakeFleet.CallKind.RETIRE_INSTANCE,
            FakeFleet.CallKind.RETIRE_INSTANCE);

    // Journaled write-ahead under its own record service, lease released.
    List<JournalRecord> repair = new ArrayList<>();
    h.journal()
        .replay(
            0,
            r -> {
              if (r.service().equals(SVC + DriftDetector.JOURNAL_SERVICE_SUFFIX)) {
                repair.add(r);
              }
            });
    assertThat(repair)
        .extracting(JournalRecord::type)
        .containsExactly(
            JournalRecord.Type.STATE,
            JournalRecord.Type.INTENT,
            JournalRecord.Type.DONE,
            JournalRecord.Type.INTENT,
            JournalRecord.Type.DONE,
            JournalRecord.Type.INTENT,
            JournalRecord.Type.DONE,
            JournalRecord.Type.INTENT,
            JournalRecord.Type.DONE,
            JournalRecord.Type.ENDED);
    assertThat(repair.get(repair.size() - 1).index()).containsEntry("outcome", "drift-repaired");
    assertThat(h.journal().leaseHolder(SVC)).isEmpty();
    assertThat(events(RolloutEvent.Type.DRIFT_DETECTED)).hasSize(2);
    assertThat(events(RolloutEvent.Type.DRIFT_REPAIRED))
        .extracting(RolloutEvent::message)
        .anyMatch(m -> m.contains(patched))
        .anyMatch(m -> m.contains(reconfigured));
    assertThat(sums("cutover.drift.repairs").toString()).contains("cutover.outcome=repaired");

    // Nothing left to repair: the next rounds do nothing.
    int calls = h.fleet().calls().size();
    h.scheduler().advance(EVERY.multipliedBy(4));
    assertThat(h.fleet().calls()).hasSize(calls);
    // And the service deploys normally afterwards.
    Release v2 = h.release(SVC, "v2", Map.of("pool", "8"));
    assertThat(h.deploy(Strategies.blueGreen().build(), v2, 3).status().state().name())
        .isEqualTo("SUCCEEDED");
    h.scheduler().assertNoTaskFailures();
  }

  @Test
  @DisplayName(
      "a drifted instance that cannot be replaced is quarantined from routing and reported once")
  void quarantinesWhatCannotBeReplaced() {
    RolloutHarness h = harness();
    Release v1 = h.release(SVC, "v1");
    List<Instance> running = h.adopt(v1, 3);
    DriftDetector d = detector(h, h.fleet(), true);
    String patched = running.get(0).id();
    h.fleet().drift(patched, Digest.sha256("patched"));
    h.fleet().failReadiness(v1.id());

    h.scheduler().advance(EVERY);
    h.scheduler().advance(EVERY);

    assertThat(h.fleet().instance(patched).orElseThrow().state()).isEqualTo(InstanceState.READY);
    FakeRouter.Entry last = h.router().timeline(SVC).get(h.router().timeline(SVC).size() - 1);
    assertThat(last.backends().get(v1.id()))
        .extracting(Instance::id)
        .containsExactlyInAnyOrder(running.get(1).id(), running.get(2).id());
    assertThat(d.quarantined(SVC)).containsOnlyKeys(patched);
    assertThat(d.quarantined(SVC).get(patched)).contains("failed readiness");
    assertThat(events(RolloutEvent.Type.INSTANCE_QUARANTINED))
        .singleElement()
        .satisfies(e -> assertThat(e.message()).contains(patched).contains("failed readiness"));
    assertThat(sums("cutover.drift.repairs").toString()).contains("cutover.outcome=quarantined");

    // Once the fleet can launch again, the next round replaces it.
    h.fleet().clearFaults();
    h.scheduler().advance(EVERY);
    assertThat(h.fleet().instance(patched).orElseThrow().state())
        .isEqualTo(InstanceState.TERMINATED);
    assertThat(d.quarantined(SVC)).isEmpty();
    assertThat(h.fleet().instancesOf(v1.id())).hasSize(3);
  }

  @Test
  @DisplayName(
      "repair respects the one-rollout-per-service lease both ways: it waits for a rollout, and a"
          + " rollout started during a repair is refused")
  void respectsTheLease() {
    RolloutHarness h = harness();
    Release v1 = h.release(SVC, "v1");
    Release v2 = h.release(SVC, "v2");
    List<Instance> running = h.adopt(v1, 2);
    List<Throwable> refused = new ArrayList<>();
    Fleet deployingDuringRepair =
        new ForwardingFleet(h.fleet()) {
          @Override
          public void retireInstance(OperationId op, String service, String instanceId) {
            try {
              h.cutover().deploy(Strategies.blueGreen().build(), v2, 2);
            } catch (RuntimeException e) {
              refused.add(e);
            }
            super.retireInstance(op, service, instanceId);
          }
        };
    DriftDetector d = detector(h, deployingDuringRepair, true);

    // A rollout holds the lease (waiting for approval): the round skips the service.
    Rollout paused =
        h.cutover()
            .deploy(Strategies.canary().setWeight(50).pause().build(), h.release(SVC, "v1b"), 2);
    h.scheduler().advance(Duration.ofSeconds(1));
    h.fleet().drift(running.get(0).id(), Digest.sha256("patched"));
    CompletableFuture<DriftReport> during = d.checkNow();
    h.scheduler().runUntilIdle();
    assertThat(during.join().repairs()).isEmpty();
    assertThat(during.join().skipped()).singleElement().asString().contains(paused.id());
    h.cutover().abort(paused.id(), "test");
    h.scheduler().runUntilIdle();

    // Without the rollout, the repair runs; a deploy during it is refused.
    CompletableFuture<DriftReport> after = d.checkNow();
    h.scheduler().runUntilIdle();
    assertThat(after.join().repairs())
        .singleElement()
        .extracting(DriftRepair::outcome)
        .isEqualTo(DriftRepair.Outcome.REPAIRED);
    assertThat(refused).singleElement().isInstanceOf(RolloutConflictException.class);
    assertThat(h.journal().leaseHolder(SVC)).isEmpty();
  }

  @Test
  @DisplayName(
      "a repair interrupted by a crash keeps the lease and is continued by the next detector with"
          + " the same operation ids: nothing is launched twice")
  void crashSafe() {
    RolloutHarness h = harness();
    Release v1 = h.release(SVC, "v1");
    List<Instance> running = h.adopt(v1, 2);
    Fleet dying =
        new ForwardingFleet(h.fleet()) {
          @Override
          public void retireInstance(OperationId op, String service, String instanceId) {
            throw new ProcessDeath();
          }
        };
    DriftDetector first = detector(h, dying, true);
    String patched = running.get(1).id();
    h.fleet().drift(patched, Digest.sha256("patched"));
    CompletableFuture<DriftReport> crashed = first.checkNow();
    h.scheduler().runUntilIdle();
    assertThat(crashed).isCompletedExceptionally();
    first.close();

    String holder = h.journal().leaseHolder(SVC).orElseThrow();
    assertThat(holder).contains("-drift-");
    assertThatThrownBy(
            () -> h.cutover().deploy(Strategies.blueGreen().build(), h.release(SVC, "v2"), 2))
        .isInstanceOf(RolloutConflictException.class)
        .hasMessageContaining(holder);
    assertThat(h.fleet().instancesOf(v1.id())).hasSize(3);

    detector(h, h.fleet(), true);
    h.scheduler().runUntilIdle();

    OperationId launch = new OperationId(holder + "-scale");
    assertThat(h.fleet().effects(launch)).isEqualTo(1);
    assertThat(h.fleet().instancesOf(v1.id()))
        .hasSize(2)
        .extracting(Instance::id)
        .doesNotContain(patched);
    assertThat(h.journal().leaseHolder(SVC)).isEmpty();
    List<JournalRecord> records = h.journal().records(holder);
    assertThat(records.get(records.size() - 1).type()).isEqualTo(JournalRecord.Type.ENDED);
    assertThat(h.fleet().calls().stream().filter(c -> c.op().equals(launch)))
        .extracting(FakeFleet.Call::outcome)
        .containsExactly(FakeFleet.Outcome.APPLIED);
  }

  @Test
  @DisplayName("bad configuration is refused with what, where and how to fix")
  void badConfiguration() {
    RolloutHarness h = harness();
    assertThatThrownBy(() -> DriftDetector.builder(h.cutover()).interval(Duration.ZERO))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("drift.interval")
        .hasMessageContaining("positive");
    assertThatThrownBy(() -> DriftDetector.builder(h.cutover()).build())
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("drift.fleet")
        .hasMessageContaining("drift.router");
  }

  /** Stands for the process dying in the middle of a provider call: not a RuntimeException. */
  static final class ProcessDeath extends Error {
    private static final long serialVersionUID = 1L;
  }

  /** Delegates every call to a fleet. */
  static class ForwardingFleet implements Fleet {
    final Fleet delegate;

    ForwardingFleet(Fleet delegate) {
      this.delegate = delegate;
    }

    @Override
    public List<Instance> launch(OperationId op, Release release, int replicas) {
      return delegate.launch(op, release, replicas);
    }

    @Override
    public List<Instance> scale(OperationId op, Release release, int replicas) {
      return delegate.scale(op, release, replicas);
    }

    @Override
    public void drain(OperationId op, Release release) {
      delegate.drain(op, release);
    }

    @Override
    public void retire(OperationId op, Release release) {
      delegate.retire(op, release);
    }

    @Override
    public List<Instance> instances(String service) {
      return delegate.instances(service);
    }

    @Override
    public void retireInstance(OperationId op, String service, String instanceId) {
      delegate.retireInstance(op, service, instanceId);
    }
  }
}
