// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.ProviderException;
import io.cutover.provider.postgres.internal.Compaction;
import io.cutover.provider.postgres.internal.Pending;
import io.cutover.provider.postgres.internal.RecordCodec;
import io.cutover.provider.postgres.internal.Writer;
import io.cutover.spi.Journal;
import io.cutover.spi.JournalRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Journal} in PostgreSQL (13 or newer; tested on 15), shared by every engine replica that
 * opens the same database and schema.
 *
 * <p><b>Guarantees</b> (those of the file journal). Records are totally ordered: one head row,
 * locked by every appending transaction, assigns sequences in commit order with no gaps, so a
 * replay never misses a record that commits later with a lower sequence. A record is stored
 * verbatim (its exact encoding in a {@code bytea}) and returned as appended. Every record is
 * chained to the one before it by SHA-256 ({@link #headHash()}, {@link #verify()}): recording the
 * head elsewhere lets an audit prove that nothing before it was rewritten. {@link #append} returns
 * once the record's transaction committed (durable as the server's {@code synchronous_commit} makes
 * it: on, the default, means flushed to the WAL).
 *
 * <p><b>Group commit.</b> One writer thread per journal takes every append queued while the
 * previous transaction ran and commits them together; {@link #appendAsync} lets one caller keep
 * many in flight.
 *
 * <p><b>Fencing.</b> {@link #append(JournalRecord, Lease)} is accepted only while the lease's token
 * is its key's current one by the database's clock, checked in the appending transaction; otherwise
 * it fails with {@link LeaseLostException} and writes nothing. {@link #leases()} acquires and
 * renews leases, {@link #replicas()} lists the replicas.
 *
 * <p><b>Compaction.</b> {@link #compact()} moves ended rollouts into history ({@link #history}),
 * keeping the latest ended and the latest succeeded rollout of each service, and never touching an
 * open rollout.
 *
 * <p><b>Schema.</b> Created and migrated with Flyway on open, in its own schema ({@code cutover} by
 * default); opening again, from any replica, is safe.
 *
 * <p><b>Threading.</b> Safe for concurrent use, also by many processes.
 *
 * <p><b>Errors.</b> {@link ProviderException} (provider {@code postgres}, retryable) when the
 * database cannot be reached; the pool reconnects, and the journal keeps accepting appends once it
 * can. Messages never contain the password.
 */
public final class PostgresJournal implements Journal {
  /** Largest encoded record accepted, payload included: 16 MiB, as the file journal. */
  public static final int MAX_RECORD_BYTES = 16 << 20;

  private static final String PROVIDER = "postgres";
  private static final Logger LOG = LoggerFactory.getLogger(PostgresJournal.class);

  private final HikariDataSource dataSource;
  private final String replica;
  private final Writer writer;
  private final Thread writerThread;
  private final Leases leases;
  private final Replicas replicas;
  private @Nullable LeaseKeeper keeper;
  private final Duration leaseTtl;
  private final Duration heartbeat;
  private volatile boolean closed;

  /** What uses the pool on its own threads and must stop before it closes (newest first). */
  private final Deque<AutoCloseable> dependents = new ConcurrentLinkedDeque<>();

  private PostgresJournal(Builder b, HikariDataSource dataSource) {
    this.dataSource = dataSource;
    this.replica = b.replica;
    this.leaseTtl = b.leaseTtl;
    this.heartbeat = b.heartbeat;
    this.leases = new Leases(dataSource);
    this.replicas = new Replicas(dataSource, b.leaseTtl);
    this.writer =
        new Writer(
            dataSource,
            (p, current) ->
                new LeaseLostException(
                    "append", Objects.requireNonNull(p.fenceKey()), p.fenceToken(), current));
    this.writerThread = new Thread(writer, "cutover-postgres-journal-" + replica);
    writerThread.setDaemon(true);
  }

  /** A builder for a journal at a JDBC URL, e.g. {@code jdbc:postgresql://db:5432/cutover}. */
  public static Builder builder(String jdbcUrl) {
    return new Builder(jdbcUrl);
  }

  /** This journal's replica id: written with each record and used for leases. */
  public String replica() {
    return replica;
  }

  /** The lease TTL this journal was configured with. */
  public Duration leaseTtl() {
    return leaseTtl;
  }

  /** The heartbeat interval this journal was configured with. */
  public Duration heartbeat() {
    return heartbeat;
  }

  /** Ownership leases with fencing tokens. */
  public Leases leases() {
    return leases;
  }

  /**
   * This replica's leases, renewed by its heartbeat (which also keeps the replica live in {@link
   * #replicas()}).
   */
  public LeaseKeeper keeper() {
    LeaseKeeper k = keeper;
    if (k == null) {
      throw new IllegalStateException("the journal is not open yet");
    }
    return k;
  }

  /** The replicas sharing this journal. */
  public Replicas replicas() {
    return replicas;
  }

  /** The connection pool (for an operator's own queries; do not close it). */
  public DataSource dataSource() {
    return dataSource;
  }

  /**
   * Appends a record and returns it with its sequence once committed.
   *
   * @throws ProviderException if it could not be written (retryable)
   * @throws InvalidSpecException if it encodes to more than {@link #MAX_RECORD_BYTES}
   */
  @Override
  public JournalRecord append(JournalRecord record) {
    return join(submit(record, null));
  }

  /**
   * Appends a record only if {@code lease} is still its key's current lease, in the same
   * transaction.
   *
   * @throws LeaseLostException if the lease expired or was acquired again; nothing was written
   */
  public JournalRecord append(JournalRecord record, Lease lease) {
    return join(submit(record, Objects.requireNonNull(lease, "lease")));
  }

  /**
   * Queues a record and returns at once; the future completes with the sequenced record once it
   * committed. Records of one caller are written in the order of the calls.
   */
  public CompletableFuture<JournalRecord> appendAsync(JournalRecord record) {
    return submit(record, null);
  }

  /** {@link #appendAsync} fenced by a lease, as {@link #append(JournalRecord, Lease)}. */
  public CompletableFuture<JournalRecord> appendAsync(JournalRecord record, Lease lease) {
    return submit(record, Objects.requireNonNull(lease, "lease"));
  }

  private CompletableFuture<JournalRecord> submit(JournalRecord record, @Nullable Lease lease) {
    Objects.requireNonNull(record, "record");
    if (writer.isWriterThread()) {
      throw new IllegalStateException(
          "PostgresJournal.append was called from a completion callback of appendAsync, which runs"
              + " on the journal's writer thread and would wait for itself; use thenApplyAsync");
    }
    byte[] body = RecordCodec.encode(record);
    if (body.length > MAX_RECORD_BYTES) {
      throw new InvalidSpecException(
          "record.payload",
          "the "
              + record.type()
              + " record of "
              + record.rolloutId()
              + " encodes to "
              + body.length
              + " bytes, over the journal's limit of "
              + MAX_RECORD_BYTES,
          "keep payloads small: store large data elsewhere and journal a reference to it");
    }
    CompletableFuture<JournalRecord> done = new CompletableFuture<>();
    writer.submit(
        new Pending(
            record,
            body,
            lease == null ? null : lease.key(),
            lease == null ? 0 : lease.token(),
            replica,
            done));
    return done;
  }

  @Override
  public void replay(long fromSequence, Consumer<JournalRecord> consumer) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement s =
          c.prepareStatement(
              "SELECT seq, body FROM cutover_journal WHERE seq >= ? AND body IS NOT NULL"
                  + " ORDER BY seq")) {
        s.setFetchSize(1000);
        s.setLong(1, fromSequence);
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            consumer.accept(RecordCodec.decode(rs.getLong(1), rs.getBytes(2)));
          }
        }
      } finally {
        c.rollback();
      }
    } catch (SQLException e) {
      throw Leases.unreachable("replay", e);
    }
  }

  @Override
  public List<JournalRecord> records(String rolloutId) {
    Objects.requireNonNull(rolloutId, "rolloutId");
    List<JournalRecord> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT seq, body FROM cutover_journal WHERE rollout_id = ? AND body IS NOT NULL"
                    + " ORDER BY seq")) {
      s.setString(1, rolloutId);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          out.add(RecordCodec.decode(rs.getLong(1), rs.getBytes(2)));
        }
      }
    } catch (SQLException e) {
      throw Leases.unreachable("records", e);
    }
    return out;
  }

  /**
   * The ENDED records of a service's rollouts above a sequence, in journal order (see {@link
   * io.cutover.spi.SharedJournal#endedSince}); one indexed query.
   *
   * @throws ProviderException if the database cannot be reached (retryable)
   */
  public List<JournalRecord> endedSince(String service, long afterSequence) {
    Objects.requireNonNull(service, "service");
    List<JournalRecord> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT seq, body FROM cutover_journal WHERE service = ? AND seq > ?"
                    + " AND type = 'ENDED' AND body IS NOT NULL ORDER BY seq")) {
      s.setString(1, service);
      s.setLong(2, afterSequence);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          out.add(RecordCodec.decode(rs.getLong(1), rs.getBytes(2)));
        }
      }
    } catch (SQLException e) {
      throw Leases.unreachable("records", e);
    }
    return out;
  }

  /**
   * {@inheritDoc} Across every replica of the database: the grant is one statement, so of many
   * replicas asking at once exactly one wins. Durable when this returns true.
   */
  @Override
  public boolean tryLease(String service, String rolloutId) {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(rolloutId, "rolloutId");
    ensureOpen("lease");
    try (Connection c = dataSource.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "INSERT INTO cutover_service_lease AS l (service, rollout_id, replica)"
                    + " VALUES (?, ?, ?) ON CONFLICT (service) DO UPDATE"
                    + " SET rollout_id = l.rollout_id RETURNING rollout_id")) {
      s.setString(1, service);
      s.setString(2, rolloutId);
      s.setString(3, replica);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() && rolloutId.equals(rs.getString(1));
      }
    } catch (SQLException e) {
      throw Leases.unreachable("lease", e);
    }
  }

  @Override
  public Optional<String> leaseHolder(String service) {
    return serviceLease(service, "rollout_id");
  }

  /**
   * The replica that took a service's lease (the one that started the rollout holding it), if the
   * service is leased: for a conflict message that names where the other rollout runs.
   */
  @Override
  public Optional<String> leaseHolderReplica(String service) {
    return serviceLease(service, "replica");
  }

  private Optional<String> serviceLease(String service, String column) {
    Objects.requireNonNull(service, "service");
    try (Connection c = dataSource.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT " + column + " FROM cutover_service_lease WHERE service = ?")) {
      s.setString(1, service);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw Leases.unreachable("lease", e);
    }
  }

  /** {@inheritDoc} Durable when this returns. */
  @Override
  public void releaseLease(String service, String rolloutId) {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(rolloutId, "rolloutId");
    ensureOpen("release");
    try (Connection c = dataSource.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "DELETE FROM cutover_service_lease WHERE service = ? AND rollout_id = ?")) {
      s.setString(1, service);
      s.setString(2, rolloutId);
      s.executeUpdate();
    } catch (SQLException e) {
      throw Leases.unreachable("release", e);
    }
  }

  /**
   * Releases the service lease a rollout holds, whichever service it is (for a rollout that was
   * never journaled, whose service only the lease row knows).
   */
  void releaseServiceLeaseOf(String rolloutId) {
    ensureOpen("release");
    try (Connection c = dataSource.getConnection();
        PreparedStatement s =
            c.prepareStatement("DELETE FROM cutover_service_lease WHERE rollout_id = ?")) {
      s.setString(1, rolloutId);
      s.executeUpdate();
    } catch (SQLException e) {
      throw Leases.unreachable("release", e);
    }
  }

  /**
   * Compacts now: moves ended rollouts into history (see the class comment). Safe while other
   * replicas append; one compaction runs at a time across replicas.
   *
   * @return how many rollouts moved into history
   */
  public int compact() {
    ensureOpen("compact");
    try (Connection c = dataSource.getConnection()) {
      return Compaction.run(c);
    } catch (SQLException e) {
      throw Leases.unreachable("compact", e);
    }
  }

  /**
   * The ended rollouts of a service, oldest first: those compacted into history and those whose
   * records are still live.
   */
  public List<RolloutHistory> history(String service) {
    Objects.requireNonNull(service, "service");
    List<RolloutHistory> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection()) {
      try (PreparedStatement s =
          c.prepareStatement(
              "SELECT first_seq, created, last_seq, ended, records FROM cutover_history"
                  + " WHERE service = ?")) {
        s.setString(1, service);
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            out.add(
                new RolloutHistory(
                    RecordCodec.decode(rs.getLong(1), rs.getBytes(2)),
                    RecordCodec.decode(rs.getLong(3), rs.getBytes(4)),
                    rs.getLong(1),
                    rs.getLong(3),
                    rs.getInt(5)));
          }
        }
      }
      try (PreparedStatement s =
          c.prepareStatement(
              "SELECT e.rollout_id FROM cutover_journal e WHERE e.service = ? AND e.type = 'ENDED'"
                  + " AND e.body IS NOT NULL ORDER BY e.seq")) {
        s.setString(1, service);
        List<String> live = new ArrayList<>();
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            live.add(rs.getString(1));
          }
        }
        for (String id : live) {
          List<JournalRecord> rs = records(id);
          if (!rs.isEmpty() && rs.get(0).type() == JournalRecord.Type.CREATED) {
            JournalRecord end = rs.get(rs.size() - 1);
            out.add(
                new RolloutHistory(
                    rs.get(0), end, rs.get(0).sequence(), end.sequence(), rs.size()));
          }
        }
      }
    } catch (SQLException e) {
      throw Leases.unreachable("history", e);
    }
    out.sort(Comparator.comparingLong(RolloutHistory::firstSequence));
    return out;
  }

  /**
   * The hash of the last record, {@code sha256:<hex>}: the head of the chain. Recorded elsewhere,
   * it lets {@link #verify()} prove later that no record before it was rewritten.
   */
  public String headHash() {
    return RecordCodec.hex(head().hash);
  }

  /** The sequence of the last committed record (0 if none). */
  public long lastSequence() {
    return head().seq;
  }

  /** Transactions this journal's writer committed since it was opened. */
  public long commits() {
    return writer.commits();
  }

  private Head head() {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s =
            c.prepareStatement("SELECT seq, hash FROM cutover_head WHERE id = 1");
        ResultSet rs = s.executeQuery()) {
      if (!rs.next()) {
        throw ProviderException.permanent(
            PROVIDER, "head", "the cutover_head row is missing: the schema was damaged");
      }
      return new Head(rs.getLong(1), rs.getBytes(2));
    } catch (SQLException e) {
      throw Leases.unreachable("head", e);
    }
  }

  private record Head(long seq, byte[] hash) {}

  /**
   * Walks the whole hash chain: every record links to the one before it, every record still holding
   * its body hashes to its link, the sequences have no gap, and the head is the last link.
   *
   * @return how many records were checked
   * @throws ProviderException (permanent) naming the first record that does not verify
   */
  public long verify() {
    long n = 0;
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      byte[] prev = RecordCodec.GENESIS;
      long expected = 1;
      try (PreparedStatement s =
          c.prepareStatement(
              "SELECT seq, body, prev_hash, hash FROM cutover_journal ORDER BY seq")) {
        s.setFetchSize(1000);
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            long seq = rs.getLong(1);
            byte[] body = rs.getBytes(2);
            byte[] link = rs.getBytes(3);
            byte[] hash = rs.getBytes(4);
            if (seq != expected) {
              throw broken(seq, "record " + expected + " is missing");
            }
            if (!Arrays.equals(link, prev)) {
              throw broken(seq, "it does not link to the record before it");
            }
            if (body != null && !Arrays.equals(hash, RecordCodec.chain(prev, seq, body))) {
              throw broken(seq, "its contents do not match its hash (the record was changed)");
            }
            prev = hash;
            expected++;
            n++;
          }
        }
      }
      try (PreparedStatement s = c.prepareStatement("SELECT seq, hash FROM cutover_head");
          ResultSet rs = s.executeQuery()) {
        if (!rs.next() || rs.getLong(1) != expected - 1 || !Arrays.equals(rs.getBytes(2), prev)) {
          throw broken(expected - 1, "the head does not name the last record");
        }
      }
      c.rollback();
    } catch (SQLException e) {
      throw Leases.unreachable("verify", e);
    }
    return n;
  }

  private static ProviderException broken(long seq, String why) {
    return ProviderException.permanent(
        PROVIDER, "verify", "the journal's hash chain breaks at record " + seq + ": " + why);
  }

  private void ensureOpen(String operation) {
    if (closed) {
      throw ProviderException.permanent(PROVIDER, operation, "the journal is closed");
    }
  }

  /**
   * Has {@code dependent} closed when this journal closes, before the pool, so no thread of it
   * touches a closed pool (a {@link ReplicaJournal}'s command channel).
   */
  void closeBeforePool(AutoCloseable dependent) {
    dependents.addFirst(Objects.requireNonNull(dependent, "dependent"));
  }

  /**
   * Stops the heartbeats and every thread that uses the pool (the command channel of a {@link
   * ReplicaJournal}), writes what is queued, marks this replica stopped, and closes the pool, in
   * that order. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    LeaseKeeper k = keeper;
    if (k != null) {
      k.close();
    }
    for (AutoCloseable d : dependents) {
      try {
        d.close();
      } catch (Exception e) {
        // Closing goes on: the pool must close whatever a dependent did.
        LOG.warn("replica {}: closing {} failed: {}", replica, d, e.toString());
      }
    }
    writer.close();
    try {
      writerThread.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      replicas.stopped(replica);
    } catch (ProviderException e) {
      // The database is gone: the replica's heartbeat will age out instead.
    }
    dataSource.close();
  }

  @Override
  public String toString() {
    return "PostgresJournal{" + dataSource.getJdbcUrl() + ", replica " + replica + "}";
  }

  private static <T> T join(CompletableFuture<T> f) {
    try {
      return f.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }

  /** Configures and opens a {@link PostgresJournal}. Not thread-safe. */
  public static final class Builder {
    private final String jdbcUrl;
    private @Nullable String user;
    private @Nullable String password;
    private String schema = "cutover";
    private int poolSize = 10;
    private String replica = "replica";
    private String description = "";
    private Duration leaseTtl = Duration.ofSeconds(15);
    private Duration heartbeat = Duration.ofSeconds(5);
    private Duration connectTimeout = Duration.ofSeconds(10);

    private Builder(String jdbcUrl) {
      this.jdbcUrl = Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    }

    /** The database user. */
    public Builder user(@Nullable String user) {
      this.user = user;
      return this;
    }

    /** The password (never logged, never in a message). */
    public Builder password(@Nullable String password) {
      this.password = password;
      return this;
    }

    /** The schema holding the tables; created if missing; default {@code cutover}. */
    public Builder schema(String schema) {
      this.schema = Objects.requireNonNull(schema, "schema");
      return this;
    }

    /** Connections in the pool; default 10. */
    public Builder poolSize(int poolSize) {
      this.poolSize = poolSize;
      return this;
    }

    /** This replica's id, unique per process; default {@code replica}. */
    public Builder replica(String replica, String description) {
      this.replica = Objects.requireNonNull(replica, "replica");
      this.description = Objects.requireNonNull(description, "description");
      return this;
    }

    /** How long a lease lives without a heartbeat; default 15 s. */
    public Builder leaseTtl(Duration ttl) {
      this.leaseTtl = Objects.requireNonNull(ttl, "leaseTtl");
      return this;
    }

    /** How often held leases are renewed; default 5 s. */
    public Builder heartbeat(Duration heartbeat) {
      this.heartbeat = Objects.requireNonNull(heartbeat, "heartbeat");
      return this;
    }

    /** How long to wait for a connection; default 10 s. */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = Objects.requireNonNull(timeout, "connectTimeout");
      return this;
    }

    /**
     * Connects, migrates the schema and starts the writer.
     *
     * @throws ProviderException if the database cannot be reached or migrated (the password is
     *     never in the message)
     */
    public PostgresJournal open() {
      HikariConfig cfg = new HikariConfig();
      cfg.setJdbcUrl(jdbcUrl);
      cfg.setUsername(user);
      cfg.setPassword(password);
      cfg.setSchema(schema);
      cfg.setMaximumPoolSize(poolSize);
      cfg.setPoolName("cutover-postgres-" + replica);
      cfg.setConnectionTimeout(Math.max(250, connectTimeout.toMillis()));
      cfg.setInitializationFailTimeout(Math.max(1, connectTimeout.toMillis()));
      cfg.addDataSourceProperty("reWriteBatchedInserts", "true");
      cfg.addDataSourceProperty("ApplicationName", "cutover " + replica);
      // A dead server must not hang a statement forever: the engine stops issuing effects instead.
      cfg.addDataSourceProperty(
          "socketTimeout", Long.toString(Math.max(30, leaseTtl.toSeconds() * 2)));
      cfg.addDataSourceProperty("tcpKeepAlive", "true");
      // A replica paused inside a transaction (GC, SIGSTOP) must not keep the head row or a lease
      // row
      // locked past its lease: the server ends such a session and rolls its transaction back.
      cfg.setConnectionInitSql(
          "SET idle_in_transaction_session_timeout = " + Math.max(1000, leaseTtl.toMillis()));
      HikariDataSource ds;
      try {
        ds = new HikariDataSource(cfg);
      } catch (RuntimeException e) {
        throw ProviderException.retryable(
            PROVIDER,
            "open",
            "cannot connect to " + redacted(jdbcUrl) + " as " + user + ": " + causeOf(e),
            null);
      }
      try {
        Flyway.configure(PostgresJournal.class.getClassLoader())
            .dataSource(ds)
            .schemas(schema)
            .defaultSchema(schema)
            .createSchemas(true)
            .table("cutover_schema_history")
            .locations("classpath:io/cutover/provider/postgres/migration")
            .load()
            .migrate();
        PostgresJournal j = new PostgresJournal(this, ds);
        j.replicas.register(replica, description);
        j.keeper = new LeaseKeeper(j.leases, j.replicas, replica, leaseTtl, heartbeat);
        j.writerThread.start();
        return j;
      } catch (FlywayException | ProviderException e) {
        ds.close();
        throw ProviderException.permanent(
            PROVIDER,
            "open",
            "cannot create or migrate the journal's schema "
                + schema
                + " at "
                + redacted(jdbcUrl)
                + ": "
                + e.getMessage(),
            e);
      }
    }

    private static String causeOf(Throwable e) {
      Throwable t = e;
      while (t.getCause() != null && t.getCause() != t) {
        t = t.getCause();
      }
      return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
  }

  /** A JDBC URL without its query (which could hold a password someone put there). */
  static String redacted(String jdbcUrl) {
    int q = jdbcUrl.indexOf('?');
    return q < 0 ? jdbcUrl : jdbcUrl.substring(0, q) + "?…";
  }
}
