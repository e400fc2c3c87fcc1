// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.postgres;

import io.cutover.api.ProviderException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Ownership leases with fencing tokens, in the journal's database.
 *
 * <p>Every time is the database's ({@code clock_timestamp()}): replicas' clocks may disagree, the
 * one database does not. An acquisition succeeds only if the key is free or its lease expired, and
 * gives a token one higher than any before for that key (rows are never deleted, so the count
 * survives releases). Renewal succeeds only while the lease is still current. Appends fenced by a
 * lease are checked against the same row in the same transaction ({@link PostgresJournal#append(
 * io.cutover.spi.JournalRecord, Lease)}).
 *
 * <p><b>Threading.</b> Thread-safe; each call is one statement on a pooled connection.
 *
 * <p><b>Errors.</b> {@link LeaseLostException} when a lease is not current; {@link
 * ProviderException} (retryable) when the database cannot be reached.
 */
public final class Leases {
  private static final String COLUMNS = "key, replica, token, expires_at";

  private final DataSource dataSource;

  Leases(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * Acquires {@code key} for {@code replica} if it is free or its lease expired.
   *
   * @return the lease with its new fencing token, or empty if another lease on the key is current
   */
  public Optional<Lease> tryAcquire(String key, String replica, Duration ttl) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(replica, "replica");
    return query(
            "acquire",
            "INSERT INTO cutover_lease AS l (key, replica, token, expires_at, acquired_at)"
                + " VALUES (?, ?, 1, clock_timestamp() + make_interval(secs => ?), clock_timestamp())"
                + " ON CONFLICT (key) DO UPDATE SET replica = EXCLUDED.replica, token = l.token + 1,"
                + " expires_at = EXCLUDED.expires_at, acquired_at = EXCLUDED.acquired_at"
                + " WHERE l.replica IS NULL OR l.expires_at <= clock_timestamp()"
                + " RETURNING "
                + COLUMNS,
            key,
            replica,
            seconds(ttl))
        .stream()
        .findFirst();
  }

  /**
   * Extends a lease by {@code ttl} from now (the database's clock).
   *
   * @return the renewed lease
   * @throws LeaseLostException if it expired or the key was acquired again since
   */
  public Lease renew(Lease lease, Duration ttl) {
    List<Lease> renewed =
        query(
            "renew",
            "UPDATE cutover_lease SET expires_at = clock_timestamp() + make_interval(secs => ?)"
                + " WHERE key = ? AND token = ? AND replica = ? AND expires_at > clock_timestamp()"
                + " RETURNING "
                + COLUMNS,
            seconds(ttl),
            lease.key(),
            lease.token(),
            lease.replica());
    if (renewed.isEmpty()) {
      throw new LeaseLostException("renew", lease.key(), lease.token(), currentToken(lease.key()));
    }
    return renewed.get(0);
  }

  /** Releases a lease if it is still current; otherwise does nothing. The token is kept. */
  public void release(Lease lease) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "UPDATE cutover_lease SET replica = NULL, expires_at = clock_timestamp()"
                    + " WHERE key = ? AND token = ? AND replica IS NOT NULL")) {
      s.setString(1, lease.key());
      s.setLong(2, lease.token());
      s.executeUpdate();
    } catch (SQLException e) {
      throw unreachable("release", e);
    }
  }

  /** The current lease on {@code key}, if one is held and not expired. */
  public Optional<Lease> holder(String key) {
    return query(
            "holder",
            "SELECT "
                + COLUMNS
                + " FROM cutover_lease WHERE key = ? AND replica IS NOT NULL"
                + " AND expires_at > clock_timestamp()",
            key)
        .stream()
        .findFirst();
  }

  /** Whether {@code lease} is still the current one on its key. */
  public boolean isCurrent(Lease lease) {
    return holder(lease.key()).map(l -> l.token() == lease.token()).orElse(false);
  }

  /** Every current lease whose key starts with {@code prefix}, by key. */
  public List<Lease> current(String prefix) {
    return query(
        "list",
        "SELECT "
            + COLUMNS
            + " FROM cutover_lease WHERE starts_with(key, ?) AND replica IS NOT NULL"
            + " AND expires_at > clock_timestamp() ORDER BY key",
        prefix);
  }

  /**
   * Keys starting with {@code prefix} whose lease was held and has expired: a dead replica's work,
   * for another to take over.
   */
  public List<String> expired(String prefix) {
    List<String> keys = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT key FROM cutover_lease WHERE starts_with(key, ?) AND replica IS NOT NULL"
                    + " AND expires_at <= clock_timestamp() ORDER BY key")) {
      s.setString(1, prefix);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          keys.add(rs.getString(1));
        }
      }
    } catch (SQLException e) {
      throw unreachable("expired", e);
    }
    return keys;
  }

  private @Nullable Long currentToken(String key) {
    return holder(key).map(Lease::token).orElse(null);
  }

  private List<Lease> query(String operation, String sql, Object... args) {
    List<Lease> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        s.setObject(i + 1, args[i]);
      }
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          out.add(
              new Lease(
                  rs.getString(1), rs.getString(2), rs.getLong(3), rs.getTimestamp(4).toInstant()));
        }
      }
    } catch (SQLException e) {
      throw unreachable(operation, e);
    }
    return out;
  }

  static ProviderException unreachable(String operation, SQLException e) {
    return ProviderException.retryable(
        "postgres", operation, "the database did not answer: " + e.getMessage(), e);
  }

  private static double seconds(Duration d) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("a lease TTL must be positive, got " + d);
    }
    return d.toNanos() / 1e9;
  }
}
