// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.engine;

import static io.cutover.testkit.CutoverAssertions.assertThat;
import static io.cutover.testkit.CutoverAssertions.assertThatThrownBy;

import io.cutover.api.Artifact;
import io.cutover.api.ArtifactRef;
import io.cutover.api.ConfigRef;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.Release;
import io.cutover.api.TagRef;
import io.cutover.api.Verdict;
import io.cutover.api.rollout.RolloutState;
import io.cutover.api.rollout.RolloutStatus;
import io.cutover.core.Cutover;
import io.cutover.core.Rollout;
import io.cutover.core.RolloutOptions;
import io.cutover.core.strategy.Strategies;
import io.cutover.simulator.FakeFleet;
import io.cutover.simulator.FakeRouter;
import io.cutover.simulator.InMemoryArtifactStore;
import io.cutover.simulator.RolloutHarness;
import io.cutover.simulator.RolloutResult;
import io.cutover.spi.ArtifactStore;
import io.cutover.spi.OperationId;
import io.cutover.spi.RolloutStrategy;
import io.cutover.testkit.FakeHealthGate;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("The engine's bookkeeping around rollouts")
class EngineFacadeTest {
  static final String SVC = "checkout";
  static final RolloutStrategy QUICK = Strategies.canary().setWeight(50).build();

  /** For real time: no drain period. */
  static final RolloutStrategy NO_WAIT =
      Strategies.canary().setWeight(50).scaleDownDelay(Duration.ZERO).build();

  /** Adopts v1 (running for real in the fleet) and returns it. */
  static Release adoptV1(RolloutHarness h) {
    Release v1 = h.release(SVC, "v1");
    h.fleet().launch(new OperationId("setup/v1"), v1, 2);
    h.cutover().adopt(v1, 2);
    return v1;
  }

  @Nested
  @DisplayName("release history")
  class History {
    @Test
    @DisplayName(
        "keeps only the latest historyLimit finished rollouts per service, oldest dropped first")
    void bounded() {
      RolloutHarness h = RolloutHarness.builder().configure(b -> b.historyLimit(3)).build();
      adoptV1(h);
      List<String> ids = new ArrayList<>();
      List<Release> releases = new ArrayList<>();
      for (int i = 2; i <= 7; i++) {
        releases.add(h.release(SVC, "v" + i));
        RolloutResult r = h.deploy(QUICK, releases.get(releases.size() - 1), 2);
        assertThat(r).succeeded();
        ids.add(r.rollout().id());
        assertThat(h.cutover().history(SVC)).hasSizeLessThanOrEqualTo(3);
      }
      assertThat(h.cutover().history(SVC))
          .extracting(RolloutStatus::rolloutId)
          .containsExactlyElementsOf(ids.subList(3, 6));
      assertThat(h.cutover().status(ids.get(0))).as("dropped from the history").isEmpty();
      assertThat(h.cutover().status(ids.get(5)))
          .get()
          .extracting(RolloutStatus::state)
          .isEqualTo(RolloutState.SUCCEEDED);
      // the release chain is not this bound's business: rollback still goes to the release before
      assertThat(h.cutover().stable(SVC)).contains(releases.get(5));
      assertThat(h.run(h.cutover().rollback(SVC))).succeeded();
      assertThat(h.cutover().stable(SVC)).contains(releases.get(4));
    }

    @Test
    @DisplayName(
        "is bounded by default: a long-lived engine keeps 100 finished rollouts of a service")
    void boundedByDefault() {
      RolloutHarness h = RolloutHarness.create();
      adoptV1(h);
      String last = null;
      for (int i = 2; i <= 106; i++) {
        RolloutResult r = h.deploy(QUICK, h.release(SVC, "v" + i), 2);
        assertThat(r).succeeded();
        last = r.rollout().id();
      }
      assertThat(h.cutover().history(SVC)).hasSize(100);
      assertThat(h.cutover().history(SVC).get(99).rolloutId()).isEqualTo(last);
    }

    @Test
    @DisplayName("refuses a limit below 1, naming the option")
    void refusesZero() {
      assertThatThrownBy(() -> Cutover.builder().historyLimit(0))
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("historyLimit")
          .hasMessageContaining("at least 1");
    }
  }

