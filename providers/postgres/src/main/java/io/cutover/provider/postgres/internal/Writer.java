// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.postgres.internal;

import io.cutover.api.ProviderException;
import io.cutover.spi.JournalRecord;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The one thread of a journal that writes: it takes every append queued while the previous
 * transaction ran and commits them together (group commit), so many concurrent appenders share a
 * round trip and a WAL flush.
 *
 * <p>One transaction per batch: lock the head row (which orders every writer of every replica),
 * check the fences of fenced appends against the lease table by the database's clock, locking those
 * lease rows {@code FOR SHARE} so no takeover can commit in between, insert the records that passed
 * with their hash-chain links, move the head, commit. A fenced append whose token is not current
 * fails alone with the exception {@code lost} makes; the rest of the batch commits.
 *
 * <p>If the commit's outcome is unknown (the connection broke during it), the writer reads the head
 * again: the chain's hash names exactly the records this batch wrote, so it tells whether they
 * committed. Only when the database cannot be reached at all does the caller get a {@link
 * ProviderException} saying the outcome is unknown.
 */
public final class Writer implements Runnable {
  /** Most records in one transaction. */
  public static final int MAX_BATCH = 1000;

  private static final long MAX_BATCH_BYTES = 8L << 20;
  private static final String PROVIDER = "postgres";

  private final DataSource dataSource;
  private final BiFunction<Pending, @Nullable Long, RuntimeException> lost;
  private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private volatile boolean closed;
  private volatile long commits;
  private volatile @Nullable Thread thread;

  /**
   * @param lost makes the exception for a fenced append whose token is not current, given the
   *     current token (null if the lease is not held or has expired)
   */
  public Writer(DataSource dataSource, BiFunction<Pending, @Nullable Long, RuntimeException> lost) {
    this.dataSource = dataSource;
    this.lost = lost;
  }

  /** Queues an append; its future completes when it committed or failed. */
  public void submit(Pending p) {
    if (closed) {
      p.done().completeExceptionally(closedError());
      return;
    }
    queue.add(p);
    if (closed) {
      drainClosed();
    }
  }

  /** Whether the calling thread is the writer. */
  public boolean isWriterThread() {
    return Thread.currentThread() == thread;
  }

  /** Transactions committed so far. */
  public long commits() {
    return commits;
  }

