// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.cutover.spi.JournalRecord;
import io.cutover.testfixtures.PostgresServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A zombie replica: a child JVM holding a lease and appending with it is stopped with SIGSTOP past
 * its lease TTL, this JVM takes the lease over (a higher token) and appends, then the child is
 * continued with SIGCONT. Its next append is refused with {@link LeaseLostException}, it stands
 * down (exit 3), and the journal holds no record of it after the takeover.
 */
class ZombieReplicaTest {
  static final Duration TTL = Duration.ofSeconds(2);

  @Test
  @DisplayName("a replica paused past its lease TTL is fenced off when it wakes and stands down")
  void zombieIsFenced() throws Exception {
    PostgresServer server = SharedPostgres.server();
    String schema = SharedPostgres.freshSchema("zombie");
    String key = "rollout:zombie-rollout";
    try (PostgresJournal us =
        SharedPostgres.journal(server, schema, "successor").leaseTtl(TTL).open()) {
      Process child =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  ZombieReplicaMain.class.getName(),
                  server.jdbcUrl(),
                  server.user(),
                  schema,
                  "zombie",
                  key)
              .redirectErrorStream(true)
              .start();
      List<String> lines = new CopyOnWriteArrayList<>();
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = r.readLine()) != null) {
                    lines.add(line);
                  }
                } catch (Exception ignored) {
                  // the child ended
                }
              });
      reader.setDaemon(true);
      reader.start();
      try {
        await(
            "the child appends with its lease",
            () -> lines.stream().filter(l -> l.startsWith("APPENDED")).count() >= 3,
            lines);
        signal("STOP", child.pid());
        await("the zombie's lease expires", () -> us.leases().holder(key).isEmpty(), lines);
        Lease ours = us.keeper().tryAcquire(key).orElseThrow();
        JournalRecord takeover =
            us.append(
                JournalRecord.of(
                    Instant.EPOCH,
                    "zombie-rollout",
                    "svc",
                    JournalRecord.Type.STATE,
                    null,
                    "{\"takeover\":true}"),
                ours);
        signal("CONT", child.pid());
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("the zombie stands down").isTrue();
        reader.join(5_000);
        assertThat(child.exitValue()).as("exit code; output %s", lines).isEqualTo(3);
        assertThat(lines).anyMatch(l -> l.startsWith("LOST"));
        assertThat(ours.token()).isGreaterThan(1);
        try (Connection c = us.dataSource().getConnection();
            PreparedStatement s =
                c.prepareStatement(
                    "SELECT count(*) FROM cutover_journal WHERE replica = 'zombie' AND seq > ?")) {
          s.setLong(1, takeover.sequence());
          try (ResultSet rs = s.executeQuery()) {
            rs.next();
            assertThat(rs.getLong(1)).as("zombie records after the takeover").isZero();
          }
        }
        assertThat(us.verify()).isEqualTo(us.lastSequence());
      } finally {
        child.destroyForcibly();
      }
    }
  }

  private static void signal(String sig, long pid) throws Exception {
    assertThat(new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).start().waitFor())
        .isZero();
  }

  private static void await(String what, java.util.function.BooleanSupplier c, List<String> out)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!c.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 60 s: " + what + "; child output: " + out);
      }
      Thread.sleep(50);
    }
  }
}
