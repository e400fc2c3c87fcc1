// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The engine replicas sharing a journal: who registered, their heartbeats, which are live.
 *
 * <p>A replica is live while it has not stopped and its last heartbeat is younger than the lease
 * TTL, by the database's clock.
 *
 * <p><b>Threading.</b> Thread-safe. <b>Errors.</b> {@link io.cutover.api.ProviderException}
 * (retryable) when the database cannot be reached.
 */
public final class Replicas {
  private final DataSource dataSource;
  private final Duration ttl;

  Replicas(DataSource dataSource, Duration ttl) {
    this.dataSource = dataSource;
    this.ttl = ttl;
  }

  /** Registers (or re-registers) a replica, with a heartbeat now. */
  public void register(String id, String description) {
    update(
        "register",
        "INSERT INTO cutover_replica (id, description, started_at, heartbeat_at)"
            + " VALUES (?, ?, clock_timestamp(), clock_timestamp()) ON CONFLICT (id) DO UPDATE"
            + " SET description = EXCLUDED.description, started_at = EXCLUDED.started_at,"
            + " heartbeat_at = EXCLUDED.heartbeat_at, stopped_at = NULL",
        id,
        description);
  }

  /** Records a heartbeat of a replica. */
  public void heartbeat(String id) {
    update(
        "heartbeat",
        "UPDATE cutover_replica SET heartbeat_at = clock_timestamp() WHERE id = ?",
        id);
  }

  /** Marks a replica stopped (a clean shutdown). */
  public void stopped(String id) {
    update("stopped", "UPDATE cutover_replica SET stopped_at = clock_timestamp() WHERE id = ?", id);
  }

  /** Every replica ever registered, live ones first, then by id. */
  public List<ReplicaInfo> all() {
    return list(false);
  }

  /** The live replicas, by id. */
  public List<ReplicaInfo> live() {
    return list(true);
  }

  private List<ReplicaInfo> list(boolean liveOnly) {
    String sql =
        "SELECT r.id, r.description, r.started_at, r.heartbeat_at, r.stopped_at,"
            + " (r.stopped_at IS NULL AND r.heartbeat_at > clock_timestamp() - make_interval(secs => ?))"
            + " AS live,"
            + " (SELECT count(*) FROM cutover_lease l WHERE l.replica = r.id"
            + " AND l.expires_at > clock_timestamp()) AS leases"
            + " FROM cutover_replica r";
    sql =
        liveOnly
            ? "SELECT * FROM (" + sql + ") x WHERE live ORDER BY id"
            : sql + " ORDER BY live DESC, id";
    List<ReplicaInfo> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      s.setDouble(1, ttl.toNanos() / 1e9);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          Timestamp stopped = rs.getTimestamp(5);
          out.add(
              new ReplicaInfo(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getTimestamp(3).toInstant(),
                  rs.getTimestamp(4).toInstant(),
                  stopped == null ? null : stopped.toInstant(),
                  rs.getBoolean(6),
                  rs.getInt(7)));
        }
      }
    } catch (SQLException e) {
      throw Leases.unreachable("replicas", e);
    }
    return out;
  }

  private void update(String operation, String sql, String... args) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        s.setString(i + 1, args[i]);
      }
      s.executeUpdate();
    } catch (SQLException e) {
      throw Leases.unreachable(operation, e);
    }
  }
}
