// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.journal.internal;

import io.cutover.core.journal.JournalCorruptedException;
import io.cutover.core.journal.RolloutSummary;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The audit history: one {@link Bodies#SUMMARY} entry per compacted rollout, in one hash chain,
 * appended by compaction. Only the prefix recorded in the snapshot ({@code historyLength}, {@code
 * historyHead}) is committed: bytes after it belong to a compaction that crashed before its
 * snapshot was renamed, and are cut off on open. The file is read only by history queries, never at
 * open, so open time does not grow with history.
 */
public final class HistoryFile {
  private HistoryFile() {}

  /**
   * The committed state of the history file.
   *
   * @param length committed bytes (0 if there is no history file)
   * @param head hash of the last committed entry
   * @param count number of committed entries
   */
  public record State(long length, byte[] head, long count) {
    /** No history yet. */
    public static final State EMPTY = new State(0, Frames.ZERO_HASH, 0);
  }

  /** Cuts off uncommitted bytes after {@code committed}; fails if committed bytes are missing. */
  public static void recover(Path dir, State committed) throws IOException {
    Path file = dir.resolve(Layout.HISTORY);
    if (!Files.exists(file)) {
      if (committed.length() > 0) {
        throw new JournalCorruptedException(
            file,
            0,
            "history file is missing but the snapshot records "
                + committed.count()
                + " summaries in it");
      }
      return;
    }
    long size = Files.size(file);
    if (size < committed.length()) {
      throw new JournalCorruptedException(
          file,
          size,
          "history file ends at "
              + size
              + " bytes but the snapshot"
              + " records "
              + committed.length()
              + " committed bytes");
    }
    if (committed.length() == 0) {
      Files.delete(file);
    } else if (size > committed.length()) {
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
        ch.truncate(committed.length());
        ch.force(true);
      }
    }
  }

  /**
   * Appends summaries after the committed state (forced to disk if {@code durable}) and returns the
   * new state, which the next snapshot commits.
   */
  public static State append(Path dir, State from, List<RolloutSummary> summaries, boolean durable)
      throws IOException {
    if (summaries.isEmpty()) {
      return from;
    }
    Path file = dir.resolve(Layout.HISTORY);
    Frames.Chain chain = new Frames.Chain(from.head());
    EntrySink sink;
    if (from.length() == 0) {
      Files.deleteIfExists(file);
      sink =
          EntrySink.create(
              file, new Frames.Header(Frames.HISTORY, 0, 0, Frames.ZERO_HASH), chain, durable);
    } else {
      FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.READ);
      ch.truncate(from.length());
      sink = EntrySink.resume(ch, from.length(), chain);
    }
    try (sink) {
      for (RolloutSummary s : summaries) {
        sink.add(Bodies.summary(s));
      }
      if (durable) {
        sink.force();
      } else {
        sink.flush();
      }
      return new State(sink.size(), chain.head(), from.count() + summaries.size());
    }
  }

  /**
   * The committed summaries of {@code service}, oldest compaction first, after verifying the whole
   * chain.
   */
  public static List<RolloutSummary> read(Path dir, State committed, String service)
      throws IOException {
    List<RolloutSummary> out = new ArrayList<>();
    if (committed.length() == 0) {
      return out;
    }
    Path file = dir.resolve(Layout.HISTORY);
    long[] count = {0};
    FrameReader.Result r;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      r =
          FrameReader.read(
              file,
              ch,
              committed.length(),
              Frames.HISTORY,
              false,
              (body, offset) -> {
                if (Bodies.kind(body) != Bodies.SUMMARY) {
                  throw new JournalCorruptedException(
                      file,
                      offset,
                      "unexpected entry kind " + Bodies.kind(body) + " in the history file");
                }
                count[0]++;
                if (Bodies.summaryService(body).equals(service)) {
                  out.add(Bodies.decodeSummary(body));
                }
              });
    }
    if (!Arrays.equals(r.head(), committed.head()) || count[0] != committed.count()) {
      throw new JournalCorruptedException(
          file,
          committed.length(),
          "history does not end where the snapshot"
              + " says ("
              + count[0]
              + " entries ending in "
              + Frames.hex(r.head())
              + ", expected "
              + committed.count()
              + " ending in "
              + Frames.hex(committed.head())
              + ")");
    }
    return out;
  }
}
