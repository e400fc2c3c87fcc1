// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.spi.JournalRecord;
import io.cutover.spi.JournalRecord.Type;
import io.cutover.testfixtures.PostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Ownership leases and fencing against a real PostgreSQL: expiry by the database's clock, a token
 * one higher on every acquisition, fenced appends refused once a lease is lost, heartbeats keeping
 * a lease alive, and connection loss ({@code pg_terminate_backend}, a server restart). This class
 * restarts its server, so it has one of its own.
 */
class LeaseFencingTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration TTL = Duration.ofSeconds(2);
  private static PostgresServer server;

  @BeforeAll
  static void start() throws Exception {
    server = PostgresServer.start();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static PostgresJournal open(String schema, String replica, Duration heartbeat) {
    return open(schema, replica, heartbeat, TTL);
  }

  private static PostgresJournal open(
      String schema, String replica, Duration heartbeat, Duration ttl) {
    return PostgresJournal.builder(server.jdbcUrl())
        .user(server.user())
        .schema(schema)
        .poolSize(4)
        .replica(replica, "test " + replica)
        .leaseTtl(ttl)
        .heartbeat(heartbeat)
        .connectTimeout(Duration.ofSeconds(30))
        .open();
  }

  private static JournalRecord rec(String rollout, int n) {
    return JournalRecord.of(
        T0.plusSeconds(n), rollout, "svc", Type.STATE, null, "{\"n\":" + n + "}");
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 60 s: " + what);
      }
      Thread.sleep(50);
    }
  }

  @Test
  @DisplayName(
      "a lease expires by the database's clock; the next acquisition gets a higher token, and the"
          + " old holder's fenced append and renewal are refused with nothing written")
  void fencing() throws Exception {
    String schema = SharedPostgres.freshSchema("fence");
    // Heartbeats far apart: only explicit renewals here.
    try (PostgresJournal a = open(schema, "a", Duration.ofHours(1));
        PostgresJournal b = open(schema, "b", Duration.ofHours(1))) {
      Lease first = a.leases().tryAcquire("rollout:r1", "a", TTL).orElseThrow();
      assertThat(b.leases().tryAcquire("rollout:r1", "b", TTL)).isEmpty();
      assertThat(a.append(rec("r1", 1), first).sequence()).isPositive();

      await("the lease expires", () -> a.leases().holder("rollout:r1").isEmpty());
      Lease second = b.leases().tryAcquire("rollout:r1", "b", TTL).orElseThrow();
      assertThat(second.token()).isEqualTo(first.token() + 1);

      assertThatThrownBy(() -> a.append(rec("r1", 2), first))
          .isInstanceOf(LeaseLostException.class)
          .hasMessageContaining("rollout:r1")
          .hasMessageContaining("token " + second.token())
          .satisfies(e -> assertThat(((LeaseLostException) e).retryable()).isFalse());
      assertThatThrownBy(() -> a.leases().renew(first, TTL)).isInstanceOf(LeaseLostException.class);
      assertThat(b.append(rec("r1", 3), second).sequence()).isPositive();
      assertThat(a.records("r1"))
          .extracting(JournalRecord::payload)
          .containsExactly("{\"n\":1}", "{\"n\":3}");

      b.leases().release(second);
      Lease third = a.leases().tryAcquire("rollout:r1", "a", TTL).orElseThrow();
      assertThat(third.token()).isEqualTo(second.token() + 1);
      assertThatThrownBy(() -> b.append(rec("r1", 4), second))
          .isInstanceOf(LeaseLostException.class);
    }
  }

  @Test
  @DisplayName(
      "heartbeats keep a lease past its TTL and the replica live; without them it is taken over"
          + " and the keeper reports the loss")
  void heartbeats() throws Exception {
    String schema = SharedPostgres.freshSchema("beat");
    try (PostgresJournal a = open(schema, "a", Duration.ofMillis(300));
        PostgresJournal b = open(schema, "b", Duration.ofMillis(300))) {
      List<LeaseLostException> lost = new CopyOnWriteArrayList<>();
      a.keeper().onLost(lost::add);
      Lease held = a.keeper().tryAcquire("service:checkout").orElseThrow();
      Thread.sleep(TTL.toMillis() * 2);
      assertThat(b.leases().tryAcquire("service:checkout", "b", TTL)).isEmpty();
      assertThat(a.leases().isCurrent(held)).isTrue();
      assertThat(b.replicas().live()).extracting(ReplicaInfo::id).contains("a", "b");
      assertThat(b.replicas().live())
          .filteredOn(r -> r.id().equals("a"))
          .extracting(ReplicaInfo::leases)
          .containsExactly(1);

      // Another replica forces the lease away (as after an expiry): the keeper learns at its next
      // beat.
      try (Connection c = b.dataSource().getConnection();
          PreparedStatement s =
              c.prepareStatement(
                  "UPDATE cutover_lease SET expires_at = clock_timestamp() WHERE key = ?")) {
        s.setString(1, "service:checkout");
        s.executeUpdate();
      }
      Optional<Lease> taken = b.leases().tryAcquire("service:checkout", "b", TTL);
      assertThat(taken).isPresent();
      await("the keeper reports the loss", () -> !lost.isEmpty());
      assertThat(lost.get(0).key()).isEqualTo("service:checkout");
      assertThat(a.keeper().keys()).isEmpty();
    }
    // Closed replicas are not live.
    try (PostgresJournal c = open(schema, "c", Duration.ofMillis(300))) {
      assertThat(c.replicas().live()).extracting(ReplicaInfo::id).containsExactly("c");
      assertThat(c.replicas().all()).extracting(ReplicaInfo::id).contains("a", "b", "c");
    }
  }

  @Test
  @DisplayName(
      "after pg_terminate_backend of its connections and after a server restart, a journal keeps"
          + " appending: nothing lost, nothing duplicated, the chain verifies, leases survive")
  void connectionLoss() throws Exception {
    String schema = SharedPostgres.freshSchema("loss");
    // A long TTL: the lease must not expire while the server restarts on a loaded machine.
    try (PostgresJournal j = open(schema, "a", Duration.ofMillis(300), Duration.ofSeconds(60))) {
      Lease lease = j.keeper().tryAcquire("rollout:r9").orElseThrow();
      j.append(rec("r9", 1), lease);
      try (Connection c = j.dataSource().getConnection();
          PreparedStatement s =
              c.prepareStatement(
                  "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                      + " WHERE application_name = 'cutover a' AND pid <> pg_backend_pid()")) {
        s.executeQuery().close();
      }
      j.append(rec("r9", 2), j.keeper().lease("rollout:r9").orElseThrow());

      server.restart();
      // The first appends after the restart may meet connections the restart closed; the writer
      // retries those on fresh ones.
      await(
          "appends work again after the restart",
          () -> {
            try {
              j.append(rec("r9-probe", 0));
              return true;
            } catch (RuntimeException e) {
              return false;
            }
          });
      j.append(rec("r9", 3), j.keeper().lease("rollout:r9").orElseThrow());
      assertThat(j.records("r9"))
          .extracting(JournalRecord::payload)
          .containsExactly("{\"n\":1}", "{\"n\":2}", "{\"n\":3}");
      assertThat(j.leases().holder("rollout:r9")).map(Lease::token).contains(lease.token());
      assertThat(j.verify()).isEqualTo(j.lastSequence());
    }
  }
}