  @Nested
  @DisplayName("artifact pins")
  class Pins {
    @Test
    @DisplayName(
        "the rollout pins its target while it runs; the rollback target stays pinned while the revision history keeps it")
    void rollbackTargetStaysPinned() {
      FakeHealthGate gate = FakeHealthGate.named("health").returning(Verdict.pass("ok"));
      // one revision: v1 leaves the history (and its pin goes) once v3 is stable
      RolloutHarness h =
          RolloutHarness.builder().gate(gate).configure(b -> b.revisionHistoryLimit(1)).build();
      InMemoryArtifactStore store = h.store();
      Release v1 = adoptV1(h);
      Release v2 = h.release(SVC, "v2");
      Rollout r2 =
          h.cutover()
              .deploy(
                  Strategies.canary().setWeight(20).pause(Duration.ofMinutes(5)).build(), v2, 2);
      h.runFor(r2, Duration.ofMinutes(1));
      assertThat(store.pins(v2.artifact())).containsExactly("rollout:" + r2.id());
      assertThat(h.run(r2)).succeeded();
      assertThat(store.pins(v2.artifact())).containsExactly("stable:" + SVC);
      assertThat(store.pins(v1.artifact())).containsExactly("rollback-target:" + SVC);

      // a failed rollout changes nothing but its own pin
      Release bad = h.release(SVC, "bad");
      gate.returning(Verdict.fail("bad"));
      RolloutResult failed =
          h.deploy(
              Strategies.canary().setWeight(20).analysis(EngineTest.verify("health", 1)).build(),
              bad,
              2);
      assertThat(failed).wasAborted();
      assertThat(store.pins(bad.artifact())).isEmpty();
      assertThat(store.pins(v2.artifact())).containsExactly("stable:" + SVC);
      assertThat(store.pins(v1.artifact())).containsExactly("rollback-target:" + SVC);

      gate.returning(Verdict.pass("ok"));
      Release v3 = h.release(SVC, "v3");
      assertThat(h.deploy(QUICK, v3, 2)).succeeded();
      assertThat(store.pins(v3.artifact())).containsExactly("stable:" + SVC);
      assertThat(store.pins(v2.artifact())).containsExactly("rollback-target:" + SVC);
      assertThat(store.pins(v1.artifact())).as("no longer the rollback target").isEmpty();
    }

    @Test
    @DisplayName(
        "pin and unpin run on the provider executor, never on the scheduler; completion waits for them")
    void offTheScheduler() throws Exception {
      ScheduledThreadPoolExecutor scheduler =
          new ScheduledThreadPoolExecutor(1, r -> new Thread(r, "test-scheduler"));
      ExecutorService providers =
          Executors.newFixedThreadPool(2, r -> new Thread(r, "test-provider"));
      ThreadRecordingStore store = new ThreadRecordingStore(InMemoryArtifactStore.create());
      FakeFleet fleet = FakeFleet.create();
      Release v1 = store.release("v1");
      Release v2 = store.release("v2");
      Release v3 = store.release("v3");
      List<String> ids = new ArrayList<>();
      try (Cutover cutover =
          Cutover.builder()
              .clock(InstantSource.system())
              .scheduler(scheduler)
              .providerExecutor(providers)
              .fleet(fleet)
              .router(FakeRouter.create(InstantSource.system()).watch(fleet))
              .artifactStore(store)
              .revisionHistoryLimit(1)
              .build()) {
        fleet.launch(new OperationId("setup/v1"), v1, 2);
        cutover.adopt(v1, 2);
        for (Release target : List.of(v2, v3)) {
          Rollout r = cutover.deploy(NO_WAIT, target, 2);
          ids.add(r.id());
          RolloutStatus end = r.completion().toCompletableFuture().get(30, TimeUnit.SECONDS);
          assertThat(end.state()).isEqualTo(RolloutState.SUCCEEDED);
        }
        // completion completed after the pins were updated: they are all in place now
        assertThat(store.delegate.pins(v3.artifact())).containsExactly("stable:" + SVC);
        assertThat(store.delegate.pins(v2.artifact())).containsExactly("rollback-target:" + SVC);
        assertThat(store.delegate.pins(v1.artifact())).isEmpty();
      } finally {
        scheduler.shutdownNow();
        providers.shutdownNow();
      }
      String testThread = Thread.currentThread().getName();
      assertThat(store.calls)
          .extracting(PinCall::thread)
          .as("threads of every pin and unpin")
          .doesNotContain("test-scheduler")
          .containsOnly("test-provider", testThread);
      // start() pins the rollout's target on the caller's thread; everything at a rollout's end
      // runs on providers
      assertThat(store.calls)
          .filteredOn(c -> c.op().equals("pin") && c.reason().startsWith("rollout:"))
          .extracting(PinCall::thread)
          .containsOnly(testThread);
      assertThat(store.calls)
          .filteredOn(c -> !(c.op().equals("pin") && c.reason().startsWith("rollout:")))
          .extracting(PinCall::thread)
          .containsOnly("test-provider");
      // the order is unchanged: stable, then the rollback target, the older one's pin, the
      // rollout's own pin
      assertThat(store.calls)
          .extracting(c -> c.op() + " " + c.reason() + " " + c.label())
          .containsExactly(
              "pin rollout:" + ids.get(0) + " v2",
              "pin stable:checkout v2",
              "unpin stable:checkout v1",
              "pin rollback-target:checkout v1",
              "unpin rollout:" + ids.get(0) + " v2",
              "pin rollout:" + ids.get(1) + " v3",
              "pin stable:checkout v3",
              "unpin stable:checkout v2",
              "pin rollback-target:checkout v2",
              "unpin rollback-target:checkout v1",
              "unpin rollout:" + ids.get(1) + " v3");
    }
  }

