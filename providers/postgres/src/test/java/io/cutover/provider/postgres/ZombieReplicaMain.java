// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.postgres;

import io.cutover.spi.JournalRecord;
import java.time.Duration;
import java.time.Instant;

/**
 * A replica in a child JVM for {@link ZombieReplicaTest}: acquires a lease through its keeper, then
 * appends fenced records in a loop, printing each; on {@link LeaseLostException} it prints {@code
 * LOST} and exits with 3 (it stands down).
 *
 * <p>Arguments: JDBC URL, user, schema, replica id, lease key.
 */
public final class ZombieReplicaMain {
  private ZombieReplicaMain() {}

  public static void main(String[] args) throws Exception {
    try (PostgresJournal j =
        PostgresJournal.builder(args[0])
            .user(args[1])
            .schema(args[2])
            .poolSize(2)
            .replica(args[3], "zombie test child")
            .leaseTtl(ZombieReplicaTest.TTL)
            .heartbeat(Duration.ofMillis(300))
            .connectTimeout(Duration.ofSeconds(30))
            .open()) {
      Lease lease = null;
      while (lease == null) {
        lease = j.keeper().tryAcquire(args[4]).orElse(null);
        Thread.sleep(50);
      }
      System.out.println("ACQUIRED " + lease.token());
      for (int n = 0; ; n++) {
        Lease current = j.keeper().lease(args[4]).orElse(lease);
        try {
          JournalRecord r =
              j.append(
                  JournalRecord.of(
                      Instant.EPOCH,
                      "zombie-rollout",
                      "svc",
                      JournalRecord.Type.STATE,
                      null,
                      "{\"n\":" + n + "}"),
                  current);
          System.out.println("APPENDED " + n + " " + r.sequence());
        } catch (LeaseLostException e) {
          System.out.println("LOST " + e.getMessage());
          System.exit(3);
        } catch (RuntimeException e) {
          System.out.println("FAILED " + e);
        }
        Thread.sleep(50);
      }
    }
  }
}
