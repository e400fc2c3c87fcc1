// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.journal.internal;

import io.cutover.core.journal.RolloutSummary;
import io.cutover.spi.JournalRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compaction: seal the active segment, summarise every rollout that has ended into the history file
 * (except each service's latest ended and latest succeeded rollout, see {@link
 * #latestEndedPerService}), write the records of open rollouts, of those kept, and the lease table
 * into a new snapshot, then delete the segments the snapshot covers. Each step is durable before
 * the next begins, and the snapshot rename is the commit point: a crash before it leaves the old
 * snapshot and all segments (the extra history bytes are cut off on open); a crash after it leaves
 * segments that recovery deletes.
 */
public final class Compactor {
  private Compactor() {}

  /**
   * What a compaction did.
   *
   * @param history the new committed history state
   * @param summarised rollouts moved into history, whose records up to {@code upTo} leave memory
   * @param upTo the last sequence the snapshot covers
   * @param retained records kept in the snapshot
   * @param firstLiveSegment the first segment after the snapshot
   */
  public record Outcome(
      HistoryFile.State history,
      Set<String> summarised,
      long upTo,
      int retained,
      long firstLiveSegment) {}

  /**
   * Runs one compaction up to its commit point and the deletion of covered segments; the caller
   * then publishes the outcome (prunes the index, switches the history state) atomically with
   * respect to readers. The caller makes sure only one compaction runs at a time.
   */
  public static Outcome run(
      Path dir,
      Writer writer,
      Index index,
      HistoryFile.State history,
      long firstLive,
      boolean durable)
      throws IOException {
    Writer.CutState cut = writer.cut().join();
    if (cut.firstLiveSegment() == firstLive) {
      return new Outcome(history, Set.of(), cut.nextSequence() - 1, index.size(), firstLive);
    }
    Map<String, List<JournalRecord>> byRollout = new LinkedHashMap<>();
    for (JournalRecord r : cut.records()) {
      byRollout.computeIfAbsent(r.rolloutId(), k -> new ArrayList<>()).add(r);
    }
    Set<String> keep = latestEndedPerService(cut.records());
    List<RolloutSummary> summaries = new ArrayList<>();
    Set<String> ended = new HashSet<>();
    for (List<JournalRecord> l : byRollout.values()) {
      RolloutSummary s = Summaries.of(l);
      if (s != null && !keep.contains(s.rolloutId())) {
        summaries.add(s);
        ended.add(s.rolloutId());
      }
    }
    List<JournalRecord> retained = new ArrayList<>();
    for (JournalRecord r : cut.records()) {
      if (!ended.contains(r.rolloutId())) {
        retained.add(r);
      }
    }
    HistoryFile.State next = HistoryFile.append(dir, history, summaries, durable);
    SnapshotFile.write(
        dir,
        new Bodies.SnapshotMeta(
            cut.nextSequence(),
            cut.anchor(),
            cut.firstLiveSegment(),
            next.length(),
            next.head(),
            next.count()),
        cut.leases(),
        retained,
        durable);
    for (Path p : Layout.segments(dir).headMap(cut.firstLiveSegment()).values()) {
      Files.delete(p);
    }
    if (durable) {
      Layout.forceDirectory(dir);
    }
    return new Outcome(
        next, ended, cut.nextSequence() - 1, retained.size(), cut.firstLiveSegment());
  }

  /**
   * Per service, the last rollout that ended and the last that succeeded. Their records stay (they
   * are summarised by a later compaction, once newer rollouts of the service have ended): an engine
   * that restarts learns a service's stable release, and the one before it, only by replaying them.
   */
  private static Set<String> latestEndedPerService(List<JournalRecord> records) {
    Map<String, String> lastEnded = new HashMap<>();
    Map<String, String> lastSucceeded = new HashMap<>();
    for (JournalRecord r : records) {
      if (r.type() == JournalRecord.Type.ENDED) {
        lastEnded.put(r.service(), r.rolloutId());
        if (Summaries.succeeded(r)) {
          lastSucceeded.put(r.service(), r.rolloutId());
        }
      }
    }
    Set<String> keep = new HashSet<>(lastEnded.values());
    keep.addAll(lastSucceeded.values());
    return keep;
  }
}