  record PinCall(String op, String reason, String label, String thread) {}

  /** Records which thread called pin and unpin. */
  static final class ThreadRecordingStore implements ArtifactStore {
    final InMemoryArtifactStore delegate;
    final List<PinCall> calls = new CopyOnWriteArrayList<>();
    final Map<ArtifactRef, String> labels = new ConcurrentHashMap<>();

    ThreadRecordingStore(InMemoryArtifactStore delegate) {
      this.delegate = delegate;
    }

    Release release(String label) {
      ArtifactRef ref =
          delegate.push(
              "cutover.test/" + SVC, label, (SVC + ":" + label).getBytes(StandardCharsets.UTF_8));
      labels.put(ref, label);
      return Release.of(SVC, ref, ConfigRef.of(Map.of())).withLabel(label);
    }

    @Override
    public ArtifactRef resolve(TagRef tag) {
      return delegate.resolve(tag);
    }

    @Override
    public Artifact describe(ArtifactRef ref) {
      return delegate.describe(ref);
    }

    @Override
    public InputStream fetch(ArtifactRef ref) {
      return delegate.fetch(ref);
    }

    @Override
    public Artifact verify(ArtifactRef ref) {
      return delegate.verify(ref);
    }

    @Override
    public List<ArtifactRef> list(String repository) {
      return delegate.list(repository);
    }

    @Override
    public void pin(ArtifactRef ref, String reason) {
      calls.add(new PinCall("pin", reason, label(ref), Thread.currentThread().getName()));
      delegate.pin(ref, reason);
    }

    @Override
    public void unpin(ArtifactRef ref, String reason) {
      calls.add(new PinCall("unpin", reason, label(ref), Thread.currentThread().getName()));
      delegate.unpin(ref, reason);
    }

    private String label(ArtifactRef ref) {
      return labels.getOrDefault(ref, ref.toString());
    }
  }

  @Nested
  @DisplayName("recovery from the journal")
  class Recovery {
    @Test
    @DisplayName("a recovered rollout keeps its options, annotations included")
    void keepsAnnotations() {
      RolloutHarness h = RolloutHarness.create();
      adoptV1(h);
      RolloutOptions options =
          RolloutOptions.DEFAULT
              .withInitiator("pipeline-42")
              .withProgressDeadline(Duration.ofMinutes(30));
      options =
          new RolloutOptions(
              options.progressDeadline(),
              false,
              options.initiator(),
              Map.of("ticket", "OPS-7", "change", "c-19"));
      Rollout r =
          h.cutover()
              .deploy(
                  Strategies.canary().setWeight(20).pause(Duration.ofMinutes(5)).build(),
                  h.release(SVC, "v2"),
                  2,
                  options);
      h.runFor(r, Duration.ofMinutes(1));
      h.crashAfterRecords(0);
      h.runFor(r, Duration.ofMinutes(5));
      assertThat(h.crashed()).isTrue();

      List<Rollout> recovered = h.restart();
      assertThat(recovered).extracting(Rollout::id).containsExactly(r.id());
      assertThat(recovered.get(0).options()).isEqualTo(options);
      assertThat(recovered.get(0).options().annotations())
          .containsExactlyInAnyOrderEntriesOf(Map.of("ticket", "OPS-7", "change", "c-19"));
      assertThat(h.run(recovered.get(0))).succeeded();
    }

    @Test
    @DisplayName(
        "recoverFromJournal on a running engine leaves its rollouts alone; resume(id) still un-pauses")
    void recoverTwiceAndResumeDiffer() {
      RolloutHarness h = RolloutHarness.create();
      adoptV1(h);
      Rollout r =
          h.cutover()
              .deploy(Strategies.canary().setWeight(20).pause().build(), h.release(SVC, "v2"), 2);
      h.runFor(r, Duration.ofMinutes(1));
      assertThat(r.status().state()).isEqualTo(RolloutState.PAUSED);
      assertThat(h.cutover().recoverFromJournal()).isEmpty();
      assertThat(h.cutover().activeRollouts()).containsExactly(r);
      h.cutover().resume(r.id());
      assertThat(h.run(r)).succeeded();
    }
  }
}