  @Override
  public void run() {
    thread = Thread.currentThread();
    List<Pending> batch = new ArrayList<>();
    while (!closed || !queue.isEmpty()) {
      try {
        Pending first = queue.poll(50, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        long bytes = first.body().length;
        while (batch.size() < MAX_BATCH && bytes < MAX_BATCH_BYTES) {
          Pending next = queue.poll();
          if (next == null) {
            break;
          }
          batch.add(next);
          bytes += next.body().length;
        }
        write(batch, 1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (RuntimeException e) {
        for (Pending p : batch) {
          p.done().completeExceptionally(e);
        }
      } finally {
        batch.clear();
      }
    }
    drainClosed();
  }

  /** Stops taking appends; queued ones are still written before the thread ends. */
  public void close() {
    closed = true;
  }

  private void drainClosed() {
    Pending p;
    while ((p = queue.poll()) != null) {
      p.done().completeExceptionally(closedError());
    }
  }

  private static IllegalStateException closedError() {
    return new IllegalStateException("the postgres journal is closed; appends after close fail");
  }

  /**
   * Most attempts of a batch whose transaction failed before its commit (so nothing was written).
   */
  private static final int ATTEMPTS = 3;

  private void write(List<Pending> batch, int attempt) {
    byte[] expectedHead = null;
    List<Pending> accepted = new ArrayList<>();
    List<JournalRecord> stored = new ArrayList<>();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        long seq;
        byte[] hash;
        try (PreparedStatement head =
                c.prepareStatement("SELECT seq, hash FROM cutover_head WHERE id = 1 FOR UPDATE");
            ResultSet rs = head.executeQuery()) {
          if (!rs.next()) {
            throw new SQLException("the cutover_head row is missing: the schema is damaged");
          }
          seq = rs.getLong(1);
          hash = rs.getBytes(2);
        }
        Map<String, Long> tokens = currentTokens(c, batch);
        try (PreparedStatement insert =
            c.prepareStatement(
                "INSERT INTO cutover_journal (seq, rollout_id, service, type, operation_id, at, body,"
                    + " prev_hash, hash, replica, fence_key, fence_token)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
          for (Pending p : batch) {
            String key = p.fenceKey();
            if (key != null) {
              Long current = tokens.get(key);
              if (current == null || current != p.fenceToken()) {
                p.done().completeExceptionally(lost.apply(p, current));
                continue;
              }
            }
            seq++;
            byte[] next = RecordCodec.chain(hash, seq, p.body());
            JournalRecord r = p.record();
            insert.setLong(1, seq);
            insert.setString(2, r.rolloutId());
            insert.setString(3, r.service());
            insert.setString(4, r.type().name());
            insert.setString(5, r.operationId());
            insert.setTimestamp(6, Timestamp.from(r.time()));
            insert.setBytes(7, p.body());
            insert.setBytes(8, hash);
            insert.setBytes(9, next);
            insert.setString(10, p.replica());
            insert.setString(11, key);
            if (key == null) {
              insert.setNull(12, Types.BIGINT);
            } else {
              insert.setLong(12, p.fenceToken());
            }
            insert.addBatch();
            hash = next;
            accepted.add(p);
            stored.add(r.withSequence(seq));
          }
          if (!accepted.isEmpty()) {
            insert.executeBatch();
          }
        }
        if (accepted.isEmpty()) {
          c.rollback();
          return;
        }
        try (PreparedStatement move =
            c.prepareStatement("UPDATE cutover_head SET seq = ?, hash = ? WHERE id = 1")) {
          move.setLong(1, seq);
          move.setBytes(2, hash);
          move.executeUpdate();
        }
        expectedHead = hash;
        c.commit();
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(c);
        throw e;
      }
    } catch (SQLException e) {
      if (expectedHead == null && attempt < ATTEMPTS && !closed) {
        // Nothing was committed (a connection the server ended, a restart): a fresh connection
        // from the pool tries again, re-reading the head and the fences.
        List<Pending> open = new ArrayList<>();
        for (Pending p : batch) {
          if (!p.done().isDone()) {
            open.add(p);
          }
        }
        write(open, attempt + 1);
        return;
      }
      if (expectedHead != null && committedAnyway(expectedHead)) {
        complete(accepted, stored);
        return;
      }
      ProviderException failure =
          ProviderException.retryable(
              PROVIDER,
              "append",
              (expectedHead != null
                      ? "the commit of "
                          + accepted.size()
                          + " journal records broke off and the database could not be asked whether"
                          + " it went through: "
                      : "could not append "
                          + batch.size()
                          + " journal records (nothing was written): ")
                  + e.getMessage(),
              e);
      for (Pending p : batch) {
        p.done().completeExceptionally(failure);
      }
      return;
    }
    commits++;
    complete(accepted, stored);
  }

  private static void complete(List<Pending> accepted, List<JournalRecord> stored) {
    for (int i = 0; i < accepted.size(); i++) {
      accepted.get(i).done().complete(stored.get(i));
    }
  }

  /** Whether the head now is the hash this batch would have left: then it committed. */
  private boolean committedAnyway(byte[] expected) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement("SELECT hash FROM cutover_head WHERE id = 1");
        ResultSet rs = s.executeQuery()) {
      if (rs.next() && Arrays.equals(rs.getBytes(1), expected)) {
        commits++;
        return true;
      }
      return false;
    } catch (SQLException e) {
      return false;
    }
  }

  /**
   * The current token of every lease the batch's fenced appends name, if held and not expired by
   * the database's clock; the rows stay share-locked until the transaction ends.
   */
  private static Map<String, Long> currentTokens(Connection c, List<Pending> batch)
      throws SQLException {
    Set<String> keys = new LinkedHashSet<>();
    for (Pending p : batch) {
      if (p.fenceKey() != null) {
        keys.add(p.fenceKey());
      }
    }
    Map<String, Long> tokens = new HashMap<>();
    if (keys.isEmpty()) {
      return tokens;
    }
    Array array = c.createArrayOf("text", keys.toArray());
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT key, token FROM cutover_lease WHERE key = ANY (?) AND replica IS NOT NULL"
                + " AND expires_at > clock_timestamp() FOR SHARE")) {
      s.setArray(1, array);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          tokens.put(rs.getString(1), rs.getLong(2));
        }
      }
    } finally {
      array.free();
    }
    return tokens;
  }

  private static void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException ignored) {
      // The connection is gone; the transaction went with it.
    }
  }
}
