// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.postgres.internal;

import io.cutover.spi.JournalRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Moves ended rollouts out of the live journal: each becomes a row of {@code cutover_history} (its
 * CREATED and ENDED records verbatim) and its records' bodies are cleared, keeping their hash-chain
 * links. Open rollouts are never touched, and the latest ended and the latest succeeded rollout of
 * each service keep their records, so an engine that replays the journal still learns every
 * service's stable release. One compaction at a time across all replicas (an advisory lock).
 */
public final class Compaction {
  private static final long LOCK = 0x6375746f766572L; // "cutover"

  private Compaction() {}

  /**
   * Compacts in one transaction.
   *
   * @return how many rollouts moved into history; 0 also when another replica is compacting
   */
  public static int run(Connection c) throws SQLException {
    c.setAutoCommit(false);
    try {
      try (PreparedStatement lock = c.prepareStatement("SELECT pg_try_advisory_xact_lock(?)")) {
        lock.setLong(1, LOCK);
        try (ResultSet rs = lock.executeQuery()) {
          if (!rs.next() || !rs.getBoolean(1)) {
            c.rollback();
            return 0;
          }
        }
      }
      Map<String, JournalRecord> ended = new LinkedHashMap<>();
      try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT seq, body FROM cutover_journal WHERE type = 'ENDED' AND body IS NOT NULL"
                      + " ORDER BY seq");
          ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          JournalRecord r = RecordCodec.decode(rs.getLong(1), rs.getBytes(2));
          ended.put(r.rolloutId(), r);
        }
      }
      Set<String> keep = new HashSet<>();
      Map<String, String> latestEnded = new LinkedHashMap<>();
      Map<String, String> latestSucceeded = new LinkedHashMap<>();
      for (JournalRecord r : ended.values()) {
        latestEnded.put(r.service(), r.rolloutId());
        if ("succeeded".equals(r.index().get("outcome"))) {
          latestSucceeded.put(r.service(), r.rolloutId());
        }
      }
      keep.addAll(latestEnded.values());
      keep.addAll(latestSucceeded.values());
      int moved = 0;
      for (JournalRecord end : ended.values()) {
        if (!keep.contains(end.rolloutId()) && move(c, end)) {
          moved++;
        }
      }
      c.commit();
      return moved;
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    }
  }

  private static boolean move(Connection c, JournalRecord end) throws SQLException {
    List<long[]> seqs = new ArrayList<>();
    byte[] created = null;
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT seq, type, body FROM cutover_journal WHERE rollout_id = ? AND body IS NOT NULL"
                + " ORDER BY seq")) {
      s.setString(1, end.rolloutId());
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          if (seqs.isEmpty() && "CREATED".equals(rs.getString(2))) {
            created = rs.getBytes(3);
          }
          seqs.add(new long[] {rs.getLong(1)});
        }
      }
    }
    long first = seqs.get(0)[0];
    long last = seqs.get(seqs.size() - 1)[0];
    if (created == null || last != end.sequence()) {
      return false; // not a whole rollout ending in ENDED: leave it as it is
    }
    try (PreparedStatement h =
        c.prepareStatement(
            "INSERT INTO cutover_history (rollout_id, service, created, ended, first_seq, last_seq,"
                + " records) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (rollout_id) DO NOTHING")) {
      h.setString(1, end.rolloutId());
      h.setString(2, end.service());
      h.setBytes(3, created);
      h.setBytes(4, RecordCodec.encode(end));
      h.setLong(5, first);
      h.setLong(6, last);
      h.setInt(7, seqs.size());
      h.executeUpdate();
    }
    try (PreparedStatement clear =
        c.prepareStatement("UPDATE cutover_journal SET body = NULL WHERE rollout_id = ?")) {
      clear.setString(1, end.rolloutId());
      clear.executeUpdate();
    }
    return true;
  }
}
