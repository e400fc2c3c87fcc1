// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.journal;

import io.cutover.spi.JournalRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Test helpers: records to append, and byte-level surgery on journal files. */
final class JournalFiles {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private JournalFiles() {}

  static JournalRecord record(String rollout, JournalRecord.Type type, String payload) {
    String op =
        type == JournalRecord.Type.INTENT || type == JournalRecord.Type.DONE
            ? rollout + "/s0/launch"
            : null;
    return JournalRecord.of(T0, rollout, "checkout", type, op, payload);
  }

  static JournalRecord state(String rollout, int i) {
    return record(rollout, JournalRecord.Type.STATE, "{\"step\":" + i + ",\"status\":\"started\"}");
  }

  static JournalRecord created(String rollout, String service, Instant at) {
    return JournalRecord.of(
        at,
        rollout,
        service,
        JournalRecord.Type.CREATED,
        null,
        "{\"strategy\":\"canary\",\"target\":\""
            + service
            + "-v2\",\"artifact\":\"registry/"
            + service
            + "@sha256:"
            + "ab".repeat(32)
            + "\",\"config\":\"sha256:"
            + "cd".repeat(32)
            + "\",\"stable\":\""
            + service
            + "-v1\",\"steps\":4,\"initiator\":\"alice\",\"annotations\":{\"ticket\":\"OPS-7\"}}");
  }

  static JournalRecord ended(String rollout, String service, Instant at, boolean ok) {
    return JournalRecord.of(
        at,
        rollout,
        service,
        JournalRecord.Type.ENDED,
        null,
        ok
            ? "{\"outcome\":\"succeeded\",\"target\":\"" + service + "-v2\"}"
            : "{\"outcome\":\"aborted\",\"target\":\""
                + service
                + "-v2\",\"reason\":\"gate errors failed\"}");
  }

  static List<Path> segments(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith("segment-")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path onlySegment(Path dir) {
    List<Path> s = segments(dir);
    if (s.size() != 1) {
      throw new AssertionError("expected one segment, found " + s);
    }
    return s.get(0);
  }

  /** Offsets of every entry in a segment, computed from the length fields (without verifying). */
  static List<Long> entryOffsets(Path segment) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(segment));
    List<Long> out = new ArrayList<>();
    int at = 64;
    while (at + 40 <= b.limit()) {
      out.add((long) at);
      at += 40 + b.getInt(at);
    }
    return out;
  }

  static void flip(Path file, long offset) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    bytes[(int) offset] ^= 0x01;
    Files.write(file, bytes);
  }

  static void truncate(Path file, long length) throws IOException {
    try (var ch =
        java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
      ch.truncate(length);
    }
  }

  static void copyDir(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> s = Files.list(from)) {
      for (Path p : s.toList()) {
        if (!p.getFileName().toString().equals("journal.lock")) {
          Files.copy(p, to.resolve(p.getFileName()));
        }
      }
    }
  }
}
