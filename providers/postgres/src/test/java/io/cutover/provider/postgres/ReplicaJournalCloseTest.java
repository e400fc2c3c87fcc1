// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.cutover.spi.ReplicaEngine;
import io.cutover.testfixtures.PostgresServer;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Closing a replica's journal on a real PostgreSQL stops its threads before its pool: the command
 * channel polled the pool every heartbeat after the pool had closed (a WARN every 500 ms) when the
 * underlying {@link PostgresJournal} was closed instead of the {@link ReplicaJournal}. After either
 * close, no thread of the replica runs and the channel makes no further polling round; closing
 * again is harmless.
 */
class ReplicaJournalCloseTest {
  private static final ReplicaEngine IDLE =
      new ReplicaEngine() {
        @Override
        public boolean takeOver(String rolloutId) {
          return false;
        }

        @Override
        public void command(String rolloutId, String command, @Nullable String argument) {}
      };

  @Test
  @DisplayName(
      "closing the underlying journal stops the command poller and the heartbeat before the pool:"
          + " no further polling round, no thread left; closing again is harmless")
  void closingTheUnderlyingJournalStopsThePoller() throws Exception {
    PostgresServer server = SharedPostgres.server();
    String schema = SharedPostgres.freshSchema("close");
    ReplicaJournal replica =
        ReplicaJournal.of(SharedPostgres.journal(server, schema, "closing-a").open());
    replica.attach(IDLE);
    long before = replica.commandCycles();
    await("the command channel polls", () -> replica.commandCycles() >= before + 2);

    replica.journal().close();

    assertThat(replica.threadsStopped()).as("heartbeat and command threads ended").isTrue();
    long after = replica.commandCycles();
    // Four poll intervals (heartbeat 500 ms): the old order polled the closed pool in each.
    Thread.sleep(2_000);
    assertThat(replica.commandCycles()).as("polling rounds after close").isEqualTo(after);
    assertThat(threadsNamed("closing-a")).isZero();

    replica.close(); // idempotent: nothing left to stop, no exception
    replica.journal().close();
    assertThat(replica.commandCycles()).isEqualTo(after);
  }

  @Test
  @DisplayName(
      "closing the replica journal stops its threads, gives its rollout leases back at once, and is"
          + " idempotent")
  void closingTheReplicaJournalReleasesAndStops() throws Exception {
    PostgresServer server = SharedPostgres.server();
    String schema = SharedPostgres.freshSchema("close");
    try (PostgresJournal observer = SharedPostgres.journal(server, schema, "observer").open()) {
      ReplicaJournal replica =
          ReplicaJournal.of(SharedPostgres.journal(server, schema, "closing-b").open());
      replica.attach(IDLE);
      assertThat(replica.tryLease("svc", "svc-1")).isTrue();
      assertThat(observer.leases().holder(ReplicaJournal.key("svc-1"))).isPresent();

      replica.close();
      long after = replica.commandCycles();

      assertThat(replica.threadsStopped()).isTrue();
      assertThat(observer.leases().holder(ReplicaJournal.key("svc-1")))
          .as("the rollout lease was given back, not left to expire")
          .isEmpty();
      replica.close();
      Thread.sleep(1_000);
      assertThat(replica.commandCycles()).isEqualTo(after);
      assertThat(threadsNamed("closing-b")).isZero();
    }
  }

  private static long threadsNamed(String replica) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(
            n ->
                n.equals("cutover-postgres-commands-" + replica)
                    || n.equals("cutover-postgres-heartbeat-" + replica))
        .count();
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 30 s: " + what);
      }
      Thread.sleep(20);
    }
  }
}
