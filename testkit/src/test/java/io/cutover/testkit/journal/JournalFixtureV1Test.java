// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.journal;

import static org.assertj.core.api.Assertions.assertThat;

import io.cutover.api.ArtifactRef;
import io.cutover.api.Digest;
import io.cutover.api.Release;
import io.cutover.api.Verdict;
import io.cutover.api.rollout.RolloutState;
import io.cutover.core.Cutover;
import io.cutover.core.Rollout;
import io.cutover.core.journal.FileJournal;
import io.cutover.core.journal.RolloutSummary;
import io.cutover.simulator.FakeFleet;
import io.cutover.simulator.FakeRouter;
import io.cutover.simulator.VirtualClock;
import io.cutover.simulator.VirtualScheduler;
import io.cutover.spi.OperationId;
import io.cutover.testkit.FakeHealthGate;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file journal written by an earlier engine (payload schema version 1, {@code
 * journal-fixtures/v1}): this engine opens it, learns the services' stable releases from the ended
 * rollouts, continues the open ones where they stopped, and summarises the history as before.
 */
class JournalFixtureV1Test {
  static final String SEGMENT = "segment-00000000000000000001.log";

  @TempDir Path dir;

  /** The engine stopped at 00:03:45 (virtual); the new one starts a little later. */
  final VirtualClock clock = VirtualClock.startingAt(Instant.parse("2026-01-01T00:04:00Z"));

  final VirtualScheduler scheduler = VirtualScheduler.on(clock);
  final FakeFleet fleet = FakeFleet.create();
  final FakeRouter router = FakeRouter.create(clock).watch(fleet);

  static Release release(String service, String label) {
    return Release.of(
            service, ArtifactRef.parse("fixture.test/" + service + "@" + Digest.sha256(label)))
        .withLabel(label);
  }

  @BeforeEach
  void copyFixture() throws IOException {
    try (InputStream in =
        Objects.requireNonNull(getClass().getResourceAsStream("/journal-fixtures/v1/" + SEGMENT))) {
      Files.copy(in, dir.resolve(SEGMENT));
    }
    // The world as the old engine left it: the stable instances and the canaries it launched.
    fleet.launch(new OperationId("setup/payments-v1"), release("payments", "v1"), 4);
    fleet.launch(new OperationId("payments-mjuoimv4-3/s0/launch"), release("payments", "v2"), 1);
    fleet.launch(new OperationId("setup/search-v1"), release("search", "v1"), 2);
    fleet.launch(new OperationId("search-mjuolygo-4/s0/launch"), release("search", "v2"), 1);
  }

  Cutover engine(FileJournal journal) {
    return Cutover.builder()
        .allowUnverifiedArtifacts()
        .clock(clock)
        .scheduler(scheduler)
        .providerExecutor(Runnable::run)
        .journal(journal)
        .fleet(fleet)
        .router(router)
        .gate(FakeHealthGate.named("smoke").returning(Verdict.pass("ok")))
        .gate(FakeHealthGate.named("errors").returning(Verdict.fail("error rate 6% > 1%")))
        .gate(FakeHealthGate.named("latency").returning(Verdict.pass("p99 120ms")))
        .gate(FakeHealthGate.named("shadow").returning(Verdict.inconclusive("no data")))
        .gate(FakeHealthGate.named("saturation").returning(Verdict.pass("cpu 40%")))
        .build();
  }

  @Test
  @DisplayName("ended rollouts of a v1 journal give each service its stable release")
  void stableReleases() {
    try (FileJournal journal = FileJournal.open(dir);
        Cutover c = engine(journal)) {
      assertThat(c.stable("orders")).contains(release("orders", "v2"));
      assertThat(c.stable("billing")).contains(release("billing", "v1"));
      assertThat(c.stable("payments"))
          .as("the open rollout's stable")
          .contains(release("payments", "v1"));
    }
  }

  @Test
  @DisplayName(
      "open rollouts of a v1 journal continue where they stopped: the analysis with its counts, the pauses")
  void openRolloutsContinue() {
    try (FileJournal journal = FileJournal.open(dir);
        Cutover c = engine(journal)) {
      Map<String, Rollout> open =
          c.activeRollouts().stream().collect(Collectors.toMap(r -> r.plan().service(), r -> r));
      assertThat(open).containsOnlyKeys("payments", "search");
      Rollout payments = open.get("payments");
      Rollout search = open.get("search");
      assertThat(search.status().state()).isEqualTo(RolloutState.PAUSED);
      assertThat(search.status().reason()).isEqualTo("waiting for approval");
      assertThat(search.options().initiator()).isEqualTo("api");

      scheduler.runUntil(
          () -> payments.status().state() == RolloutState.PAUSED, Duration.ofHours(1));
      // four of five measurements were journaled: one more completes the analysis, then the pause
      // request holds
      assertThat(payments.status().reason()).isEqualTo("paused by request");
      assertThat(payments.status().stepIndex()).isEqualTo(3);
      long latencyVerdicts =
          journal.records(payments.id()).stream()
              .filter(r -> r.payload().contains("\"gate\":\"latency\""))
              .count();
      assertThat(latencyVerdicts).isEqualTo(5);

      c.resume(payments.id());
      c.approve(search.id());
      scheduler.runUntil(
          () -> payments.status().state().isTerminal() && search.status().state().isTerminal(),
          Duration.ofHours(2));
      assertThat(payments.status().state()).isEqualTo(RolloutState.SUCCEEDED);
      assertThat(search.status().state()).isEqualTo(RolloutState.SUCCEEDED);
      assertThat(c.stable("payments")).contains(release("payments", "v2"));
      assertThat(fleet.instancesOf(release("payments", "v2").id())).hasSize(4);
    }
  }

  @Test
  @DisplayName("the history of a v1 journal keeps strategy, initiator, annotations and outcome")
  void history() {
    try (FileJournal journal = FileJournal.open(dir)) {
      List<RolloutSummary> orders = journal.history("orders");
      assertThat(orders).hasSize(1);
      RolloutSummary s = orders.get(0);
      assertThat(s.strategy()).isEqualTo("blue-green");
      assertThat(s.initiator()).isEqualTo("ci-pipeline-7");
      assertThat(s.annotations()).containsEntry("ticket", "CHG-1");
      assertThat(s.succeeded()).isTrue();
      assertThat(s.target()).isEqualTo(release("orders", "v2").id());
      assertThat(s.stable()).isEqualTo(release("orders", "v1").id());
      RolloutSummary billing = journal.history("billing").get(0);
      assertThat(billing.outcome()).isEqualTo("aborted");
      assertThat(billing.reason()).startsWith("analysis failed");
      journal.compact();
      assertThat(journal.history("orders")).as("the same after compaction").containsExactly(s);
    }
  }
}
