// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.postgres;

import io.cutover.testfixtures.PostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One private PostgreSQL for the test classes of this module that do not stop or restart it (one
 * server start instead of one per class); each class works in its own schema. Stopped when the test
 * JVM exits.
 */
final class SharedPostgres {
  private static final AtomicInteger SCHEMAS = new AtomicInteger();
  private static PostgresServer server;

  private SharedPostgres() {}

  static synchronized PostgresServer server() {
    if (server == null) {
      try {
        PostgresServer s = PostgresServer.start();
        Runtime.getRuntime().addShutdownHook(new Thread(s::close, "shared-postgres-stop"));
        server = s;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return server;
  }

  /** A schema name no other test class of this JVM uses. */
  static String freshSchema(String prefix) {
    return prefix + "_" + ProcessHandle.current().pid() + "_" + SCHEMAS.incrementAndGet();
  }

  /** A journal builder on {@code server} in {@code schema}, with short leases for tests. */
  static PostgresJournal.Builder journal(PostgresServer server, String schema, String replica) {
    return PostgresJournal.builder(server.jdbcUrl())
        .user(server.user())
        .schema(schema)
        .poolSize(6)
        .replica(replica, "test replica " + replica)
        .leaseTtl(Duration.ofSeconds(3))
        .heartbeat(Duration.ofMillis(500))
        .connectTimeout(Duration.ofSeconds(30));
  }
}
