// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.postgres;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.ProviderException;
import io.cutover.spi.ReplicaEngine;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commands between replicas through the {@code cutover_command} table: a sender inserts a row and
 * notifies {@value #SENT}; the owner of the rollout applies the open rows of the rollouts it owns
 * and notifies {@value #DONE}; the sender completes its future from the row. Notifications are only
 * hints: every cycle also polls (at most {@code poll} apart), so a lost notification or a broken
 * {@code LISTEN} connection delays a command, never loses it.
 *
 * <p><b>Threading.</b> One daemon thread per replica holds the {@code LISTEN} connection, waits for
 * notifications (or the poll interval), applies commands and settles futures; {@link #send} runs on
 * the caller's thread.
 */
final class CommandChannel implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CommandChannel.class);
  static final String SENT = "cutover_command";
  static final String DONE = "cutover_command_done";

  private final DataSource dataSource;
  private final String replica;
  private final Supplier<List<String>> owned;
  private final long pollMillis;
  private final Map<Long, CompletableFuture<Void>> pending = new ConcurrentHashMap<>();
  private final ScheduledExecutorService thread;
  private volatile @Nullable ReplicaEngine engine;
  private @Nullable Connection listening;
  private volatile boolean closed;
  private final AtomicLong cycles = new AtomicLong();

  CommandChannel(
      DataSource dataSource, String replica, Supplier<List<String>> owned, Duration poll) {
    this.dataSource = dataSource;
    this.replica = replica;
    this.owned = owned;
    this.pollMillis = Math.max(10, poll.toMillis());
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "cutover-postgres-commands-" + replica);
              t.setDaemon(true);
              return t;
            });
    thread.execute(this::cycle);
  }

  /** From now on, commands for the rollouts this replica owns are applied by {@code engine}. */
  void attach(ReplicaEngine engine) {
    this.engine = engine;
  }

  /** Inserts the command and notifies the owner; the future completes when it was applied. */
  CompletableFuture<Void> send(String rolloutId, String command, @Nullable String argument) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      long id;
      try (PreparedStatement s =
          c.prepareStatement(
              "INSERT INTO cutover_command (rollout_id, command, argument, sender)"
                  + " VALUES (?, ?, ?, ?) RETURNING id")) {
        s.setString(1, rolloutId);
        s.setString(2, command);
        s.setString(3, argument);
        s.setString(4, replica);
        try (ResultSet rs = s.executeQuery()) {
          rs.next();
          id = rs.getLong(1);
        }
      }
      notify(c, SENT, id);
      pending.put(id, done);
      c.commit();
    } catch (SQLException e) {
      throw Leases.unreachable("command", e);
    }
    return done;
  }

  private static void notify(Connection c, String channel, long id) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT pg_notify(?, ?)")) {
      s.setString(1, channel);
      s.setString(2, Long.toString(id));
      s.executeQuery().close();
    }
  }

  /** One round: wait for a notification or the poll interval, apply, settle; then again. */
  private void cycle() {
    if (closed) {
      return;
    }
    cycles.incrementAndGet();
    try {
      Connection c = listening;
      if (c == null) {
        c = dataSource.getConnection();
        try (Statement s = c.createStatement()) {
          s.execute("LISTEN " + SENT);
          s.execute("LISTEN " + DONE);
        }
        listening = c;
      }
      c.unwrap(PGConnection.class).getNotifications((int) pollMillis);
      applyOwned();
      settlePending();
      thread.execute(this::cycle);
    } catch (SQLException | ProviderException e) {
      dropListening();
      if (closed) {
        return; // the journal is closing: the failure is its pool going away, not news
      }
      LOG.warn("replica {}: command channel: {}; trying again", replica, e.getMessage());
      reschedule();
    } catch (RuntimeException e) {
      if (closed) {
        dropListening();
        return;
      }
      LOG.error("replica {}: command channel failed; trying again", replica, e);
      dropListening();
      reschedule();
    }
  }

  private void reschedule() {
    if (!closed) {
      thread.schedule(this::cycle, pollMillis, TimeUnit.MILLISECONDS);
    }
  }

  private void dropListening() {
    Connection c = listening;
    listening = null;
    if (c != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // The connection is broken already.
      }
    }
  }

  /** Applies the open commands of the rollouts this replica owns, oldest first. */
  private void applyOwned() throws SQLException {
    ReplicaEngine e = engine;
    List<String> mine = owned.get();
    if (e == null || mine.isEmpty()) {
      return;
    }
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      Array ids = c.createArrayOf("text", mine.toArray());
      List<Object[]> open = new ArrayList<>();
      try (PreparedStatement s =
          c.prepareStatement(
              "SELECT id, rollout_id, command, argument FROM cutover_command"
                  + " WHERE done_at IS NULL AND rollout_id = ANY (?) ORDER BY id"
                  + " FOR UPDATE SKIP LOCKED")) {
        s.setArray(1, ids);
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            open.add(
                new Object[] {rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)});
          }
        }
      }
      for (Object[] row : open) {
        long id = (Long) row[0];
        String outcome = "applied";
        String message = null;
        try {
          e.command((String) row[1], (String) row[2], (String) row[3]);
        } catch (RuntimeException refused) {
          outcome = "refused";
          message = String.valueOf(refused.getMessage());
        }
        try (PreparedStatement s =
            c.prepareStatement(
                "UPDATE cutover_command SET done_at = clock_timestamp(), applied_by = ?,"
                    + " outcome = ?, message = ? WHERE id = ?")) {
          s.setString(1, replica);
          s.setString(2, outcome);
          s.setString(3, message);
          s.setLong(4, id);
          s.executeUpdate();
        }
        notify(c, DONE, id);
      }
      c.commit();
    }
  }

  /**
   * Completes the futures of commands sent from here that were applied or refused; refuses those
   * whose rollout has ended (no owner will ever take them).
   */
  private void settlePending() throws SQLException {
    if (pending.isEmpty()) {
      return;
    }
    try (Connection c = dataSource.getConnection()) {
      Array ids = c.createArrayOf("bigint", pending.keySet().toArray());
      try (PreparedStatement s =
          c.prepareStatement(
              "UPDATE cutover_command c SET done_at = clock_timestamp(), outcome = 'refused',"
                  + " message = 'rollout ' || c.rollout_id || ' has ended'"
                  + " WHERE c.id = ANY (?) AND c.done_at IS NULL AND (EXISTS (SELECT 1 FROM"
                  + " cutover_journal j WHERE j.rollout_id = c.rollout_id AND j.type = 'ENDED')"
                  + " OR EXISTS (SELECT 1 FROM cutover_history h"
                  + " WHERE h.rollout_id = c.rollout_id))")) {
        s.setArray(1, ids);
        s.executeUpdate();
      }
      try (PreparedStatement s =
          c.prepareStatement(
              "SELECT id, command, rollout_id, outcome, message, applied_by FROM cutover_command"
                  + " WHERE id = ANY (?) AND done_at IS NOT NULL")) {
        s.setArray(1, ids);
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            CompletableFuture<Void> f = pending.remove(rs.getLong(1));
            if (f == null) {
              continue;
            }
            if ("applied".equals(rs.getString(4))) {
              f.complete(null);
            } else {
              String by = rs.getString(6);
              f.completeExceptionally(
                  new InvalidSpecException(
                      "rolloutId",
                      "'"
                          + rs.getString(2)
                          + "' for rollout "
                          + rs.getString(3)
                          + " was refused"
                          + (by == null ? "" : " by replica " + by)
                          + ": "
                          + rs.getString(5),
                      "send commands to rollouts that are running"));
            }
          }
        }
      }
    }
  }

  /** Rounds started so far (each a poll of the database). */
  long cycles() {
    return cycles.get();
  }

  /** Whether the channel's thread has ended (after {@link #close()}). */
  boolean stopped() {
    return thread.isTerminated();
  }

  /**
   * Stops the thread and waits (at most 10 s) for a round in progress, so nothing of the channel
   * uses the pool after this returns; fails the futures still waiting. Idempotent.
   */
  @Override
  public void close() {
    closed = true;
    thread.shutdownNow();
    try {
      thread.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    dropListening();
    for (CompletableFuture<Void> f : pending.values()) {
      f.completeExceptionally(
          ProviderException.permanent(
              "postgres", "command", "the journal was closed before the command's outcome came"));
    }
  }
}
