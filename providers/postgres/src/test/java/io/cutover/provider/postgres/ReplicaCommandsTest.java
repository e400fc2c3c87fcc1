// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.Instance;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.api.rollout.RolloutState;
import io.cutover.core.Cutover;
import io.cutover.core.Rollout;
import io.cutover.core.RolloutCommand;
import io.cutover.core.strategy.Strategies;
import io.cutover.spi.JournalRecord;
import io.cutover.spi.OperationId;
import io.cutover.testfixtures.PostgresServer;
import io.cutover.testkit.crash.CrashScenario;
import io.cutover.testkit.crash.RecordedWorld;
import io.cutover.testkit.crash.RecordingWorld;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commands from any replica against a real PostgreSQL: a promote and an abort given to an engine
 * that does not drive the rollout reach the one that does ({@code cutover_command}, {@code
 * LISTEN/NOTIFY}), which applies and journals them; the caller's future completes when they were
 * applied. The owner's {@code LISTEN} connection is terminated first ({@code
 * pg_terminate_backend}): polling and reconnecting still deliver. Commands for an ended or unknown
 * rollout fail with {@link InvalidSpecException}.
 */
class ReplicaCommandsTest {
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final String SVC = "orders";

  @Test
  @DisplayName(
      "promote and abort given on a non-owner replica are applied and journaled by the owner, also"
          + " after its LISTEN connection was terminated; ended and unknown rollouts are refused")
  void commandsReachTheOwner(@TempDir Path dir) throws Exception {
    PostgresServer server = SharedPostgres.server();
    String schema = SharedPostgres.freshSchema("commands");
    try (RecordingWorld world = RecordingWorld.open(dir.resolve("effects.log"));
        ReplicaJournal j0 = ReplicaJournal.of(SharedPostgres.journal(server, schema, "r0").open());
        ReplicaJournal j1 = ReplicaJournal.of(SharedPostgres.journal(server, schema, "r1").open());
        Cutover owner = engine(j0, world);
        Cutover other = engine(j1, world)) {
      Release v1 = CrashScenario.release(SVC, "v1");
      Release v2 = CrashScenario.release(SVC, "v2");
      List<Instance> units = world.fleet().launch(new OperationId("setup/launch"), v1, 2);
      world
          .router()
          .apply(
              new OperationId("setup/route"),
              SVC,
              TrafficSplit.all(v1.id()),
              Map.of(v1.id(), units));
      owner.adopt(v1, 2);
      Rollout r =
          owner.deploy(
              Strategies.canary().setWeight(25).pause().setWeight(50).pause().build(), v2, 2);
      await("paused for approval at 25 %", () -> r.status().state() == RolloutState.PAUSED);
      assertThat(other.activeRollouts()).isEmpty();

      // Cut the owner's LISTEN connection: the command still arrives (poll, reconnect).
      int terminated = terminateListeners(j0, "cutover r0");
      assertThat(terminated).isPositive();
      other.command(r.id(), RolloutCommand.PROMOTE, null).get(60, TimeUnit.SECONDS);
      await("the owner promoted to 50 %", () -> weight(world, v2) == 50.0);

      long sent = System.nanoTime();
      other.command(r.id(), RolloutCommand.ABORT, "stopped from r1").get(60, TimeUnit.SECONDS);
      long appliedMillis = (System.nanoTime() - sent) / 1_000_000;
      System.out.println("non-owner abort applied by the owner after " + appliedMillis + " ms");
      await("the rollout ended", () -> last(j1, r.id()).type() == JournalRecord.Type.ENDED);
      assertThat(last(j1, r.id()).payload()).contains("\"outcome\":\"aborted\"");
      assertThat(RecordedWorld.of(world.effects()).split(SVC)).contains(TrafficSplit.all(v1.id()));
      assertThat(replicaThatJournaled(j1, r.id(), "stopped from r1")).isEqualTo("r0");

      assertThatThrownBy(() -> other.command(r.id(), RolloutCommand.PAUSE, null).get())
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("has ended");
      assertThatThrownBy(() -> other.command("no-such-rollout", RolloutCommand.ABORT, "x").get())
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("no-such-rollout");
    }
  }

  private static Cutover engine(ReplicaJournal journal, RecordingWorld world) {
    return Cutover.builder()
        .allowUnverifiedArtifacts()
        .journal(journal)
        .fleet(world.fleet())
        .router(world.router())
        .build();
  }

  private static double weight(RecordingWorld world, Release r) {
    return RecordedWorld.of(world.effects()).split(SVC).map(s -> s.percent(r.id())).orElse(0.0);
  }

  private static JournalRecord last(ReplicaJournal j, String rolloutId) {
    List<JournalRecord> records = j.records(rolloutId);
    return records.get(records.size() - 1);
  }

  private static String replicaThatJournaled(ReplicaJournal j, String rolloutId, String text)
      throws Exception {
    long seq =
        j.records(rolloutId).stream()
            .filter(r -> r.payload().contains(text))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no record of " + rolloutId + " says " + text))
            .sequence();
    try (Connection c = j.journal().dataSource().getConnection();
        PreparedStatement s =
            c.prepareStatement("SELECT replica FROM cutover_journal WHERE seq = ?")) {
      s.setLong(1, seq);
      try (ResultSet rs = s.executeQuery()) {
        assertThat(rs.next()).isTrue();
        return rs.getString(1);
      }
    }
  }

  private static int terminateListeners(ReplicaJournal j, String application) throws Exception {
    try (Connection c = j.journal().dataSource().getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    + " WHERE application_name = ? AND query LIKE 'LISTEN%'")) {
      s.setString(1, application);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + DEADLINE.toSeconds() + " s: " + what);
      }
      Thread.sleep(50);
    }
  }
}
