// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.journal.internal;

import io.cutover.core.journal.JournalCorruptedException;
import io.cutover.spi.JournalRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Opening a journal directory: load the snapshot, finish what a crashed compaction left behind,
 * verify every live segment (header, CRC32C, hash chain across files, dense sequences), truncate a
 * torn tail of the newest segment, and hand the result to the writer. Fails with {@link
 * JournalCorruptedException} on anything a crash cannot explain.
 */
public final class Recovery {
  private Recovery() {}

  /**
   * What recovery found.
   *
   * @param history committed state of the history file
   * @param records every retained record, in order
   * @param leases the lease table
   * @param active the newest segment, open for appending after its last intact entry
   * @param activeNumber its number
   * @param activeHasEntries whether it holds entries
   * @param nextSequence the sequence of the next record
   * @param firstLiveSegment the oldest segment not covered by the snapshot
   * @param notes what was repaired (torn tails, leftovers of an interrupted compaction), for the
   *     log
   */
  public record Recovered(
      HistoryFile.State history,
      List<JournalRecord> records,
      Map<String, String> leases,
      EntrySink active,
      long activeNumber,
      boolean activeHasEntries,
      long nextSequence,
      long firstLiveSegment,
      List<String> notes) {}

  /**
   * Recovers {@code dir}, which the caller has locked; repairs are forced to disk if {@code
   * durable}.
   */
  public static Recovered recover(Path dir, boolean durable) throws IOException {
    List<String> notes = new ArrayList<>();
    // One table for the snapshot and the segments: their records repeat the same ids and services.
    StringTable strings = new StringTable();
    SnapshotFile.Snapshot snap = SnapshotFile.readIfPresent(dir, strings);
    HistoryFile.State history =
        snap == null
            ? HistoryFile.State.EMPTY
            : new HistoryFile.State(
                snap.meta().historyLength(), snap.meta().historyHead(), snap.meta().historyCount());
    HistoryFile.recover(dir, history);
    long firstLive = snap == null ? 1 : snap.meta().firstLiveSegment();
    byte[] head = snap == null ? Frames.ZERO_HASH : snap.meta().anchor();
    long nextSeq = snap == null ? 1 : snap.meta().nextSequence();
    List<JournalRecord> records = new ArrayList<>(snap == null ? List.of() : snap.records());
    Map<String, String> leases = new HashMap<>(snap == null ? Map.of() : snap.leases());

    TreeMap<Long, Path> segments = Layout.segments(dir);
    boolean deleted = false;
    for (Map.Entry<Long, Path> e : segments.headMap(firstLive).entrySet()) {
      // A compaction committed its snapshot but crashed before deleting what the snapshot covers.
      Files.delete(e.getValue());
      notes.add("deleted " + e.getValue().getFileName() + ", already covered by the snapshot");
      deleted = true;
    }
    if (deleted && durable) {
      Layout.forceDirectory(dir);
    }
    List<Map.Entry<Long, Path>> live =
        new ArrayList<>(segments.tailMap(firstLive, true).entrySet());
    long expected = firstLive;
    for (Map.Entry<Long, Path> e : live) {
      if (e.getKey() != expected) {
        throw new JournalCorruptedException(
            Layout.segment(dir, expected),
            0,
            "segment "
                + expected
                + " is missing"
                + (snap == null && expected == 1 ? " (or the snapshot that covered it)" : "")
                + " although "
                + e.getValue().getFileName()
                + " exists");
      }
      expected++;
    }

    EntrySink active = null;
    long activeNumber = live.isEmpty() ? firstLive : live.get(live.size() - 1).getKey();
    boolean activeHasEntries = false;
    for (int i = 0; i < live.size(); i++) {
      long number = live.get(i).getKey();
      Path file = live.get(i).getValue();
      boolean last = i == live.size() - 1;
      FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
      try {
        long size = ch.size();
        if (last && size < Frames.HEADER_SIZE) {
          // The crash hit while the segment was being created: nothing in it was ever acknowledged.
          ch.close();
          Files.delete(file);
          notes.add(
              "recreated " + file.getFileName() + ", whose header was torn (" + size + " bytes)");
          break;
        }
        Frames.Header h = readHeader(file, ch);
        if (h.number() != number
            || h.nextSequence() != nextSeq
            || !Arrays.equals(h.startHash(), head)) {
          throw new JournalCorruptedException(
              file,
              0,
              "segment header does not continue the journal (number "
                  + h.number()
                  + ", next sequence "
                  + h.nextSequence()
                  + ", start "
                  + Frames.hex(h.startHash())
                  + "; expected "
                  + number
                  + ", "
                  + nextSeq
                  + ", "
                  + Frames.hex(head)
                  + ")");
        }
        long[] seq = {nextSeq};
        FrameReader.Result r =
            FrameReader.read(
                file,
                ch,
                size,
                Frames.SEGMENT,
                last,
                (body, offset) -> {
                  switch (Bodies.kind(body)) {
                    case Bodies.RECORD -> {
                      JournalRecord rec = Bodies.decodeRecord(body, strings);
                      if (rec.sequence() != seq[0]) {
                        throw new JournalCorruptedException(
                            file,
                            offset,
                            "record sequence "
                                + rec.sequence()
                                + " where "
                                + seq[0]
                                + " was expected (records missing or duplicated)");
                      }
                      seq[0]++;
                      records.add(rec);
                    }
                    case Bodies.LEASE -> {
                      String[] l = Bodies.decodeLease(body);
                      leases.put(l[0], l[1]);
                    }
                    case Bodies.UNLEASE -> {
                      String[] l = Bodies.decodeLease(body);
                      leases.remove(l[0], l[1]);
                    }
                    default ->
                        throw new JournalCorruptedException(
                            file,
                            offset,
                            "unexpected entry kind " + Bodies.kind(body) + " in a segment");
                  }
                });
        nextSeq = seq[0];
        head = r.head();
        if (r.torn()) {
          ch.truncate(r.validLength());
          if (durable) {
            ch.force(true);
          }
          notes.add(
              "truncated the torn tail of "
                  + file.getFileName()
                  + " at offset "
                  + r.validLength()
                  + " ("
                  + r.tornProblem()
                  + "); it was never acknowledged");
        }
        if (last) {
          active = EntrySink.resume(ch, r.validLength(), new Frames.Chain(head));
          activeHasEntries = r.entries() > 0;
        } else {
          ch.close();
        }
      } catch (IOException | RuntimeException e) {
        ch.close();
        throw e;
      }
    }
    if (active == null) {
      active =
          EntrySink.create(
              Layout.segment(dir, activeNumber),
              new Frames.Header(Frames.SEGMENT, activeNumber, nextSeq, head),
              new Frames.Chain(head),
              durable);
    }
    return new Recovered(
        history,
        records,
        leases,
        active,
        activeNumber,
        activeHasEntries,
        nextSeq,
        firstLive,
        notes);
  }

  private static Frames.Header readHeader(Path file, FileChannel ch) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(Frames.HEADER_SIZE);
    while (b.hasRemaining() && ch.read(b, b.position()) >= 0) {
      // read until the header is complete or the file ends
    }
    return Frames.Header.decode(b.flip(), file, Frames.SEGMENT);
  }
}
