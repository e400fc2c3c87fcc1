// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.journal;

import static org.assertj.core.api.Assertions.assertThat;

import io.cutover.api.ArtifactRef;
import io.cutover.api.ConfigRef;
import io.cutover.api.Digest;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.api.Verdict;
import io.cutover.api.plan.Step;
import io.cutover.api.rollout.RolloutState;
import io.cutover.core.Cutover;
import io.cutover.core.Rollout;
import io.cutover.core.journal.DurabilityMode;
import io.cutover.core.journal.FileJournal;
import io.cutover.core.strategy.Strategies;
import io.cutover.simulator.FakeFleet;
import io.cutover.simulator.FakeRouter;
import io.cutover.simulator.VirtualClock;
import io.cutover.simulator.VirtualScheduler;
import io.cutover.spi.OperationId;
import io.cutover.spi.RolloutStrategy;
import io.cutover.testkit.FakeHealthGate;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The engine stops in the middle of a rollout; a new engine opens the same journal directory (a new
 * {@code FileJournal}, recovery included) and resumes. With and without a torn last record.
 */
@DisplayName("Resuming rollouts from a FileJournal directory")
class FileJournalResumeTest {
  private static final String SVC = "payments";

  @TempDir Path dir;

  static Stream<Arguments> stops() {
    return Stream.of(0, 5, 25, 45, 65, 90, 130, 170)
        .flatMap(s -> Stream.of(Arguments.of(s, false), Arguments.of(s, true)));
  }

  private static Release release(String label) {
    return Release.of(
            SVC, new ArtifactRef("cutover.test/" + SVC, Digest.sha256(label)), ConfigRef.EMPTY)
        .withLabel(label);
  }

  private static Cutover engine(
      VirtualScheduler s, FileJournal j, FakeFleet fleet, FakeRouter router, FakeHealthGate gate) {
    return Cutover.builder()
        .allowUnverifiedArtifacts()
        .clock(s.clock())
        .scheduler(s)
        .providerExecutor(Runnable::run)
        .journal(j)
        .fleet(fleet)
        .router(router)
        .gate(gate)
        .build();
  }

  @ParameterizedTest(name = "stop after {0}s of virtual time, torn last record: {1}")
  @MethodSource("stops")
  void resumes(int stopAfterSeconds, boolean tearLastRecord) throws IOException {
    VirtualClock clock = VirtualClock.create();
    FakeFleet fleet = FakeFleet.create();
    FakeRouter router = FakeRouter.create(clock).watch(fleet);
    FakeHealthGate gate = FakeHealthGate.named("health").returning(Verdict.pass("ok"));
    Release v1 = release("v1");
    Release v2 = release("v2");
    fleet.launch(new OperationId("setup/v1"), v1, 3);
    router.apply(
        new OperationId("setup/route"),
        SVC,
        TrafficSplit.all(v1.id()),
        Map.of(v1.id(), fleet.instancesOf(v1.id())));
    Step.Verify verify =
        Step.Verify.gates("health").count(3).interval(Duration.ofSeconds(20)).build();
    RolloutStrategy canary =
        Strategies.canary().setWeight(25).analysis(verify).setWeight(50).analysis(verify).build();

    VirtualScheduler first = VirtualScheduler.on(clock);
    FileJournal journal = FileJournal.builder(dir).durability(DurabilityMode.OS_BUFFERED).open();
    Cutover a = engine(first, journal, fleet, router, gate);
    a.adopt(v1, 3);
    Rollout started = a.deploy(canary, v2, 3);
    first.advance(Duration.ofSeconds(stopAfterSeconds));
    boolean endedBeforeStop = started.status().state().isTerminal();
    // The process "dies": its scheduler is never driven again; its files are whatever it wrote.
    journal.close();
    if (tearLastRecord) {
      Path segment;
      try (Stream<Path> files = Files.list(dir)) {
        segment =
            files
                .filter(p -> p.getFileName().toString().startsWith("segment-"))
                .sorted()
                .reduce((x, y) -> y)
                .orElseThrow();
      }
      try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
        if (ch.size() > 64 + 60) {
          ch.truncate(ch.size() - 7);
        }
      }
    }

    VirtualScheduler second = VirtualScheduler.on(clock);
    try (FileJournal reopened =
        FileJournal.builder(dir).durability(DurabilityMode.OS_BUFFERED).open()) {
      Cutover b = engine(second, reopened, fleet, router, gate);
      List<Rollout> resumed = List.copyOf(b.activeRollouts());
      if (endedBeforeStop && !tearLastRecord) {
        assertThat(resumed).isEmpty();
      } else if (!resumed.isEmpty()) {
        assertThat(resumed).extracting(Rollout::id).containsExactly(started.id());
        assertThat(
                second.runUntil(
                    () -> resumed.get(0).status().state().isTerminal(), Duration.ofHours(2)))
            .as("resumed rollout ends")
            .isTrue();
        assertThat(resumed.get(0).status().state()).isEqualTo(RolloutState.SUCCEEDED);
      }
      second.assertNoTaskFailures();
      assertThat(router.current(SVC)).contains(TrafficSplit.all(v2.id()));
      assertThat(fleet.instancesOf(v1.id())).isEmpty();
      assertThat(fleet.instancesOf(v2.id())).hasSize(3);
      assertThat(router.violations()).isEmpty();
      Map<String, Integer> applied = new HashMap<>();
      for (FakeFleet.Call c : fleet.calls()) {
        if (c.outcome() == FakeFleet.Outcome.APPLIED) {
          applied.merge(c.op().value(), 1, Integer::sum);
        }
      }
      assertThat(applied)
          .allSatisfy((op, n) -> assertThat(n).as("fleet effects of %s", op).isEqualTo(1));
      Map<String, Integer> routes = new HashMap<>();
      router.timeline(SVC).forEach(e -> routes.merge(e.op().value(), 1, Integer::sum));
      assertThat(routes)
          .allSatisfy((op, n) -> assertThat(n).as("router effects of %s", op).isEqualTo(1));
      // The service is free again: no lease is left behind by a rollout that ended, even when the
      // crash
      // came between its durable ENDED record and the release of its lease (the torn last entry).
      assertThat(reopened.leaseHolder(SVC)).isEmpty();
      b.close();
    }
    a.close();
  }
}
