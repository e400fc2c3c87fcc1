// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.journal.internal;

import io.cutover.core.journal.JournalCorruptedException;
import io.cutover.spi.JournalRecord;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The snapshot: what compaction keeps of everything before the first live segment. Entries, all in
 * one hash chain starting from zero: a {@link Bodies#SNAPSHOT_META}, the leases, the records of
 * rollouts that were still open, and a {@link Bodies#SNAPSHOT_END} with the entry count. The file
 * is written beside the live one and renamed over it atomically, so it is either the old snapshot
 * or the new one, never a mixture; any damage, including a missing end, is corruption.
 */
public final class SnapshotFile {
  private SnapshotFile() {}

  /**
   * A loaded snapshot.
   *
   * @param meta chain anchor, sequence and history bookkeeping
   * @param leases the lease table at the snapshot
   * @param records retained records of rollouts open at the snapshot, in order
   */
  public record Snapshot(
      Bodies.SnapshotMeta meta, Map<String, String> leases, List<JournalRecord> records) {}

  /** Reads and verifies {@code file}. */
  public static Snapshot read(Path file) throws IOException {
    return read(file, new StringTable());
  }

  /** Reads and verifies {@code file}, sharing repeated strings through {@code strings}. */
  static Snapshot read(Path file, StringTable strings) throws IOException {
    Map<String, String> leases = new LinkedHashMap<>();
    List<JournalRecord> records = new ArrayList<>();
    Bodies.SnapshotMeta[] meta = {null};
    long[] entries = {0};
    boolean[] ended = {false};
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      FrameReader.read(
          file,
          ch,
          ch.size(),
          Frames.SNAPSHOT,
          false,
          (body, offset) -> {
            byte kind = Bodies.kind(body);
            if (ended[0]) {
              throw new JournalCorruptedException(file, offset, "entry after the snapshot's end");
            }
            if (entries[0] == 0 && kind != Bodies.SNAPSHOT_META) {
              throw new JournalCorruptedException(
                  file, offset, "snapshot does not start with its meta entry");
            }
            switch (kind) {
              case Bodies.SNAPSHOT_META -> {
                if (entries[0] != 0) {
                  throw new JournalCorruptedException(
                      file, offset, "second meta entry in the snapshot");
                }
                meta[0] = Bodies.decodeMeta(body);
              }
              case Bodies.LEASE -> {
                String[] l = Bodies.decodeLease(body);
                leases.put(l[0], l[1]);
              }
              case Bodies.RECORD -> {
                JournalRecord r = Bodies.decodeRecord(body, strings);
                long floor = records.isEmpty() ? 0 : records.get(records.size() - 1).sequence();
                if (r.sequence() <= floor || r.sequence() >= meta[0].nextSequence()) {
                  throw new JournalCorruptedException(
                      file,
                      offset,
                      "record sequence "
                          + r.sequence()
                          + " out of order (after "
                          + floor
                          + ", before "
                          + meta[0].nextSequence()
                          + ")");
                }
                records.add(r);
              }
              case Bodies.SNAPSHOT_END -> {
                long n = Bodies.decodeEnd(body);
                if (n != entries[0]) {
                  throw new JournalCorruptedException(
                      file,
                      offset,
                      "snapshot ends after " + n + " entries but holds " + entries[0]);
                }
                ended[0] = true;
              }
              default ->
                  throw new JournalCorruptedException(
                      file, offset, "unexpected entry kind " + kind + " in a snapshot");
            }
            entries[0]++;
          });
    }
    if (!ended[0] || meta[0] == null) {
      throw new JournalCorruptedException(
          file, Files.size(file), "snapshot has no end entry (truncated)");
    }
    return new Snapshot(meta[0], leases, records);
  }

  /**
   * Writes a snapshot and atomically replaces the current one; if {@code durable}, the new snapshot
   * and the rename are forced to disk before this returns.
   */
  public static void write(
      Path dir,
      Bodies.SnapshotMeta meta,
      Map<String, String> leases,
      List<JournalRecord> records,
      boolean durable)
      throws IOException {
    Path tmp = dir.resolve(Layout.SNAPSHOT_TMP);
    Files.deleteIfExists(tmp);
    long n = 0;
    try (EntrySink sink =
        EntrySink.create(
            tmp,
            new Frames.Header(Frames.SNAPSHOT, 0, 0, Frames.ZERO_HASH),
            new Frames.Chain(Frames.ZERO_HASH),
            false)) {
      sink.add(Bodies.meta(meta));
      n++;
      for (Map.Entry<String, String> l : leases.entrySet()) {
        sink.add(Bodies.lease(Bodies.LEASE, l.getKey(), l.getValue()));
        n++;
      }
      for (JournalRecord r : records) {
        sink.add(Bodies.record(r));
        n++;
      }
      sink.add(Bodies.end(n));
      if (durable) {
        sink.force();
      } else {
        sink.flush();
      }
    }
    Files.move(
        tmp,
        dir.resolve(Layout.SNAPSHOT),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    if (durable) {
      Layout.forceDirectory(dir);
    }
  }

  /**
   * The snapshot in {@code dir}, or null if compaction never ran there; repeated strings are shared
   * through {@code strings}.
   */
  static @Nullable Snapshot readIfPresent(Path dir, StringTable strings) throws IOException {
    Files.deleteIfExists(dir.resolve(Layout.SNAPSHOT_TMP));
    Path p = dir.resolve(Layout.SNAPSHOT);
    return Files.exists(p) ? read(p, strings) : null;
  }
}
